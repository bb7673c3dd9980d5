"""Plots in the style of brian2tools: each takes ``axes=None``, returns the Axes and
passes extra keywords to matplotlib. Monitors are Brian2 ``StateMonitor`` objects."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from brian2 import Quantity, StateMonitor, cm, meter, ms, mV, second, uA

from .accounting import atp
from .energy import BUDGET_PARTS

__all__ = ["atp_along", "atp_rate", "budget_bars", "budget_rate", "cumulative_atp", "current_densities",
           "membrane_potential", "na_entry_bars", "population_rate", "raster"]


def _axes(axes):
    if axes is None:
        import matplotlib.pyplot as plt

        axes = plt.gca()
    return axes


def membrane_potential(monitor: StateMonitor, neurons: Sequence[int] | None = None, axes=None, **kwargs):
    """v against time (ms, mV), one line per recorded neuron."""
    axes = _axes(axes)
    rows = range(len(monitor.v)) if neurons is None else neurons
    for i in rows:
        axes.plot(monitor.t / ms, monitor.v[i] / mV, **kwargs)
    axes.set(xlabel="time (ms)", ylabel="v (mV)")
    return axes


def current_densities(monitor: StateMonitor, names: Sequence[str], neuron: int = 0, axes=None, **kwargs):
    """Recorded current densities (uA/cm^2, outward positive) of one neuron against time."""
    axes = _axes(axes)
    for name in names:
        axes.plot(monitor.t / ms, getattr(monitor, name)[neuron] / (uA / cm**2), label=name, **kwargs)
    axes.axhline(0, color="0.7", lw=0.5)
    axes.set(xlabel="time (ms)", ylabel="current (uA/cm$^2$, outward +)")
    axes.legend(fontsize="small", frameon=False)
    return axes


def cumulative_atp(monitor: StateMonitor, neurons: Sequence[int] | None = None, labels: Sequence[str] | None = None,
                   axes=None, **kwargs):
    """The ``ATP_ions`` counter (molecules per cell) against time, one line per neuron."""
    axes = _axes(axes)
    rows = list(range(len(monitor.ATP_ions)) if neurons is None else neurons)
    for k, i in enumerate(rows):
        label = labels[k] if labels is not None else f"neuron {i}"
        axes.plot(monitor.t / ms, np.asarray(monitor.ATP_ions[i]), label=label, **kwargs)
    axes.set(xlabel="time (ms)", ylabel="cumulative ATP (molecules/cell)")
    axes.legend(fontsize="small", frameon=False)
    return axes


def atp_rate(monitor, neuron: int = 0, smooth: Quantity = 1 * ms, axes=None, **kwargs):
    """ATP per second (ions-restored view) of one recorded neuron against time, its spikes marked.

    ``monitor`` is an :class:`~brian2energy.energy.EnergyMonitor`; the rate is the slope of
    the cumulative count over ``smooth``.
    """
    axes = _axes(axes)
    states = monitor.states
    t = np.asarray(states.t / second)
    row = list(np.asarray(states.record)).index(neuron)
    spent = atp(monitor.counters, {c.name: np.asarray(getattr(states, c.name)[row]) for c in monitor.counters})
    step = max(1, int(round(float(smooth / second) / (t[1] - t[0])))) if t.size > 1 else 1
    rate = (spent[step:] - spent[:-step]) / (t[step:] - t[:-step])
    axes.plot((t[step:] + t[:-step]) / 2 * 1e3, rate, **kwargs)
    spikes = np.asarray(monitor.spikes.t[monitor.spikes.i == neuron] / ms)
    axes.plot(spikes, np.full(spikes.shape, np.nanmax(rate) * 1.05 if rate.size else 1), "|", color="tab:red",
              ms=8, label="spikes")
    axes.set(xlabel="time (ms)", ylabel="ATP/s per cell")
    axes.legend(fontsize="small", frameon=False, loc="upper right")
    return axes


def budget_bars(report, axes=None, **kwargs):
    """ATP budget bars: one partition on one axis.

    An :class:`~brian2energy.energy.EnergyReport`: the group's ATP split into rest and spikes
    (fractions of the total; the split of Na+ entry by mechanism is :func:`na_entry_bars`). A
    :class:`~brian2energy.energy.NetworkBudget`: one stacked bar per population (ATP per second:
    rest, action potentials, synapses).
    """
    axes = _axes(axes)
    if hasattr(report, "populations"):
        return _network_budget_bars(report, axes, **kwargs)
    return _fraction_bars(axes, dict(report.budget_fractions), "fraction of the ATP", "ATP budget", **kwargs)


def na_entry_bars(report, axes=None, **kwargs):
    """The Na+ entering the group split by mechanism (fractions of the Na+ entry; an EnergyReport)."""
    axes = _axes(axes)
    total = sum(float(np.sum(v)) for v in report.by_mechanism.values())
    items = {name: float(np.sum(v)) / total for name, v in report.by_mechanism.items()}
    return _fraction_bars(axes, items, "fraction of the Na+ entry", "Na+ entry by mechanism", **kwargs)


def _fraction_bars(axes, items: dict, ylabel: str, title: str, **kwargs):
    bars = axes.bar(range(len(items)), list(items.values()), **kwargs)
    axes.bar_label(bars, fmt="%.2f", fontsize="small")
    axes.set_xticks(range(len(items)), list(items), fontsize="small")
    axes.set(ylabel=ylabel, ylim=(0, 1.15), title=title)
    return axes


def _network_budget_bars(budget, axes, **kwargs):
    labels = list(budget.populations)
    bottom = np.zeros(len(labels))
    for part in BUDGET_PARTS:
        height = np.array([budget.atp_per_second(p)[part] for p in labels])
        axes.bar(labels, height, bottom=bottom, label=part, **kwargs)
        bottom += height
    axes.set(ylabel="ATP/s (population)", ylim=(0, 1.25 * max(bottom.max(initial=0), 1e-300)))
    axes.legend(fontsize="small", frameon=False, loc="upper left", ncol=len(BUDGET_PARTS))
    return axes


def budget_rate(budget, population: str | None = None, axes=None, **kwargs):
    """A :class:`~brian2energy.energy.NetworkBudget` over time: ATP per second of each part,
    stacked (one population, or the whole network), against time in ms."""
    axes = _axes(axes)
    pops = budget.populations if population is None else (population,)
    t = (budget.t[1:] + budget.t[:-1]) / 2 * 1e3
    rates = [sum(budget.rate[p][part] for p in pops) for part in BUDGET_PARTS]
    axes.stackplot(t, *rates, labels=BUDGET_PARTS, step="mid", **kwargs)
    axes.set(xlabel="time (ms)", ylabel=f"ATP/s ({population or 'network'})")
    axes.legend(fontsize="small", frameon=False, loc="upper left")
    return axes


def raster(spikes, sort_by=None, axes=None, **kwargs):
    """Spike raster: one point per spike, time in ms against neuron.

    ``spikes`` is a ``SpikeMonitor`` or a mapping ``{label: SpikeMonitor}`` whose populations
    are stacked and coloured apart. ``sort_by`` orders each population's neurons by a value
    per neuron (e.g. resting potential or ATP rate; an array, or a mapping of arrays like
    ``spikes``), lowest at the bottom.
    """
    axes = _axes(axes)
    populations = spikes if isinstance(spikes, dict) else {None: spikes}
    orders = sort_by if isinstance(sort_by, dict) else {label: sort_by for label in populations}
    offset = 0
    kwargs = {"marker": ".", "ms": 2, "ls": "", **kwargs}
    for label, monitor in populations.items():
        n = len(monitor.source)
        rank = np.arange(n)
        if orders.get(label) is not None:
            rank[np.argsort(np.asarray(orders[label]), kind="stable")] = np.arange(n)
        axes.plot(np.asarray(monitor.t / ms), offset + rank[np.asarray(monitor.i)], label=label, **kwargs)
        offset += n
    end = max(float(m.source.clock.t / ms) for m in populations.values())
    axes.set(xlabel="time (ms)", ylabel="neuron", ylim=(-0.5, offset - 0.5), xlim=(0, end or None))
    if len(populations) > 1:
        axes.legend(fontsize="small", frameon=False, markerscale=4)
    return axes


def population_rate(spikes, bin: Quantity = 5 * ms, axes=None, **kwargs):
    """Mean firing rate (Hz) of a ``SpikeMonitor``'s source group in bins of ``bin``."""
    axes = _axes(axes)
    t = np.asarray(spikes.t / second)
    width = float(bin / second)
    end = float(spikes.source.clock.t / second)
    edges = np.arange(int(np.ceil(end / width - 1e-9)) + 1) * width
    counts, _ = np.histogram(t, bins=edges)
    axes.plot(edges[:-1] * 1e3 + width * 500, counts / (len(spikes.source) * width), **kwargs)
    axes.set(xlabel="time (ms)", ylabel="rate (Hz)")
    axes.relim()  # every line drawn so far sets the top ...
    axes.autoscale(axis="y")
    axes.set_ylim(bottom=0)  # ... and rates start at 0 (a silent population: no axis of negative rates)
    return axes


def atp_along(budget, axes=None, **kwargs):
    """A :class:`~brian2energy.spatial.RegionBudget` along the morphology: ATP per um^2 of each
    compartment against its path distance from the root (um), one colour per region."""
    axes = _axes(axes)
    a_um2 = np.asarray(budget.area / meter**2, dtype=float) * 1e12
    distance = np.asarray(budget.distance / meter, dtype=float) * 1e6
    density = budget.per_compartment / a_um2
    for name, idx in budget.regions.items():
        axes.plot(distance[idx], density[idx], ".", label=f"{name}: {budget.atp_per_um2[name]:.3g}/um$^2$", **kwargs)
    axes.set(xlabel="path distance from the root (um)", ylabel="ATP per um$^2$ of membrane")
    axes.legend(fontsize="small", frameon=False)
    return axes
