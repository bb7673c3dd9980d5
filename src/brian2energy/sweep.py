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

    Every field is a flat array over the points; the measured fields are NaN where no balance
    exists (not ``feasible``: nothing was simulated there).

    Attributes
    ----------
    v_rest : Quantity (volt)
        The target resting potential.
    leak_conductance : Quantity (siemens/meter**2)
        The target Na+ plus K+ leak density.
    feasible : ndarray of bool
        Whether a balance exists there (the measured fields are NaN elsewhere).
    stable : ndarray of bool
        The analytical stability of the balanced rest.
    mean_v : Quantity (volt)
        The mean v, measured after the settling time.
    firing_rate : Quantity (Hz)
        Spikes per second, measured after the settling time.
    atp_per_second : Quantity (1/second)
        ATP per second per cell, ions-restored view, measured after the settling time.
    atp_per_second_rest : Quantity (1/second)
        The analytical cost of the balanced rest.
    atp_per_spike : ndarray
        (atp_per_second - atp_per_second_rest) / firing_rate (NaN when silent).
    v_min : Quantity (volt)
        The lowest v recorded (every 1 ms) after the settling time.
    v_max : Quantity (volt)
        The highest v recorded (every 1 ms) after the settling time.
    outside_reversals : ndarray of bool
        True where one of those samples lies outside the range of the reversal potentials of the
        ions the cell's channels and leaks carry ([E_K, E_Na] for a Na+/K+ cell; the Nernst
        potentials of the moment where concentrations move), False elsewhere and where nothing
        was simulated (see Notes).

    Notes
    -----
    Open and closed channels alone can only hold v inside the range of the reversals (v is a
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
        "v_rest": (mV, "mV"),
        "leak_conductance": (msiemens / cm**2, "mS/cm^2"),
        "feasible": (None, ""),
        "stable": (None, ""),
        "mean_v": (mV, "mV"),
        "firing_rate": (1 / second, "Hz"),
        "atp_per_second": (1 / second, "1/s"),
        "atp_per_second_rest": (1 / second, "1/s"),
        "atp_per_spike": (None, ""),
        "v_min": (mV, "mV"),
        "v_max": (mV, "mV"),
        "outside_reversals": (None, ""),
    }

    def __len__(self) -> int:
        """Return the number of points."""
        return len(self.stable)

    def __repr__(self) -> str:
        """Return the number of points, how many are feasible, stable and firing, and the cost's range."""
        fires = np.asarray(self.firing_rate * second) > 0
        return (
            f"SweepTable({len(self)} points: v_rest = {span(self.v_rest / mV, '.2f')} mV, feasible "
            f"{int(np.sum(self.feasible))}, stable {int(np.sum(self.stable))}, firing {int(np.sum(fires))}, "
            f"ATP = {span(self.atp_per_second * second, '.4g')} ATP/s)"
        )

    __str__ = __repr__

    def to_csv(self, path) -> None:
        """Write the table as CSV, one column per field, units in the header.

        Parameters
        ----------
        path : str or pathlib.Path
            The file to write.
        """
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

    Parameters
    ----------
    cell : Cell
        The cell to balance (see :func:`~brian2energy.balance.balance_rest`).
    v_rest : Quantity (volt)
        The resting potentials to balance at.
    leak_conductance : Quantity (siemens/meter**2 or siemens), optional
        Leakiness per area or per cell (default the cell's own); broadcast with ``v_rest``.
    duration : Quantity (second), optional
        How long each neuron runs (default 2 s).
    settle : Quantity (second), optional
        Rates, mean v and ATP are measured after this time (default: half the duration); in
        [0, duration).
    perturbation : Quantity (volt), optional
        Every neuron starts at its balanced rest, displaced by this (default 0.1 mV).
    dt : Quantity (second), optional
        The step (default the cell's own measured step, ``cell.dt``).
    method : str, optional
        The integration method (default ``"rk4"``).
    report : str or None, optional
        Progress, through Brian2's ``report`` (default ``"text"``; None for none).

    Returns
    -------
    SweepTable
        One row per point: the targets, feasibility, stability, and what was measured.

    Raises
    ------
    ModelError
        If ``settle`` is not in [0, duration), an argument has the wrong units, the cell cannot
        be balanced (see :func:`~brian2energy.balance.balanced_family`), or the step is above
        ``cell.dt_stable``.

    Warns
    -----
    OutsideReversalsWarning
        If v left the range of the channels' reversal potentials at some point after ``settle``.
    CoarseStepWarning
        If ``dt`` is above ``cell.dt``.

    Notes
    -----
    ``v_rest`` and ``leak_conductance`` broadcast together. Every neuron runs for ``duration`` in
    one ``NeuronGroup`` (whatever Brian2 target or device is active). The default ``dt`` is the
    cell's own measured step (the largest that keeps spike times within 0.1 ms of an accurate
    reference with rk4; rates and costs are at least as accurate); a ``dt`` the method cannot
    integrate is refused and a coarser one warns, as in
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
        group = family.cell.neuron_group(
            idx.size,
            parameters=tuple(scales),
            dt=family.cell.dt if dt is None else dt,
            method=method,
            counters="totals",
            count_spikes_from=settle,
        )
        for name, value in scales.items():
            setattr(group, name, value)
        for gate, value in family.gates.items():
            setattr(group, gate, value.ravel()[idx])
        group.v = v[idx] * volt + perturbation
        counters = accounts_of(group).priced
        samples = StateMonitor(
            group, ["v", *(f"E_{ion}" for ion in moving), *(c.name for c in counters)], record=True, dt=1 * ms
        )
        Network(group, samples).run(duration, report=report, namespace={})
        late = samples.t >= settle
        window = float((duration - settle) / second)
        v_late = np.asarray(samples.v[:, late])
        mean_v[idx], v_min[idx], v_max[idx] = v_late.mean(axis=1), v_late.min(axis=1), v_late.max(axis=1)
        reversals = [
            np.asarray(getattr(samples, f"E_{ion}")[:, late])
            if ion in moving
            else float(family.cell.reversal_potentials[ion])
            for ion in ions
        ]  # volt, per sample if moving
        outside[idx] = np.any(
            (v_late < reduce(np.minimum, reversals)) | (v_late > reduce(np.maximum, reversals)), axis=1
        )
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
        v_rest=v * volt,
        leak_conductance=family.leak_conductance.ravel(),
        feasible=feasible,
        stable=stable,
        mean_v=mean_v * volt,
        firing_rate=rate / second,
        atp_per_second=atp_rate / second,
        atp_per_second_rest=atp_rest / second,
        atp_per_spike=per_spike,
        v_min=v_min * volt,
        v_max=v_max * volt,
        outside_reversals=outside,
    )


