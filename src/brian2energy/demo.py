"""The main job, the project's headline in one figure and summary.

(1) The squid axon at rest and under a current step, and held 1 mV on either side of its
critical resting potential: silent below, firing by itself above. (2) The cost of holding the
leaky blowfly photoreceptor at its light-adapted rest (-37 mV) against its dark rest (-60 mV).
(3) The high-resistance undifferentiated cell holding a similar potential at a small fraction of
that cost. (4) What the photoreceptor's cost buys: bandwidth, and the information rate of a signal
seen against noise after the membrane, against the undifferentiated cell's.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from brian2 import (
    Hz,
    Network,
    SpikeMonitor,
    StateMonitor,
    amp,
    cm,
    ms,
    mV,
    ohm,
    prefs,
    second,
    uA,
    volt,
)

from .cell import Cell
from .errors import SeveralSteadyStatesWarning
from .frequency import frequency_response
from .information import information_rate
from .light import light_levels
from .modelfile import load_model
from .rest import balance_rest, critical_rest, excitability_sweep, resting_state

__all__ = ["DemoSummary", "run_demo"]

#: How far below and above the critical resting potential the demo holds the cell.
MARGIN = 1.0 * mV
#: The photoreceptor's dark rest and its light-adapted rest (Heras et al. 2017).
PHOTORECEPTOR_DARK, PHOTORECEPTOR_LIGHT = -60 * mV, -37 * mV
#: The low-frequency signal-to-noise ratio of panel 4's comparison.
SNR = 10.0


def _bits_at_equal_snr(model, response, params) -> float:
    """Compute the information rate of a white signal current seen against a white voltage noise after the membrane.

    Scaled so that the signal-to-noise ratio at low frequencies is ``SNR``: the membrane's speed
    then sets how far up in frequency that ratio holds (channel noise left out: both cells alike).
    """
    r_in = float(response.input_resistance / ohm)
    readout = 1e-12  # volt^2/Hz; only the ratio matters
    signal = SNR * readout / r_in**2  # amp^2/Hz
    rate = information_rate(
        model,
        lambda f: signal * np.ones(len(f)) * amp**2 / Hz,
        readout_noise=lambda f: readout * np.ones(len(f)) * volt**2 / Hz,
        channel_noise=False,
        **params,
    )
    return float(rate.bits_per_second * second)


@dataclass(frozen=True)
class DemoSummary:
    """The demo's figures (ATP in the ions-restored view: Na+ entry / 3e; per cell and per cm^2).

    Returned by :func:`run_demo`. Each field's name gives its unit (``_mV``, ``_Hz``,
    ``_uA_per_cm2``; ATP per cell, per second where named so): the squid axon's rest, its step
    response and critical rest, the photoreceptor dark and light-adapted, the undifferentiated
    cell, and the information rates at the low-frequency signal-to-noise ratio ``snr``.
    """

    model: str
    area_cm2: float
    v_rest_mV: float
    atp_per_second_rest_per_cell: float
    step_uA_per_cm2: float
    spikes: int
    atp_per_spike_per_cell: float
    critical_rest_mV: float
    critical_current_uA_per_cm2: float
    margin_mV: float
    rate_below_Hz: float
    rate_above_Hz: float
    atp_per_second_below_per_cell: float
    atp_per_second_above_per_cell: float
    photoreceptor_dark_mV: float
    photoreceptor_light_mV: float
    photoreceptor_atp_per_second_dark: float
    photoreceptor_atp_per_second_light: float
    photoreceptor_bandwidth_dark_Hz: float
    photoreceptor_bandwidth_light_Hz: float
    undifferentiated_v_rest_mV: float
    undifferentiated_atp_per_second: float
    undifferentiated_bandwidth_Hz: float
    snr: float
    bits_per_second_light: float
    bits_per_second_undifferentiated: float

    def text(self) -> str:
        """Return the summary as lines of text, as the command prints it.

        Returns
        -------
        str
            One figure per line.
        """
        a = self.area_cm2
        return "\n".join(
            [
                f"model: {self.model} (area {a:g} cm^2 per cell)",
                f"resting potential: {self.v_rest_mV:.2f} mV",
                f"ATP per second at rest: {self.atp_per_second_rest_per_cell:.4g} /cell "
                f"({self.atp_per_second_rest_per_cell / a:.4g} /cm^2)",
                f"step of {self.step_uA_per_cm2:g} uA/cm^2: {self.spikes} spikes, ATP per spike (above rest): "
                f"{self.atp_per_spike_per_cell:.4g} /cell ({self.atp_per_spike_per_cell / a:.4g} /cm^2)",
                f"critical resting potential: {self.critical_rest_mV:.2f} mV (as if {self.critical_current_uA_per_cm2:.2f}"
                " uA/cm^2 were injected); a balanced rest above it fires by itself",
                f"held {self.margin_mV:g} mV below it: {self.rate_below_Hz:.0f} Hz, "
                f"{self.atp_per_second_below_per_cell:.4g} ATP/s per cell",
                f"held {self.margin_mV:g} mV above it: {self.rate_above_Hz:.0f} Hz, "
                f"{self.atp_per_second_above_per_cell:.4g} ATP/s per cell "
                f"({self.atp_per_second_above_per_cell / self.atp_per_second_below_per_cell:.1f} x)",
                f"blowfly photoreceptor: {self.photoreceptor_atp_per_second_dark:.3g} ATP/s in the dark "
                f"({self.photoreceptor_dark_mV:.0f} mV), {self.photoreceptor_atp_per_second_light:.3g} ATP/s held at "
                f"{self.photoreceptor_light_mV:.0f} mV by light "
                f"({self.photoreceptor_atp_per_second_light / self.photoreceptor_atp_per_second_dark:.1f} x)",
                f"undifferentiated cell: {self.undifferentiated_atp_per_second:.3g} ATP/s at "
                f"{self.undifferentiated_v_rest_mV:.0f} mV "
                f"({self.undifferentiated_atp_per_second / self.photoreceptor_atp_per_second_light:.2%} of the "
                "light-adapted photoreceptor's)",
                f"what it buys: bandwidth {self.photoreceptor_bandwidth_light_Hz:.0f} Hz in light "
                f"({self.photoreceptor_bandwidth_dark_Hz:.0f} Hz dark) against {self.undifferentiated_bandwidth_Hz:.1f} Hz; "
                f"{self.bits_per_second_light:.0f} against {self.bits_per_second_undifferentiated:.0f} bits/s for a white "
                f"signal current at a low-frequency signal-to-noise ratio of {self.snr:g} against noise after the membrane",
                "(ions-restored view: ATP = Na+ entry / 3e)",
            ]
        )


def run_demo(
    out: Path, model: str = "squid_axon_hh1952", step=10 * uA / cm**2, duration=150 * ms, target: str = "numpy"
) -> DemoSummary:
    """Simulate the cell at rest, under a step and on either side of its critical rest; write figure and summary.

    Parameters
    ----------
    out : pathlib.Path
        The directory for ``demo.png``, ``energy_summary.txt`` and ``energy_summary.json``.
    model : str, optional
        The shipped model of panel 1 (default ``"squid_axon_hh1952"``).
    step : Quantity (amp/meter**2), optional
        The current step (default 10 uA/cm^2).
    duration : Quantity (second), optional
        The step run's length (default 150 ms).
    target : str, optional
        Brian2's code-generation target (default ``"numpy"``).

    Returns
    -------
    DemoSummary
        The figures of the summary.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plot

    prefs.codegen.target = target
    cell: Cell = load_model(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeveralSteadyStatesWarning)  # the rest is the one we want
        rest = resting_state(cell)

    # 1. one cell at rest and one under a current step
    group = cell.neuron_group(2, dt=cell.dt)  # the model's measured step
    states = StateMonitor(
        group, ["v", "i_NaV", "i_Kdr", "i_leak_Na", "i_leak_K", "ATP_ions"], record=True, dt=0.05 * ms
    )
    spikes = SpikeMonitor(group)
    net = Network(group, states, spikes)
    pause = 20 * ms
    net.run(pause)
    group.I_inj[1] = step  # neuron 0 stays at rest, neuron 1 gets the step
    net.run(duration - 2 * pause)
    group.I_inj[1] = 0 * uA / cm**2
    net.run(pause)
    atp = np.asarray(group.ATP_ions[:])
    n_spikes = int(spikes.count[1])
    per_spike = (atp[1] - atp[0]) / n_spikes if n_spikes else float("nan")  # above the resting cell

    # 2. the critical resting potential, and the cell balanced just below and just above it
    crit = critical_rest(cell)
    sweep = excitability_sweep(
        cell, crit.v + np.array([-1, 1]) * MARGIN, duration=0.5 * second, settle=0.25 * second, report=None
    )

    summary_fields = {
        "model": model,
        "area_cm2": float(cell.area / cm**2),
        "v_rest_mV": float(rest.v / mV),
        "atp_per_second_rest_per_cell": float(rest.atp_per_second * second),
        "step_uA_per_cm2": float(step / (uA / cm**2)),
        "spikes": n_spikes,
        "atp_per_spike_per_cell": per_spike,
        "critical_rest_mV": float(crit.v / mV),
        "critical_current_uA_per_cm2": float(crit.injected_current / (uA / cm**2)),
        "margin_mV": float(MARGIN / mV),
        "rate_below_Hz": float(sweep.firing_rate[0] * second),
        "rate_above_Hz": float(sweep.firing_rate[1] * second),
        "atp_per_second_below_per_cell": float(sweep.atp_per_second[0] * second),
        "atp_per_second_above_per_cell": float(sweep.atp_per_second[1] * second),
    }

    # 2-4. holding a depolarized rest, and what it buys: all analytical
    photoreceptor = load_model("blowfly_photoreceptor")
    immature = load_model("undifferentiated_cell")  # its leaks alone; with the pump that balances them there:
    slow = balance_rest(immature, resting_state(immature).v)
    dark, light = (light_levels(photoreceptor, v) for v in (PHOTORECEPTOR_DARK, PHOTORECEPTOR_LIGHT))
    costs = [
        float(resting_state(photoreceptor, **dark).atp_per_second * second),
        float(resting_state(photoreceptor, **light).atp_per_second * second),
    ]
    slow_rest = resting_state(slow)
    responses = [
        frequency_response(photoreceptor, **dark),
        frequency_response(photoreceptor, **light),
        frequency_response(slow),
    ]
    bits = [_bits_at_equal_snr(photoreceptor, responses[1], light), _bits_at_equal_snr(slow, responses[2], {})]

    summary = DemoSummary(
        **summary_fields,
        photoreceptor_dark_mV=float(PHOTORECEPTOR_DARK / mV),
        photoreceptor_light_mV=float(PHOTORECEPTOR_LIGHT / mV),
        photoreceptor_atp_per_second_dark=costs[0],
        photoreceptor_atp_per_second_light=costs[1],
        photoreceptor_bandwidth_dark_Hz=float(responses[0].bandwidth / Hz),
        photoreceptor_bandwidth_light_Hz=float(responses[1].bandwidth / Hz),
        undifferentiated_v_rest_mV=float(slow_rest.v / mV),
        undifferentiated_atp_per_second=float(slow_rest.atp_per_second * second),
        undifferentiated_bandwidth_Hz=float(responses[2].bandwidth / Hz),
        snr=SNR,
        bits_per_second_light=bits[0],
        bits_per_second_undifferentiated=bits[1],
    )

    out.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    plot.membrane_potential(states, axes=axes[0, 0])
    axes[0, 0].legend(
        ["at rest", f"{summary.step_uA_per_cm2:g} $\\mu$A/cm$^2$ step"],
        fontsize="small",
        frameon=False,
        loc="upper center",
        ncol=2,
    )
    axes[0, 0].set_ylim(top=65)  # room for the legend above the spikes
    axes[0, 0].set_title("squid axon at rest and under a step")
    plot.cumulative_atp(states, labels=["at rest", "step"], axes=axes[0, 1])
    axes[0, 1].set_title(f"{summary.atp_per_spike_per_cell:.3g} ATP per spike above rest, per cell")
    either = plot.scaled(
        [summary.atp_per_second_below_per_cell, summary.atp_per_second_above_per_cell], "ATP/s per cell"
    )  # its power of ten in the label, not "1e12" over the axis
    bars = axes[0, 2].bar(
        [
            f"{summary.critical_rest_mV - 1:.1f} mV\n(silent)",
            f"{summary.critical_rest_mV + 1:.1f} mV\n(fires {summary.rate_above_Hz:.0f} Hz)",
        ],
        either.values,
        color=["tab:blue", "tab:red"],
    )
    axes[0, 2].bar_label(bars, fmt="%.3g", fontsize="small")
    axes[0, 2].set(
        ylabel=either.label, title=f"(1) either side of the critical rest, {summary.critical_rest_mV:.2f} mV"
    )
    names = [
        f"photoreceptor\ndark, {summary.photoreceptor_dark_mV:.0f} mV",
        f"photoreceptor\nlight, {summary.photoreceptor_light_mV:.0f} mV",
        f"undifferentiated\n{summary.undifferentiated_v_rest_mV:.0f} mV",
    ]
    colors = ["tab:gray", "tab:orange", "tab:green"]
    values = [*costs, summary.undifferentiated_atp_per_second]
    axes[1, 0].scatter(range(3), values, s=60, c=colors, zorder=3)  # points: on a log axis a bar's base is arbitrary
    for k, value in enumerate(values):
        axes[1, 0].annotate(
            f"{value:.3g}", (k, value), xytext=(8, 0), textcoords="offset points", va="center", fontsize="small"
        )
    axes[1, 0].set_xticks(range(3), names)
    axes[1, 0].set(ylabel="ATP/s per cell", yscale="log", xlim=(-0.5, 2.8), title="(2, 3) the cost of holding a rest")
    axes[1, 0].grid(axis="y", which="major", lw=0.3)
    for response, name, color in zip(responses, names, colors):
        axes[1, 1].loglog(
            np.asarray(response.frequencies / Hz),
            np.abs(np.asarray(response.impedance / response.input_resistance)),
            color=color,
            label=f"{name.replace(chr(10), ', ')}: {float(response.bandwidth / Hz):.3g} Hz",
        )
    axes[1, 1].set(
        xlabel="frequency (Hz)", ylabel="|Z(f)| / R_in", ylim=(1e-3, 3), title="(4a) what it buys: bandwidth"
    )
    axes[1, 1].legend(fontsize="small", frameon=False)
    bars = axes[1, 2].bar(names[1:], bits, color=colors[1:])
    axes[1, 2].bar_label(bars, fmt="%.0f", fontsize="small")
    axes[1, 2].set(ylabel="bits/s", title=f"(4b) and bits/s (white signal, SNR {SNR:g} at DC)")
    fig.suptitle(
        "A resting potential is held by the Na+/K+ pump, and it costs: what the cost is, and what it buys",
        fontsize="medium",
    )
    fig.tight_layout()
    fig.savefig(out / "demo.png", dpi=110)
    plt.close(fig)
    (out / "energy_summary.txt").write_text(summary.text() + "\n")
    (out / "energy_summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n")
    return summary
