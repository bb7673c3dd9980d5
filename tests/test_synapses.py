"""Synaptic receptors: their ion entry, their current and their Mg2+ block, checked against the physics.

The expected values are written out here from the definitions (parallel-conductance split
of a cation channel, Jahr & Stevens 1990 block, Burnashev et al. 1995 fractional Ca2+
current), not taken from the library.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import (
    Network,
    SpikeGeneratorGroup,
    StateMonitor,
    Synapses,
    collect,
    mmolar,
    ms,
    mV,
    nS,
    run,
    second,
    umolar,
)
from brian2.units.constants import elementary_charge as e

from brian2energy import Ion, ModelError, load_model
from brian2energy.synapses import AMPA, GABA_A, NMDA, Receptor


@pytest.fixture(scope="module")
def rs():
    return load_model("cortical_pyramidal_rs")


def trapezoid(y, t):
    return float(np.sum((y[1:] + y[:-1]) * np.diff(t)) / 2)


def test_ion_entry_is_the_integral_of_each_ions_current(rs):
    """Q_<ion>_<receptor> = integral of that ion's current (inward +), the ions split as stated.

    Expected currents from the recorded g and v: AMPA Na+ share (E - E_K)/(E_Na - E_K) = 90/140
    at E = 0, E_Na = 50, E_K = -90 mV; NMDA with B(v) = 1/(1 + [Mg]/3.57 mM exp(-0.062 v/mV)) and
    a Ca2+ share P_f (v_ref - E)/(v_ref - E_Ca) with P_f = 0.107 at v_ref = -60 mV; GABA_A all Cl-.
    Every receptor has a rise time here, so the conductances are continuous (subthreshold, no
    spike); their slope still jumps at each spike's arrival, which limits the trapezoid rule on
    the 0.01 ms grid to ~1e-4: tolerance 5e-4 (a wrong share or block is off by percents).
    """
    receptors = [AMPA(tau_rise=0.5 * ms), NMDA(), GABA_A(tau_rise=0.5 * ms)]
    group = rs.neuron_group(1, synapses=receptors, dt=0.01 * ms)
    source = SpikeGeneratorGroup(1, [0, 0, 0], [5, 8, 20] * ms)
    pathways = []
    for r, w in zip(receptors, (2 * nS, 1 * nS, 2 * nS)):
        s = Synapses(source, group, r.model, on_pre=r.on_pre, namespace=r.namespace)
        s.connect()
        s.w = w
        pathways.append(s)
    mon = StateMonitor(group, ["v", "g_ampa", "g_nmda", "g_gaba"], record=0, dt=0.01 * ms)
    Network(collect(), pathways).run(80 * ms)
    t, v = np.asarray(mon.t / second), np.asarray(mon.v[0] / mV)
    E = {ion: float(rs.reversal_potentials[ion] / mV) for ion in ("Na", "K", "Ca", "Cl")}
    f_na_ampa = (0 - E["K"]) / (E["Na"] - E["K"])
    block = 1 / (1 + 1.0 / 3.57 * np.exp(-0.062 * v))
    f_ca = 0.107 * (-60 - 0) / (-60 - E["Ca"])
    e_rest = (0 - f_ca * E["Ca"]) / (1 - f_ca)  # Na+ and K+ reverse where the total is at 0 mV
    f_na_nmda = (1 - f_ca) * (e_rest - E["K"]) / (E["Na"] - E["K"])
    g = {name: np.asarray(getattr(mon, f"g_{name}")[0] / nS) * 1e-9 for name in ("ampa", "nmda", "gaba")}
    expected = {
        "Q_Na_ampa": trapezoid(f_na_ampa * g["ampa"] * (E["Na"] - v) * 1e-3, t),
        "Q_Na_nmda": trapezoid(f_na_nmda * g["nmda"] * block * (E["Na"] - v) * 1e-3, t),
        "Q_Ca_nmda": trapezoid(f_ca * g["nmda"] * block * (E["Ca"] - v) * 1e-3, t),
        "Q_Cl_gaba": trapezoid(g["gaba"] * (E["Cl"] - v) * 1e-3, t),
    }
    assert v.max() < -60  # subthreshold: no spike
    for name, value in expected.items():
        assert float(getattr(group, name)[0]) == pytest.approx(value, rel=5e-4, abs=0), name
    assert (
        expected["Q_Na_ampa"] > 0 and expected["Q_Ca_nmda"] > 0 and expected["Q_Cl_gaba"] < 0
    )  # Cl- enters: outward current
    # the ions-restored view prices Na+ at 1/3 ATP and Ca2+ at 1 ATP per ion
    atp_synaptic = (expected["Q_Na_ampa"] + expected["Q_Na_nmda"]) / (3 * float(e)) + expected["Q_Ca_nmda"] / (
        2 * float(e)
    )
    atp_own = (float(group.Q_Na_NaV[0]) + float(group.Q_Na_leak_Na[0])) / (3 * float(e))
    assert float(group.ATP_ions[0]) == pytest.approx(atp_own + atp_synaptic, rel=5e-4, abs=0)


@pytest.mark.parametrize("v_mV", [-90.0, -60.0, 0.0, 30.0])
def test_currents_add_to_the_receptors_net_current(rs, v_mV):
    """Per-ion currents sum to g B (E - v); at -60 mV Ca2+ carries P_f = 10.7% of the NMDA current."""
    group = rs.neuron_group(1, synapses=[AMPA(), NMDA(), GABA_A()])
    group.v = v_mV * mV
    group.g_ampa = group.g_nmda = group.g_gaba = 1 * nS
    block = 1 / (1 + 1.0 / 3.57 * np.exp(-0.062 * v_mV))
    assert float(group.I_ampa[0] / nS / mV) == pytest.approx(0 - v_mV, abs=1e-9)
    assert float(group.I_nmda[0] / nS / mV) == pytest.approx(block * (0 - v_mV), abs=1e-9)
    assert float(group.I_gaba[0] / nS / mV) == pytest.approx(-80 - v_mV, abs=1e-9)
    # a cation channel at its reversal passes no net current, but Na+ still enters
    na, k = float(group.I_ampa_Na[0] / nS / mV), float(group.I_ampa_K[0] / nS / mV)
    assert na == pytest.approx(90 / 140 * (50 - v_mV)) and k == pytest.approx(50 / 140 * (-90 - v_mV))
    if v_mV == -60.0:
        assert float(group.I_nmda_Ca[0] / group.I_nmda[0]) == pytest.approx(0.107, rel=1e-12)


def test_two_exponential_kinetics_peak_at_the_weight(rs):
    """One spike of weight w gives an NMDA conductance peaking at w, at t = tau_r tau_d/(tau_d - tau_r) ln(tau_d/tau_r)."""
    nmda = NMDA()
    group = rs.neuron_group(1, synapses=[nmda], dt=0.01 * ms)
    source = SpikeGeneratorGroup(1, [0], [1] * ms)
    s = Synapses(source, group, nmda.model, on_pre=nmda.on_pre, namespace=nmda.namespace)
    s.connect()
    s.w = 2 * nS
    mon = StateMonitor(group, "g_nmda", record=0)
    run(60 * ms)
    g = np.asarray(mon.g_nmda[0] / nS)
    t_peak = 2 * 100 / 98 * np.log(50)  # ms after the spike (delivered one step after it)
    assert g.max() == pytest.approx(2.0, rel=1e-4)
    assert float(mon.t[np.argmax(g)] / ms) == pytest.approx(1 + t_peak, abs=0.02)


def test_your_own_synapse_counts_with_two_lines(rs):
    """A user's Synapses summing its conductance into a declared Receptor gets its Na+ counted."""
    mine = Receptor("mine", ions=("Na", "K"), E=0 * mV)
    group = rs.neuron_group(1, synapses=[mine], dt=0.01 * ms)
    source = SpikeGeneratorGroup(1, [0], [2] * ms)
    s = Synapses(
        source,
        group,
        """dg/dt = -g/(2*ms) : siemens (clock-driven)
                                   g_mine_post = g : siemens (summed)""",
        on_pre="g += 10*nS",
        method="exact",
    )
    s.connect()
    mon = StateMonitor(group, ["v", "g_mine"], record=0)
    run(30 * ms)
    t, v = np.asarray(mon.t / second), np.asarray(mon.v[0] / mV)
    expected = trapezoid(90 / 140 * np.asarray(mon.g_mine[0] / nS) * 1e-9 * (50 - v) * 1e-3, t)
    assert expected > 0
    # g jumps at the spike: the trapezoid rule is then good to dt/(2 tau) = 2.5e-3 at worst
    assert float(group.Q_Na_mine[0]) == pytest.approx(expected, rel=2.5e-3, abs=0)


