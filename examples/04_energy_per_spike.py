"""ATP per spike, Na+ load ratio and ATP per second at rest: squid axon vs mammalian neurons.

Each model (the HH 1952 squid axon at 6.3 C, the Pospischil 2008 regular-spiking cortical
cell, the Wang & Buzsaki 1996 fast-spiking interneuron) fires one spike from rest in
response to a 1 ms current pulse; an ``EnergyMonitor`` records it and ``energy_report``
gives the figures (ions-restored view: Na+ entry / 3e). They are printed beside the
published ones. The squid axon's spike at 6.3 C lets in about ten times the minimum Na+
charge; mammalian spikes come close to the minimum (Carter & Bean 2009). Writes
``figures/04_energy_per_spike.png``: each spike, its ATP rate, and the ATP budgets.
"""

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from brian2 import *
from brian2.units.constants import elementary_charge

from brian2energy import SeveralSteadyStatesWarning, load_model, plot
from brian2energy.energy import EnergyMonitor, energy_report

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="shorter runs (for the test suite)")
args = parser.parse_args()
prefs.codegen.target = "numpy"
warnings.simplefilter("ignore", SeveralSteadyStatesWarning)  # several steady states in the mammalian models; we know

# model -> (1 ms pulse in uA/cm^2, published figures to print beside ours)
MODELS = {
    "squid_axon_hh1952": (40, "Na+ load ~11x the minimum, ~1100 nC/cm^2 per spike at 6.3 C (Sengupta et al. 2010, "
                              "repetitive firing); ~4x at 18.5 C, the figure Attwell & Laughlin 2001 built their "
                              "budget on (3.84e8 ATP per spike per rodent neuron)"),
    "cortical_pyramidal_rs": (60, "load ratio 1.24 +- 0.29, 0.82 pmol/cm^2 = 79 nC/cm^2 (Carter & Bean 2009, "
                                  "cortical pyramidal, 37 C); 1.3 in hippocampal mossy fibres (Alle et al. 2009)"),
    "fast_spiking_interneuron": (20, "load ratio 1.98 +- 0.55, 1.36 pmol/cm^2 = 131 nC/cm^2 (Carter & Bean 2009, "
                                     "fast-spiking basket cells, 37 C)"),
}
before, after = 20 * ms, (20 if args.quick else 40) * ms
fig, axes = plt.subplots(4, len(MODELS), figsize=(13, 11), gridspec_kw={"height_ratios": [3, 3, 2, 2]})
for column, (name, (pulse, published)) in enumerate(MODELS.items()):
    cell = load_model(name)
    group = cell.neuron_group(1, dt=cell.dt)  # the model's measured step
    monitor = EnergyMonitor(group)
    net = Network(group, monitor)
    net.run(before)
    group.I_inj = pulse * uA / cm**2
    net.run(1 * ms)
    group.I_inj = 0 * uA / cm**2
    net.run(after)
    report = energy_report(monitor)
    area = float(cell.area / cm**2)
    per_spike = report.atp_per_spike[0]
    na_nc_cm2 = per_spike * 3 * float(elementary_charge) / area * 1e9
    print(f"{name}: {report.n_spikes[0]} spike(s)")
    print(f"  ATP per spike {per_spike:.3g} per cell, {per_spike / area:.3g} per cm^2 "
          f"(Na+ {na_nc_cm2:.0f} nC/cm^2); Na+ load ratio {report.na_load_ratio[0]:.2f} "
          f"({report.na_after_peak[0]:.0%} of it after the peak)")
    print(f"  ATP per second at rest {float(report.atp_per_second_rest[0] * second):.3g} per cell "
          f"(quiet stretch in the run: {float(report.atp_per_second_rest_measured[0] * second):.3g})")
    print(f"  published: {published}")

    states = monitor.states
    axes[0, column].plot(states.t / ms, states.v[0] / mV, "k")
    title = {"squid_axon_hh1952": "HH 1952 squid axon, 6.3 C", "cortical_pyramidal_rs": "cortical pyramidal cell",
             "fast_spiking_interneuron": "fast-spiking interneuron"}[name]
    axes[0, column].set(title=f"{title}\nload ratio {report.na_load_ratio[0]:.2f}, {na_nc_cm2:.0f} nC/cm$^2$",
                        xlabel="time (ms)", ylabel="v (mV)")
    plot.atp_rate(monitor, neuron=0, smooth=0.1 * ms, axes=axes[1, column], color="tab:blue")
    plot.budget_bars(report, axes=axes[2, column])
    axes[2, column].set_title(f"ATP budget of this {float((before + after) / ms) + 1:.0f} ms run")
    plot.na_entry_bars(report, axes=axes[3, column])

fig.tight_layout()
args.out.mkdir(parents=True, exist_ok=True)
path = args.out / "04_energy_per_spike.png"
fig.savefig(path, dpi=100)
print(f"wrote {path}")
