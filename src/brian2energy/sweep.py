"""The simulating sweep: one neuron per balanced rest, to see which rests fire by themselves and what that costs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Network, Quantity, SpikeMonitor, StateMonitor, cm, mV, ms, msiemens, second, volt

from .accounting import accounts_of, atp
from .balance import balanced_family
from .cell import DEFAULT_METHOD, Cell
from .errors import ModelError
from .expressions import check_dimensions

__all__ = ["SweepTable", "excitability_sweep"]


@dataclass(frozen=True)
class SweepTable:
    """One row per parameter point of :func:`excitability_sweep` (arrays, Brian2 units).

    ``v_rest`` and ``leak_conductance`` (Na+ plus K+ leak density) are the targets;
    ``feasible`` whether a balance exists there (NaN elsewhere); ``stable`` the
    analytical stability of the balanced rest; ``mean_v``, ``firing_rate`` and
    ``atp_per_second`` (ions-restored view, per cell) are measured after the settling
    time; ``atp_per_second_rest`` is the analytical cost of the balanced rest, and
    ``atp_per_spike`` = (atp_per_second - atp_per_second_rest) / firing_rate (NaN when silent).
    """

    v_rest: Quantity
    leak_conductance: Quantity
    feasible: np.ndarray
    stable: np.ndarray
    mean_v: Quantity
    firing_rate: Quantity
    atp_per_second: Quantity
    atp_per_second_rest: Quantity
    atp_per_spike: np.ndarray

    #: column name -> (unit, unit label) for to_csv
    _COLUMNS = {
        "v_rest": (mV, "mV"), "leak_conductance": (msiemens / cm**2, "mS/cm^2"), "feasible": (None, ""),
        "stable": (None, ""), "mean_v": (mV, "mV"), "firing_rate": (1 / second, "Hz"),
        "atp_per_second": (1 / second, "1/s"), "atp_per_second_rest": (1 / second, "1/s"), "atp_per_spike": (None, ""),
    }

    def __len__(self) -> int:
        return len(self.stable)

    def to_csv(self, path) -> None:
        """Write the table as CSV, one column per field, units in the header."""
        header, columns = [], []
        for name, (unit, label) in self._COLUMNS.items():
            value = getattr(self, name)
            header.append(f"{name} ({label})" if label else name)
            columns.append(np.asarray(value / unit if unit is not None else value, dtype=float))
        np.savetxt(path, np.column_stack(columns), delimiter=",", header=",".join(header), comments="", fmt="%.10g")


def excitability_sweep(
    cell: Cell,
    v_rest: Quantity,
    leak_conductance: Quantity | None = None,
    duration: Quantity = 2 * second,
    *,
    settle: Quantity | None = None,
    perturbation: Quantity = 0.1 * mV,
    dt: Quantity = 0.025 * ms,
    method: str = DEFAULT_METHOD,
    report: str | None = "text",
) -> SweepTable:
    """Simulate the cell balanced at every (v_rest, leak_conductance) point, one neuron per point.

    ``v_rest`` and ``leak_conductance`` (per area or per cell; default the cell's own)
    broadcast together. Every neuron starts at its balanced rest, displaced by
    ``perturbation``, and runs for ``duration`` in one ``NeuronGroup`` (whatever
    Brian2 target or device is active); rates, mean v and ATP are measured after
    ``settle`` (default: half the duration). Progress goes through Brian2's ``report``.
    The default dt is 0.025 ms: a sweep measures rates and costs, not spike times, and
    with rk4 these match dt = 0.01 ms (measured on the squid, Wang-Buzsaki and RS cells
    across their critical rests: identical spike counts, ATP within 1e-6) at 2.5x the speed.
    """
    check_dimensions(v_rest, mV, "excitability_sweep: v_rest")
    duration = check_dimensions(duration, second, "excitability_sweep: duration")
    settle = duration / 2 if settle is None else check_dimensions(settle, second, "excitability_sweep: settle")
    if not 0 * second <= settle < duration:
        raise ModelError(f"excitability_sweep: settle = {settle!r} must lie in [0, duration = {duration!r})")
    family = balanced_family(cell, v_rest, leak_conductance)
    v = np.asarray(family.v_rest, dtype=float).ravel()
    feasible = family.feasible.ravel()
    stable = family.stable.ravel()
    nan = np.full(v.size, np.nan)
    mean_v, rate, atp_rate = nan.copy(), nan.copy(), nan.copy()
    idx = np.flatnonzero(feasible)
    if idx.size:
        scales = {name: value.ravel()[idx] for name, value in family.scales.items()}
        group = family.cell.neuron_group(idx.size, parameters=tuple(scales), dt=dt, method=method)
        for name, value in scales.items():
            setattr(group, name, value)
        for gate, value in family.gates.items():
            setattr(group, gate, value.ravel()[idx])
        group.v = v[idx] * volt + perturbation
        counters = accounts_of(group).priced
        spikes = SpikeMonitor(group, record=True)
        samples = StateMonitor(group, ["v", *(c.name for c in counters)], record=True, dt=1 * ms)
        Network(group, spikes, samples).run(duration, report=report, namespace={})
        late = samples.t >= settle
        window = float((duration - settle) / second)
        mean_v[idx] = np.mean(np.asarray(samples.v[:, late]), axis=1)
        counts = np.bincount(np.asarray(spikes.i[spikes.t >= settle]), minlength=idx.size)
        rate[idx] = counts / window
        spent = atp(counters, {c.name: np.asarray(getattr(samples, c.name)) for c in counters})
        first = int(np.argmax(late))
        atp_rate[idx] = (spent[:, -1] - spent[:, first]) / float((samples.t[-1] - samples.t[first]) / second)
    atp_rest = np.asarray(family.atp_per_second * second).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        per_spike = np.where(rate > 0, (atp_rate - atp_rest) / rate, np.nan)
    return SweepTable(
        v_rest=v * volt, leak_conductance=family.leak_conductance.ravel(),
        feasible=feasible, stable=stable, mean_v=mean_v * volt, firing_rate=rate / second,
        atp_per_second=atp_rate / second, atp_per_second_rest=atp_rest / second, atp_per_spike=per_spike,
    )
