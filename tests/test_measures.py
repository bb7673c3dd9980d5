"""The energy measures on synthetic traces whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import amp, coulomb, ms, mV, pF, second

from brian2energy import ModelError
from brian2energy.measures import is_isolated, isolated_spike_costs, na_load_ratios, quiet_rate, tonic_spike_cost

DT = 0.01e-3  # s
T = np.arange(0, 0.2, DT)  # 200 ms


def smooth_step(t, t0, width=1e-3):
    """0 before t0, 1 after t0 + width, a linear ramp between."""
    return np.clip((t - t0) / width, 0, 1)


def test_isolated_spike_costs_are_the_steps_above_the_resting_slope():
    # ATP = 1e6/s x t (rest) + 2e5 ATP per spike, spent over 1 ms from each spike time
    spikes = np.array([0.05, 0.12])
    atp = 1e6 * T + 2e5 * sum(smooth_step(T, s) for s in spikes)
    costs = isolated_spike_costs(T * second, atp, spikes * second, 1e6 / second, 2 * ms, 10 * ms)
    # the windows fall on the grid up to one sample: the resting term errs by at most 1e6/s x 1 step = 10 ATP
    np.testing.assert_allclose(costs, 2e5, atol=20)
    assert is_isolated(spikes * second, 0 * second, 0.2 * second, 2 * ms, 10 * ms)
    assert not is_isolated(np.array([0.05, 0.055]) * second, 0 * second, 0.2 * second, 2 * ms, 10 * ms)
    assert not is_isolated(np.array([0.195]) * second, 0 * second, 0.2 * second, 2 * ms, 10 * ms)  # window past end


def test_tonic_spike_cost_is_the_excess_over_rest_per_spike():
    # 1 s at rest costs 1e6; 14 spikes spent 2.8e6 more: 2e5 each
    assert tonic_spike_cost(3.8e6, 1e6 / second, 1 * second, 14) == pytest.approx(2e5, rel=1e-12)
    with pytest.raises(ModelError, match="at least one spike"):
        tonic_spike_cost(1.0, 0 / second, 1 * second, 0)


def test_na_load_ratio_and_the_share_after_the_peak():
    # v: -65 mV, rising linearly to +35 mV over 1 ms from t_s, falling back over 2 ms. The Na+ charge
    # above a resting entry of 1 pA: 3 pC, 60% before the peak and 40% after. C = 10 pF, so the least
    # charge through the 100 mV amplitude is 1 pC and the load ratio is 3.
    t_s, c = 0.1, 10 * pF
    v = -65e-3 + 0.1 * (smooth_step(T, t_s) - smooth_step(T, t_s + 1e-3, 2e-3))
    q = 1e-12 * T + 3e-12 * (0.6 * smooth_step(T, t_s) + 0.4 * smooth_step(T, t_s + 1e-3, 2e-3))
    ratios, after = na_load_ratios(
        T * second, q * coulomb, v * 1e3 * mV, np.array([t_s]) * second, 1e-12 * amp, c, 2 * ms, 10 * ms
    )
    # grid rounding of the windows: the resting entry over one step is 1e-17 C of 3e-12 C
    assert ratios[0] == pytest.approx(3.0, rel=1e-4)
    assert after[0] == pytest.approx(0.4, rel=1e-4)


def test_quiet_rate_is_the_slope_over_the_longest_quiet_stretch():
    # rest at 5e5 ATP/s; a stimulus from 50 to 70 ms (ATP rises faster) and a spike at 150 ms.
    # The longest quiet stretch is 70 to 148 ms (spike window 2 ms before), at the resting slope.
    stim = ((T >= 0.05) & (T < 0.07)).astype(float)
    atp = 5e5 * T + 4e6 * np.cumsum(stim) * DT + 1e5 * smooth_step(T, 0.15)
    v = np.full(T.size, -65e-3)
    rate = quiet_rate(T * second, atp, v * 1e3 * mV, stim, np.array([0.15]) * second, 2 * ms, 10 * ms)
    assert float(rate * second) == pytest.approx(5e5, rel=1e-9)
    # no stretch of 10 ms: NaN
    assert np.isnan(
        float(
            quiet_rate(
                T[:500] * second, atp[:500], v[:500] * 1e3 * mV, np.ones(500), np.array([]) * second, 2 * ms, 10 * ms
            )
            * second
        )
    )


def test_measures_refuse_wrong_units():
    with pytest.raises(ModelError, match="rest_rate"):
        isolated_spike_costs(T * second, T, np.array([0.05]) * second, 1e6 * amp, 2 * ms, 10 * ms)
