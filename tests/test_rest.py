"""The resting state: analysis against simulation, flux balance, the squid axon's Hopf point, sweeps."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from brian2 import Gohm, cm, kelvin, kohm, mM, mS, ms, mV, prefs, run, second, uA, uF, um

from brian2energy import Cell, Channel, Gate, Ion, Leak, ModelError, NaKPump
from brian2energy.rest import (
    balance_rest,
    balanced_family,
    critical_rest,
    excitability_sweep,
    resting_state,
    steady_states,
)

#: Rinzel & Miller (1980) Math Biosci 49:27-59: the HH 1952 rest (6.3 C) loses stability
#: in a subcritical Hopf bifurcation at I = 9.78 uA/cm^2 (quoted to 0.01 uA/cm^2).
HOPF_CURRENT = 9.78


def test_result_objects_read_in_atp_per_second(squid):
    # Brian2 prints a rate of 1/second as Hz ("10.3 GHz"): the result objects say ATP/s, with the headline figures
    family = balanced_family(squid, [-70, -65] * mV)
    crit = critical_rest(squid)
    for result in (resting_state(squid), family, crit):
        assert "ATP/s" in repr(result) and "Hz" not in repr(result) and str(result) == repr(result)
    assert "feasible 2 of 2" in repr(family) and f"{float(crit.v / mV):.2f} mV" in repr(crit)


def test_hopf_point_of_the_squid_axon(squid):
    currents = np.array([HOPF_CURRENT - 0.02, HOPF_CURRENT + 0.02]) * uA / cm**2
    rest = resting_state(squid, I_inj=currents)
    assert list(rest.stable) == [True, False]
    # at the bifurcation a complex pair crosses the imaginary axis: the leading pair is complex
    leading = rest.eigenvalues[1][np.argmax(rest.eigenvalues[1].real)]
    assert abs(float(leading.imag / (1 / second))) > 100  # an oscillation of ~ 90 Hz, not a saddle-node


def test_critical_rest_of_the_squid_axon_is_its_hopf_point(squid):
    # Balancing with a constant pump current at the cell's own total leak conductance gives the
    # same Jacobian as holding the cell there with injected current: the critical rest must be
    # the Hopf point, and its equivalent injected current Rinzel & Miller's 9.78 uA/cm^2.
    crit = critical_rest(squid)
    assert float(crit.injected_current / (uA / cm**2)) == pytest.approx(HOPF_CURRENT, abs=0.02)
    hopf_v = resting_state(squid, I_inj=crit.injected_current).v
    assert float(crit.v / mV) == pytest.approx(float(hopf_v / mV), abs=0.01)
    assert np.max(crit.eigenvalues.real) < 0 * (1 / second)


def test_balanced_rest_has_zero_net_sodium_and_potassium_flux(squid):
    for v_rest in (-70, -65, -61):
        rest = resting_state(balance_rest(squid, v_rest * mV))
        assert float(rest.v / mV) == pytest.approx(v_rest, abs=1e-9)
        gross = float(rest.atp_per_second * second) * 3 / 6.02214076e23  # mol/s of Na+ entering
        assert gross > 0
        for ion in ("Na", "K"):
            assert abs(float(rest.ion_flux[ion])) < 1e-9 * gross  # net flux, mol/s
        # both accounting views agree at a balanced rest
        assert float(rest.pump_turnover / rest.atp_per_second) == pytest.approx(1, rel=1e-9)


def test_balance_keeps_total_leak_or_sets_input_resistance(squid):
    same = balance_rest(squid, -63 * mV)
    leaks = {m.name: m.g for m in same.mechanisms if m.name.startswith("leak")}
    assert float((leaks["leak_Na"] + leaks["leak_K"]) / (mS / cm**2)) == pytest.approx(0.3, rel=1e-12)
    tight = balance_rest(squid, -63 * mV, input_resistance=30 * kohm)
    assert float(resting_state(tight).input_resistance / kohm) == pytest.approx(30, rel=1e-6)


def passive_cell(**kwargs):
    ions = {"Na": Ion(inside=10 * mM, outside=145 * mM), "K": Ion(inside=140 * mM, outside=5 * mM)}
    return Cell(
        [Leak("Na", 0.002 * mS / cm**2), Leak("K", 0.02 * mS / cm**2), NaKPump(0.01 * uA / cm**2)],
        C_m=1 * uF / cm**2,
        area=1000 * um**2,
        ions=ions,
        temperature=310.15 * kelvin,
        **kwargs,
    )


def test_passive_input_resistance_is_one_over_total_conductance():
    # Ohm's law: R = 1/(G area) = 1/(0.022 mS/cm^2 * 1e-5 cm^2) = 4.545 GOhm
    rest = resting_state(passive_cell())
    assert float(rest.input_resistance / Gohm) == pytest.approx(1 / (0.022e-3 * 1e-5) / 1e9, rel=1e-6)
    assert rest.stable and rest.n_steady_states == 1


def test_passive_balance_follows_from_the_flux_equations():
    # g_Na (v - E_Na) + 3 P = 0, g_K (v - E_K) - 2 P = 0, g_Na + g_K = G, solved by hand at -40 mV
    cell = passive_cell()
    e_na, e_k = (float(cell.reversal_potentials[i] / mV) for i in ("Na", "K"))
    v, g = -40.0, 0.022
    p = g / (3 / (e_na - v) + 2 / (v - e_k))  # mS/cm^2 * mV = uA/cm^2
    balanced = balance_rest(cell, v * mV)
    pump = balanced.pump
    assert float(pump.I_max / (uA / cm**2)) == pytest.approx(p, rel=1e-9)
    g_na = next(m.g for m in balanced.mechanisms if m.name == "leak_Na")
    assert float(g_na / (mS / cm**2)) == pytest.approx(3 * p / (e_na - v), rel=1e-9)


def test_hill_pump_is_scaled_not_replaced():
    cell = passive_cell()
    hill = cell.with_mechanisms([*cell.mechanisms[:2], NaKPump.hill(1 * uA / cm**2, 20 * mM, 3)])
    balanced = balance_rest(hill, -50 * mV)
    assert balanced.pump.parameters["K_half"] == 20 * mM
    rest = resting_state(balanced)
    assert float(rest.v / mV) == pytest.approx(-50, abs=1e-9)
    assert float(rest.pump_turnover / rest.atp_per_second) == pytest.approx(1, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"v_rest": -90 * mV}, ["outside (E_K, E_Na)", "-77.00"]),
        ({"v_rest": 60 * mV}, ["outside (E_K, E_Na)"]),
        ({"v_rest": -40 * mV, "leak_conductance": 0.001 * mS / cm**2}, ["K+ leak would be negative", "at least"]),
        ({"v_rest": -60 * mV, "input_resistance": 10 * Gohm}, ["input resistance", "at most", "kohm"]),
        ({"v_rest": -60 * mV, "leak_conductance": 3 * mV}, ["leak_conductance", "siemens"]),
        ({"v_rest": -60 * mV, "leak_conductance": 1 * mS / cm**2, "input_resistance": 1 * kohm}, ["not both"]),
    ],
)
def test_impossible_balance_requests(squid, kwargs, words):
    with pytest.raises(ModelError) as info:
        balance_rest(squid, **kwargs)
    for word in words:
        assert word in str(info.value)


def persistent_sodium_cell():
    """Izhikevich (2007, Dynamical Systems in Neuroscience, ch. 4) I_Na,p + I_K-leak model:
    g_L = 8 mS/cm^2 at E = -80 mV, g_Na,p = 20 mS/cm^2 at E_Na = 60 mV, instantaneous
    m_inf = 1/(1 + exp((-20 mV - v)/15 mV)). Its I-V curve is N-shaped: three steady states.
    """
    nap = Channel("NaP", "Na", 20 * mS / cm**2, [Gate("m", 1, inf="1/(1 + exp((-20*mV - v)/(15*mV)))")])
    return Cell(
        [nap, Leak("K", 8 * mS / cm**2)],
        C_m=1 * uF / cm**2,
        area=1000 * um**2,
        ions={"Na": Ion(E=60 * mV), "K": Ion(E=-80 * mV)},
        temperature=310.15 * kelvin,
    )


def test_several_steady_states_are_listed_and_flagged():
    cell = persistent_sodium_cell()
    states = steady_states(cell)
    v = np.array([float(s.v / mV) for s in states])
    assert len(states) == 3 and np.all(np.diff(v) > 0)
    # each is a root of the hand-written I-V curve
    m_inf = 1 / (1 + np.exp((-20 - v) / 15))
    np.testing.assert_allclose(8 * (v + 80) + 20 * m_inf * (v - 60), 0, atol=1e-8)
    # one-dimensional dynamics: stable where the I-V slope is positive (the outer two), a saddle between
    assert [s.stable for s in states] == [True, False, True]
    with pytest.warns(UserWarning, match="3 steady states"):
        rest = resting_state(cell)
    assert rest.v == states[0].v and rest.n_steady_states == 3


def test_analytical_rest_matches_simulation(squid):
    # from rest at 0 uA/cm^2, a 4 uA/cm^2 step (below the onset of firing): after 300 ms of damped
    # oscillation the simulated v must sit on the analytical steady state
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        target = resting_state(squid, I_inj=4 * uA / cm**2)
    group = squid.neuron_group(1, dt=0.01 * ms)
    group.I_inj = 4 * uA / cm**2
    run(300 * ms)
    assert abs(float((group.v[0] - target.v) / mV)) < 0.1


def test_bad_parameters(squid):
    with pytest.raises(ModelError, match="g_nonsense"):
        resting_state(squid, g_nonsense=1 * mS / cm**2)
    with pytest.raises(ModelError, match="I_inj"):
        resting_state(squid, I_inj=1 * mV)


def test_sweep_fires_just_above_the_critical_rest_and_not_below(squid):
    # One sweep, one neuron per point: balanced rests 0.5 mV on either side of the critical
    # resting potential, plus clearly quiet and clearly infeasible points.
    prefs.codegen.target = "cython"
    crit = float(critical_rest(squid).v / mV)
    v_rest = np.array([-70.0, crit - 0.5, crit + 0.5, -50.0]) * mV
    table = excitability_sweep(squid, v_rest, duration=1.5 * second, report=None)
    assert list(table.feasible) == [True, True, True, False]  # -50 mV needs more K+ leak than 0.3 mS/cm^2
    assert list(table.stable[:3]) == [True, True, False]
    silent, firing = table.firing_rate[:2], table.firing_rate[2]
    assert np.all(silent == 0 / second) and firing > 20 / second
    # where it is silent, simulation and analysis agree on v and on the cost
    np.testing.assert_allclose(np.asarray(table.mean_v[:2] / mV), np.asarray(v_rest[:2] / mV), atol=0.1)
    np.testing.assert_allclose(
        np.asarray(table.atp_per_second[:2]), np.asarray(table.atp_per_second_rest[:2]), rtol=1e-3
    )
    assert np.isnan(table.atp_per_spike[0]) and table.atp_per_spike[2] > 0


def test_sweep_table_to_csv(squid, tmp_path):
    table = excitability_sweep(squid, np.array([-70.0]) * mV, duration=5 * ms, report=None)
    table.to_csv(tmp_path / "sweep.csv")
    header, row = (tmp_path / "sweep.csv").read_text().splitlines()
    assert header.startswith("v_rest (mV),leak_conductance (mS/cm^2)")
    assert row.startswith("-70,0.3,")


def test_a_resting_state_reads_in_atp_per_second(squid):
    # Brian2 prints 1/second as Hz; the result's repr gives ATP/s, v in mV (HH 1952 rests at -65 mV,
    # its leak reversal chosen for that) and the stability, for one point and for an array of points.
    one = repr(resting_state(squid))
    assert "ATP/s" in one and "Hz" not in one and "v = -65.00 mV" in one and "stable = True" in one
    many = str(resting_state(squid, I_inj=[0, 1, 2] * uA / cm**2))
    assert "over (3,) parameter points" in many and "3 of 3" in many
