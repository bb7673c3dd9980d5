"""The main job: the squid axon at rest and under a current step, with its energy summary."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from brian2 import Network, SpikeMonitor, StateMonitor, cm, ms, mV, prefs, second, uA

from .cell import Cell
from .modelfile import load_model
from .rest import resting_state


@dataclass(frozen=True)
class DemoSummary:
    """The demo's energy figures (ions-restored view: Na+ entry / 3e)."""

    model: str
    v_rest_mV: float
    atp_per_second_rest_per_cm2: float
    atp_per_second_rest_per_cell: float
    step_uA_per_cm2: float
    spikes: int
    atp_per_spike_per_cm2: float
    atp_per_spike_per_cell: float
    area_cm2: float

    def text(self) -> str:
        return "\n".join([
            f"model: {self.model} (area {self.area_cm2:g} cm^2 per cell)",
            f"resting potential: {self.v_rest_mV:.2f} mV",
            f"ATP per second at rest: {self.atp_per_second_rest_per_cm2:.4g} /cm^2, "
            f"{self.atp_per_second_rest_per_cell:.4g} /cell",
            f"step of {self.step_uA_per_cm2:g} uA/cm^2: {self.spikes} spikes",
            f"ATP per spike (above rest): {self.atp_per_spike_per_cm2:.4g} /cm^2, "
            f"{self.atp_per_spike_per_cell:.4g} /cell",
            "(ions-restored view: ATP = Na+ entry / 3e)",
        ])


def run_demo(out: Path, model: str = "squid_axon_hh1952", step=10 * uA / cm**2,
             duration=150 * ms, target: str = "numpy") -> DemoSummary:
    """Simulate one cell at rest and one under a current step, write a figure and a summary into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plot

    prefs.codegen.target = target
    cell: Cell = load_model(model)
    rest = resting_state(cell)
    group = cell.neuron_group(2, dt=0.01 * ms)
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

    # ATP per spike: what the stepped cell spent above the resting cell, per spike
    atp = np.asarray(group.ATP_ions[:])
    n_spikes = int(spikes.count[1])
    area_cm2 = float(cell.area / cm**2)
    per_spike = (atp[1] - atp[0]) / n_spikes if n_spikes else float("nan")
    rest_rate = float(rest.atp_per_second * second)
    summary = DemoSummary(model, float(rest.v / mV), rest_rate / area_cm2, rest_rate,
                          float(step / (uA / cm**2)), n_spikes, per_spike / area_cm2, per_spike, area_cm2)

    out.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(3, 1, figsize=(7, 8), sharex=True)
    plot.membrane_potential(states, axes=axes[0])
    axes[0].legend(["at rest", f"{summary.step_uA_per_cm2:g} uA/cm$^2$ step"], fontsize="small", frameon=False)
    plot.current_densities(states, ["i_NaV", "i_Kdr", "i_leak_Na", "i_leak_K"], neuron=1, axes=axes[1])
    plot.cumulative_atp(states, labels=["at rest", "step"], axes=axes[2])
    fig.suptitle(f"{model}: {summary.atp_per_spike_per_cm2:.3g} ATP/cm$^2$ per spike, "
                 f"{summary.atp_per_second_rest_per_cm2:.3g} ATP/cm$^2$/s at rest", fontsize="medium")
    fig.tight_layout()
    fig.savefig(out / "demo.png", dpi=120)
    plt.close(fig)
    (out / "energy_summary.txt").write_text(summary.text() + "\n")
    (out / "energy_summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n")
    return summary
