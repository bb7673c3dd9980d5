"""Plots render with the Agg backend and show what they claim (one point per spike)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from brian2 import SpikeGeneratorGroup, SpikeMonitor, ms, run

from brian2energy import plot


def spikes_of(indices, times_ms, n):
    group = SpikeGeneratorGroup(n, indices, np.asarray(times_ms) * ms)
    monitor = SpikeMonitor(group)
    return group, monitor


def test_raster_shows_every_spike_sorted_and_coloured():
    g1, m1 = spikes_of([0, 1, 2, 2], [1, 2, 3, 4], 3)
    g2, m2 = spikes_of([0, 1], [5, 6], 2)
    run(10 * ms)
    ax = plot.raster({"E": m1, "I": m2}, sort_by={"E": [3.0, 1.0, 2.0], "I": None})
    (e, i) = ax.get_lines()
    assert len(e.get_xdata()) == 4 and len(i.get_xdata()) == 2  # one point per spike
    # neuron 1 has the lowest value, so it is drawn at the bottom; population I is stacked above E
    assert list(e.get_ydata()) == [2, 0, 1, 1]
    assert list(i.get_ydata()) == [3, 4]
    assert e.get_color() != i.get_color()
    plt.close("all")


def test_population_rate_counts_spikes_per_neuron_and_second():
    g, m = spikes_of([0, 1, 0, 1], [1, 2, 3, 4], 2)
    run(10 * ms)
    ax = plot.population_rate(m, bin=5 * ms)
    rates = ax.get_lines()[0].get_ydata()
    # 4 spikes in the first 5 ms from 2 neurons: 400 Hz; none in the second bin
    np.testing.assert_allclose(rates, [400.0, 0.0])
    plt.close("all")


def test_network_budget_plots_show_each_part():
    from brian2 import kjoule, mole

    from brian2energy.energy import NetworkBudget

    t = np.array([0.0, 0.1, 0.2])
    rate = {"E": {"rest": np.array([1.0, 1.0]), "action potentials": np.array([2.0, 4.0]), "synapses": np.array([3.0, 5.0])},
            "I": {"rest": np.array([1.0, 1.0]), "action potentials": np.array([0.0, 0.0]), "synapses": np.array([1.0, 1.0])}}
    atp = {p: {part: float(np.sum(r * 0.1)) for part, r in parts.items()} for p, parts in rate.items()}
    budget = NetworkBudget(populations=("E", "I"), n_neurons={"E": 4, "I": 1}, n_spikes={"E": 3, "I": 0}, t=t,
                           rate=rate, atp=atp, atp_free_energy=50 * kjoule / mole)
    ax = plot.budget_bars(budget)
    heights = [p.get_height() for p in ax.patches]
    # stacked per population, in part order: rest, action potentials, synapses (mean ATP/s)
    assert heights == pytest.approx([1.0, 1.0, 3.0, 0.0, 4.0, 1.0])
    plt.close("all")
    ax = plot.budget_rate(budget, "E")
    assert len(ax.collections) == 3
    plt.close("all")
    assert "network" in str(budget) and budget.fractions()["rest"] == pytest.approx(0.4 / 2.0)
