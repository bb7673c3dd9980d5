"""The sweep flags points that leave the reversal range: expected values from the Nernst equation and the flux balance."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from brian2 import cm, kelvin, mM, mS, ms, mV, second, uA, uF, um

from brian2energy import Cell, Channel, Gate, Ion, Leak, NaKPump, load_model
from brian2energy.errors import OutsideReversalsWarning
from brian2energy.rest import excitability_sweep

R, F = 8.314462618, 96485.33212  # J/(mol K), C/mol (CODATA 2018)
T = 310.15  # K, 37 C
K_I, K_O, E_NA = 140.0, 5.0, 50.0  # mM, mM, mV
E_K = 1e3 * R * T / F * math.log(K_O / K_I)  # mV, Nernst: -89.06 mV
G, G_P = 0.1, 0.07  # mS/cm^2: total leak (Na+ + K+), persistent Na+ channel
V_HALF, SLOPE = -52.0, 2.0  # mV: the persistent channel's instantaneous activation


def m_inf(v: float) -> float:
    return 1 / (1 + math.exp(-(v - V_HALF) / SLOPE))


def balanced(v_r: float) -> tuple[float, float, float]:
    """g_Na, g_K (mS/cm^2) and the pump current i_p (uA/cm^2) that hold v_r with zero net Na+ and K+ flux.

    K+: g_K (v_r - E_K) = 2 i_p;  Na+: (g_Na + g_P m(v_r)) (v_r - E_Na) + 3 i_p = 0;  g_Na + g_K = G.
    """
    a, b = v_r - E_K, v_r - E_NA
    g_k = -b * (G + G_P * m_inf(v_r)) / (-b + 1.5 * a)
    return G - g_k, g_k, g_k * a / 2


def current(v: float, v_r: float) -> float:
    """The membrane current density (uA/cm^2, outward positive) at v of the cell balanced at v_r."""
    g_na, g_k, i_p = balanced(v_r)
    return g_na * (v - E_NA) + g_k * (v - E_K) + G_P * m_inf(v) * (v - E_NA) + i_p


def steady_state(v_r: float, lo: float, hi: float) -> float:
    """The zero of the membrane current between lo and hi (mV), by bisection."""
    assert current(lo, v_r) < 0 < current(hi, v_r)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if current(mid, v_r) < 0 else (lo, mid)
    return lo


@pytest.fixture(scope="module")
def bistable():
    """Na+ and K+ leaks, a fixed-turnover pump, and a persistent Na+ channel (instantaneous activation)
    whose Na+ entry the pump must export at depolarized rests: balanced at -50 mV the rest is unstable,
    and below it, with the channel closed, the pump's outward current outweighs the leaks.
    """
    gate = Gate("m", 1, inf=f"1/(1 + exp(-(v - ({V_HALF})*mV)/({SLOPE}*mV)))")
    return Cell(
        [
            Leak("Na", 0.05 * G * mS / cm**2),
            Leak("K", 0.95 * G * mS / cm**2),
            Channel("NaP", "Na", G_P * mS / cm**2, [gate]),
            NaKPump(1 * uA / cm**2),
        ],
        C_m=1 * uF / cm**2,
        area=1000 * um**2,
        temperature=T * kelvin,
        ions={"Na": Ion(E=E_NA * mV), "K": Ion(inside=K_I * mM, outside=K_O * mM)},
        name="bistable",
    )


def test_the_synthetic_case_is_what_the_physics_says():
    # the premises of the tests below, from the formulas alone
    assert E_K == pytest.approx(-89.06, abs=0.01)
    assert all(x > 0 for v_r in (-70.0, -50.0, -40.0) for x in balanced(v_r))  # these balances exist
    assert min(balanced(-95.0)) < 0  # below E_K no balance: the pump would have to run backwards
    # balanced at -50 mV: a negative slope conductance (unstable); below it the channel closes and the
    # pump's fixed outward current against the leaks alone holds v some 10 mV below E_K
    slope = [G + G_P * m_inf(v) + G_P * (v - E_NA) * m_inf(v) * (1 - m_inf(v)) / SLOPE for v in (-70.0, -50.0, -40.0)]
    assert slope[0] > 0 > slope[1] and slope[2] > 0
    assert steady_state(-50.0, -200.0, -60.0) < E_K - 5
    assert E_K < steady_state(-50.0, -49.0, 0.0) < E_NA


def test_points_below_the_potassium_nernst_potential_are_flagged(bistable):
    with pytest.warns(OutsideReversalsWarning, match=r"1 of 2 simulated points.*\[E_K, E_Na\] = \[-89.1, 50.0\]"):
        table = excitability_sweep(
            bistable, np.array([-70.0, -50.0]) * mV, duration=200 * ms, perturbation=-0.1 * mV, report=None
        )
    assert list(table.feasible) == [True, True] and list(table.stable) == [True, False]
    expected = [-70.0, steady_state(-50.0, -200.0, -60.0)]
    np.testing.assert_allclose(np.asarray(table.mean_v / mV), expected, atol=0.05)
    assert float(table.v_max[1] / mV) < E_K  # every sample of the measured window lies below E_K
    assert list(table.outside_reversals) == [False, True]
    assert "2 points" in repr(table) and "ATP/s" in repr(table) and "Hz" not in repr(table)  # not Brian2's GHz


def test_points_inside_the_reversal_range_are_not_flagged(bistable):
    # the same unstable rest pushed up instead: the channel opens and v settles inside [E_K, E_Na]
    with warnings.catch_warnings():
        warnings.simplefilter("error", OutsideReversalsWarning)
        table = excitability_sweep(bistable, np.array([-95.0, -50.0, -40.0]) * mV, duration=200 * ms, report=None)
    assert list(table.feasible) == [False, True, True] and list(table.stable) == [False, False, True]
    expected = [steady_state(-50.0, -49.0, 0.0), -40.0]
    np.testing.assert_allclose(np.asarray(table.mean_v[1:] / mV), expected, atol=0.05)
    assert list(table.outside_reversals) == [False, False, False]  # not simulated is not flagged
    assert np.isnan(np.asarray(table.v_min[0])) and float(table.v_min[1] / mV) > E_K


def test_moving_concentrations_and_the_csv_columns(tmp_path):
    # reversal potentials that are state variables (Nernst of the moving concentrations) are recorded
    cell = load_model("squid_axon_dynamic_ions")
    with warnings.catch_warnings():
        warnings.simplefilter("error", OutsideReversalsWarning)
        table = excitability_sweep(cell, np.array([-65.0]) * mV, duration=20 * ms, report=None)
    assert not table.outside_reversals[0]
    assert float(table.v_min[0] / mV) <= float(table.mean_v[0] / mV) <= float(table.v_max[0] / mV)
    table.to_csv(tmp_path / "sweep.csv")
    header, row = (tmp_path / "sweep.csv").read_text().splitlines()
    assert header.endswith(",v_min (mV),v_max (mV),outside_reversals") and row.endswith(",0")
    assert float(second * table.firing_rate[0]) == 0


def test_counting_spikes_in_the_state_update_gives_the_spike_monitors_count(squid):
    # the sweep counts spikes in the state update (Cell.neuron_group(count_spikes_from=...)): the same
    # count as the default group's SpikeMonitor from that time on, here for cells that fire repetitively,
    # once, or never, counting from a time in the middle of a spike train
    from brian2 import Network, SpikeMonitor, uA

    currents = np.array([0.0, 3.0, 7.0, 10.0, 40.0]) * uA / cm**2
    start = 31.3 * ms
    events = squid.neuron_group(len(currents), dt=0.01 * ms)
    counting = squid.neuron_group(len(currents), dt=0.01 * ms, count_spikes_from=start)
    assert "spike_count" in counting.variables and "not_refractory" not in counting.variables
    assert counting.thresholder == {} and "spike" not in counting.events
    for group in (events, counting):
        group.I_inj = currents
    spikes = SpikeMonitor(events)
    Network(events, counting, spikes).run(100 * ms, namespace={})
    expected = np.bincount(np.asarray(spikes.i[spikes.t >= start]), minlength=len(currents))
    assert expected[0] == 0 and expected[1] <= 1 and expected[-1] > 3  # silent, a single spike, a train
    assert spikes.t[0] < start and np.any(expected[1:] < np.bincount(np.asarray(spikes.i), minlength=len(currents))[1:])
    np.testing.assert_array_equal(np.asarray(counting.spike_count), expected)
    np.testing.assert_array_equal(np.asarray(counting.v), np.asarray(events.v))  # the same dynamics


def test_the_counted_method_hands_the_method_what_it_would_substitute_itself(squid):
    # CountedMethod gives the method the dynamics with the subexpressions already substituted (cheaper
    # for sympy): the code is the one the method writes from the full equations
    from brian2 import Equations
    from brian2.stateupdaters.base import StateUpdateMethod

    from brian2energy.counting import CountedMethod

    equations = squid.equations(counters="totals")
    counters = [name for name in equations.diff_eq_names if name.startswith("Q_")]
    rest = Equations([eq for eq in equations.ordered if eq.varname not in counters])
    integrands = dict(equations.get_substituted_expressions(include_subexpressions=False))
    for method in ("rk4", "euler", "exponential_euler"):
        full = StateUpdateMethod.apply_stateupdater(rest, {}, method)
        sums = [f"{name} = {name} + dt*({integrands[name].code})" for name in counters]
        assert CountedMethod(method, counters)(equations, {}) == "\n".join([*sums, full])