def test_bad_receptors_are_refused(rs):
    with pytest.raises(ModelError, match="needs its reversal potential E"):
        Receptor("x", ions=("Na", "K"))
    with pytest.raises(ModelError, match="unknown ion 'Mg'"):
        Receptor("x", ions="Mg")
    with pytest.raises(ModelError, match="tau_decay must be positive"):
        AMPA(tau_decay=-1 * ms)
    with pytest.raises(ModelError, match="tau_rise needs a longer tau_decay"):
        NMDA(tau_rise=200 * ms)
    with pytest.raises(ModelError, match="outside"):
        rs.equations(synapses=[AMPA(E=70 * mV)])
    squid = load_model("squid_axon_hh1952")
    with pytest.raises(ModelError, match=r"passes \['Ca'\].*\[ions.Ca\]"):
        squid.equations(synapses=[NMDA()])
    with pytest.raises(ModelError, match="used twice"):
        rs.equations(synapses=[AMPA(), AMPA()])
    # a cell with the ions it needs accepts them
    ions = {**squid.ions, "Ca": Ion(inside=0.1 * umolar, outside=2 * mmolar)}
    assert "Q_Ca_nmda" in squid.replace(ions=ions).equations(synapses=[NMDA()]).names


def test_totals_counters_are_the_sums_of_the_full_ones(rs):
    """counters="totals" integrates the same currents, lumped: the cell's Na+ and the synapses' Na+ and Ca2+."""
    receptors = [AMPA(), NMDA(), GABA_A()]
    full = rs.neuron_group(1, synapses=receptors, dt=0.01 * ms)
    lean = rs.neuron_group(1, synapses=receptors, counters="totals", dt=0.01 * ms)
    source = SpikeGeneratorGroup(1, [0, 0], [2, 4] * ms)
    pathways = []
    for group in (full, lean):
        for r, w in zip(receptors, (20 * nS, 5 * nS, 5 * nS)):
            s = Synapses(source, group, r.model, on_pre=r.on_pre, namespace=r.namespace)
            s.connect()
            s.w = w
            pathways.append(s)
    Network(collect(), pathways).run(30 * ms)
    assert float(full.Q_Na_NaV[0]) > 0  # the synapses made it spike
    assert not {"ATP_pump", "Q_Cl_synapses", "Q_Na_NaV"} & set(lean.variables)
    # rk4 integrates each ODE alike: the sums agree to rounding
    assert float(lean.Q_Na_cell[0]) == pytest.approx(float(full.Q_Na_NaV[0] + full.Q_Na_leak_Na[0]), rel=1e-9, abs=0)
    assert float(lean.Q_Na_synapses[0]) == pytest.approx(float(full.Q_Na_ampa[0] + full.Q_Na_nmda[0]), rel=1e-9, abs=0)
    assert float(lean.Q_Ca_synapses[0]) == pytest.approx(float(full.Q_Ca_nmda[0]), rel=1e-9, abs=0)
    assert float(lean.ATP_ions[0]) == pytest.approx(float(full.ATP_ions[0]), rel=1e-9, abs=0)
    with pytest.raises(ModelError, match="counters must be"):
        rs.equations(counters="some")
