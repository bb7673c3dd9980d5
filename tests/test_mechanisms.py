"""Mechanisms: the leak split, the pump's stoichiometry, user channels, counters, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from brian2 import StateMonitor, cm, kelvin, mM, mS, ms, mV, nS, run, second, uA, uF, um
from brian2.units.constants import elementary_charge, faraday_constant, gas_constant
from hypothesis import given, settings
from hypothesis import strategies as st

from brian2energy import Cell, Channel, Gate, Ion, Kdr_HH52, Leak, ModelError, NaKPump, NaV_HH52
from brian2energy.rest import dynamics

T_SQUID = (273.15 + 6.3) * kelvin
IONS = {"Na": Ion(inside=10 * mM, outside=145 * mM), "K": Ion(inside=140 * mM, outside=5 * mM)}
T_BODY = (273.15 + 37) * kelvin


def leak_pump_cell(rate=1 * uA / cm**2, **kwargs):
    mechs = [Leak("Na", 0.01 * mS / cm**2), Leak("K", 0.1 * mS / cm**2), NaKPump(rate)]
    return Cell(mechs, C_m=1 * uF / cm**2, area=1000 * um**2, ions=IONS, temperature=T_BODY, **kwargs)


@settings(max_examples=50, deadline=None)
@given(g=st.floats(0.01, 10), frac=st.floats(0.0, 1.0))
def test_leak_split_keeps_total_conductance_and_reversal(g, frac):
    e_na, e_k = 50.0, -77.0
    e_l = e_k + frac * (e_na - e_k)
    cell = Cell(
        [Leak.split(g * mS / cm**2, e_l * mV)],
        C_m=1 * uF / cm**2,
        area=1000 * um**2,
        ions={"Na": Ion(E=e_na * mV), "K": Ion(E=e_k * mV)},
        temperature=T_SQUID,
    )
    leaks = {m.name: float(m.g / (mS / cm**2)) for m in cell.mechanisms}
    assert leaks["leak_Na"] + leaks["leak_K"] == pytest.approx(g, rel=1e-12)
    # the split leaks carry no net current at E_L (the lumped leak's reversal) ...
    i_net = leaks["leak_Na"] * (e_l - e_na) + leaks["leak_K"] * (e_l - e_k)
    assert i_net == pytest.approx(0, abs=1e-12 * g * 127)
    # ... and the same current as the lumped leak at any other potential
    for v in (-100.0, -65.0, 0.0):
        lumped = g * (v - e_l)
        split = leaks["leak_Na"] * (v - e_na) + leaks["leak_K"] * (v - e_k)
        assert split == pytest.approx(lumped, rel=1e-9, abs=1e-12)


def test_nernst_potentials_from_concentrations():
    cell = leak_pump_cell()
    # E_K = RT/F ln(5/140) at 37 C = -89.0 mV; E_Na = RT/F ln(145/10) = +71.5 mV
    rt_f = float(gas_constant * T_BODY / faraday_constant / mV)
    assert float(cell.reversal_potentials["K"] / mV) == pytest.approx(rt_f * np.log(5 / 140), rel=1e-12)
    assert float(cell.reversal_potentials["K"] / mV) == pytest.approx(-89.0, abs=0.1)
    assert float(cell.reversal_potentials["Na"] / mV) == pytest.approx(71.5, abs=0.1)


def test_pump_moves_three_na_out_and_two_k_in_per_atp():
    cell = leak_pump_cell(rate=1 * uA / cm**2)
    dyn = dynamics(cell)
    state = [-0.07]  # v = -70 mV
    i = {name: f(*state, 0.0) for name, f in dyn.output.items()}
    i_pump = 1e-2  # 1 uA/cm^2 in A/m^2: one elementary charge outward per cycle
    assert i["i_pump"] == pytest.approx(i_pump)
    assert i["i_Na"] - i["i_leak_Na"] == pytest.approx(3 * i_pump)  # 3 Na+ out (outward current)
    assert i["i_K"] - i["i_leak_K"] == pytest.approx(-2 * i_pump)  # 2 K+ in (inward current)
    assert i["i_mem"] - i["i_leak_Na"] - i["i_leak_K"] == pytest.approx(i_pump)  # one net charge


def test_pump_counter_is_one_atp_per_elementary_charge():
    # 1 uA/cm^2 over 1000 um^2 = 1e-11 A = 6.2415e7 cycles (ATP) per second
    cell = leak_pump_cell(rate=1 * uA / cm**2)
    group = cell.neuron_group(1, dt=0.01 * ms)
    run(10 * ms)
    expected = float(1 * uA / cm**2 * 1000 * um**2 * 10 * ms / elementary_charge)
    assert expected == pytest.approx(6.2415e5, rel=1e-4)
    assert float(group.ATP_pump[0]) == pytest.approx(expected, rel=1e-9)


def test_pump_rate_as_cycles_per_area():
    # 1 uA/cm^2 is 1e-6 C/s / 1.602176634e-19 C (SI 2019) = 6.2415e12 cycles/s per cm^2;
    # Brian2's e is the CODATA 2014 value, 8e-9 (relative) smaller, hence rel=1e-7.
    per_area = NaKPump(6.241509074460763e12 / (second * cm**2))
    assert float(per_area.I_max / (uA / cm**2)) == pytest.approx(1.0, rel=1e-7)


def test_counters_follow_sodium_entry_at_rest():
    # Na+ enters only through the Na+ leak here, at a constant rate once v is at rest:
    # Q_Na = g_Na (E_Na - v) * area * t and ATP_ions = Q_Na / (3 e).
    cell = leak_pump_cell()
    group = cell.neuron_group(1, dt=0.01 * ms)
    states = StateMonitor(group, ["v", "Q_Na", "ATP_ions"], record=0)
    run(5 * ms)
    v = states.v[0][-1]
    assert np.ptp(np.asarray(states.v[0] / mV)) < 1e-9  # starts at rest and stays there
    q = 0.01 * mS / cm**2 * (cell.reversal_potentials["Na"] - v) * 1000 * um**2 * 5 * ms
    assert float(group.Q_Na[0] / q) == pytest.approx(1, rel=1e-9)
    assert float(group.ATP_ions[0]) == pytest.approx(float(q / (3 * elementary_charge)), rel=1e-9)
    assert float(group.Q_Na_leak_Na[0] / q) == pytest.approx(1, rel=1e-9)


def test_user_channel_reproduces_the_builtin_hh_channel(squid):
    # The same HH 1952 Na+ channel written by a user as rate strings gives the same cell.
    user_nav = Channel(
        "NaV",
        "Na",
        120 * mS / cm**2,
        [
            Gate(
                "m",
                3,
                alpha="0.1/mV*(v + 40*mV)/(1 - exp(-(v + 40*mV)/(10*mV)))/ms",
                beta="4*exp(-(v + 65*mV)/(18*mV))/ms",
            ),
            Gate("h", 1, alpha="0.07*exp(-(v + 65*mV)/(20*mV))/ms", beta="1/(1 + exp(-(v + 35*mV)/(10*mV)))/ms"),
        ],
        q10=3,
        T_ref=T_SQUID,
    )
    mechs = [user_nav if m.name == "NaV" else m for m in squid.mechanisms]
    user = Cell(mechs, C_m=squid.C_m, area=squid.area, ions=squid.ions, temperature=squid.temperature)
    from brian2energy import resting_state

    # written without exprel, the rate is 0/0 at v = -40 mV: no spurious steady states from it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v_user = float(resting_state(user).v / mV)
    assert v_user == pytest.approx(float(resting_state(squid).v / mV), abs=1e-9)


def test_mixed_ion_channel_shares_its_current():
    cation = Channel("h", {"Na": 0.4, "K": 0.6}, 0.05 * mS / cm**2, E=-30 * mV)
    cell = Cell(
        [cation, Leak("K", 0.1 * mS / cm**2)], C_m=1 * uF / cm**2, area=1000 * um**2, ions=IONS, temperature=T_BODY
    )
    i = {name: f(-0.06, 0.0) for name, f in dynamics(cell).output.items()}
    assert i["i_Na"] == pytest.approx(0.4 * i["i_h"])
    assert "Q_Na_h" in cell.counters


def test_extra_currents_depolarize_in_amp():
    cell = leak_pump_cell()
    group = cell.neuron_group(1, extra_currents=("I_syn",), dt=0.01 * ms)
    v0 = group.v[0]
    group.I_syn = 10 * nS * 50 * mV  # 0.5 nA inward (depolarizing)
    run(0.1 * ms)
    # C dv/dt = I/area at first: 0.5 nA / (1 uF/cm^2 * 1000 um^2) = 50 mV/ms
    assert float((group.v[0] - v0) / mV) == pytest.approx(5.0, rel=0.02)


def test_per_neuron_parameters():
    cell = leak_pump_cell()
    group = cell.neuron_group(3, parameters=("g_leak_K",), dt=0.01 * ms)
    group.g_leak_K = [0.05, 0.1, 0.2] * mS / cm**2
    assert float(group.g_leak_K[1] / (mS / cm**2)) == pytest.approx(0.1)
    with pytest.raises(ModelError, match="g_nonsense"):
        cell.equations(parameters=("g_nonsense",))


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: NaV_HH52(-1 * mS / cm**2), ["'NaV'", "must be >= 0"]),
        (lambda: Kdr_HH52(36 * mV), ["'Kdr'", "conductance g", "dimensions"]),
        (lambda: Leak("Mg", 1 * mS / cm**2), ["unknown ion 'Mg'"]),
        (lambda: NaKPump(-1 * uA / cm**2), ["NaKPump", ">= 0"]),
        (lambda: NaKPump(1 * mV), ["NaKPump", "rate"]),
        (lambda: Ion(inside=-5 * mM, outside=140 * mM).check("K"), ["ion K", "inside", "positive"]),
        (lambda: Channel("x", {"Na": 0.5, "K": 0.4}, 1 * mS / cm**2, E=0 * mV), ["sum to 1"]),
        (lambda: Channel("x", {"Na": 0.5, "K": 0.5}, 1 * mS / cm**2), ["needs its reversal potential"]),
        (lambda: Gate("m", 3, alpha="1/ms"), ["give alpha and beta"]),
        (lambda: Channel("x", "K", 1 * mS / cm**2, [Gate("n", 1, inf="v")]), ["x.n.inf", "must be dimensionless"]),
        (lambda: leak_pump_cell(rate=1 * uA / cm**2, spike_threshold=5 * ms), ["spike_threshold"]),
        (
            lambda: Cell(
                [NaKPump.hill(1 * uA / cm**2, 10 * mM)],
                C_m=1 * uF / cm**2,
                area=1000 * um**2,
                ions={"Na": Ion(E=50 * mV), "K": Ion(E=-77 * mV)},
                temperature=T_SQUID,
            ),
            ["'pump'", "Na_i"],
        ),
        (
            lambda: Cell(
                [Leak("Na", 1 * mS / cm**2), Leak("Na", 1 * mS / cm**2)],
                C_m=1 * uF / cm**2,
                area=1000 * um**2,
                ions=IONS,
                temperature=T_BODY,
            ),
            ["unique", "leak_Na"],
        ),
    ],
)
def test_bad_input_raises_a_clear_error(make, words):
    with pytest.raises(ModelError) as info:
        make()
    for word in words:
        assert word in str(info.value)
