"""The simulating sweep: one neuron per balanced rest, to see which rests fire by themselves and what that costs."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import reduce
from typing import ClassVar

import numpy as np
from brian2 import (
    Network,
    Quantity,
    StateMonitor,
    cm,
    ms,
    msiemens,
    mV,
    second,
    volt,
)

from .accounting import accounts_of, atp
from .balance import balanced_family
from .cell import DEFAULT_METHOD, Cell
from .errors import ModelError, OutsideReversalsWarning
from .expressions import check_dimensions
from .resting import span

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

    ``v_min`` and ``v_max`` are the lowest and highest v recorded (every 1 ms) after the settling
    time. ``outside_reversals`` is True where one of those samples lies outside the range of the
    reversal potentials of the ions the cell's channels and leaks carry ([E_K, E_Na] for a Na+/K+
    cell; the Nernst potentials of the moment where concentrations move), False elsewhere and where
    nothing was simulated. Open and closed channels alone can only hold v inside that range (v is a
    conductance-weighted mean of the reversals); outside it, the pump is acting as a current source
    that nothing regulates (with fixed concentrations its turnover stays that of the balance point,
    exporting Na+ and importing K+ whatever now enters or leaves). Such a row is an artefact of the
    model, not a state a cell can reach: :func:`excitability_sweep` warns
    (:class:`~brian2energy.errors.OutsideReversalsWarning`) when there is one.
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
    v_min: Quantity
    v_max: Quantity
    outside_reversals: np.ndarray

    #: column name -> (unit, unit label) for to_csv
    _COLUMNS: ClassVar[dict[str, tuple[Quantity | None, str]]] = {
        "v_rest": (mV, "mV"), "leak_conductance": (msiemens / cm**2, "mS/cm^2"), "feasible": (None, ""),
        "stable": (None, ""), "mean_v": (mV, "mV"), "firing_rate": (1 / second, "Hz"),
        "atp_per_second": (1 / second, "1/s"), "atp_per_second_rest": (1 / second, "1/s"), "atp_per_spike": (None, ""),
        "v_min": (mV, "mV"), "v_max": (mV, "mV"), "outside_reversals": (None, ""),
    }

    def __len__(self) -> int:
        return len(self.stable)

    def __repr__(self) -> str:
        fires = np.asarray(self.firing_rate * second) > 0
        return (f"SweepTable({len(self)} points: v_rest = {span(self.v_rest / mV, '.2f')} mV, feasible "
                f"{int(np.sum(self.feasible))}, stable {int(np.sum(self.stable))}, firing {int(np.sum(fires))}, "
                f"ATP = {span(self.atp_per_second * second, '.4g')} ATP/s)")

    __str__ = __repr__

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
    dt: Quantity | None = None,
    method: str = DEFAULT_METHOD,
    report: str | None = "text",
) -> SweepTable:
    """Simulate the cell balanced at every (v_rest, leak_conductance) point, one neuron per point.

    ``v_rest`` and ``leak_conductance`` (per area or per cell; default the cell's own)
    broadcast together. Every neuron starts at its balanced rest, displaced by
    ``perturbation``, and runs for ``duration`` in one ``NeuronGroup`` (whatever
    Brian2 target or device is active); rates, mean v and ATP are measured after
    ``settle`` (default: half the duration). Progress goes through Brian2's ``report``.
    The default ``dt`` is the cell's own measured step, ``cell.dt`` (the largest that keeps
    spike times within 0.1 ms of an accurate reference with rk4; rates and costs are at least
    as accurate); a ``dt`` the method cannot integrate is refused and a coarser one warns, as in
    :meth:`~brian2energy.cell.Cell.neuron_group`.

    Points whose v leaves the range of the channels' reversal potentials after ``settle``
    are flagged in ``SweepTable.outside_reversals``, with an
    :class:`~brian2energy.errors.OutsideReversalsWarning`: no cell can be there (see :class:`SweepTable`).
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
    mean_v, rate, atp_rate, v_min, v_max = nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy()
    outside = np.zeros(v.size, dtype=bool)
    ions = _reversal_ions(family.cell)
    moving = sorted(set(ions) & family.cell.moving_ions())
    idx = np.flatnonzero(feasible)
    if idx.size:
        scales = {name: value.ravel()[idx] for name, value in family.scales.items()}
        # the ions-restored ATP is all the table reports: the counters a budget needs suffice; and spike
        # counts after settling are all it needs of the spikes, counted in the state update (no spike events)
        group = family.cell.neuron_group(idx.size, parameters=tuple(scales), dt=family.cell.dt if dt is None else dt,
                                         method=method, counters="totals", count_spikes_from=settle)
        for name, value in scales.items():
            setattr(group, name, value)
        for gate, value in family.gates.items():
            setattr(group, gate, value.ravel()[idx])
        group.v = v[idx] * volt + perturbation
        counters = accounts_of(group).priced
        samples = StateMonitor(group, ["v", *(f"E_{ion}" for ion in moving), *(c.name for c in counters)],
                               record=True, dt=1 * ms)
        Network(group, samples).run(duration, report=report, namespace={})
        late = samples.t >= settle
        window = float((duration - settle) / second)
        v_late = np.asarray(samples.v[:, late])
        mean_v[idx], v_min[idx], v_max[idx] = v_late.mean(axis=1), v_late.min(axis=1), v_late.max(axis=1)
        reversals = [np.asarray(getattr(samples, f"E_{ion}")[:, late]) if ion in moving
                     else float(family.cell.reversal_potentials[ion]) for ion in ions]  # volt, per sample if moving
        outside[idx] = np.any((v_late < reduce(np.minimum, reversals)) | (v_late > reduce(np.maximum, reversals)),
                              axis=1)
        rate[idx] = np.asarray(group.spike_count) / window
        spent = atp(counters, {c.name: np.asarray(getattr(samples, c.name)) for c in counters})
        first = int(np.argmax(late))
        atp_rate[idx] = (spent[:, -1] - spent[:, first]) / float((samples.t[-1] - samples.t[first]) / second)
    atp_rest = np.asarray(family.atp_per_second * second).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        per_spike = np.where(rate > 0, (atp_rate - atp_rest) / rate, np.nan)
    if outside.any():
        _warn_outside(family.cell, ions, v, v_min, v_max, outside)
    return SweepTable(
        v_rest=v * volt, leak_conductance=family.leak_conductance.ravel(),
        feasible=feasible, stable=stable, mean_v=mean_v * volt, firing_rate=rate / second,
        atp_per_second=atp_rate / second, atp_per_second_rest=atp_rest / second, atp_per_spike=per_spike,
        v_min=v_min * volt, v_max=v_max * volt, outside_reversals=outside,
    )


