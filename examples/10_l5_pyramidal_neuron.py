"""Where a cortical pyramidal neuron's action potential spends its ATP: Hallermann et al. (2012)'s L5 cell.

The layer-5 pyramidal neuron of Hallermann, de Kock, Stuart & Kole (2012, ModelDB 144526) on its
reconstructed morphology (``load_spatial_model("hallermann2012_l5")``: 2,758 compartments), run with the
model's own protocol: settled from -85 mV for 500 ms, one action potential from a 2.5 nA, 3 ms step into the
soma, its Na+ entry counted over 18 ms. Prints the ATP per um^2 of each region, measured as Hallermann et
al. did (Na+ through the Na+ channels / 3) beside their published figures and NEURON run to convergence,
and brian2energy's whole ions-restored cost (the Na+ through Ih and the leak too, and the Ca2+). Writes
``figures/10_l5_pyramidal_neuron.png``: v at four sites and the ATP per um^2 of every compartment
against its distance from the soma.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import StateMonitor, defaultclock, ms, mV, nA, prefs, run, um
from brian2.units.constants import elementary_charge

from brian2energy import load_spatial_model, plot
from brian2energy.spatial import counter_values, region_budget

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="dt = 0.01 ms, the model's own step (default: 0.0025 ms)")
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)
prefs.codegen.target = "numpy"

model = load_spatial_model("hallermann2012_l5")
neuron = model.spatial_neuron(v_init=-85 * mV)
distance = np.asarray(neuron.distance / um)
apical = model.regions["apical"][np.argmin(np.abs(distance[model.regions["apical"]] - 300))]
sites = {"soma": 0, "AIS": model.regions["ais"][10], "first node": model.regions["node"][0], "apical, 300 um": apical}
v = StateMonitor(neuron, "v", record=list(sites.values()), dt=0.01 * ms)
v.active = False
defaultclock.dt = 0.5 * ms
run(500 * ms)  # settle, as the model's own 500 ms pre-run
defaultclock.dt = (0.01 if args.quick else 0.0025) * ms
v.active = True
run(15 * ms)
neuron.I[0] = 2.5 * nA
run(2 * ms)
start = counter_values(neuron)
run(1 * ms)
neuron.I[0] = 0 * nA
run(17 * ms)
budget = region_budget(neuron, since=start, regions=model.regions)
now = counter_values(neuron)
na_channels = sum(now[f"Q_Na_{m}"] - start[f"Q_Na_{m}"] for m in ("na", "nax")) / float(elementary_charge) / 3
area = np.asarray(neuron.area / um**2)

published = {"ais": 5.5e4, "node": 3.5e4, "soma": 6.8e3, "collateral": 3.9e3, "basal": 2.5e3, "apical": 2.2e3,
             "myelin": 2.1e2}  # readme of ModelDB 144526 (NEURON at dt = 0.01 ms)
converged = {"ais": 5.14e4, "node": 3.12e4, "soma": 6.49e3, "collateral": 3.61e3, "basal": 2.46e3, "apical": 2.15e3,
             "myelin": 185}  # the same model in NEURON under CVODE (tests/hallermann2012.py)
print(f"one action potential, dt = {defaultclock.dt / ms:g} ms: {na_channels.sum():.3g} ATP for the Na+ through "
      f"Na+ channels (published 2.0e8, NEURON converged 1.91e8); {budget.total:.3g} ATP for every ion")
print(f"{'ATP per um^2':12s} {'Na+ channels':>12s} {'published':>10s} {'converged':>10s} {'every ion':>10s}")
for name, figure in published.items():
    idx = model.regions[name]
    print(f"{name:12s} {na_channels[idx].sum() / area[idx].sum():12.3g} {figure:10.2g} "
          f"{converged[name]:10.3g} {budget.atp_per_um2[name]:10.3g}")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for row, label in zip(v.v, sites):
    axes[0].plot(v.t / ms - 515, row / mV, label=label)
axes[0].set(xlabel="time from the current step (ms)", ylabel="v (mV)", title="one action potential", xlim=(0, 8))
axes[0].legend(frameon=False, fontsize="small")
plot.atp_along(budget, axes=axes[1], markersize=3)
axes[1].set_yscale("log")
axes[1].set_title("ATP per um$^2$ of each compartment (every ion), 18 ms")
fig.tight_layout()
fig.savefig(args.out / "10_l5_pyramidal_neuron.png", dpi=110)
print(f"wrote {args.out / '10_l5_pyramidal_neuron.png'}")
