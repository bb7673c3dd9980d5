"""A more depolarized rest makes an excitable cell fire by itself, and costs more ATP.

For the HH 1952 squid axon and the Pospischil (2008) regular-spiking cortical cell, each
kept at its own leak conductance, the Na+ and K+ leaks and the Na+/K+ pump are re-balanced
so that the cell rests at every potential from -80 to -40 mV (``balance_rest``). One
Brian2 ``NeuronGroup`` simulates all of them at once (``excitability_sweep``). The figure
``figures/02_depolarized_rest_fires.png`` shows the spontaneous firing rate and the ATP
spent per second against the balanced resting potential, with the critical resting
potential (``critical_rest``, where the analysis says the rest turns unstable) marked.
Below it the cell is silent, above it it fires by itself. The bottom row shows where each cell actually sits. The script prints the numbers.
"""

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import *

from brian2energy import SeveralSteadyStatesWarning, enable_vector_math, load_model
from brian2energy.rest import critical_rest, excitability_sweep

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="a few points, 0.3 s, numpy target (for the test suite)")
args = parser.parse_args()

prefs.codegen.target = "numpy" if args.quick else "cython"
enable_vector_math()  # opt-in gcc flags: the compiled state update vectorises its exp calls
warnings.simplefilter("ignore", SeveralSteadyStatesWarning)  # the cortical cell has several steady states; we know
models = {"squid_axon_hh1952": "HH 1952 squid axon", "cortical_pyramidal_rs": "Pospischil 2008 RS pyramidal cell"}
args.out.mkdir(parents=True, exist_ok=True)
fig, axes = plt.subplots(3, len(models), figsize=(11, 9), sharex=True)

for column, (name, title) in enumerate(models.items()):
    cell = load_model(name)
    crit = critical_rest(cell)
    v_crit = float(crit.v / mV)
    if args.quick:
        v_rest = np.array([-80.0, v_crit - 1, v_crit + 1])
        duration = 0.3 * second
    else:
        v_rest = np.arange(-80.0, -39.9, 0.25)
        duration = 2 * second
    table = excitability_sweep(cell, v_rest * mV, duration=duration, report="text")
    rate = np.asarray(table.firing_rate / Hz)
    atp = np.asarray(table.atp_per_second * second)

    below = table.feasible & (v_rest < v_crit)
    above = table.feasible & (v_rest > v_crit)
    print(f"{title}: critical resting potential {v_crit:.2f} mV "
          f"(equivalent injected current {float(crit.injected_current / (uA / cm**2)):.2f} uA/cm^2, "
          f"leak {float(crit.leak_conductance / (msiemens / cm**2)):.4g} mS/cm^2)")
    print(f"  below it: {int(np.sum(rate[below] > 0))} of {int(below.sum())} balanced rests fire; "
          f"ATP/s per cell at {v_rest[below][-1]:.2f} mV: {atp[below][-1]:.3g}")
    if above.any():
        print(f"  above it: {int(np.sum(rate[above] > 0))} of {int(above.sum())} fire (up to {np.nanmax(rate[above]):.0f} Hz);"
              f" ATP/s per cell at {v_rest[above][0]:.2f} mV: {atp[above][0]:.3g}")
    silent_above = above & (rate == 0)
    if silent_above.any():
        print(f"  from {v_rest[silent_above][0]:.2f} mV the unstable balanced rest gives way to another steady "
              f"state (mean v {float(table.mean_v[silent_above][0] / mV):.1f} mV)")
    if (~table.feasible).any():
        print(f"  no balance with this leak at {int((~table.feasible).sum())} of {len(v_rest)} points "
              "(outside (E_K, E_Na), or the K+ leak would have to be negative)")

    ax_rate, ax_atp, ax_v = axes[0, column], axes[1, column], axes[2, column]
    ax_rate.plot(v_rest, rate, "k.-", ms=3)
    ax_v.plot(v_rest, np.asarray(table.mean_v / mV), "k.-", ms=3, label="measured mean v")
    ax_v.plot(v_rest, v_rest, ":", color="0.5", label="target (balanced rest)")
    ax_atp.semilogy(v_rest, atp, "k.-", ms=3, label="simulated")
    ax_atp.semilogy(v_rest, np.asarray(table.atp_per_second_rest * second), "--", color="0.5",
                    label="balanced rest (analytical)")
    infeasible = np.flatnonzero(~table.feasible)
    runs = np.split(infeasible, np.flatnonzero(np.diff(infeasible) > 1) + 1) if infeasible.size else []
    for ax in (ax_rate, ax_atp, ax_v):
        ax.axvline(v_crit, color="tab:red", lw=1)
        for run_ in runs:
            ax.axvspan(v_rest[run_[0]] - 0.125, v_rest[run_[-1]] + 0.125, color="0.9", lw=0)
    ax_rate.text(v_crit, ax_rate.get_ylim()[1] * 0.9, f" critical rest\n {v_crit:.2f} mV", color="tab:red",
                 va="top", fontsize="small")
    ax_rate.set(title=title, ylabel="spontaneous rate (Hz)")
    ax_atp.set(ylabel="ATP per second per cell")
    ax_atp.legend(fontsize="small", frameon=False)
    ax_v.set(xlabel="balanced resting potential (mV)", ylabel="mean v after settling (mV)")
    ax_v.legend(fontsize="small", frameon=False)

fig.suptitle("Balanced rests: silent below the critical resting potential, firing above it "
             "(grey: no balance possible with the cell's leak)", fontsize="medium")
fig.tight_layout()
path = args.out / "02_depolarized_rest_fires.png"
fig.savefig(path, dpi=110)
print(f"wrote {path}")
