"""from_equations: a user's own Brian2 equations, accounted without rewriting them.

References are written out in the tests: the Na+ currents of the COBAHH benchmark network
by hand from recorded states, the squid axon written as plain Brian2 equations against the
shipped model file, NEURON's hh for the resting potential.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from brian2 import (
    Equations,
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    amp,
    cm,
    defaultclock,
    mm,
    ms,
    msiemens,
    mV,
    ohm,
    second,
    seed,
    uA,
    ufarad,
)
from brian2.units.constants import elementary_charge, faraday_constant

import neuron_reference
from brian2energy import ModelError, from_equations, resting_state, steady_states
from brian2energy.energy import (
    BudgetMonitor,
    EnergyMonitor,
    energy_report,
    network_budget,
)
from brian2energy.errors import UnattributedCurrentWarning
from brian2energy.rest import balance_rest
from cobahh import AREA, COBAHH, COBAHH_EQS, COBAHH_IONS

# --- the COBAHH benchmark network (tests/cobahh.py) ---------------------------------------------
N_E, N_I, P_CONNECT, DURATION = 320, 80, 0.08, 100 * ms  # 4000 cells at p = 0.02, scaled down


def cobahh_model():
    return from_equations(COBAHH_EQS, COBAHH_IONS, area=AREA, namespace=COBAHH, synaptic=("Ee", "Ei"), name="COBAHH")


def run_cobahh(equations, namespace, record=(0, 1, 2, 3), budget_model=None):
    """The benchmark network (fixed seed) on Brian2's default step: spikes and every-step states."""
    seed(2007)
    P = NeuronGroup(
        N_E + N_I, equations, threshold="v > -20*mV", refractory=3 * ms, method="exponential_euler", namespace=namespace
    )
    ce = Synapses(P[:N_E], P, on_pre="ge += 6*nS", namespace={})
    ci = Synapses(P[N_E:], P, on_pre="gi += 67*nS", namespace={})
    ce.connect(p=P_CONNECT)
    ci.connect(p=P_CONNECT)
    P.v = "El + (randn()*5 - 5)*mV"
    P.ge = "(randn()*1.5 + 4)*10*nS"
    P.gi = "(randn()*12 + 20)*10*nS"
    spikes = SpikeMonitor(P)
    net = Network(P, ce, ci, spikes)
    states = None
    if "Q_Na" in equations.names:
        states = StateMonitor(P, ["v", "m", "h", "ge", "Q_Na", "ATP_ions"], record=list(record))
        net.add(states)
    budget = BudgetMonitor(P, cell=budget_model, dt=defaultclock.dt) if budget_model else None
    if budget:
        net.add(budget)
    net.run(DURATION)
    return {"group": P, "spikes": (np.array(spikes.i), np.array(spikes.t / second)), "states": states, "budget": budget}


@pytest.fixture(scope="module")
def cobahh_runs():
    from brian2 import prefs, start_scope

    prefs.codegen.target = "numpy"
    start_scope()
    model = cobahh_model()
    counted = run_cobahh(model.equations(), model.namespace, budget_model=model)
    plain = run_cobahh(Equations(COBAHH_EQS), COBAHH)
    return model, counted, plain


def test_counters_do_not_change_the_users_dynamics(cobahh_runs):
    _, counted, plain = cobahh_runs
    assert len(plain["spikes"][0]) > 100  # the network is active
    np.testing.assert_array_equal(counted["spikes"][0], plain["spikes"][0])
    np.testing.assert_array_equal(counted["spikes"][1], plain["spikes"][1])


def test_cobahh_q_na_is_the_integral_of_its_na_currents_written_by_hand(cobahh_runs):
    model, counted, _ = cobahh_runs
    s = counted["states"]
    p = {k: float(v) for k, v in COBAHH.items()}
    v, m, h, ge = (np.asarray(getattr(s, x)) for x in ("v", "m", "h", "ge"))
    na_share = lambda E: (E - p["EK"]) / (p["ENa"] - p["EK"])  # noqa: E731 - parallel-conductance split
    # inward Na+ current (amp): the channel, and the Na+ conductances of the leak and of the excitatory
    # synapses, each driven by E_Na
    i_na = (p["g_na"] * m**3 * h + na_share(p["El"]) * p["gl"] + na_share(p["Ee"]) * ge) * (p["ENa"] - v)
    # exponential Euler integrates dQ/dt = f(states), which does not depend on Q, as Q += dt f(states
    # at the step's start): the left Riemann sum of the states a StateMonitor records at each step's start
    by_hand = np.cumsum(i_na * float(defaultclock.dt), axis=1)[:, :-1]
    q = np.asarray(s.Q_Na)[:, 1:]
    np.testing.assert_allclose(q, by_hand, rtol=1e-9, atol=1e-9 * np.max(np.abs(by_hand)))
    np.testing.assert_allclose(np.asarray(s.ATP_ions), np.asarray(s.Q_Na) / (3 * float(elementary_charge)), rtol=1e-12)
    assert np.all(q[:, -1] > 0)


