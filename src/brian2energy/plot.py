"""Plots in the style of brian2tools: each takes ``axes=None``, returns the Axes and
passes extra keywords to matplotlib. Monitors are Brian2 ``StateMonitor`` objects."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from brian2 import StateMonitor, ms, mV, uA, cm


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
