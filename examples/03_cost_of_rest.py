"""What a resting potential costs: the three facts side by side, with the published numbers.

1. Excitable cells rest near -60 mV or below: a balanced rest of the Pospischil (2008)
   regular-spiking cell is stable only below its critical resting potential, and costs more
   the more depolarized it is.
2. Holding a depolarized rest is expensive when the membrane is leaky: the blowfly
   photoreceptor (Heras et al. 2017), depolarized to -30 mV by bright light, against the same
   leaky cell held at -60 mV and the tight cell in the dark.
3. A cell with a very high input resistance (the immature iPSC-derived neuron of Pre et al.
   2014, 2.5 GOhm) rests between E_K and E_Na cheaply: ATP per second against input
   resistance at a fixed depolarized rest, the photoreceptor at its own rest alongside.

Everything here is analytical (``cost_of_rest``, ``balanced_stability``): the ions-restored ATP
(Na+ entry / 3e) of the rest whose leaks and pump balance the Na+ and K+ fluxes.
Writes ``figures/03_cost_of_rest.png`` and prints the numbers beside the published ones.
"""

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import *

from brian2energy import SeveralSteadyStatesWarning, load_model, resting_state
from brian2energy.rest import balance_rest, balanced_stability, cost_of_rest, critical_rest, own_leak_conductance

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="coarser curves (for the test suite)")
args = parser.parse_args()
points = 40 if args.quick else 400
warnings.simplefilter("ignore", SeveralSteadyStatesWarning)  # the cortical cell has several; we know
fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))

# 1. the cortical cell: cost and stability of balanced rests at its own leak
rs = load_model("cortical_pyramidal_rs")
v = np.linspace(-85, -45, points)
cost = np.asarray(cost_of_rest(rs, v * mV) * second)
stable, _ = balanced_stability(rs, v * mV)
crit = critical_rest(rs)
own = resting_state(rs)
ax = axes[0]
ax.semilogy(np.where(stable, v, np.nan), cost, "k", label="stable (silent)")
ax.semilogy(np.where(stable, np.nan, v), cost, "tab:red", label="unstable: fires by itself")
ax.axvline(float(crit.v / mV), color="tab:red", lw=0.8, label=f"critical rest, {float(crit.v / mV):.2f} mV")
ax.plot(float(own.v / mV), float(cost_of_rest(rs, own.v) * second), "o", color="tab:blue",
        label=f"balanced at its own rest, {float(own.v / mV):.1f} mV")
ax.set(title="1. Pospischil RS cell: rest is stable below\nthe critical resting potential",
       xlabel="balanced resting potential (mV)", ylabel="ATP/s per cell")
ax.legend(fontsize="small", frameon=False)
print(f"1. Pospischil 2008 RS cell: own rest {float(own.v / mV):.2f} mV (published leak reversal -70.3 mV), "
      f"balanced there {float(cost_of_rest(rs, own.v) * second):.3g} ATP/s; critical resting potential "
      f"{float(crit.v / mV):.2f} mV, where holding it costs {float(crit.atp_per_second * second):.3g} ATP/s")

# 2. the photoreceptor. Its light-gated conductance is a Na+-booked leak at the same reversal
# (+5 mV) as its dark cation leak, so the cell in light is the dark cell with a larger leak.
photo = load_model("blowfly_photoreceptor")
light = resting_state(photo)
dark_cell = photo.with_mechanisms([m for m in photo.mechanisms if m.name != "light"])
g_dark = own_leak_conductance(dark_cell)
g_light = g_dark + next(m.g for m in photo.mechanisms if m.name == "light")


def k_leak(g):
    """The K+ leak the balance at -30 mV gives for a total leak g."""
    return next(m.g for m in balance_rest(dark_cell, -30 * mV, leak_conductance=g).mechanisms if m.name == "leak_K")