def test_cobahh_budget_books_synapses_apart(cobahh_runs):
    model, counted, _ = cobahh_runs
    group, budget = counted["group"], network_budget({"P": counted["budget"]})
    assert budget.n_spikes["P"] == len(counted["spikes"][0])
    # the synaptic part is the Na+ let in through the excitatory conductance (Cl- is unpriced), from the
    # first ledger sample to the end
    first = float(counted["budget"].states.Q_Na_Ee[0][0])
    synaptic = (float(np.sum(group.Q_Na_Ee[:])) - first) / (3 * float(elementary_charge))
    assert budget.atp["P"]["synapses"] == pytest.approx(synaptic, rel=1e-9)
    # an isolated COBAHH cell has one steady state, unstable (it fires by itself): no rest is booked
    rest = resting_state(model)
    assert not rest.stable and len(steady_states(model)) == 1
    assert budget.atp["P"]["rest"] == 0 and "no stable resting state" in str(budget)
    total = float(np.sum(group.ATP_ions[:])) - sum(
        float(getattr(counted["budget"].states, c.name)[0][0]) for c in counted["budget"].counters
    ) / (3 * float(elementary_charge))
    assert sum(budget.atp["P"].values()) == pytest.approx(total, rel=1e-9)


def test_any_arrangement_of_the_terms_gives_the_same_counters():
    """The benchmark's dv/dt written inline, signs flipped, one fraction per term: the same terms."""
    inline = COBAHH_EQS.replace(
        "dv/dt = (I_leak + I_exc + I_inh - I_Na - I_K)/Cm : volt",
        "dv/dt = -gl*(v - El)/Cm - ge*(v - Ee)/Cm + gi*(Ei - v)/Cm - g_na*m*m*m*h*(v - ENa)/Cm"
        " - (v - EK)*g_kd*n**4/Cm : volt",
    )
    a, b = cobahh_model(), from_equations(inline, COBAHH_IONS, area=AREA, namespace=COBAHH, synaptic=("Ee", "Ei"))
    state = {"v": -0.061, "m": 0.2, "h": 0.5, "n": 0.3, "ge": 3e-9, "gi": 7e-9}
    for x, y in zip(a.counter_records(), b.counter_records()):
        assert x.name == y.name and x.kind == y.kind
        assert _value(x.integrand, a.namespace, state) == pytest.approx(
            _value(y.integrand, b.namespace, state), rel=1e-12
        )


def _value(expression: str, namespace: dict, state: dict) -> float:
    """An expression's SI value (the test's own evaluation: names replaced by numbers)."""
    values = {k: float(v) for k, v in namespace.items()} | state
    return float(eval(expression, {"exp": np.exp}, values))  # noqa: S307 - the test's own, trusted expression


# --- the squid axon written by hand -------------------------------------------------------------
SQUID = dict(
    Cm=1 * ufarad / cm**2,
    gNa=120 * msiemens / cm**2,
    gK=36 * msiemens / cm**2,
    gL=0.3 * msiemens / cm**2,
    ENa=50 * mV,
    EK=-77 * mV,
    EL=-54.387 * mV,
)
SQUID_EQS = """
dv/dt = (I - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) - gL*(v - EL))/Cm : volt
dm/dt = 0.1/mV*(v + 40*mV)/(1 - exp(-(v + 40*mV)/(10*mV)))/ms*(1 - m) - 4*exp(-(v + 65*mV)/(18*mV))/ms*m : 1
dh/dt = 0.07*exp(-(v + 65*mV)/(20*mV))/ms*(1 - h) - 1/(1 + exp(-(v + 35*mV)/(10*mV)))/ms*h : 1
dn/dt = 0.01/mV*(v + 55*mV)/(1 - exp(-(v + 55*mV)/(10*mV)))/ms*(1 - n) - 0.125*exp(-(v + 65*mV)/(80*mV))/ms*n : 1
I : amp/meter**2
"""
SQUID_IONS = {"ENa": "Na", "EK": "K", "EL": ("Na", "K")}