def _reversal_ions(cell: Cell) -> list[str]:
    """The ions whose reversal potentials bound v where only channels act: those the cell's channels and
    leaks carry (not its pump). With channels alone, v is a conductance-weighted mean of their reversals."""
    return sorted({ion for m in cell.mechanisms if not m.is_pump for ion in m.carries})


def _warn_outside(cell: Cell, ions: list[str], v: np.ndarray, v_min: np.ndarray, v_max: np.ndarray,
                  outside: np.ndarray) -> None:
    E = {ion: float(cell.reversal_potentials[ion] / mV) for ion in ions}
    lo, hi = min(E, key=E.get), max(E, key=E.get)
    points = ", ".join(f"{x * 1e3:.2f}" for x in v[outside][:5]) + (", ..." if outside.sum() > 5 else "")
    warnings.warn(OutsideReversalsWarning(
        f"{cell.name}: at {int(outside.sum())} of {int(np.isfinite(v_min).sum())} simulated points v left "
        f"[E_{lo}, E_{hi}] = [{E[lo]:.1f}, {E[hi]:.1f}] mV{' (at the start)' if cell.moving_ions() else ''} after "
        f"settling (balanced at v_rest = {points} mV; v from {np.nanmin(v_min[outside]) * 1e3:.1f} to "
        f"{np.nanmax(v_max[outside]) * 1e3:.1f} mV there). Channels alone cannot hold v there: the pump's fixed "
        "turnover acts as a current source once the cell has left its balance point, so these rows (SweepTable."
        "outside_reversals) are artefacts of the model, not states a cell can reach"), stacklevel=3)
