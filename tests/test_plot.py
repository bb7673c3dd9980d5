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
    rate = {
        "E": {
            "rest": np.array([1.0, 1.0]),
            "action potentials": np.array([2.0, 4.0]),
            "synapses": np.array([3.0, 5.0]),
        },
        "I": {
            "rest": np.array([1.0, 1.0]),
            "action potentials": np.array([0.0, 0.0]),
            "synapses": np.array([1.0, 1.0]),
        },
    }
    budget = small_budget(rate)
    ax = plot.budget_bars(budget)
    heights = [p.get_height() for p in ax.patches]
    # stacked per population, in part order: rest, action potentials, synapses (mean ATP/s)
    assert heights == pytest.approx([1.0, 1.0, 3.0, 0.0, 4.0, 1.0])
    plt.close("all")
    ax = plot.budget_rate(budget, "E")
    assert len(ax.collections) == 3
    plt.close("all")
    assert "network" in str(budget) and budget.fractions()["rest"] == pytest.approx(0.4 / 2.0)


def test_scaled_picks_a_power_of_ten_for_the_axis_label():
    s = plot.scaled(np.array([1.0e9, 3.2e9]), "ATP/s")
    assert s.factor == 1e9 and s.label == "$10^{9}$ ATP/s"
    np.testing.assert_allclose(s.values, [1.0, 3.2])  # the data divided by the factor
    assert plot.scaled([4.7e5], "ATP/s").factor == 1e3  # a multiple of three: 470 x 10^3
    assert plot.scaled([-3.2e9, 1e3]).factor == 1e9  # by the largest magnitude, negative or not
    assert plot.scaled([np.nan, 7e12]).factor == 1e12  # non-finite values are left out of the choice
    assert plot.scaled([5e-3], "mol").label == "$10^{-3}$ mol"
    for plain in ([0.0, 0.0], [], [2500.0], [-40.0, 12.0]):  # nothing to scale: factor 1, the unit unchanged
        s = plot.scaled(plain, "ATP/s")
        assert s.factor == 1 and s.label == "ATP/s"
        np.testing.assert_array_equal(s.values, np.asarray(plain, dtype=float))
    assert plot.scaled([2.5e4], plain_below=1e6).factor == 1
    forced = plot.scaled([3.2e9], "ATP/s", factor=1e12)  # one scale for several panels
    assert forced.label == "$10^{12}$ ATP/s" and forced.values[0] == pytest.approx(3.2e-3)
    with pytest.raises(ValueError, match="power of ten"):
        plot.scaled([1.0], factor=3.0)


def small_budget(rate):
    from brian2 import kjoule, mole

    from brian2energy.energy import NetworkBudget

    t = np.linspace(0, 0.1 * len(rate["E"]["rest"]), len(rate["E"]["rest"]) + 1)
    atp = {p: {part: float(np.sum(r * 0.1)) for part, r in parts.items()} for p, parts in rate.items()}
    return NetworkBudget(
        populations=tuple(rate),
        n_neurons={p: 4 for p in rate},
        n_spikes={p: 0 for p in rate},
        t=t,
        rate=rate,
        atp=atp,
        atp_free_energy=50 * kjoule / mole,
    )


def test_budget_plots_have_no_offset_text_and_no_negative_layers():
    # ATP/s of a real population (1e9-1e12); "action potentials" below the analytical rest in one bin
    rate = {
        "E": {
            "rest": np.array([6.7e9, 6.7e9, 6.7e9]),
            "action potentials": np.array([-1e9, 3e10, -3e4]),
            "synapses": np.array([0.0, 8e9, 0.0]),
        }
    }
    budget = small_budget(rate)
    ax = plot.budget_rate(budget)
    ax.figure.canvas.draw()
    assert ax.yaxis.get_offset_text().get_text() == "" and "$10^{9}$ ATP/s" in ax.get_ylabel()
    layers = [np.asarray(c.get_paths()[0].vertices[:, 1]) for c in ax.collections]
    assert all(np.all(y >= -1e-9) for y in layers)  # no layer drawn below zero
    # the deficit (first bin) is drawn as less rest, not as a negative action-potential layer over it
    assert np.any(np.isclose(layers[0], 5.7)) and not np.any(layers[1] < 5.7 - 1e-9)
    top = max(np.max(y) for y in layers)
    assert top == pytest.approx((6.7e9 + 3e10 + 8e9) / 1e9)  # the stack's top is still the total
    plt.close("all")
    ax = plot.budget_bars(budget)
    ax.figure.canvas.draw()
    assert ax.yaxis.get_offset_text().get_text() == "" and ax.get_ylabel().startswith("$10^{9}$ ATP/s")
    heights = [p.get_height() for p in ax.patches]
    assert min(heights) >= 0 and sum(heights) == pytest.approx(budget.total / 0.3 / 1e9)
    plt.close("all")
    ax = plot.budget_bars(budget, scale=1e12)  # a given scale: that power of ten
    assert ax.get_ylabel().startswith("$10^{12}$ ATP/s")
    plt.close("all")


def test_an_empty_raster_says_so_and_has_no_legend():
    g1, m1 = spikes_of([], [], 3)
    g2, m2 = spikes_of([], [], 2)
    g3, m3 = spikes_of([0], [1], 2)
    run(5 * ms)
    ax = plot.raster({"E": m1, "I": m2})
    assert ax.get_legend() is None
    assert [t.get_text() for t in ax.texts] == ["no spikes"]
    plt.close("all")
    ax = plot.raster({"E": m1, "I": m3})  # one population silent: named so in the legend
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["E (no spikes)", "I"] and not ax.texts
    plt.close("all")