def squid_by_hand(**changes):
    return from_equations(
        SQUID_EQS, SQUID_IONS, area=1 * mm**2, namespace={**SQUID, **changes}, stimulus="I", name="squid by hand"
    )


def test_squid_by_hand_rests_where_neuron_rests():
    rest = resting_state(squid_by_hand())
    assert float(rest.v / mV) == pytest.approx(neuron_reference.resting_potential(), abs=1e-6)
    assert rest.stable and rest.ion_flux["Na"] != 0  # Na+ leaks in at rest; no pump here


@pytest.fixture(scope="module")
def squid_pair():
    """The squid axon by hand and the shipped model file, same method and step, at 0 and 10 uA/cm^2."""
    from brian2 import prefs, start_scope

    from brian2energy import load_model

    prefs.codegen.target = "numpy"
    start_scope()
    cell, hand = load_model("squid_axon_hh1952"), squid_by_hand()
    a = cell.neuron_group(2, dt=0.01 * ms)
    a.I_inj = [0, 10] * uA / cm**2
    b = hand.neuron_group(2, method="rk4", threshold="v > -20*mV", refractory="v > -20*mV", dt=0.01 * ms)
    b.I = [0, 10] * uA / cm**2
    monitors = EnergyMonitor(a), EnergyMonitor(b)
    Network(a, b, *monitors).run(40 * ms)
    return cell, hand, a, b, monitors


def test_squid_by_hand_counts_what_the_model_file_counts(squid_pair):
    cell, hand, a, b, _ = squid_pair
    np.testing.assert_allclose(b.v[:], a.v[:], rtol=1e-6)
    np.testing.assert_allclose(b.Q_Na[:], a.Q_Na[:], rtol=1e-6)
    np.testing.assert_allclose(b.ATP_ions[:], a.ATP_ions[:], rtol=1e-6)
    np.testing.assert_allclose(b.Q_Na_EL[:], a.Q_Na_leak_Na[:], rtol=1e-6)
    assert b.ATP_ions[1] > 5 * b.ATP_ions[0]  # it fired


def test_squid_by_hand_resting_state_equals_the_model_files(squid_pair):
    cell, hand, *_ = squid_pair
    for current in (0, 3) * uA / cm**2:
        x, y = resting_state(cell, I_inj=current), resting_state(hand, I=current)
        assert float(y.v / mV) == pytest.approx(float(x.v / mV), rel=1e-9)
        assert float(y.atp_per_second * second) == pytest.approx(float(x.atp_per_second * second), rel=1e-6)
        assert float(y.input_resistance / ohm) == pytest.approx(float(x.input_resistance / ohm), rel=1e-6)
        assert float(y.ion_flux["Na"] / (amp / amp)) == pytest.approx(float(x.ion_flux["Na"] / (amp / amp)), rel=1e-6)
        np.testing.assert_allclose(np.sort(y.eigenvalues.real), np.sort(x.eigenvalues.real), rtol=1e-5)
    # overriding the user's own constant is overriding the cell's: a leak twice as large
    doubled = resting_state(hand, gL=0.6 * msiemens / cm**2)
    assert float(doubled.v / mV) == pytest.approx(
        float(resting_state(squid_by_hand(gL=0.6 * msiemens / cm**2)).v / mV), rel=1e-12
    )


def test_squid_by_hand_energy_report_equals_the_model_files(squid_pair):
    *_, monitors = squid_pair
    x, y = (energy_report(m) for m in monitors)
    np.testing.assert_allclose(y.atp_total, x.atp_total, rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(y.atp_per_second_rest * second), np.asarray(x.atp_per_second_rest * second), rtol=1e-6
    )
    np.testing.assert_array_equal(y.n_spikes, x.n_spikes)
    np.testing.assert_allclose(y.atp_per_spike[1], x.atp_per_spike[1], rtol=1e-6)
    np.testing.assert_allclose(y.na_load_ratio[1], x.na_load_ratio[1], rtol=1e-6)
    assert y.budget_fractions == pytest.approx(x.budget_fractions, rel=1e-6)