# Brighter light, as Heras et al. model it: the K+ leak stays at the cell's own 4 nS and the light
# conductance grows until the cell rests at -30 mV. At fixed v the balanced K+ leak is linear in
# the total leak, so two balances give the total leak that keeps it at 4 nS.
g_own_k = next(m.g for m in photo.mechanisms if m.name == "leak_K")
g1, g2 = 3 * g_light, 6 * g_light  # both leaky enough to balance -30 mV
g_bright = g1 + (g_own_k - k_leak(g1)) * (g2 - g1) / (k_leak(g2) - k_leak(g1))
v = np.linspace(-80, -5, points)
ax = axes[1]
curves = ((g_bright, "bright light", "tab:red"), (g_light, "the model's light", "tab:orange"), (g_dark, "dark", "k"))
for g, label, colour in curves:
    ax.semilogy(v, np.asarray(cost_of_rest(dark_cell, v * mV, leak_conductance=g) * second), color=colour,
                label=f"{label}: leak {float(g * photo.area / nS):.0f} nS")
bright_30, bright_60, dark_60 = (float(cost_of_rest(dark_cell, vr * mV, leak_conductance=g) * second)
                                 for vr, g in ((-30, g_bright), (-60, g_bright), (-60, g_dark)))
ax.plot([-30, -60], [bright_30, bright_60], "o", color="tab:red", label="bright-light leak, held at -30 / -60 mV")
ax.plot([-60], [dark_60], "o", color="k", label="dark leak, at -60 mV")
ax.plot(float(light.v / mV), float(light.atp_per_second * second), "*", ms=12, color="tab:orange",
        label="the model in light (Heras 2017 Fig. 8: ~1.0e10)")
ax.set(title="2. Blowfly photoreceptor: a depolarized\nrest is costly when the membrane is leaky",
       xlabel="balanced resting potential (mV)", ylabel="ATP/s per cell")
ax.legend(fontsize="small", frameon=False)
print(f"2. blowfly photoreceptor (Heras et al. 2017, Fig. 8): in light at {float(light.v / mV):.1f} mV "
      f"{float(light.atp_per_second * second):.3g} ATP/s (published ~1.0e10); in the dark at -60 mV "
      f"{dark_60:.3g} ATP/s (published ~8.7e8)")
print(f"   brighter light to -30 mV (leak {float(g_bright * photo.area / nS):.0f} nS): {bright_30:.3g} ATP/s; "
      f"the same leaky cell held at -60 mV: {bright_60:.3g} ATP/s; the tight dark cell at -60 mV: {dark_60:.3g} ATP/s")

# 3. input resistance at a fixed depolarized rest
undiff = load_model("undifferentiated_cell")
r = np.logspace(6, 10.5, points) * ohm
ax = axes[2]
ax.loglog(np.asarray(r / Mohm), np.asarray(cost_of_rest(undiff, -35 * mV, input_resistance=r) * second), "k",
          label="immature neuron, balanced at -35 mV")
ax.loglog(np.asarray(r / Mohm), np.asarray(cost_of_rest(dark_cell, light.v, input_resistance=r) * second),
          color="tab:orange", label=f"photoreceptor, balanced at {float(light.v / mV):.0f} mV")
published = 2.5 * Gohm
cheap = float(cost_of_rest(undiff, -35 * mV, input_resistance=published) * second)
ax.plot(float(published / Mohm), cheap, "o", color="tab:blue", label="Pre 2014: 2,500 MOhm, -35 mV")
ax.plot(float(light.input_resistance / Mohm), float(light.atp_per_second * second), "*", ms=12, color="tab:red",
        label=f"photoreceptor in light: {float(light.input_resistance / Mohm):.1f} MOhm")
ax.set(title="3. High input resistance: a depolarized\nrest between E_K and E_Na is cheap",
       xlabel="input resistance (MOhm)", ylabel="ATP/s per cell")
ax.legend(fontsize="small", frameon=False)
print(f"3. immature iPSC-derived neuron (Pre et al. 2014, day 31-38: R_in 2.5 GOhm, rest -35 mV): "
      f"{cheap:.3g} ATP/s, {float(light.atp_per_second * second) / cheap:.0f}x less than the photoreceptor "
      f"at {float(light.v / mV):.0f} mV with {float(light.input_resistance / Mohm):.1f} MOhm")

fig.tight_layout()
args.out.mkdir(parents=True, exist_ok=True)
path = args.out / "03_cost_of_rest.png"
fig.savefig(path, dpi=110)
print(f"wrote {path}")
