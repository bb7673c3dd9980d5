"""A more depolarized rest makes an excitable cell fire by itself, and costs more ATP.

The HH 1952 squid axon and the Pospischil (2008) regular-spiking cortical cell, each at its own leak
conductance, are re-balanced (Na+ and K+ leaks, Na+/K+ pump: ``balance_rest``) to rest at every
potential from -80 to -40 mV, and one ``NeuronGroup`` simulates them all (``excitability_sweep``).
``figures/02_depolarized_rest_fires.png`` shows rate, ATP per second and mean v against the balanced
rest: silent below the critical resting potential (``critical_rest``, red), firing by itself above.
Balanced above about -52 mV, the Pospischil cell leaves its unstable rest downwards, and from -48 mV
it ends below E_K (down to about -130 mV). No channel can take v outside [E_K, E_Na]: there the pump,
its turnover fixed at what the balance needed, acts as a current source. The sweep flags such points
(``outside_reversals``, with an ``OutsideReversalsWarning``); they are artefacts of a fixed-rate pump,
not states a cell can reach, and are drawn hollow. The script prints the numbers.
"""

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import *

from brian2energy import SeveralSteadyStatesWarning, load_model
from brian2energy.errors import OutsideReversalsWarning
from brian2energy.rest import critical_rest, excitability_sweep

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="a few points, 0.3 s, numpy target (for the test suite)")
args = parser.parse_args()
prefs.codegen.target = "numpy" if args.quick else "cython"
for expected in (SeveralSteadyStatesWarning, OutsideReversalsWarning):  # we know, and print what they say
    warnings.simplefilter("ignore", expected)
models = {"squid_axon_hh1952": "HH 1952 squid axon", "cortical_pyramidal_rs": "Pospischil 2008 RS pyramidal cell"}
args.out.mkdir(parents=True, exist_ok=True)
fig, axes = plt.subplots(3, len(models), figsize=(11, 9), sharex=True)

for (name, title), (ax_rate, ax_atp, ax_v) in zip(models.items(), axes.T):
    cell = load_model(name)
    crit = critical_rest(cell)
    v_crit, E_K, E_Na = (float(x / mV) for x in (crit.v, cell.reversal_potentials["K"], cell.reversal_potentials["Na"]))
    v_rest = np.array([-80.0, v_crit - 1, v_crit + 1, -48]) if args.quick else np.arange(-80.0, -39.9, 0.25)
    table = excitability_sweep(cell, v_rest * mV, duration=(0.3 if args.quick else 2) * second, report="text")
    rate, atp, mean_v = (np.asarray(x) for x in (table.firing_rate * second, table.atp_per_second * second,
                                                  table.mean_v / mV))
    bad = table.outside_reversals
    below, above = (table.feasible & ~bad & side for side in (v_rest < v_crit, v_rest > v_crit))
    print(f"{title}: critical resting potential {v_crit:.2f} mV (equivalent injected current "
          f"{float(crit.injected_current / (uA / cm**2)):.2f} uA/cm^2, leak "
          f"{float(crit.leak_conductance / (msiemens / cm**2)):.4g} mS/cm^2)\n  no balance with this leak at "
          f"{(~table.feasible).sum()} of {len(v_rest)} points (outside (E_K, E_Na), or the K+ leak would have to be "
          f"negative)\n  below it: {np.sum(rate[below] > 0)} of {below.sum()} balanced rests fire; ATP/s per cell at "
          f"{v_rest[below][-1]:.2f} mV: {atp[below][-1]:.3g}")
    if above.any():
        print(f"  above it: {np.sum(rate[above] > 0)} of {above.sum()} fire (up to {np.max(rate[above]):.0f} Hz); "
              f"ATP/s per cell at {v_rest[above][0]:.2f} mV: {atp[above][0]:.3g}")
    if (quiet := above & (rate == 0)).any():
        print(f"  from {v_rest[quiet][0]:.2f} mV the unstable balanced rest gives way to another steady state "
              f"(mean v {mean_v[quiet][0]:.1f} mV)")
    if bad.any():
        print(f"  {bad.sum()} balanced rests from {v_rest[bad][0]:.2f} mV end outside [E_K, E_Na] = [{E_K:.0f}, "
              f"{E_Na:.0f}] mV (mean v down to {np.min(mean_v[bad]):.1f} mV), where no channel can take v: the pump,"
              " its turnover fixed at the balance, acts as a current source. Artefacts (hollow in the figure)")

    for ax, y, label in ((ax_rate, rate, None), (ax_atp, atp, "simulated"), (ax_v, mean_v, "measured mean v")):
        ax.plot(v_rest, np.where(bad, np.nan, y), "k.-", ms=3, label=label)
        if bad.any():
            ax.plot(v_rest[bad], y[bad], "o", mfc="none", mec="0.5", ms=4,
                    label=label and "v left [E_K, E_Na]: artefact")
        ax.axvline(v_crit, color="tab:red", lw=1)
        for v in v_rest[~table.feasible]:
            ax.axvspan(v - 0.125, v + 0.125, color="0.9", lw=0)
    ax_atp.semilogy(v_rest, table.atp_per_second_rest * second, "--", color="0.5", label="balanced rest (analytical)")
    ax_v.plot(v_rest[table.feasible], v_rest[table.feasible], ":", color="0.5", label="target (balanced rest)")
    low, high = np.nanmin(shown := np.r_[mean_v, v_rest[table.feasible]]) - 3, np.nanmax(shown) + 3
    ax_v.set_ylim(low, high)  # the data's range; E_K below it is an arrow at the bottom, not a far line
    if low < E_K:
        ax_v.axhline(E_K, color="tab:blue", lw=0.8, ls="--", label=f"E_K = {E_K:.0f} mV")
    else:
        ax_v.annotate(f"E_K = {E_K:.0f} mV\n(below the axis)", (0.95, 0), xycoords="axes fraction", xytext=(0, 28),
                      textcoords="offset points", ha="center", color="tab:blue", fontsize="small",
                      arrowprops={"arrowstyle": "->", "color": "tab:blue"})
    ax_rate.set_ylim(bottom=0)  # all silent in --quick: no axis of negative rates
    ax_rate.annotate(f"critical rest\n{v_crit:.2f} mV", (v_crit, 0.9), xycoords=("data", "axes fraction"),
                     ha="right", xytext=(-4, 0), textcoords="offset points", color="tab:red", va="top",
                     fontsize="small")
    ax_rate.set(title=title, ylabel="spontaneous rate (Hz)")
    ax_atp.set(ylabel="ATP/s per cell")
    ax_v.set(xlabel="balanced resting potential (mV)", ylabel="mean v after settling (mV)")
    ax_atp.legend(fontsize="small", frameon=False)
    ax_v.legend(fontsize="small", frameon=False)

fig.suptitle("Balanced rests: silent below the critical resting potential, firing above it (grey bands: no "
             "balance possible with the cell's leak; hollow: v left [E_K, E_Na])", fontsize="medium")
fig.tight_layout()
fig.savefig(args.out / "02_depolarized_rest_fires.png", dpi=110)
print(f"wrote {args.out / '02_depolarized_rest_fires.png'}")