def test_per_area_and_whole_cell_give_the_same_atp_per_cm2():
    area = 1 * mm**2
    whole = {k: (v * area if k in ("Cm", "gNa", "gK", "gL") else v) for k, v in SQUID.items()}
    per_area = squid_by_hand()
    whole_cell = from_equations(
        SQUID_EQS.replace("I : amp/meter**2", "I : amp"), SQUID_IONS, area=area, namespace=whole, stimulus="I"
    )
    assert float(whole_cell.C_m / (ufarad / cm**2)) == pytest.approx(1.0, rel=1e-12)
    assert float(whole_cell.capacitance / per_area.capacitance) == pytest.approx(1.0, rel=1e-12)
    a = per_area.neuron_group(1, method="rk4", dt=0.01 * ms)
    b = whole_cell.neuron_group(1, method="rk4", dt=0.01 * ms)
    a.I, b.I = 10 * uA / cm**2, 10 * uA / cm**2 * area
    Network(a, b).run(20 * ms)
    per_cm2 = [float(g.ATP_ions[0]) / float(area / cm**2) for g in (a, b)]
    assert per_cm2[1] == pytest.approx(per_cm2[0], rel=1e-9) and per_cm2[0] > 0
    # whole-cell equations without an area still count per cell
    assert from_equations(SQUID_EQS.replace("I : amp/meter**2", "I : amp"), SQUID_IONS, namespace=whole).C_m is None


def test_pump_term_is_booked_as_pump_turnover():
    eqs = SQUID_EQS.replace("- gL*(v - EL))/Cm", "- gL*(v - EL) - I_pump)/Cm") + "I_pump = 2*uA/cm**2 : amp/meter**2\n"
    model = from_equations(eqs, {**SQUID_IONS, "I_pump": "pump"}, area=1 * mm**2, namespace=SQUID)
    assert "ATP_pump" in model.counters and model.pump.name == "I_pump"
    rest = resting_state(model)
    # one cycle per outward elementary charge: 2 uA/cm^2 on 1 mm^2 = 2e-8 A
    assert float(rest.pump_turnover * second) == pytest.approx(2e-8 / float(elementary_charge), rel=1e-12)
    # the pump's 3 Na+ out per cycle are in the Na+ flux, not in the ion-entry counters
    entry = float(sum(r for k, r in rest.entry_rates.items() if k.startswith("Q_Na")) / amp)
    assert float(rest.ion_flux["Na"] * faraday_constant / amp) == pytest.approx(entry - 3 * 2e-8, rel=1e-6)


# --- what is refused --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(ions={**SQUID_IONS, "E_X": "K"}), "E_X.*does not appear"),
        (dict(ions={"ENa": "Na", "EL": ("Na", "K")}), "reversal potential of K"),
        (dict(ions={**SQUID_IONS, "EL": ("Na", "Ca")}), "reversal potential of Ca"),
        (dict(ions={**SQUID_IONS, "EK": "potassium"}), r"ions\['EK'\]"),
        (dict(ions={**SQUID_IONS, "EL": ("Na", "K", "Cl")}), r"ions\['EL'\]"),
        (dict(area=None), "per area.*area="),
        (dict(area=1 * mV), "area"),
        (dict(namespace={k: v for k, v in SQUID.items() if k != "gK"}), r"\['gK'\]"),
        (dict(namespace={**SQUID, "EL": -90 * mV}), "outside the reversal range"),
        (dict(potential="u"), "membrane equation du/dt"),
        (dict(stimulus="J"), "stimulus 'J'"),
        (dict(synaptic=("EX",)), "synaptic"),
    ],
)
def test_refusals_name_the_problem(change, match):
    args = dict(eqs=SQUID_EQS, ions=SQUID_IONS, area=1 * mm**2, namespace=SQUID) | change
    with pytest.raises(ModelError, match=match):
        from_equations(**args)


