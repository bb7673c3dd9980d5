"""Energy per spike and per second of rest, and network budgets: monitors and reports.

What is counted and how it is priced is defined once, in :mod:`brian2energy.accounting`
(the two views: ions restored, ``ATP_ions``, and pump turnover, ``ATP_pump``); the measures
on traces in :mod:`brian2energy.measures`; the resting cost in :mod:`brian2energy.resting`
(:func:`~brian2energy.resting.resting_rates`: the analytical rest of every neuron, with its
own parameters, at I_inj = 0 and no input; none for a model with no stable steady state and
no balanced ``v_rest``, which fires without input and so cannot rest: its whole own cost is
activity, and the report notes it). The report uses the ions-restored view for every figure
and gives the pump view beside the totals.

ATP per spike, above the cost of rest, counts the cell's own mechanisms; what its synaptic
receptors let in is the budget's separate ``synapses`` item (:mod:`brian2energy.synapses`):
isolated spikes (every spike alone in its window) by
:func:`~brian2energy.measures.isolated_spike_costs`, tonic firing by
:func:`~brian2energy.measures.tonic_spike_cost`; the Na+ load ratio by
:func:`~brian2energy.measures.na_load_ratios`, from the Na+ of the cell's own mechanisms.

Joules: ATP x the free energy of ATP hydrolysis, by default 50 kJ/mol ("about -50
kJ/mol in cells": Berg, Tymoczko & Stryer, Biochemistry, ch. 15), configurable.
"""

from __future__ import annotations

import csv
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from brian2 import (
    BrianObject,
    NeuronGroup,
    Quantity,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    amp,
    coulomb,
    kjoule,
    mole,
    ms,
    mV,
    second,
)
from brian2.units.constants import avogadro_constant

from .accounting import Accounts, accounts_of, atp
from .errors import ModelError
from .expressions import check_dimensions
from .measures import is_isolated, isolated_spike_costs, na_load_ratios, quiet_rate, tonic_spike_cost
from .resting import resting_rates

__all__ = [
    "ATP_FREE_ENERGY",
    "BUDGET_PARTS",
    "BudgetMonitor",
    "EnergyMonitor",
    "EnergyReport",
    "NetworkBudget",
    "energy_report",
    "network_budget",
]

#: Default free energy of ATP hydrolysis in cells (Berg, Tymoczko & Stryer, Biochemistry, ch. 15).
ATP_FREE_ENERGY = 50 * kjoule / mole


