"""Plots in the style of brian2tools: each takes ``axes=None``, returns the Axes and passes extra keywords to matplotlib.

Monitors are Brian2 ``StateMonitor`` objects.

Large counts (ATP per second, molecules) are drawn in a power of ten named in the axis label
("$10^{9}$ ATP/s"), never with matplotlib's "1e9" over the axis: :func:`scaled` picks it, and the
functions drawing such counts take ``scale`` (None: picked from the data; a number: that power of
ten, e.g. one scale for panels side by side).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from brian2 import Quantity, StateMonitor, cm, meter, ms, mV, second, uA

from .accounting import atp
from .energy import BUDGET_PARTS

__all__ = [
    "Scaled",
    "atp_along",
    "atp_rate",
    "budget_bars",
    "budget_rate",
    "cumulative_atp",
    "current_densities",
    "membrane_potential",
    "na_entry_bars",
    "population_rate",
    "raster",
    "scaled",
]


def _axes(axes):
    """Return ``axes``, or matplotlib's current Axes if None."""
    if axes is None:
        import matplotlib.pyplot as plt

        axes = plt.gca()
    return axes


class Scaled(NamedTuple):
    """Data in a power of ten (``values`` = data / ``factor``) and the axis label naming it.

    Returned by :func:`scaled`.

    Attributes
    ----------
    values : ndarray
        The data divided by ``factor``.
    factor : float
        The power of ten.
    label : str
        The unit with the power in front (``"$10^{9}$ ATP/s"``), or the unit alone.
    """

    values: np.ndarray
    factor: float
    label: str


def scaled(values, unit: str = "", factor: float | None = None, plain_below: float = 1e4) -> Scaled:
    """Divide ``values`` by a power of ten, and put that power in front of ``unit`` ("$10^{9}$ ATP/s").

    Parameters
    ----------
    values : array_like
        The data (plain numbers).
    unit : str, optional
        The unit's label (``"ATP/s"``).
    factor : float, optional
        Forces the power of ten (the same scale for several panels).
    plain_below : float, optional
        Magnitudes from 0.01 up to this are left as they are (default 1e4).

    Returns
    -------
    Scaled
        The scaled values, the factor and the label.

    Raises
    ------
    ValueError
        If ``factor`` is not a power of ten.

    Notes
    -----
    The power is a multiple of three that puts the largest finite magnitude between 1 and 1000
    (3.2e9: 10^9, 3.2; 4.7e5: 10^3, 470), except that magnitudes from 0.01 up to ``plain_below``
    are left as they are (factor 1, ``unit`` unchanged), as are all-zero or empty data.
    """
    data = np.asarray(values, dtype=float)
    if factor is None:
        finite = np.abs(data[np.isfinite(data)])
        top = float(finite.max()) if finite.size else 0.0
        exponent = 0 if top == 0 or 1e-2 <= top < plain_below else 3 * int(np.floor(np.log10(top) / 3))
        factor = 10.0**exponent
    exponent = int(round(np.log10(factor)))
    if not np.isclose(factor, 10.0**exponent):
        raise ValueError(f"scaled: factor must be a power of ten, not {factor!r}")
    prefix = f"$10^{{{exponent}}}$" if exponent else ""
    return Scaled(data / factor, float(factor), f"{prefix} {unit}".strip() if prefix else unit)


def _plain(axes):
    """Turn off the offset ("+6.7") or scientific ("1e9") text over a linear y axis: the scale is in its label."""
    if axes.get_yscale() == "linear":
        axes.ticklabel_format(axis="y", useOffset=False, style="plain")


