"""An E/I network that is quiet at a normal rest fires by itself when its excitatory cells rest too depolarized.

Two copies of one network (Pospischil 2008 regular-spiking pyramidal cells and Wang-Buzsaki
fast-spiking interneurons, 80% / 20%, AMPA + NMDA and GABA_A synapses with counted ions,
no external input) run side by side in one cpp_standalone simulation. In the first, the
pyramidal cells' Na+/K+ leaks and pump are balanced at -65 mV; in the second at 2 mV past
their critical resting potential (``critical_rest``), where the rest is unstable: the cells
fire by themselves and drive the network. The figure ``figures/05_network_raster.png`` shows
each network's raster, population rates and ATP budget over time (rest, action potentials,
synaptic currents), and the budget bars; the script prints both budgets.
"""

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import *

from brian2energy import SeveralSteadyStatesWarning, load_model, plot
from brian2energy.energy import network_budget
from brian2energy.network import ei_network
from brian2energy.rest import balance_rest, critical_rest

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="50 neurons, 40 ms, numpy target (for the test suite)")
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)
warnings.simplefilter("ignore", SeveralSteadyStatesWarning)  # the pyramidal cell has several steady states; we know

if args.quick:
    prefs.codegen.target = "numpy"
    n_e, n_i, p, duration = 40, 10, 0.2, 0.04 * second
else:
    build = tempfile.mkdtemp(prefix="brian2energy_05_")  # the compiled project: not under --out
    set_device("cpp_standalone", directory=build)
    prefs.devices.cpp_standalone.openmp_threads = 2
    n_e, n_i, p, duration = 3200, 800, 0.02, 1 * second
pyramidal = load_model("cortical_pyramidal_rs")
interneuron = balance_rest(load_model("fast_spiking_interneuron").replace(area=5000 * um**2), -65 * mV)
defaultclock.dt = min(pyramidal.dt, interneuron.dt)  # both cells' measured steps kept (0.025 ms)
critical = critical_rest(pyramidal)
v_depolarized = critical.v + 2 * mV
cases = {"normal rest": -65 * mV, "depolarized rest": v_depolarized}
networks = {label: ei_network(balance_rest(pyramidal, v), interneuron, n_e, n_i, p=p, seed=1,
                              name="normal" if i == 0 else "depolarized")
            for i, (label, v) in enumerate(cases.items())}
print(f"pyramidal cell: critical resting potential {float(critical.v / mV):.2f} mV; excitatory cells balanced at "
      + " and ".join(f"{float(v / mV):.2f} mV ({label})" for label, v in cases.items()))
start = time.time()
Network([net.objects for net in networks.values()]).run(duration, report="text", report_period=30 * second)
print(f"{n_e} + {n_i} neurons and {np.sum([len(s) for s in networks['normal rest'].synapses.values()])} synapses "
      f"per network, {duration} at dt = {defaultclock.dt}: {time.time() - start:.1f} s wall time (compilation included)")

fig, axes = plt.subplots(4, 2, figsize=(12, 12), gridspec_kw={"height_ratios": [3, 1, 1.3, 1.3]})
for row in (0, 2, 3):  # the two networks' rasters and budgets on one scale (not the rates: one is silent)
    axes[row, 1].sharey(axes[row, 0])
budgets = {label: network_budget(net.budget) for label, net in networks.items()}
totals = {k: np.sum([r for rates in b.rate.values() for r in rates.values()], axis=0) for k, b in budgets.items()}
# one power of ten in each row of budgets, for both columns (they share their y axes): the busier network's
unit = plot.scaled(np.concatenate(list(totals.values()))).factor
bar_unit = plot.scaled([np.sum(list(b.atp_per_second(p).values())) for b in budgets.values() for p in b.populations]).factor
for column, ((label, net), budget) in enumerate(zip(networks.items(), budgets.values())):
    print(f"\n{label} (excitatory cells balanced at {float(cases[label] / mV):.2f} mV)")
    print(budget)
    plot.raster(net.spikes, axes=axes[0, column])
    axes[0, column].set_title(f"{label}: E balanced at {float(cases[label] / mV):.1f} mV")
    for population, monitor in net.spikes.items():
        plot.population_rate(monitor, bin=10 * ms, axes=axes[1, column], label=population)
    axes[1, column].legend(fontsize="small", frameon=False)
    plot.budget_rate(budget, axes=axes[2, column], scale=unit)  # bins below the rest: drawn as less rest
    settled = budget.t[1:] > 0.1 * float(duration / second)  # the scale of the settled network, not its onset
    axes[2, column].set_ylim(0, 2 * totals[label][settled].max(initial=0) / unit or None)
    axes[2, column].set_title("ATP budget over time (whole network)", fontsize="medium")
    plot.budget_bars(budget, axes=axes[3, column], scale=bar_unit)
fig.tight_layout()
fig.savefig(args.out / "05_network_raster.png", dpi=110)
ratio = budgets["depolarized rest"].total / budgets["normal rest"].total
print(f"\nthe depolarized network spends {ratio:.2f} times the ATP of the quiet one")
if not args.quick:
    shutil.rmtree(build, ignore_errors=True)
