"""Energy per spike and per second of rest: a monitor, a report, and the definitions behind them.

Two accounting views (both per cell, in ATP molecules):

* **ions restored** (``ATP_ions``): the Na+ that entered through every Na+ carrier
  but the pump, divided by 3 e: the ATP the Na+/K+ pump must spend to export it;
* **pump turnover** (``ATP_pump``, cells with a pump): the integral of
  ``i_pump * area / e``, one ATP per pump cycle.

They agree over a long run of a cell whose pump balances its Na+ entry at rest, and
differ over transients and in cells without a pump. The report uses the
ions-restored view for every figure and gives the pump view beside the totals.

ATP per spike, above the cost of rest (``atp_per_second_rest``, from the analytical
resting state at I_inj = 0), counts the cell's own mechanisms; what its synaptic receptors
let in is the budget's separate ``synapses`` item (:mod:`brian2energy.synapses`):

* **tonic** (any inter-spike interval shorter than the per-spike window):
  (ATP over the run - resting rate x duration) / number of spikes;
* **isolated** (every spike alone in its window ``[t - pre, t + post]`` around its
  threshold crossing ``t``): the ATP within the window minus the resting rate times
  the window, averaged over spikes, with its standard deviation.

Na+ load ratio (Carter & Bean 2009; Sengupta et al. 2010): the Na+ charge a spike
lets in (window integral, baseline subtracted) divided by the least charge that
could have charged the membrane through the spike's amplitude, ``C_m * area * (v_peak
- v_start)`` with ``v_start`` the potential at the window's start. The excess comes
from Na+ current flowing while K+ current already repolarizes: ``na_after_peak`` is the
fraction of a spike's Na+ entry that flows after the peak of v.

Joules: ATP x the free energy of ATP hydrolysis, by default 50 kJ/mol ("about -50
kJ/mol in cells": Berg, Tymoczko & Stryer, Biochemistry, ch. 15), configurable.
"""

from __future__ import annotations

import csv
import warnings
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
    kjoule,
    mole,
    ms,
    second,
)
from brian2.units.constants import avogadro_constant, elementary_charge
from brian2.units.fundamentalunits import get_dimensions

from .cell import Cell, cell_of, counter_atp, priced_counters
from .errors import ModelError
from .expressions import check_dimensions
from .rest import resting_state

#: Default free energy of ATP hydrolysis in cells (Berg, Tymoczko & Stryer, Biochemistry, ch. 15).
ATP_FREE_ENERGY = 50 * kjoule / mole


class EnergyMonitor(BrianObject):
    """Records what energy accounting needs from a group of brian2energy cells.

    The ion-entry counters of every mechanism and receptor (``Q_Na_<source>``, ``Q_Ca_<source>``),
    ``ATP_pump`` when the cell
    has a pump, ``v`` and ``I_inj`` for the neurons in ``record`` (all by default)
    every ``dt`` (default: the group's step, which the per-spike windows and spike
    peaks need), and every spike. Counters are cumulative, so totals are exact at any
    sampling step; a coarser ``dt`` only blurs spike peaks (the Na+ load ratio). Memory:
    ``len(record) x steps x (3 + mechanisms)`` doubles: record a subset in large networks.

    Add it to a ``Network`` like any monitor (it brings its own StateMonitor and
    SpikeMonitor); works under runtime targets and cpp_standalone.
    """

    add_to_magic_network = True

    def __init__(self, group: NeuronGroup, cell: Cell | None = None, record=True, dt: Quantity | None = None,
                 name: str = "energymonitor*") -> None:
        super().__init__(name=name)
        self.cell = cell if cell is not None else cell_of(group)
        if self.cell is None:
            raise ModelError("EnergyMonitor: this group was not made by Cell.neuron_group; pass cell=")
        missing = [c for c in ("Q_Na", "ATP_ions") if c not in group.variables]
        if missing:
            raise ModelError(f"EnergyMonitor: the group has no energy counters {missing} (made with counters=False?)")
        self.group = weakref.proxy(group)
        # every priced ion-entry counter of the group: the cell's mechanisms and its receptors
        self.counters = priced_counters(group)
        variables = ["v", "I_inj", *self.counters] + (["ATP_pump"] if "ATP_pump" in group.variables else [])
        self.states = StateMonitor(group, variables, record=record, dt=dt, name=f"{self.name}_states")
        self.spikes = SpikeMonitor(group, name=f"{self.name}_spikes")
        self.contained_objects.extend([self.states, self.spikes])