def membrane_potential(monitor: StateMonitor, neurons: Sequence[int] | None = None, axes=None, **kwargs):
    """Plot v against time (ms, mV), one line per recorded neuron.

    Parameters
    ----------
    monitor : brian2.StateMonitor
        Records ``v``.
    neurons : sequence of int, optional
        Rows of the monitor to draw (default all).
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    **kwargs
        Passed to matplotlib (``plot``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    axes = _axes(axes)
    rows = range(len(monitor.v)) if neurons is None else neurons
    for i in rows:
        axes.plot(monitor.t / ms, monitor.v[i] / mV, **kwargs)
    axes.set(xlabel="time (ms)", ylabel="v (mV)")
    return axes


def current_densities(monitor: StateMonitor, names: Sequence[str], neuron: int = 0, axes=None, **kwargs):
    """Plot recorded current densities (uA/cm^2, outward positive) of one neuron against time (ms).

    Parameters
    ----------
    monitor : brian2.StateMonitor
        Records the currents.
    names : sequence of str
        The current densities to draw (``"i_NaV"``, amp/meter**2).
    neuron : int, optional
        The monitor's row (default 0).
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    **kwargs
        Passed to matplotlib (``plot``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    axes = _axes(axes)
    for name in names:
        axes.plot(monitor.t / ms, getattr(monitor, name)[neuron] / (uA / cm**2), label=name, **kwargs)
    axes.axhline(0, color="0.7", lw=0.5)
    axes.set(xlabel="time (ms)", ylabel="current (uA/cm$^2$, outward +)")
    axes.legend(fontsize="small", frameon=False)
    return axes


def cumulative_atp(
    monitor: StateMonitor,
    neurons: Sequence[int] | None = None,
    labels: Sequence[str] | None = None,
    axes=None,
    scale: float | None = None,
    **kwargs,
):
    """Plot the ``ATP_ions`` counter (molecules per cell) against time (ms), one line per neuron.

    Parameters
    ----------
    monitor : brian2.StateMonitor
        Records ``ATP_ions``.
    neurons : sequence of int, optional
        Rows of the monitor to draw (default all).
    labels : sequence of str, optional
        One legend label per row drawn (default ``"neuron <i>"``).
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    scale : float, optional
        The power of ten to draw the counts in (default: picked from the data; see :func:`scaled`).
    **kwargs
        Passed to matplotlib (``plot``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    axes = _axes(axes)
    rows = list(range(len(monitor.ATP_ions)) if neurons is None else neurons)
    counts = scaled(np.asarray(monitor.ATP_ions)[rows], "molecules/cell", scale)
    for k, i in enumerate(rows):
        label = labels[k] if labels is not None else f"neuron {i}"
        axes.plot(monitor.t / ms, counts.values[k], label=label, **kwargs)
    axes.set(xlabel="time (ms)", ylabel=f"cumulative ATP ({counts.label})")
    _plain(axes)
    axes.legend(fontsize="small", frameon=False)
    return axes


def atp_rate(monitor, neuron: int = 0, smooth: Quantity = 1 * ms, axes=None, scale: float | None = None, **kwargs):
    """Plot the ATP per second (ions-restored view) of one recorded neuron against time, its spikes marked.

    Parameters
    ----------
    monitor : EnergyMonitor
        An :class:`~brian2energy.energy.EnergyMonitor` after a run.
    neuron : int, optional
        The neuron (an index of the group, recorded by the monitor; default 0).
    smooth : Quantity (second), optional
        The rate is the slope of the cumulative count over this (default 1 ms).
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    scale : float, optional
        The power of ten to draw the counts in (default: picked from the data; see :func:`scaled`).
    **kwargs
        Passed to matplotlib (``plot``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    axes = _axes(axes)
    states = monitor.states
    t = np.asarray(states.t / second)
    row = list(np.asarray(states.record)).index(neuron)
    spent = atp(monitor.counters, {c.name: np.asarray(getattr(states, c.name)[row]) for c in monitor.counters})
    step = max(1, int(round(float(smooth / second) / (t[1] - t[0])))) if t.size > 1 else 1
    rate = scaled((spent[step:] - spent[:-step]) / (t[step:] - t[:-step]), "ATP/s per cell", scale)
    axes.plot((t[step:] + t[:-step]) / 2 * 1e3, rate.values, **kwargs)
    spikes = np.asarray(monitor.spikes.t[monitor.spikes.i == neuron] / ms)
    top = np.nanmax(rate.values) * 1.05 if rate.values.size else 1
    axes.plot(spikes, np.full(spikes.shape, top), "|", color="tab:red", ms=8, label="spikes")
    axes.set(xlabel="time (ms)", ylabel=rate.label)
    _plain(axes)
    axes.legend(fontsize="small", frameon=False, loc="upper right")
    return axes


def budget_bars(report, axes=None, scale: float | None = None, **kwargs):
    """Draw ATP budget bars: one partition on one axis.

    Parameters
    ----------
    report : EnergyReport or NetworkBudget
        An :class:`~brian2energy.energy.EnergyReport`: the group's ATP split into rest and
        spikes (fractions of the total; the split of Na+ entry by mechanism is
        :func:`na_entry_bars`). A :class:`~brian2energy.energy.NetworkBudget`: one stacked bar
        per population (ATP per second: rest, action potentials, synapses).
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    scale : float, optional
        For a network budget: the power of ten of the ATP rates (see :func:`scaled`).
    **kwargs
        Passed to matplotlib (``bar``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    axes = _axes(axes)
    if hasattr(report, "populations"):
        return _network_budget_bars(report, axes, scale, **kwargs)
    return _fraction_bars(axes, dict(report.budget_fractions), "fraction of the ATP", "ATP budget", **kwargs)


def na_entry_bars(report, axes=None, **kwargs):
    """Draw the Na+ entering the group split by mechanism (fractions of the Na+ entry).

    Parameters
    ----------
    report : EnergyReport
        An :class:`~brian2energy.energy.EnergyReport`.
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    **kwargs
        Passed to matplotlib (``bar``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    axes = _axes(axes)
    total = sum(float(np.sum(v)) for v in report.by_mechanism.values())
    items = {name: float(np.sum(v)) / total for name, v in report.by_mechanism.items()}
    return _fraction_bars(axes, items, "fraction of the Na+ entry", "Na+ entry by mechanism", **kwargs)


def _fraction_bars(axes, items: dict, ylabel: str, title: str, **kwargs):
    """Draw one labelled bar per item (fractions, 0 to 1)."""
    bars = axes.bar(range(len(items)), list(items.values()), **kwargs)
    axes.bar_label(bars, fmt="%.2f", fontsize="small")
    axes.set_xticks(range(len(items)), list(items), fontsize="small")
    axes.set(ylabel=ylabel, ylim=(0, 1.15), title=title)
    return axes


def _stackable(parts: dict) -> list:
    """Prepare a budget's parts for stacking: no negative "action potentials" layer.

    That part is what the cells' own channels cost beyond the analytical rest, and it is
    negative wherever they cost less: in a quiet population by a residue of a few parts per
    million of the rest (the simulated cells a hair off their balance point), and between bursts
    by a real deficit (cells whose own channels let in less than at their balanced rest, e.g.
    held below it by inhibition). Stacked as it is, a negative layer is drawn as a sliver hanging
    down over the rest (or below zero). Here the deficit is taken off the rest instead: rest
    layer = min(rest, own cost), action potentials = max(part, 0). The top of the stack (the
    total) is unchanged and no layer is negative (the own cost, ions let in over a bin, is not
    negative; were it, the rest layer is clipped at 0). The numbers (``NetworkBudget.rate``,
    ``atp``, its printed table) keep the signed part.
    """
    rest, spikes = np.asarray(parts["rest"], dtype=float), np.asarray(parts["action potentials"], dtype=float)
    layers = {"rest": np.maximum(rest + np.minimum(spikes, 0), 0), "action potentials": np.maximum(spikes, 0)}
    return [layers.get(part, np.asarray(parts[part], dtype=float)) for part in BUDGET_PARTS]


def _network_budget_bars(budget, axes, scale=None, **kwargs):
    """Draw one stacked bar per population of a network budget (ATP per second)."""
    labels = list(budget.populations)
    heights = np.array([_stackable(budget.atp_per_second(p)) for p in labels]).T  # part x population
    heights = scaled(heights, "ATP/s", scale if scale is not None else scaled(heights.sum(axis=0)).factor)
    bottom = np.zeros(len(labels))
    for part, height in zip(BUDGET_PARTS, heights.values):
        axes.bar(labels, height, bottom=bottom, label=part, **kwargs)
        bottom += height
    axes.set(ylabel=f"{heights.label} (population)", ylim=(0, 1.25 * max(bottom.max(initial=0), 1e-300)))
    _plain(axes)
    axes.legend(fontsize="small", frameon=False, loc="upper left", ncol=len(BUDGET_PARTS))
    return axes


def budget_rate(budget, population: str | None = None, axes=None, scale: float | None = None, **kwargs):
    """Plot a :class:`~brian2energy.energy.NetworkBudget` over time: ATP per second of each part, stacked.

    Parameters
    ----------
    budget : NetworkBudget
        The budget.
    population : str, optional
        One population's label (default: the whole network).
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    scale : float, optional
        The power of ten to draw the counts in (default: picked from the data; see :func:`scaled`).
    **kwargs
        Passed to matplotlib (``stackplot``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Notes
    -----
    Against time in ms; a deficit below the rest is drawn as less rest (see ``_stackable``).
    """
    axes = _axes(axes)
    pops = budget.populations if population is None else (population,)
    t = (budget.t[1:] + budget.t[:-1]) / 2 * 1e3
    rates = np.array(_stackable({part: sum(budget.rate[p][part] for p in pops) for part in BUDGET_PARTS}))
    rates = scaled(rates, "ATP/s", scale if scale is not None else scaled(rates.sum(axis=0)).factor)
    axes.stackplot(t, *rates.values, labels=BUDGET_PARTS, step="mid", **kwargs)
    axes.set(xlabel="time (ms)", ylabel=f"{rates.label} ({population or 'network'})")
    _plain(axes)
    axes.legend(fontsize="small", frameon=False, loc="upper left")
    return axes


def raster(spikes, sort_by=None, axes=None, **kwargs):
    """Draw a spike raster: one point per spike, time in ms against neuron.

    Parameters
    ----------
    spikes : brian2.SpikeMonitor or dict of str to brian2.SpikeMonitor
        A ``SpikeMonitor`` or a mapping ``{label: SpikeMonitor}`` whose populations are stacked
        and coloured apart.
    sort_by : array_like or dict of str to array_like, optional
        Orders each population's neurons by a value per neuron (e.g. resting potential or ATP
        rate; an array, or a mapping of arrays like ``spikes``), lowest at the bottom.
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    **kwargs
        Passed to matplotlib (``plot``; default small dots).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
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
        quiet = label is not None and len(monitor.t) == 0
        axes.plot(
            np.asarray(monitor.t / ms),
            offset + rank[np.asarray(monitor.i)],
            label=f"{label} (no spikes)" if quiet else label,
            **kwargs,
        )  # a line even if empty: same colours
        offset += n
    end = max(float(m.source.clock.t / ms) for m in populations.values())
    axes.set(xlabel="time (ms)", ylabel="neuron", ylim=(-0.5, offset - 0.5), xlim=(0, end or None))
    if not any(len(m.t) for m in populations.values()):  # nothing drawn: say so, and no legend of empty markers
        axes.text(0.5, 0.5, "no spikes", transform=axes.transAxes, ha="center", va="center", color="0.4")
    elif len(populations) > 1:
        axes.legend(fontsize="small", frameon=False, markerscale=4)
    return axes


def population_rate(spikes, bin: Quantity = 5 * ms, axes=None, **kwargs):
    """Plot the mean firing rate (Hz) of a ``SpikeMonitor``'s source group in bins of ``bin``.

    Parameters
    ----------
    spikes : brian2.SpikeMonitor
        The monitor, after a run.
    bin : Quantity (second), optional
        The bin width (default 5 ms).
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    **kwargs
        Passed to matplotlib (``plot``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
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


def atp_along(budget, axes=None, scale: float | None = None, **kwargs):
    """Plot a :class:`~brian2energy.spatial.RegionBudget` along the morphology.

    ATP per um^2 of each compartment against its path distance from the root (um), one colour
    per region (drawn as they are below 10^6 per um^2, so that a log or symlog axis set afterwards
    keeps its numbers).

    Parameters
    ----------
    budget : RegionBudget
        From :func:`~brian2energy.spatial.region_budget` or a
        :class:`~brian2energy.spatial.RegionReport`.
    axes : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    scale : float, optional
        The power of ten to draw the counts in (default: picked from the data; see :func:`scaled`).
    **kwargs
        Passed to matplotlib (``plot``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    axes = _axes(axes)
    a_um2 = np.asarray(budget.area / meter**2, dtype=float) * 1e12
    distance = np.asarray(budget.distance / meter, dtype=float) * 1e6
    density = scaled(budget.per_compartment / a_um2, "ATP per um$^2$ of membrane", scale, plain_below=1e6)
    for name, idx in budget.regions.items():
        axes.plot(
            distance[idx], density.values[idx], ".", label=f"{name}: {budget.atp_per_um2[name]:.3g}/um$^2$", **kwargs
        )
    axes.set(xlabel="path distance from the root (um)", ylabel=density.label)
    _plain(axes)
    axes.legend(fontsize="small", frameon=False)
    return axes
