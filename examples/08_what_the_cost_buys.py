"""What the cost of a depolarized rest buys: bandwidth and information, beside the ATP they cost.

The blowfly photoreceptor of Heras et al. (2017) depolarized by light from its dark rest (-60 mV) to
bright light (-37 mV), with Heras's protocol (``light_levels``: the light conductance and the pump
solved at each rest): its ATP per second, its bandwidth (``frequency_response``) and the Shannon rate
of a white light contrast carried by quantum bumps against their own shot noise and the Kv channels'
noise (``information_rate``), hence ATP per bit. Beside it, the undifferentiated cell (2.5 GOhm) rests
depolarized cheaply and responds slowly (its corner frequency), and the squid axon resonates.
Assumed, not measured: 10^6 photons/s at -37 mV, in proportion to the light conductance below it;
gamma bumps n = 4, tau = 1 ms; contrast 0.32 r.m.s. up to 500 Hz. Everything is analytical.
Writes ``figures/08_what_the_cost_buys.png`` and prints the numbers beside the published ones.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, ms, mV, ohm, second

from brian2energy import QuantumBumps, frequency_response, information_rate, light_levels, load_model, plot
from brian2energy.rest import balance_rest, resting_state

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("figures"), help="directory for the figure")
parser.add_argument("--quick", action="store_true", help="fewer light levels (for the test suite)")
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)

photoreceptor = load_model("blowfly_photoreceptor")
v_rest = np.linspace(-59, -37, 6 if args.quick else 45) * mV
levels = light_levels(photoreceptor, v_rest)
bumps = QuantumBumps(levels["g_light"] / levels["g_light"][-1] * 1e6 * Hz, n=4, tau=1 * ms)
info = information_rate(photoreceptor, bumps.contrast_signal(photoreceptor, 0.32, 500 * Hz, **levels),
                        current_noise={"photons": bumps.shot_noise(photoreceptor, **levels)}, **levels)
response = frequency_response(photoreceptor, **levels)
dark, bright = (frequency_response(photoreceptor, **light_levels(photoreceptor, v)) for v in (-60 * mV, -37 * mV))
immature = load_model("undifferentiated_cell")  # its leaks, with the pump that balances them at its rest:
immature = balance_rest(immature, resting_state(immature).v)
slow = frequency_response(immature)
squid = frequency_response(load_model("squid_axon_hh1952"))

atp, bits = (np.asarray(x * second) for x in (info.atp_per_second, info.bits_per_second))
print(f"photoreceptor, dark (-60 mV): bandwidth {float(dark.bandwidth / Hz):.1f} Hz (Heras et al. 2017: 58.7 Hz)")
print(f"photoreceptor, bright (-37 mV): {atp[-1]:.3g} ATP/s (Heras: 1.03e10), bandwidth "
      f"{float(response.bandwidth[-1] / Hz):.0f} Hz (Heras: 320 Hz), {bits[-1]:.0f} bits/s, "
      f"{float(info.atp_per_bit[-1]):.2g} ATP/bit (Laughlin et al. 1998: 1e6-1e7)")
print(f"photoreceptor, dim ({float(v_rest[0] / mV):.0f} mV): {atp[0]:.3g} ATP/s, {bits[0]:.0f} bits/s, "
      f"{float(info.atp_per_bit[0]):.2g} ATP/bit")
print(f"undifferentiated cell: R_in {float(slow.input_resistance / ohm) / 1e9:.2f} GOhm, "
      f"{float(resting_state(immature).atp_per_second * second):.3g} ATP/s, corner "
      f"{float(slow.bandwidth / Hz):.2f} Hz, tau {float(slow.time_constant / ms):.0f} ms (Pre et al. 2014: 34 ms)")
print(f"squid axon: resonance at {float(squid.peak_frequency / Hz):.0f} Hz, bandwidth {float(squid.bandwidth / Hz):.0f} Hz")

fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
v, f = np.asarray(v_rest / mV), np.asarray(squid.frequencies / Hz)
axes[0, 0].plot(v, atp, "k")
axes[0, 0].set(xlabel="resting potential (mV)", ylabel="ATP/s per cell", yscale="log", title="cost of the light-held rest")
axes[0, 1].plot(v, np.asarray(response.bandwidth / Hz), "C0", label="this model (light_levels)")
axes[0, 1].plot([-60, -52, -44, -37], [58.654, 128.893, 211.454, 320.405], "o", mfc="none", color="C3",
                label="Heras et al. 2017 (their code)")
axes[0, 1].set(xlabel="resting potential (mV)", ylabel="bandwidth (Hz)", title="what it buys: speed")
axes[0, 1].legend(frameon=False)
axes[1, 0].plot(v, bits, "C2.-", label="bits/s")
axes[1, 0].set(xlabel="resting potential (mV)", ylabel="information rate (bits/s)", title="what it buys: bits")
axes[1, 0].yaxis.label.set_color("C2")
twin, per_bit = axes[1, 0].twinx(), plot.scaled(info.atp_per_bit, "ATP/bit")  # 10^N in the label, not "1eN"
twin.plot(v, per_bit.values, "C1--")
twin.set_ylabel(f"{per_bit.label} (dashed)", color="C1")
for label, r in {"photoreceptor, dark": dark, "photoreceptor, bright": bright, "undifferentiated cell": slow,
                 "squid axon": squid}.items():
    axes[1, 1].loglog(f, np.abs(np.asarray(r.impedance / r.input_resistance)), label=label)
axes[1, 1].set(xlabel="frequency (Hz)", ylabel="$|Z(f)|\\,/\\,R_\\mathrm{in}$", title="membrane impedance at rest", ylim=(1e-3, 3))
axes[1, 1].legend(frameon=False, fontsize=8)
fig.tight_layout()
fig.savefig(args.out / "08_what_the_cost_buys.png", dpi=120)
print(f"wrote {args.out / '08_what_the_cost_buys.png'}")