@dataclass(frozen=True)
class EnergyReport:
    """Energy figures per recorded neuron (arrays) with group summaries; see the module docstring.

    ATP figures are per cell, in molecules (per second where named so), ions-restored
    view unless named ``_pump``.
    """

    cell: Cell
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
        """The total ATP of each neuron as energy: ATP / N_A x the free energy of hydrolysis."""
        return self.atp_total / avogadro_constant * self.atp_free_energy

    @property
    def budget_fractions(self) -> dict[str, float]:
        """Each budget item's share of the group's total ATP (they sum to 1)."""
        total = sum(float(np.sum(v)) for v in self.budget.values())
        return {k: float(np.sum(v)) / total if total else float("nan") for k, v in self.budget.items()}

    def summary(self) -> dict[str, float]:
        """Group figures: means over neurons (spike figures over neurons that spiked) and totals."""
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
        out.update({f"fraction_na_{k}": float(np.sum(v)) / total_na if total_na else float("nan")
                    for k, v in self.by_mechanism.items()})
        return out

    def to_dict(self) -> dict:
        """The summary and the per-neuron arrays as plain Python numbers and lists."""
        rows = self._rows()
        return {"summary": self.summary(), "neurons": {k: [r[k] for r in rows] for k in rows[0]} if rows else {}}

    def _rows(self) -> list[dict]:
        rows = []
        for k, i in enumerate(self.neurons):
            row = {
                "neuron": int(i), "spikes": int(self.n_spikes[k]), "atp_total": float(self.atp_total[k]),
                "atp_per_second_rest": float(self.atp_per_second_rest[k] * second),
                "atp_per_second_rest_measured": float(self.atp_per_second_rest_measured[k] * second),
                "atp_per_spike": float(self.atp_per_spike[k]), "atp_per_spike_sd": float(self.atp_per_spike_sd[k]),
                "method": str(self.method[k]), "na_load_ratio": float(self.na_load_ratio[k]),
                "na_after_peak": float(self.na_after_peak[k]), "joules": float(self.joules[k] / kjoule) * 1e3,
            }
            if self.atp_total_pump is not None:
                row["atp_total_pump"] = float(self.atp_total_pump[k])
            row.update({f"atp_{name}": float(v[k]) for name, v in self.by_mechanism.items()})
            row.update({f"budget_{name}": float(v[k]) for name, v in self.budget.items()})
            rows.append(row)
        return rows

    def to_csv(self, path: str | Path) -> None:
        """One row per recorded neuron."""
        rows = self._rows()
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    def __str__(self) -> str:
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
        lines.append("  Na+ entry by mechanism: " + ", ".join(
            f"{k[len('fraction_na_'):]} {v:.1%}" for k, v in s.items() if k.startswith("fraction_na_")))
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def energy_report(monitor: EnergyMonitor, window: tuple[Quantity, Quantity] = (2 * ms, 10 * ms),
                  atp_free_energy: Quantity = ATP_FREE_ENERGY) -> EnergyReport:
    """Energy figures from a monitor after a run (see the module docstring for every definition).

    ``window`` = (before, after) the threshold crossing of each spike: the per-spike
    integration window for isolated spikes and the Na+ load ratio.
    """
    pre = check_dimensions(window[0], second, "energy_report: window")
    post = check_dimensions(window[1], second, "energy_report: window")
    check_dimensions(atp_free_energy, kjoule / mole, "energy_report: atp_free_energy")
    cell, states = monitor.cell, monitor.states
    t = np.asarray(states.t / second)
    if t.size < 2:
        raise ModelError("energy_report: the monitor has recorded nothing yet (run the network first)")
    neurons = np.asarray(states.record, dtype=int)
    e = float(elementary_charge)
    q = {name: np.asarray(getattr(states, name)) for name in monitor.counters}  # (neurons, samples), coulomb
    own = [c for c in q if _own(c, cell)]  # the cell's own mechanisms; other counters are its receptors'
    atp_all = sum((counter_atp(name) * value for name, value in q.items()), np.zeros((len(neurons), t.size)))
    # per-spike figures and the quiet-stretch rate: the cell's own mechanisms only
    atp = sum((counter_atp(name) * value for name, value in q.items() if name in own), np.zeros_like(atp_all))
    v = np.asarray(states.v)
    duration = t[-1] - t[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rest_rate = float(resting_state(cell).atp_per_second * second)  # cells of one group share parameters
    spike_i, spike_t = np.asarray(monitor.spikes.i), np.asarray(monitor.spikes.t / second)
    in_run = (spike_t >= t[0]) & (spike_t <= t[-1])
    spike_i, spike_t = spike_i[in_run], spike_t[in_run]

    n = len(neurons)
    n_spikes = np.zeros(n, dtype=int)
    per_spike, per_spike_sd = np.full(n, np.nan), np.full(n, np.nan)
    load, after_peak = np.full(n, np.nan), np.full(n, np.nan)
    method = np.full(n, "none", dtype=object)
    rest_measured = np.full(n, np.nan)
    atp_total = atp_all[:, -1] - atp_all[:, 0]
    synaptic = atp_total - (atp[:, -1] - atp[:, 0])
    c_area = float(cell.C_m * cell.area)
    pre_s, post_s = float(pre / second), float(post / second)
    q_total = sum((value for name, value in q.items() if name.startswith("Q_Na_")), np.zeros((len(neurons), t.size)))
    for k, i in enumerate(neurons):  # per neuron: spikes are few; the arrays are vectorised over samples
        times = np.sort(spike_t[spike_i == i])
        n_spikes[k] = times.size
        rest_measured[k] = _quiet_rate(t, atp[k], v[k], np.asarray(states.I_inj[k]), times, pre_s, post_s)
        if times.size == 0:
            continue
        isolated = times.size == 1 or np.min(np.diff(times)) > pre_s + post_s
        isolated &= times[0] - pre_s >= t[0] and times[-1] + post_s <= t[-1]
        starts, ends = np.searchsorted(t, times - pre_s), np.searchsorted(t, times + post_s)
        ends = np.minimum(ends, t.size - 1)
        span = t[ends] - t[starts]
        spike_atp = atp[k, ends] - atp[k, starts] - rest_rate * span
        spike_q = q_total[k, ends] - q_total[k, starts] - rest_rate * 3 * e * span
        if isolated:
            method[k] = "isolated"
            per_spike[k], per_spike_sd[k] = np.mean(spike_atp), np.std(spike_atp)
        else:
            method[k] = "tonic"
            per_spike[k] = (atp_total[k] - synaptic[k] - rest_rate * duration) / times.size
            per_spike_sd[k] = np.nan
        peaks = np.array([s + np.argmax(v[k, s:max(e_ + 1, s + 1)]) for s, e_ in zip(starts, ends)])
        amplitude = v[k, peaks] - v[k, starts]
        load[k] = np.mean(spike_q / (c_area * amplitude))
        after = q_total[k, ends] - q_total[k, peaks] - rest_rate * 3 * e * (t[ends] - t[peaks])
        after_peak[k] = np.mean(after / spike_q)

    rest_budget = np.full(n, rest_rate * duration)
    notes = []
    if cell.pump is None:
        notes.append("the cell has no pump: only the ions-restored view exists")
    pump_total = None
    if "ATP_pump" in states.record_variables:
        pump = np.asarray(states.ATP_pump)
        pump_total = pump[:, -1] - pump[:, 0]
    return EnergyReport(
        cell=cell, neurons=neurons, duration=duration * second, n_spikes=n_spikes, atp_total=atp_total,
        atp_total_pump=pump_total, atp_per_second_rest=np.full(n, rest_rate) / second,
        atp_per_second_rest_measured=rest_measured / second, atp_per_spike=per_spike, atp_per_spike_sd=per_spike_sd,
        method=method, na_load_ratio=load, na_after_peak=after_peak,
        by_mechanism={_source(name): (q[name][:, -1] - q[name][:, 0]) * counter_atp(name) for name in monitor.counters},
        budget=_budget(rest_budget, atp_total, synaptic), atp_free_energy=atp_free_energy,
        window=(pre, post), notes=notes,
    )


def _own(counter: str, cell: Cell) -> bool:
    """Whether an ion-entry counter belongs to the cell's own mechanisms (not to a receptor)."""
    return counter in cell.counter_currents() or counter.endswith("_cell")


def _budget(rest: np.ndarray, total: np.ndarray, synaptic: np.ndarray) -> dict[str, np.ndarray]:
    """Rest, spikes (the cell's own mechanisms beyond rest) and, with receptors, synapses."""
    budget = {"rest": rest, "spikes": total - rest - synaptic}
    if np.any(synaptic):
        budget["synapses"] = synaptic
    return budget


def _source(counter: str) -> str:
    """``Q_Na_NaV`` -> ``NaV``; other ions keep their name: ``Q_Ca_nmda`` -> ``Ca_nmda``."""
    return counter[len("Q_Na_"):] if counter.startswith("Q_Na_") else counter[len("Q_"):]


def _quiet_rate(t, atp, v, i_inj, spikes, pre, post, min_length=0.01) -> float:
    """ATP rate over the longest stretch with no stimulus, no spike nearby and v within 0.5 mV of where it started.

    NaN when no such stretch of at least ``min_length`` seconds exists.
    """
    quiet = i_inj == 0
    for s in spikes:
        quiet &= (t < s - pre) | (t > s + post)
    quiet &= np.abs(v - v[0]) < 0.5e-3
    if not quiet.any():
        return float("nan")
    edges = np.flatnonzero(np.diff(np.r_[0, quiet.astype(int), 0]))
    starts, stops = edges[::2], edges[1::2] - 1
    best = int(np.argmax(t[stops] - t[starts]))
    a, b = starts[best], stops[best]
    if t[b] - t[a] < min_length:
        return float("nan")
    return float((atp[b] - atp[a]) / (t[b] - t[a]))


# --- network budgets -----------------------------------------------------------------------

#: The parts of a network budget, in the order tables and plots show them.
BUDGET_PARTS = ("rest", "action potentials", "synapses")


class BudgetMonitor(Synapses):
    """Population totals of a group's ion-entry counters over time, and its spike count.

    A ``Synapses`` object from ``group`` to a one-neuron ledger group: it sums every
    priced counter of ``group`` (``Q_Na_*``, ``Q_Ca_*``: the cell's mechanisms and its
    receptors) into the ledger with ``(summed)`` on the ledger's clock (step ``dt``),
    and counts spikes with ``on_pre``; a ``StateMonitor`` (``.states``) records the
    ledger. Cost: one summation per neuron every ``dt``, memory independent of the
    number of neurons. Plain Brian2 objects (it is a ``Synapses``, so cpp_standalone
    registers it like any other): works under runtime targets and cpp_standalone.
    """

    def __init__(self, group: NeuronGroup, cell: Cell | None = None, dt: Quantity = 1 * ms,
                 name: str = "budgetmonitor*") -> None:
        check_dimensions(dt, second, "BudgetMonitor: dt")
        cell = cell if cell is not None else cell_of(group)
        if cell is None:
            raise ModelError("BudgetMonitor: this group was not made by Cell.neuron_group; pass cell=")
        counters = priced_counters(group)
        if not counters:
            raise ModelError("BudgetMonitor: the group has no energy counters (made with counters=False?)")
        ledger = NeuronGroup(1, "\n".join([f"{c} : coulomb" for c in counters] + ["n_spikes : 1"]), dt=dt,
                             name=f"{group.name}_ledger*")
        # set before Synapses.__init__, after which a Group only accepts its state variables as attributes
        self.cell, self.group, self.ledger, self.counters = cell, group, ledger, counters
        # counters of the cell's own mechanisms; the rest belong to its synaptic receptors
        self.cell_counters = tuple(c for c in counters if _own(c, cell))
        self.states = StateMonitor(ledger, list(counters), record=0, when="end", name=f"{ledger.name}_states")
        super().__init__(group, ledger, "\n".join(f"{c}_post = {c}_pre : coulomb (summed)" for c in counters),
                         on_pre="n_spikes_post += 1", dt=group.clock.dt, name=name)
        self.connect()
        self.contained_objects.extend([ledger, self.states])


@dataclass(frozen=True)
class NetworkBudget:
    """A network's ATP budget per population, ions-restored view (molecules, whole population).

    Parts (``BUDGET_PARTS``), which add up to each population's total:

    * ``rest``: every neuron's analytical resting cost (I_inj = 0, no input, each neuron's
      own parameters) times the duration;
    * ``action potentials``: what the cell's own mechanisms let in beyond that (spikes,
      and any subthreshold change of their currents that input causes);
    * ``synapses``: what the postsynaptic receptors let in (Na+/3 and Ca2+ per ATP).

    ``t`` are the bin edges (second) of the time series ``rate[population][part]``
    (ATP/second in each bin); ``atp[population][part]`` the totals over the run.
    """

    populations: tuple[str, ...]
    n_neurons: dict[str, int]
    n_spikes: dict[str, int]
    t: np.ndarray
    rate: dict[str, dict[str, np.ndarray]]
    atp: dict[str, dict[str, float]]
    atp_free_energy: Quantity

    @property
    def duration(self) -> Quantity:
        return (self.t[-1] - self.t[0]) * second

    @property
    def total(self) -> float:
        """ATP over the run, all populations and parts."""
        return sum(sum(parts.values()) for parts in self.atp.values())

    @property
    def joules(self) -> Quantity:
        """The total as energy: ATP / N_A x the free energy of ATP hydrolysis."""
        return self.total / avogadro_constant * self.atp_free_energy

    def atp_per_second(self, population: str | None = None) -> dict[str, float]:
        """Mean ATP/second of each part over the run, for one population or the whole network."""
        pops = self.populations if population is None else (population,)
        duration = float(self.duration / second)
        return {part: sum(self.atp[p][part] for p in pops) / duration for part in BUDGET_PARTS}

    def fractions(self, population: str | None = None) -> dict[str, float]:
        """Each part's share of the population's (or the network's) total ATP; they sum to 1."""
        rates = self.atp_per_second(population)
        total = sum(rates.values())
        return {part: value / total if total else float("nan") for part, value in rates.items()}

    def __str__(self) -> str:
        duration = float(self.duration / second)
        head = f"{'population':14s} {'neurons':>8s} {'rate (Hz)':>9s}" + "".join(f" {p:>18s}" for p in BUDGET_PARTS)
        lines = [f"network energy budget over {duration:g} s (ATP per second, ions-restored view; share of the row)",
                 head + f" {'total':>12s}"]
        for label in (*self.populations, None):
            rates, fractions = self.atp_per_second(label), self.fractions(label)
            n = self.n_neurons[label] if label else sum(self.n_neurons.values())
            spikes = self.n_spikes[label] if label else sum(self.n_spikes.values())
            cells = "".join(f" {rates[p]:10.3g} ({fractions[p]:4.0%})" for p in BUDGET_PARTS)
            lines.append(f"{label or 'network':14s} {n:8d} {spikes / n / duration:9.2f}{cells} {sum(rates.values()):12.4g}")
        kj = float(self.atp_free_energy / (kjoule / mole))
        lines.append(f"total: {self.total:.4g} ATP = {float(self.joules / kjoule) * 1e3:.4g} J at {kj:g} kJ/mol")
        return "\n".join(lines)

    def to_csv(self, path: str | Path) -> None:
        """The time series: one row per bin, one column per population and part (ATP/second)."""
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["t_start_s", "t_end_s", *(f"{p}: {part}" for p in self.populations for part in BUDGET_PARTS)])
            for k in range(len(self.t) - 1):
                writer.writerow([self.t[k], self.t[k + 1],
                                 *(self.rate[p][part][k] for p in self.populations for part in BUDGET_PARTS)])