def _rest(model, group, neurons=slice(None)) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return the ATP/second booked as rest and the own mechanisms' Na+ entry at rest, and notes.

    For the ``neurons`` of ``group``: ATP/second, the Na+ entry in amp, and notes.

    A neuron whose model has no stable steady state (it fires without input) and no balanced
    ``v_rest`` cannot rest: it books no rest, and all of its own mechanisms' cost is activity.
    """
    state = resting_rates(model, group)
    rate = np.array(state.atp_per_second * second, dtype=float)[neurons]
    na_names = {c.name for c in model.counter_records() if c.ion == "Na" and c.kind == "own"}
    na = sum(
        (np.asarray(r, dtype=float)[neurons] for name, r in state.entry_rates.items() if name in na_names),
        np.zeros(rate.shape),
    )
    notes = []
    restless = np.zeros(rate.shape, dtype=bool)
    if model.v_rest is None:
        restless = ~np.asarray(state.stable, dtype=bool)[neurons]
    if restless.any():
        rate[restless], na[restless] = 0.0, 0.0
        v = np.asarray(state.v / mV)[neurons][restless]
        notes.append(
            f"{int(restless.sum())} neuron(s) have no stable resting state (steady state at "
            f"{np.min(v):.1f} mV, unstable: they fire without input): no rest is booked for them, their own "
            "mechanisms' whole cost is activity"
        )
    return rate, na, notes


def _accounts(group, cell, who: str) -> Accounts:
    """Return the group's counters and model: as recorded when it was made, or the given model's own."""
    accounts = accounts_of(group)
    if accounts is None:
        if cell is None:
            raise ModelError(f"{who}: this group was not made by brian2energy (Cell.neuron_group); pass cell=")
        # the counter mode the group's equations were written in: every counter, or the totals
        found = [
            records
            for mode in (True, "totals")
            if (records := cell.counter_records(counters=mode)) and all(c.name in group.variables for c in records)
        ]
        accounts = Accounts(cell, found[0] if found else ())
    elif cell is not None and cell is not accounts.model:
        raise ModelError(
            f"{who}: this group was made from {accounts.model.name!r}, not from the cell given "
            f"({cell.name!r}); leave out cell="
        )
    if "ATP_ions" not in group.variables or not accounts.priced:
        raise ModelError(f"{who}: the group has no energy counters ['Q_Na', 'ATP_ions'] (made with counters=False?)")
    return accounts


class EnergyMonitor(BrianObject):
    """Record what energy accounting needs from a group of brian2energy cells.

    The ion-entry counters of every mechanism and receptor that cost ATP (``Q_Na_<source>``,
    ``Q_Ca_<source>``), ``ATP_pump`` when the cell has a pump, the membrane potential and the
    injected current (``v`` and ``I_inj`` for a :class:`~brian2energy.cell.Cell`) for the
    neurons in ``record`` (all by default) every ``dt``, and every spike.

    Parameters
    ----------
    group : brian2.NeuronGroup or brian2.SpatialNeuron
        A group made by brian2energy (:meth:`~brian2energy.cell.Cell.neuron_group`,
        :meth:`~brian2energy.usermodel.EquationModel.neuron_group`,
        :meth:`~brian2energy.cell.Cell.spatial_neuron`), or one with a model's counters.
    cell : Cell or EquationModel, optional
        Only for a group that brian2energy did not make: the model whose counters it has.
    record : bool or array_like of int, optional
        The neurons to record (default all).
    dt : Quantity (second), optional
        The sampling step (default: the group's step, which the per-spike windows and spike
        peaks need).
    name : str, optional
        The monitor's name (default ``"energymonitor*"``).

    Attributes
    ----------
    accounts : Accounts
        The group's counter records and model (:func:`~brian2energy.accounting.accounts_of`).
    cell : Cell or EquationModel
        The model.
    group : brian2.NeuronGroup
        The group (a weak proxy).
    counters : tuple of Counter
        The priced counters recorded.
    states : brian2.StateMonitor
        Records the potential, the stimulus, the priced counters (coulomb) and ``ATP_pump``.
    spikes : brian2.SpikeMonitor
        Records every spike of the group.

    Raises
    ------
    ModelError
        If the group was not made by brian2energy and no ``cell`` is given, was made from
        another model than ``cell``, or has no energy counters (made with ``counters=False``).

    See Also
    --------
    energy_report : the figures from this monitor after a run.

    Notes
    -----
    Counters are cumulative, so totals are exact at any sampling step; a coarser ``dt`` only
    blurs spike peaks (the Na+ load ratio). Memory: ``len(record) x steps x (3 + counters)``
    doubles: record a subset in large networks. The counters are the group's own records
    (:func:`~brian2energy.accounting.accounts_of`); ``cell=`` is only for a group that
    brian2energy did not make.

    Add it to a ``Network`` like any monitor (it brings its own StateMonitor and
    SpikeMonitor); works under runtime targets and cpp_standalone.
    """

    add_to_magic_network = True

    def __init__(
        self, group: NeuronGroup, cell=None, record=True, dt: Quantity | None = None, name: str = "energymonitor*"
    ) -> None:
        super().__init__(name=name)
        self.accounts = _accounts(group, cell, "EnergyMonitor")
        self.cell = self.accounts.model
        self.group = weakref.proxy(group)
        self.counters = self.accounts.priced
        pump = self.accounts.pump
        stimulus = [self.cell.stimulus] if self.cell.stimulus else []
        variables = [self.cell.potential, *stimulus, *(c.name for c in self.counters)] + ([pump.name] if pump else [])
        self.states = StateMonitor(group, variables, record=record, dt=dt, name=f"{self.name}_states")
        self.spikes = SpikeMonitor(group, name=f"{self.name}_spikes")
        self.contained_objects.extend([self.states, self.spikes])


@dataclass(frozen=True)
class EnergyReport:
    """Energy figures per recorded neuron (arrays) with group summaries.

    Returned by :func:`energy_report`. ATP figures are per cell, in molecules (per second where
    named so), ions-restored view unless named ``_pump``. Arrays are over the recorded neurons.

    Attributes
    ----------
    cell : Cell or EquationModel
        The model.
    neurons : ndarray of int
        The recorded neurons' indices.
    duration : Quantity (second)
        The recording's length.
    n_spikes : ndarray of int
        Spikes per neuron within the recording.
    atp_total : ndarray
        ATP over the recording (ions-restored view: every priced ion entry at its price).
    atp_total_pump : ndarray or None
        ATP over the recording in the pump-turnover view (pump cycles); None without a pump.
    atp_per_second_rest : Quantity (1/second)
        The analytical resting state's cost (I_inj = 0, each neuron's own parameters), ATP per
        second; 0 for a neuron that cannot rest (see :attr:`notes`).
    atp_per_second_rest_measured : Quantity (1/second)
        The same measured over the quietest stretch of the run, by the own mechanisms
        (:func:`~brian2energy.measures.quiet_rate`); NaN without one.
    atp_per_spike : ndarray
        The cost above rest attributed to each spike, by the cell's own mechanisms: **tonic**
        firing (any interval shorter than the window): (ATP of the run - resting rate x
        duration) / spikes; **isolated** spikes (each alone in its window): the window's ATP
        minus the resting rate over it, the mean. NaN without spikes.
    atp_per_spike_sd : ndarray
        The spread (standard deviation) of the isolated spikes' costs; NaN for tonic firing.
    method : ndarray of str
        ``"isolated"``, ``"tonic"`` or ``"none"`` (no spikes), per neuron.
    na_load_ratio : ndarray
        A spike's Na+ charge (window, baseline subtracted) over the least charge that could carry
        the membrane through its amplitude, C_m x area x (v_peak - v_start) (Carter & Bean 2009;
        Sengupta et al. 2010), the mean over spikes; the cell's own mechanisms only.
    na_after_peak : ndarray
        The share of that Na+ that flows after the peak, while K+ current already repolarizes
        (the overlap that makes the excess).
    by_mechanism : dict of str to ndarray
        Each priced counter's entry over the recording as ATP: by source for Na+ (``NaV``), by
        ion and source otherwise (``Ca_nmda``).
    budget : dict of str to ndarray
        ATP per neuron of ``"rest"`` (resting rate x duration), ``"spikes"`` (the cell's own
        mechanisms beyond rest) and, with receptors, ``"synapses"``.
    atp_free_energy : Quantity (joule/mole)
        The free energy of ATP hydrolysis used for :attr:`joules`.
    window : tuple of Quantity (second)
        (before, after) the threshold crossing: the per-spike window.
    notes : list of str
        What the figures leave out or assume (neurons that cannot rest, windows cut by the
        recording's ends, no pump).
    """

    cell: object
    neurons: np.ndarray
    duration: Quantity
    n_spikes: np.ndarray
    atp_total: np.ndarray
    atp_total_pump: np.ndarray | None
    atp_per_second_rest: Quantity
    atp_per_second_rest_measured: Quantity
    atp_per_spike: np.ndarray
    atp_per_spike_sd: np.ndarray
    method: np.ndarray
    na_load_ratio: np.ndarray
    na_after_peak: np.ndarray
    by_mechanism: dict[str, np.ndarray]
    budget: dict[str, np.ndarray]
    atp_free_energy: Quantity
    window: tuple[Quantity, Quantity]
    notes: list[str]

    @property
    def joules(self) -> Quantity:
        """The total ATP of each neuron as energy (joule): ATP / N_A x the free energy of hydrolysis."""
        return self.atp_total / avogadro_constant * self.atp_free_energy

    @property
    def budget_fractions(self) -> dict[str, float]:
        """Each budget item's share of the group's total ATP (they sum to 1)."""
        total = sum(float(np.sum(v)) for v in self.budget.values())
        return {k: float(np.sum(v)) / total if total else float("nan") for k, v in self.budget.items()}

    def summary(self) -> dict[str, float]:
        """Return the group figures: means over neurons (spike figures over neurons that spiked) and totals.

        Returns
        -------
        dict of str to float
            ``neurons``, ``duration_s``, ``spikes``, ``atp_total``, ``joules_total`` (J),
            ``atp_per_second_rest``, ``atp_per_second_rest_measured``, ``atp_per_spike``,
            ``na_load_ratio``, ``na_after_peak``, ``atp_total_pump`` (with a pump), and
            ``fraction_<part>`` of the budget and ``fraction_na_<source>`` of the Na+ entry.
        """
        spiking = self.n_spikes > 0
        rest_s = np.asarray(self.atp_per_second_rest * second)

        def mean(a, where=None):
            a = np.asarray(a, dtype=float)[where if where is not None else slice(None)]
            return float(np.nanmean(a)) if a.size and np.isfinite(a).any() else float("nan")

        out = {
            "neurons": float(len(self.neurons)),
            "duration_s": float(self.duration / second),
            "spikes": float(np.sum(self.n_spikes)),
            "atp_total": float(np.sum(self.atp_total)),
            "joules_total": float(np.sum(self.joules / kjoule)) * 1e3,
            "atp_per_second_rest": mean(rest_s),
            "atp_per_second_rest_measured": mean(self.atp_per_second_rest_measured * second),
            "atp_per_spike": mean(self.atp_per_spike, spiking),
            "na_load_ratio": mean(self.na_load_ratio, spiking),
            "na_after_peak": mean(self.na_after_peak, spiking),
        }
        if self.atp_total_pump is not None:
            out["atp_total_pump"] = float(np.sum(self.atp_total_pump))
        out.update({f"fraction_{k}": v for k, v in self.budget_fractions.items()})
        total_na = sum(float(np.sum(v)) for v in self.by_mechanism.values())
        out.update(
            {
                f"fraction_na_{k}": float(np.sum(v)) / total_na if total_na else float("nan")
                for k, v in self.by_mechanism.items()
            }
        )
        return out

    def to_dict(self) -> dict:
        """Return the summary and the per-neuron arrays as plain Python numbers and lists.

        Returns
        -------
        dict
            ``{"summary": ..., "neurons": {column: [value per neuron]}}``; see :meth:`summary`.
        """
        rows = self._rows()
        return {"summary": self.summary(), "neurons": {k: [r[k] for r in rows] for k in rows[0]} if rows else {}}

    def _rows(self) -> list[dict]:
        rows = []
        for k, i in enumerate(self.neurons):
            row = {
                "neuron": int(i),
                "spikes": int(self.n_spikes[k]),
                "atp_total": float(self.atp_total[k]),
                "atp_per_second_rest": float(self.atp_per_second_rest[k] * second),
                "atp_per_second_rest_measured": float(self.atp_per_second_rest_measured[k] * second),
                "atp_per_spike": float(self.atp_per_spike[k]),
                "atp_per_spike_sd": float(self.atp_per_spike_sd[k]),
                "method": str(self.method[k]),
                "na_load_ratio": float(self.na_load_ratio[k]),
                "na_after_peak": float(self.na_after_peak[k]),
                "joules": float(self.joules[k] / kjoule) * 1e3,
            }
            if self.atp_total_pump is not None:
                row["atp_total_pump"] = float(self.atp_total_pump[k])
            row.update({f"atp_{name}": float(v[k]) for name, v in self.by_mechanism.items()})
            row.update({f"budget_{name}": float(v[k]) for name, v in self.budget.items()})
            rows.append(row)
        return rows

    def to_csv(self, path: str | Path) -> None:
        """Write one row per recorded neuron to a CSV file.

        Parameters
        ----------
        path : str or pathlib.Path
            The file to write.
        """
        rows = self._rows()
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    def __str__(self) -> str:
        """Return the report as a short table (ATP per cell, ions-restored view)."""
        s = self.summary()
        lines = [
            f"energy report: {self.cell.name}, {int(s['neurons'])} neuron(s), {s['duration_s']:g} s, "
            f"{int(s['spikes'])} spikes (ATP per cell, ions-restored view)",
            f"  {'ATP per second at rest':32s} {s['atp_per_second_rest']:12.4g}  (analytical; quiet stretch: "
            f"{s['atp_per_second_rest_measured']:.4g})",
            f"  {'ATP per spike':32s} {s['atp_per_spike']:12.4g}  ({', '.join(sorted(set(self.method[self.n_spikes > 0])))})",
            f"  {'Na+ load ratio':32s} {s['na_load_ratio']:12.3g}  (Na+ after the peak: {s['na_after_peak']:.0%})",
            f"  {'total ATP':32s} {s['atp_total']:12.4g}  ({s['joules_total']:.4g} J at "
            f"{float(self.atp_free_energy / (kjoule / mole)):g} kJ/mol)",
        ]
        if "atp_total_pump" in s:
            lines.append(f"  {'total ATP, pump-turnover view':32s} {s['atp_total_pump']:12.4g}")
        lines.append("  budget: " + ", ".join(f"{k} {v:.1%}" for k, v in self.budget_fractions.items()))
        lines.append(
            "  Na+ entry by mechanism: "
            + ", ".join(f"{k[len('fraction_na_') :]} {v:.1%}" for k, v in s.items() if k.startswith("fraction_na_"))
        )
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    __repr__ = __str__


def energy_report(
    monitor: EnergyMonitor,
    window: tuple[Quantity, Quantity] = (2 * ms, 10 * ms),
    atp_free_energy: Quantity = ATP_FREE_ENERGY,
) -> EnergyReport:
    """Compute the energy figures from a monitor after a run.

    Parameters
    ----------
    monitor : EnergyMonitor
        The monitor, after a run.
    window : tuple of Quantity (second), optional
        (before, after) the threshold crossing of each spike: the per-spike integration window
        for isolated spikes and the Na+ load ratio (default 2 ms before, 10 ms after); before
        >= 0, after > 0.
    atp_free_energy : Quantity (joule/mole), optional
        The free energy of ATP hydrolysis for the joules (default :data:`ATP_FREE_ENERGY`,
        50 kJ/mol).

    Returns
    -------
    EnergyReport
        Per recorded neuron: ATP in both views, the cost of rest (analytical and measured), ATP
        per spike, the Na+ load ratio, the Na+ entry by mechanism and the budget.

    Raises
    ------
    ModelError
        If the window or the free energy is not valid, the monitor has recorded nothing yet,
        or the counters or v became NaN or infinite (naming the neurons and the first bad time).

    Notes
    -----
    Every definition is in :class:`EnergyReport` and :mod:`brian2energy.energy`: the report
    uses the ions-restored view for every figure and gives the pump view beside the totals; ATP
    per spike, above the cost of rest, counts the cell's own mechanisms, what its receptors let
    in is the budget's ``synapses`` item. The resting cost is every neuron's own
    (:func:`~brian2energy.resting.resting_rates`, per-neuron parameters honoured).
    """
    pre = check_dimensions(window[0], second, "energy_report: window")
    post = check_dimensions(window[1], second, "energy_report: window")
    if not (float(pre) >= 0 and float(post) > 0):
        raise ModelError(
            f"energy_report: window = (before, after) the threshold crossing must be a duration >= 0 "
            f"and one > 0, got {window!r}"
        )
    check_dimensions(atp_free_energy, kjoule / mole, "energy_report: atp_free_energy")
    cell, states, counters = monitor.cell, monitor.states, monitor.counters
    t = states.t[:]
    if len(t) < 2:
        raise ModelError("energy_report: the monitor has recorded nothing yet (run the network first)")
    neurons = np.asarray(states.record, dtype=int)
    q = {c.name: np.asarray(getattr(states, c.name)) for c in counters}  # (neurons, samples), coulomb
    v = getattr(states, cell.potential)[:]
    stimulus = np.asarray(getattr(states, cell.stimulus)) if cell.stimulus else np.zeros(v.shape)
    bad = ~np.isfinite(np.asarray(v)) | np.any([~np.isfinite(a) for a in q.values()], axis=0)
    if bad.any():
        raise _nonfinite("energy_report", neurons[bad.any(axis=1)], float(t[np.argmax(bad.any(axis=0))] / second))
    own = [c for c in counters if c.kind == "own"]
    atp_all, atp_own = atp(counters, q), atp(own, q)  # cumulative ATP: all, the cell's own mechanisms
    q_na = sum((q[c.name] for c in own if c.ion == "Na"), np.zeros_like(atp_all))
    rest_rate, na_rest, notes = _rest(cell, monitor.group, neurons)  # ATP/s; amp: the own mechanisms' Na+ entry
    spike_i, spike_t = np.asarray(monitor.spikes.i), monitor.spikes.t[:]
    in_run = (spike_t >= t[0]) & (spike_t <= t[-1])
    spike_i, spike_t = spike_i[in_run], spike_t[in_run]

    n = len(neurons)
    n_spikes = np.zeros(n, dtype=int)
    per_spike, per_spike_sd = np.full(n, np.nan), np.full(n, np.nan)
    load, after_peak = np.full(n, np.nan), np.full(n, np.nan)
    method = np.full(n, "none", dtype=object)
    rest_measured = np.full(n, np.nan)
    atp_total = atp_all[:, -1] - atp_all[:, 0]
    synaptic = atp_total - (atp_own[:, -1] - atp_own[:, 0])
    duration = t[-1] - t[0]
    for k, i in enumerate(neurons):  # per neuron: spikes are few; the measures are vectorised over samples
        times = np.sort(spike_t[spike_i == i])
        n_spikes[k] = times.size
        rest_measured[k] = float(quiet_rate(t, atp_own[k], v[k], stimulus[k], times, pre, post) * second)
        if times.size == 0:
            continue
        if is_isolated(times, t[0], t[-1], pre, post):
            method[k] = "isolated"
            costs = isolated_spike_costs(t, atp_own[k], times, rest_rate[k] / second, pre, post)
            per_spike[k], per_spike_sd[k] = np.mean(costs), np.std(costs)
        else:
            method[k] = "tonic"
            per_spike[k] = tonic_spike_cost(atp_total[k] - synaptic[k], rest_rate[k] / second, duration, times.size)
        ratios, after = na_load_ratios(t, q_na[k] * coulomb, v[k], times, na_rest[k] * amp, cell.capacitance, pre, post)
        load[k], after_peak[k] = np.mean(ratios), np.mean(after)

    cut = [int(i) for i, ts in zip(spike_i, spike_t) if (ts - pre < t[0] or ts + post > t[-1]) and i in neurons]
    if cut:
        notes.append(
            f"the window of a spike of neuron(s) {sorted(set(cut))[:10]} reaches outside the recording: "
            "their ATP per spike is the tonic figure and their load ratio uses the part recorded"
        )
    if cell.pump is None:
        notes.append("the cell has no pump: only the ions-restored view exists")
    pump_total = None
    if monitor.accounts.pump is not None:
        pump = np.asarray(getattr(states, monitor.accounts.pump.name))
        pump_total = pump[:, -1] - pump[:, 0]
    seconds = float(duration / second)
    return EnergyReport(
        cell=cell,
        neurons=neurons,
        duration=duration,
        n_spikes=n_spikes,
        atp_total=atp_total,
        atp_total_pump=pump_total,
        atp_per_second_rest=rest_rate / second,
        atp_per_second_rest_measured=rest_measured / second,
        atp_per_spike=per_spike,
        atp_per_spike_sd=per_spike_sd,
        method=method,
        na_load_ratio=load,
        na_after_peak=after_peak,
        by_mechanism={_label(c): (q[c.name][:, -1] - q[c.name][:, 0]) * c.atp_per_unit for c in counters},
        budget=_budget(rest_rate * seconds, atp_total, synaptic),
        atp_free_energy=atp_free_energy,
        window=(pre, post),
        notes=notes,
    )


def _nonfinite(who: str, neurons: np.ndarray, when: float) -> ModelError:
    """Make the error for counters or v that became NaN or infinite: the integration failed."""
    return ModelError(
        f"{who}: the counters or v of neuron(s) {np.asarray(neurons)[:10].tolist()}"
        f"{' ...' if len(neurons) > 10 else ''} became NaN or infinite, first at t = {when * 1e3:.3f} ms: "
        "the integration failed (is the step too large for the model and method?)"
    )


def _budget(rest: np.ndarray, total: np.ndarray, synaptic: np.ndarray) -> dict[str, np.ndarray]:
    """Split the ATP into rest, spikes (the cell's own mechanisms beyond rest) and, with receptors, synapses."""
    budget = {"rest": rest, "spikes": total - rest - synaptic}
    if np.any(synaptic):
        budget["synapses"] = synaptic
    return budget


def _label(counter) -> str:
    """Name a counter's item in ``by_mechanism``: its source for Na+ (``NaV``), ion and source otherwise (``Ca_nmda``)."""
    return counter.source if counter.ion == "Na" else f"{counter.ion}_{counter.source}"


# --- network budgets -----------------------------------------------------------------------

#: The parts of a network budget, in the order tables and plots show them.
BUDGET_PARTS = ("rest", "action potentials", "synapses")


class BudgetMonitor(Synapses):
    """Record population totals of a group's ion-entry counters over time, and its spike count.

    A ``Synapses`` object from ``group`` to a one-neuron ledger group: it sums every
    priced counter of ``group`` (its records, :func:`~brian2energy.accounting.accounts_of`:
    the cell's mechanisms and its receptors) into the ledger with ``(summed)`` on the ledger's
    clock (step ``dt``), and counts spikes with ``on_pre``; a ``StateMonitor`` (``.states``)
    records the ledger.

    Parameters
    ----------
    group : brian2.NeuronGroup
        A group made by brian2energy (any counter mode, ``counters="totals"`` the cheapest).
    cell : Cell or EquationModel, optional
        Only for a group that brian2energy did not make: the model whose counters it has.
    dt : Quantity (second), optional
        The ledger's sampling step (default 1 ms): the bins of the network budget.
    name : str, optional
        The monitor's name (default ``"budgetmonitor*"``).

    Attributes
    ----------
    cell : Cell or EquationModel
        The model.
    group : brian2.NeuronGroup
        The group.
    ledger : brian2.NeuronGroup
        The one-neuron group holding the population's counters (coulomb) and ``n_spikes``.
    counters : tuple of Counter
        The priced counters summed.
    states : brian2.StateMonitor
        Records the ledger every ``dt``.

    Raises
    ------
    ModelError
        If ``dt`` is not a time, or as :class:`EnergyMonitor` for the group.

    See Also
    --------
    network_budget : the budget from these monitors after a run.

    Notes
    -----
    Cost: one summation per neuron every ``dt``, memory independent of the number of neurons.
    Plain Brian2 objects (it is a ``Synapses``, so cpp_standalone registers it like any other):
    works under runtime targets and cpp_standalone.
    """

    def __init__(self, group: NeuronGroup, cell=None, dt: Quantity = 1 * ms, name: str = "budgetmonitor*") -> None:
        check_dimensions(dt, second, "BudgetMonitor: dt")
        accounts = _accounts(group, cell, "BudgetMonitor")
        names = [c.name for c in accounts.priced]
        ledger = NeuronGroup(
            1, "\n".join([f"{c} : coulomb" for c in names] + ["n_spikes : 1"]), dt=dt, name=f"{group.name}_ledger*"
        )
        # set before Synapses.__init__, after which a Group only accepts its state variables as attributes
        self.cell, self.group, self.ledger, self.counters = accounts.model, group, ledger, accounts.priced
        self.states = StateMonitor(ledger, names, record=0, when="end", name=f"{ledger.name}_states")
        super().__init__(
            group,
            ledger,
            "\n".join(f"{c}_post = {c}_pre : coulomb (summed)" for c in names),
            on_pre="n_spikes_post += 1",
            dt=group.clock.dt,
            name=name,
        )
        self.connect()
        self.contained_objects.extend([ledger, self.states])


@dataclass(frozen=True)
class NetworkBudget:
    """A network's ATP budget per population, ions-restored view (molecules, whole population).

    Returned by :func:`network_budget`. Parts (:data:`BUDGET_PARTS`), which add up to each
    population's total:

    * ``rest``: every neuron's analytical resting cost (I_inj = 0, no input, each neuron's
      own parameters) times the duration; none for a neuron that cannot rest (its model has
      no stable steady state and no balanced ``v_rest``: it fires without input), as ``notes`` say;
    * ``action potentials``: what the cell's own mechanisms let in beyond that (spikes,
      and any subthreshold change of their currents that input causes);
    * ``synapses``: what the postsynaptic receptors let in (Na+/3 and Ca2+ per ATP).

    Attributes
    ----------
    populations : tuple of str
        The populations' labels, in the order given.
    n_neurons : dict of str to int
        Neurons per population.
    n_spikes : dict of str to int
        Spikes per population over the run.
    t : ndarray
        The bin edges (second) of the time series.
    rate : dict of str to dict of str to ndarray
        ``rate[population][part]``: ATP/second in each bin.
    atp : dict of str to dict of str to float
        ``atp[population][part]``: the totals over the run (ATP).
    atp_free_energy : Quantity (joule/mole)
        The free energy of ATP hydrolysis used for :attr:`joules`.
    notes : tuple of str
        Populations with neurons that cannot rest.
    """

    populations: tuple[str, ...]
    n_neurons: dict[str, int]
    n_spikes: dict[str, int]
    t: np.ndarray
    rate: dict[str, dict[str, np.ndarray]]
    atp: dict[str, dict[str, float]]
    atp_free_energy: Quantity
    notes: tuple[str, ...] = ()

    @property
    def duration(self) -> Quantity:
        """The run's length, from the first to the last bin edge (second)."""
        return (self.t[-1] - self.t[0]) * second

    @property
    def total(self) -> float:
        """ATP over the run, all populations and parts (molecules)."""
        return sum(sum(parts.values()) for parts in self.atp.values())

    @property
    def joules(self) -> Quantity:
        """The total as energy (joule): ATP / N_A x the free energy of ATP hydrolysis."""
        return self.total / avogadro_constant * self.atp_free_energy

    def atp_per_second(self, population: str | None = None) -> dict[str, float]:
        """Return the mean ATP/second of each part over the run, for one population or the whole network.

        Parameters
        ----------
        population : str, optional
            A population's label; None (default) for the whole network.

        Returns
        -------
        dict of str to float
            Part (:data:`BUDGET_PARTS`) -> ATP per second.
        """
        pops = self.populations if population is None else (population,)
        duration = float(self.duration / second)
        return {part: sum(self.atp[p][part] for p in pops) / duration for part in BUDGET_PARTS}

    def fractions(self, population: str | None = None) -> dict[str, float]:
        """Return each part's share of the population's (or the network's) total ATP; they sum to 1.

        Parameters
        ----------
        population : str, optional
            A population's label; None (default) for the whole network.

        Returns
        -------
        dict of str to float
            Part (:data:`BUDGET_PARTS`) -> share (NaN if the total is zero).
        """
        rates = self.atp_per_second(population)
        total = sum(rates.values())
        return {part: value / total if total else float("nan") for part, value in rates.items()}

    def __str__(self) -> str:
        """Return the budget as a table: ATP per second per population and part, with shares."""
        duration = float(self.duration / second)
        head = f"{'population':14s} {'neurons':>8s} {'rate (Hz)':>9s}" + "".join(f" {p:>18s}" for p in BUDGET_PARTS)
        lines = [
            f"network energy budget over {duration:g} s (ATP per second, ions-restored view; share of the row)",
            head + f" {'total':>12s}",
        ]
        for label in (*self.populations, None):
            rates, fractions = self.atp_per_second(label), self.fractions(label)
            n = self.n_neurons[label] if label else sum(self.n_neurons.values())
            spikes = self.n_spikes[label] if label else sum(self.n_spikes.values())
            cells = "".join(f" {rates[p]:10.3g} ({fractions[p]:4.0%})" for p in BUDGET_PARTS)
            lines.append(
                f"{label or 'network':14s} {n:8d} {spikes / n / duration:9.2f}{cells} {sum(rates.values()):12.4g}"
            )
        kj = float(self.atp_free_energy / (kjoule / mole))
        lines.append(f"total: {self.total:.4g} ATP = {float(self.joules / kjoule) * 1e3:.4g} J at {kj:g} kJ/mol")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    __repr__ = __str__

    def to_csv(self, path: str | Path) -> None:
        """Write the time series to a CSV file: one row per bin, one column per population and part (ATP/second).

        Parameters
        ----------
        path : str or pathlib.Path
            The file to write.
        """
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["t_start_s", "t_end_s", *(f"{p}: {part}" for p in self.populations for part in BUDGET_PARTS)]
            )
            for k in range(len(self.t) - 1):
                writer.writerow(
                    [
                        self.t[k],
                        self.t[k + 1],
                        *(self.rate[p][part][k] for p in self.populations for part in BUDGET_PARTS),
                    ]
                )


def network_budget(monitors: dict[str, BudgetMonitor], atp_free_energy: Quantity = ATP_FREE_ENERGY) -> NetworkBudget:
    """Compute the ATP budget of each population after a run.

    Parameters
    ----------
    monitors : dict of str to BudgetMonitor
        ``{label: BudgetMonitor}``, one per population, sharing their ``dt`` and run.
    atp_free_energy : Quantity (joule/mole), optional
        The free energy of ATP hydrolysis for the joules (default :data:`ATP_FREE_ENERGY`,
        50 kJ/mol).

    Returns
    -------
    NetworkBudget
        Per population and part (rest, action potentials, synapses): the time series of ATP per
        second and the totals (ions-restored view).

    Raises
    ------
    ModelError
        If no monitor is given, a monitor has recorded nothing yet, the counters became NaN or
        infinite, the monitors' samples differ (another ``dt`` or run), or the free energy is not
        an energy per mole.

    Notes
    -----
    The rest is every neuron's analytical resting cost
    (:func:`~brian2energy.resting.resting_rates`); the action potentials are what the cell's own
    mechanisms let in beyond it; the synapses what the receptors let in. See
    :class:`NetworkBudget`.
    """
    check_dimensions(atp_free_energy, kjoule / mole, "network_budget: atp_free_energy")
    if not monitors:
        raise ModelError("network_budget: give at least one BudgetMonitor, as {label: monitor}")
    rate, totals, n_neurons, n_spikes, edges, notes = {}, {}, {}, {}, None, []
    for label, monitor in monitors.items():
        states, group = monitor.states, monitor.group
        if len(states.t) < 1:
            raise ModelError(
                f"network_budget: the monitor of {label!r} has recorded nothing yet (run the network first)"
            )
        # the ledger's samples, then the group's counters now (the end of the run)
        t = np.r_[np.asarray(states.t / second), float(group.clock.t / second)]
        samples = {
            c.name: np.r_[np.asarray(getattr(states, c.name)[0]), float(np.sum(np.asarray(getattr(group, c.name)[:])))]
            for c in monitor.counters
        }
        finite = np.all([np.isfinite(x) for x in samples.values()], axis=0)
        if not finite.all():
            now = np.column_stack([np.asarray(getattr(group, c.name)[:]) for c in monitor.counters])
            raise _nonfinite(
                f"network_budget ({label!r})",
                np.flatnonzero(~np.isfinite(now).all(axis=1)),
                float(t[np.argmax(~finite)]),
            )
        own = atp([c for c in monitor.counters if c.kind == "own"], samples) * np.ones(t.size)
        synaptic = atp([c for c in monitor.counters if c.kind == "synaptic"], samples) * np.ones(t.size)
        rates, _, rest_notes = _rest(monitor.cell, group)
        rest_rate = float(np.sum(rates))
        notes += [f"{label}: {n}" for n in rest_notes]
        dt = np.diff(t)
        rate[label] = {
            "rest": np.full(dt.size, rest_rate),
            "action potentials": np.diff(own) / dt - rest_rate,
            "synapses": np.diff(synaptic) / dt,
        }
        totals[label] = {part: float(np.sum(r * dt)) for part, r in rate[label].items()}
        n_neurons[label] = len(group)
        n_spikes[label] = int(round(float(monitor.ledger.n_spikes[0])))
        if edges is not None and (edges.shape != t.shape or not np.allclose(edges, t)):
            raise ModelError("network_budget: the monitors must share their dt and run (their samples differ)")
        edges = t
    return NetworkBudget(
        populations=tuple(monitors),
        n_neurons=n_neurons,
        n_spikes=n_spikes,
        t=edges,
        rate=rate,
        atp=totals,
        atp_free_energy=atp_free_energy,
        notes=tuple(notes),
    )