def _reversal_ions(cell: Cell) -> list[str]:
    """Return the ions whose reversal potentials bound v where only channels act.

    Those the cell's channels and leaks carry (not its pump). With channels alone, v is a
    conductance-weighted mean of their reversals.
    """
    return sorted({ion for m in cell.mechanisms if not m.is_pump for ion in m.carries})


def _warn_outside(
    cell: Cell, ions: list[str], v: np.ndarray, v_min: np.ndarray, v_max: np.ndarray, outside: np.ndarray
) -> None:
    """Warn about the points whose v left the reversals' range (:class:`~brian2energy.errors.OutsideReversalsWarning`)."""
    E = {ion: float(cell.reversal_potentials[ion] / mV) for ion in ions}
    lo, hi = min(E, key=E.get), max(E, key=E.get)
    points = ", ".join(f"{x * 1e3:.2f}" for x in v[outside][:5]) + (", ..." if outside.sum() > 5 else "")
    warnings.warn(
        OutsideReversalsWarning(
            f"{cell.name}: at {int(outside.sum())} of {int(np.isfinite(v_min).sum())} simulated points v left "
            f"[E_{lo}, E_{hi}] = [{E[lo]:.1f}, {E[hi]:.1f}] mV{' (at the start)' if cell.moving_ions() else ''} after "
            f"settling (balanced at v_rest = {points} mV; v from {np.nanmin(v_min[outside]) * 1e3:.1f} to "
            f"{np.nanmax(v_max[outside]) * 1e3:.1f} mV there). Channels alone cannot hold v there: the pump's fixed "
            "turnover acts as a current source once the cell has left its balance point, so these rows (SweepTable."
            "outside_reversals) are artefacts of the model, not states a cell can reach"
        ),
        stacklevel=3,
    )