def network_budget(monitors: dict[str, BudgetMonitor], atp_free_energy: Quantity = ATP_FREE_ENERGY) -> NetworkBudget:
    """The ATP budget of each population (``{label: BudgetMonitor}``) after a run; see :class:`NetworkBudget`."""
    check_dimensions(atp_free_energy, kjoule / mole, "network_budget: atp_free_energy")
    if not monitors:
        raise ModelError("network_budget: give at least one BudgetMonitor, as {label: monitor}")
    rate, atp, n_neurons, n_spikes, edges = {}, {}, {}, {}, None
    for label, monitor in monitors.items():
        states, group = monitor.states, monitor.group
        if len(states.t) < 1:
            raise ModelError(f"network_budget: the monitor of {label!r} has recorded nothing yet (run the network first)")
        # the ledger's samples, then the group's counters now (the end of the run)
        t = np.r_[np.asarray(states.t / second), float(group.clock.t / second)]
        samples = {c: np.r_[np.asarray(getattr(states, c)[0]), float(np.sum(np.asarray(getattr(group, c)[:])))]
                   for c in monitor.counters}
        cumulative = {c: counter_atp(c) * samples[c] for c in monitor.counters}
        own = sum((cumulative[c] for c in monitor.cell_counters), np.zeros(t.size))
        synaptic = sum((cumulative[c] for c in monitor.counters if c not in monitor.cell_counters), np.zeros(t.size))
        rest_rate = float(np.sum(_resting_rates(monitor.cell, group)))
        dt = np.diff(t)
        rate[label] = {"rest": np.full(dt.size, rest_rate), "action potentials": np.diff(own) / dt - rest_rate,
                       "synapses": np.diff(synaptic) / dt}
        atp[label] = {part: float(np.sum(r * dt)) for part, r in rate[label].items()}
        n_neurons[label] = len(group)
        n_spikes[label] = int(round(float(monitor.ledger.n_spikes[0])))
        if edges is not None and (edges.shape != t.shape or not np.allclose(edges, t)):
            raise ModelError("network_budget: the monitors must share their dt and run (their samples differ)")
        edges = t
    return NetworkBudget(populations=tuple(monitors), n_neurons=n_neurons, n_spikes=n_spikes, t=edges, rate=rate,
                         atp=atp, atp_free_energy=atp_free_energy)


def _resting_rates(cell: Cell, group) -> np.ndarray:
    """Each neuron's analytical resting ATP/second, with its own per-neuron parameters (unique sets solved once)."""
    names = sorted(n for n in cell.namespace if n in group.variables)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not names:
            return np.full(len(group), float(resting_state(cell).atp_per_second * second))
        values = np.column_stack([np.asarray(getattr(group, n)[:]) for n in names])
        unique, inverse = np.unique(values, axis=0, return_inverse=True)
        state = resting_state(cell, **{n: Quantity(unique[:, k], dim=get_dimensions(cell.namespace[n]))
                                       for k, n in enumerate(names)})
        return np.asarray(state.atp_per_second * second)[np.ravel(inverse)]
