"""Block the Na+/K+ pump and the resting potential runs down: it is an actively maintained equilibrium.

The Hubel & Dahlem (2014) cell (moving Na+, K+ and Cl- in the cell and a small extracellular
space, an electrogenic pump, a glial K+ buffer) rests at -67 mV. At 20 s the pump is fully
blocked (``pump_block``, as ouabain does) for 9.5 s, their Fig. 5 protocol: Na_i and K_o rise,
E_K and E_Na collapse towards each other, the cell depolarizes, fires by itself, then falls
silent in depolarization block. The pump is then restored; the cell stays depolarized until the
glial buffer has taken up enough K+, then repolarizes. The figure
``figures/06_pump_block.png`` shows concentrations, reversal potentials, voltage and ATP rate;
the script prints when the first spontaneous spike came, when depolarization block set in,
when the cell recovered and the ATP the pump spent meanwhile.
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import *
from brian2.units.constants import avogadro_constant

from brian2energy import load_model
from brian2energy.energy import ATP_FREE_ENERGY
from brian2energy.ions import pump_block

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="2 s of rest and 15 s in all (no recovery yet; for the tests)")
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)

build = tempfile.mkdtemp(prefix="brian2energy_06_")  # the compiled project: not under --out
set_device("cpp_standalone", directory=build, build_on_run=False)
t_block, blocked, t_end = (2, 9.5, 15) if args.quick else (20, 9.5, 160)
t_restore = t_block + blocked

cell = load_model("hubel_dahlem_2014")
neuron = cell.neuron_group(1, dt=cell.dt)  # its measured step, 0.01 ms
spikes = SpikeMonitor(neuron)
slow = StateMonitor(neuron, ["v", "Na_i", "K_i", "K_o", "E_Na", "E_K", "i_pump", "ATP_pump", "ATP_ions"],
                    record=0, dt=1 * ms)
fast = StateMonitor(neuron, "v", record=0, dt=0.05 * ms)
run(t_block * second)
pump_block(neuron, 1)  # ouabain: every pump blocked
run(blocked * second)
pump_block(neuron, 0)  # washout
run((t_end - t_restore) * second)
start = time.time()
device.build(directory=build)
wall = time.time() - start
print(f"simulated {t_end} s in {wall:.1f} s of wall time, compilation included: {t_end / wall:.1f} x real time")

t = np.asarray(slow.t / second)
v = np.asarray(slow.v[0] / mV)
spike_t = np.asarray(spikes.t / second)
after = spike_t[spike_t > t_block]
print(f"resting potential before the block: {v[t < t_block][-1]:.2f} mV")
print(f"first spontaneous spike: {after[0] - t_block:.3f} s after the block")
# depolarization block: spiking stops while v stays above -40 mV
last = after[after < t_restore][-1] if np.any(after < t_restore) else after[-1]
depolarized = (t > last) & (t < last + 0.3)
if np.all(v[depolarized] > -40):
    print(f"depolarization block: {last - t_block:.3f} s after the block (last spike; "
          f"v then {v[depolarized][-1]:.1f} mV), {len(after)} spikes in all")
recovered = np.flatnonzero((t > t_restore) & (v < -50))
e = float(ATP_FREE_ENERGY / avogadro_constant / joule)  # joules per ATP molecule
atp_pump = np.asarray(slow.ATP_pump[0])
i_restore = np.searchsorted(t, t_restore)
if recovered.size:
    t_rec = t[recovered[0]]
    spent = atp_pump[recovered[0]] - atp_pump[i_restore]
    print(f"recovered (v below -50 mV) {t_rec - t_restore:.1f} s after the pump was restored; the pump "
          f"spent {spent:.3g} ATP ({spent * e:.3g} J) meanwhile, "
          f"{(spent / (t_rec - t_restore)) / (atp_pump[np.searchsorted(t, t_block)] / t_block):.1f} times its "
          f"resting rate")
    print(f"at the end ({t_end} s): v = {v[-1]:.2f} mV, Na_i = {float(slow.Na_i[0][-1] / mM):.1f} mM, "
          f"K_o = {float(slow.K_o[0][-1] / mM):.2f} mM (the buffer still holds K+; full return takes hours)")
else:
    spent = atp_pump[-1] - atp_pump[i_restore]
    print(f"not yet recovered at {t_end} s; the pump spent {spent:.3g} ATP ({spent * e:.3g} J) since its restoration")

fig, axes = plt.subplots(5, 1, figsize=(10, 12), sharex=True)
axes[0].plot(t, slow.Na_i[0] / mM, label="Na$_i$")
axes[0].plot(t, slow.K_o[0] / mM, label="K$_o$")
axes[0].set(ylabel="concentration (mM)")
axes[0].legend(frameon=False)
axes[1].plot(t, slow.E_Na[0] / mV, label="E$_{Na}$")
axes[1].plot(t, slow.E_K[0] / mV, label="E$_K$")
axes[1].set(ylabel="potential (mV)")
axes[1].legend(frameon=False, fontsize="small")
axes[2].plot(np.asarray(fast.t / second), fast.v[0] / mV, lw=0.3)
axes[2].set(ylabel="v (mV, every step)")
rate = np.gradient(atp_pump, t)
axes[3].plot(t, np.where(rate > 0, rate, np.nan), label="pump turnover (0 while blocked)")
axes[3].plot(t, np.gradient(np.asarray(slow.ATP_ions[0]), t), lw=0.6, alpha=0.7, label="Na$^+$ entry / 3")
axes[3].set(ylabel="ATP/s per cell", yscale="log", ylim=(1e6, None))
axes[3].legend(frameon=False, fontsize="small")
axes[4].plot(t, np.asarray(slow.ATP_pump[0]) * e * 1e12)
axes[4].set(xlabel="time (s)", ylabel="pump's cumulative ATP\nas free energy (pJ)")
for ax in axes:
    ax.axvspan(t_block, t_restore, color="tab:red", alpha=0.1, lw=0)
axes[0].set_title("pump blocked (shaded), then restored")
fig.tight_layout()
fig.savefig(args.out / "06_pump_block.png", dpi=110)
print(f"wrote {args.out / '06_pump_block.png'}")
shutil.rmtree(build, ignore_errors=True)
