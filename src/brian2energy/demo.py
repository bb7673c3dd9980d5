"""The main job: the squid axon at rest, under a current step, and held on either side of its
critical resting potential, with its energy summary."""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from brian2 import Network, SpikeMonitor, StateMonitor, cm, ms, mV, prefs, second, uA

from .cell import Cell
from .errors import SeveralSteadyStatesWarning
from .modelfile import load_model
from .rest import critical_rest, excitability_sweep, resting_state

__all__ = ["DemoSummary", "run_demo"]

#: How far below and above the critical resting potential the demo holds the cell.
MARGIN = 1.0 * mV


@dataclass(frozen=True)
class DemoSummary:
    """The demo's figures (ATP in the ions-restored view: Na+ entry / 3e; per cell and per cm^2)."""

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

    def text(self) -> str:
        a = self.area_cm2
        return "\n".join([
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
            "(ions-restored view: ATP = Na+ entry / 3e)",
        ])


def run_demo(out: Path, model: str = "squid_axon_hh1952", step=10 * uA / cm**2,
             duration=150 * ms, target: str = "numpy") -> DemoSummary:
    """Simulate the cell at rest, under a step and on either side of its critical rest; write figure and summary."""
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
    states = StateMonitor(group, ["v", "i_NaV", "i_Kdr", "i_leak_Na", "i_leak_K", "ATP_ions"], record=True,
                          dt=0.05 * ms)
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
    sweep = excitability_sweep(cell, crit.v + np.array([-1, 1]) * MARGIN, duration=0.5 * second,
                               settle=0.25 * second, report=None)

    summary = DemoSummary(
        model=model, area_cm2=float(cell.area / cm**2), v_rest_mV=float(rest.v / mV),
        atp_per_second_rest_per_cell=float(rest.atp_per_second * second), step_uA_per_cm2=float(step / (uA / cm**2)),
        spikes=n_spikes, atp_per_spike_per_cell=per_spike, critical_rest_mV=float(crit.v / mV),
        critical_current_uA_per_cm2=float(crit.injected_current / (uA / cm**2)), margin_mV=float(MARGIN / mV),
        rate_below_Hz=float(sweep.firing_rate[0] * second), rate_above_Hz=float(sweep.firing_rate[1] * second),
        atp_per_second_below_per_cell=float(sweep.atp_per_second[0] * second),
        atp_per_second_above_per_cell=float(sweep.atp_per_second[1] * second),
    )

    out.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    plot.membrane_potential(states, axes=axes[0, 0])
    axes[0, 0].legend(["at rest", f"{summary.step_uA_per_cm2:g} uA/cm$^2$ step"], fontsize="small", frameon=False)
    plot.current_densities(states, ["i_NaV", "i_Kdr", "i_leak_Na", "i_leak_K"], neuron=1, axes=axes[1, 0])
    plot.cumulative_atp(states, labels=["at rest", "step"], axes=axes[0, 1])
    bars = axes[1, 1].bar([f"{summary.critical_rest_mV - 1:.1f} mV\n(silent)",
                           f"{summary.critical_rest_mV + 1:.1f} mV\n(fires {summary.rate_above_Hz:.0f} Hz)"],
                          [summary.atp_per_second_below_per_cell, summary.atp_per_second_above_per_cell],
                          color=["tab:blue", "tab:red"])
    axes[1, 1].bar_label(bars, fmt="%.3g", fontsize="small")
    axes[1, 1].set(ylabel="ATP per second per cell",
                   title=f"balanced rest either side of the critical {summary.critical_rest_mV:.2f} mV")
    fig.suptitle(f"{model}: {summary.atp_per_spike_per_cell / summary.area_cm2:.3g} ATP/cm$^2$ per spike, "
                 f"{summary.atp_per_second_rest_per_cell / summary.area_cm2:.3g} ATP/cm$^2$/s at rest",
                 fontsize="medium")
    fig.tight_layout()
    fig.savefig(out / "demo.png", dpi=110)
    plt.close(fig)
    (out / "energy_summary.txt").write_text(summary.text() + "\n")
    (out / "energy_summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n")
    return summary
