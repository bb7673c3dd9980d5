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
resting state at I_inj = 0):

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
from brian2 import BrianObject, NeuronGroup, Quantity, SpikeMonitor, StateMonitor, kjoule, mole, ms, second
from brian2.units.constants import avogadro_constant, elementary_charge

from .cell import Cell, cell_of
from .errors import ModelError
from .expressions import check_dimensions
from .rest import resting_state

#: Default free energy of ATP hydrolysis in cells (Berg, Tymoczko & Stryer, Biochemistry, ch. 15).
ATP_FREE_ENERGY = 50 * kjoule / mole


class EnergyMonitor(BrianObject):
    """Records what energy accounting needs from a group of brian2energy cells.

    The Na+ counters of every mechanism (``Q_Na_<mech>``), ``ATP_pump`` when the cell
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
        missing = [c for c in self.cell.counters if c not in group.variables]
        if missing:
            raise ModelError(f"EnergyMonitor: the group has no energy counters {missing} (made with counters=False?)")
        self.group = weakref.proxy(group)
        # every Na+ counter of the group: the cell's mechanisms and any the user's equations add
        self.counters = tuple(sorted(name for name in group.variables if name.startswith("Q_Na_")))
        variables = ["v", "I_inj", *self.counters] + (["ATP_pump"] if self.cell.pump else [])
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
    atp = sum(q.values(), np.zeros((len(neurons), t.size))) / (3 * e)
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
    atp_total = atp[:, -1] - atp[:, 0]
    c_area = float(cell.C_m * cell.area)
    pre_s, post_s = float(pre / second), float(post / second)
    q_total = sum(q.values(), np.zeros((len(neurons), t.size)))
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
            per_spike[k] = (atp_total[k] - rest_rate * duration) / times.size
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
    if cell.pump is not None:
        pump = np.asarray(states.ATP_pump)
        pump_total = pump[:, -1] - pump[:, 0]
    return EnergyReport(
        cell=cell, neurons=neurons, duration=duration * second, n_spikes=n_spikes, atp_total=atp_total,
        atp_total_pump=pump_total, atp_per_second_rest=np.full(n, rest_rate) / second,
        atp_per_second_rest_measured=rest_measured / second, atp_per_spike=per_spike, atp_per_spike_sd=per_spike_sd,
        method=method, na_load_ratio=load, na_after_peak=after_peak,
        by_mechanism={name[5:]: (q[name][:, -1] - q[name][:, 0]) / (3 * e) for name in monitor.counters},
        budget={"rest": rest_budget, "spikes": atp_total - rest_budget}, atp_free_energy=atp_free_energy,
        window=(pre, post), notes=notes,
    )


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