@pytest.mark.parametrize(
    "membrane, match",
    [
        ("dv/dt = (I - gNa*m**3*h*(v - ENa)**2/mV - gK*n**4*(v - EK) - gL*(v - EL))/Cm : volt", "not linear in ENa"),
        (
            "dv/dt = (I - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) - gL*(v - EL))/Cm + (EL - v)/ms : volt",
            "not .sum of currents./Cm",
        ),
        ("dv/dt = (I - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) - gL*(v - EL)*mV)/Cm : volt", "units"),
        ("dv/dt = (I - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) - gL*(v - EL))/Cm/Cm*Cm2 : volt", "capacitance"),
    ],
)
def test_refusals_of_equations_that_cannot_be_attributed(membrane, match):
    eqs = SQUID_EQS.replace(SQUID_EQS.strip().splitlines()[0], membrane)
    with pytest.raises(ModelError, match=match):
        from_equations(eqs, SQUID_IONS, area=1 * mm**2, namespace={**SQUID, "Cm2": 1 * ufarad / cm**2})


def test_counter_names_are_not_taken_from_the_user():
    eqs = SQUID_EQS + "Q_Na = 0*amp*second : amp*second\n"
    with pytest.raises(ModelError, match="Q_Na"):
        from_equations(eqs, SQUID_IONS, area=1 * mm**2, namespace=SQUID)


def test_a_linear_volt_constant_left_out_of_ions_warns():
    with pytest.warns(UnattributedCurrentWarning, match="EL"):
        model = from_equations(SQUID_EQS, {"ENa": "Na", "EK": "K"}, area=1 * mm**2, namespace=SQUID)
    assert "Q_Na_EL" not in model.counters
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnattributedCurrentWarning)
        squid_by_hand()  # every reversal named: no warning


def test_balancing_needs_a_cell():
    with pytest.raises(ModelError, match="balance_rest needs a brian2energy Cell"):
        balance_rest(squid_by_hand(), -60 * mV)


def test_namespace_defaults_to_the_callers():
    gNa, gK, gL, Cm, ENa, EK, EL = (SQUID[k] for k in ("gNa", "gK", "gL", "Cm", "ENa", "EK", "EL"))  # noqa: F841
    model = from_equations(SQUID_EQS, SQUID_IONS, area=1 * mm**2)
    assert float(model.namespace["gL"]) == float(gL)
    assert float(resting_state(model).v / mV) == pytest.approx(neuron_reference.resting_potential(), abs=1e-6)


def test_neuron_group_hands_over_like_a_cell():
    model = squid_by_hand()
    group = model.neuron_group(3, method="rk4", dt=0.01 * ms)
    assert float(group.v[0] / mV) == pytest.approx(neuron_reference.resting_potential(), abs=1e-6)
    assert "Q_Na_ENa" in group.variables and "ATP_ions" in group.variables
    assert "Q_Na" not in model.neuron_group(1, counters=False, method="rk4").variables
    assert set(model.counter_records("totals")[0].name.split("_")[:2]) == {"Q", "Na"}
    with pytest.raises(ModelError, match="namespace"):
        model.neuron_group(1, namespace={})
    with pytest.raises(ModelError, match="positive whole number"):
        model.neuron_group(0)


# The from_equations snippet (once the README's, now docs/guide/usermodel.md) runs in tests/test_snippets.py, with
# the assertions this file made of it: the firing cell spends more than 10x the resting one, rest costs what the
# model file's squid axon costs at rest (rel 1e-6), and the resting cell spent rest x duration (rel 1e-3).


def test_your_own_group_counts_as_model_neuron_group_does():
    # The user guide's own-NeuronGroup sentence (docs/guide/usermodel.md): NeuronGroup(N, model.equations(),
    # namespace=model.namespace, ...) with method=brian2energy.counting.counted("rk4", model.counters) sums the counters as
    # model.neuron_group does: the same state update, so the same counts to rounding.
    from brian2 import NeuronGroup, prefs

    import brian2energy

    prefs.codegen.target = "numpy"
    model = squid_by_hand()
    own = NeuronGroup(
        1,
        model.equations(),
        namespace=model.namespace,
        threshold="v > -20*mV",
        refractory="v > -20*mV",
        dt=0.01 * ms,
        method=brian2energy.counting.counted("rk4", model.counters),
    )
    made = model.neuron_group(1, method="rk4", threshold="v > -20*mV", refractory="v > -20*mV", dt=0.01 * ms)
    for name, value in brian2energy.resting.resting_values(model).items():
        setattr(own, name, value)
    own.I = made.I = 10 * uA / cm**2
    Network(own, made).run(20 * ms)
    for name in model.counters:
        np.testing.assert_allclose(np.asarray(getattr(own, name)[:]), np.asarray(getattr(made, name)[:]), rtol=1e-12)
    assert float(own.Q_Na[0]) > 0
