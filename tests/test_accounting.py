"""The accounting core: one price table, counter records, the mechanism contract, re-resolved specifications."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from brian2 import Network, StateMonitor, cm, kelvin, mM, mS, ms, mV, second, uA, uF, um, umolar
from brian2.units.constants import elementary_charge, faraday_constant, gas_constant

from brian2energy import Cell, Channel, Gate, Ion, Leak, ModelError, NaKPump, resting_state
from brian2energy.accounting import PRICES, accounts_of
from brian2energy.mechanisms import Mechanism
from brian2energy.rest import balance_rest
from brian2energy.synapses import AMPA

E = 1.602176634e-19  # C (SI 2019); Brian2's CODATA 2014 value differs by 8e-9 relative
T_BODY = (273.15 + 37) * kelvin
IONS = {
    "Na": Ion(inside=10 * mM, outside=145 * mM),
    "K": Ion(inside=140 * mM, outside=5 * mM),
    "Ca": Ion(inside=0.1 * umolar, outside=2 * mM),
}
AREA = 1000 * um**2


def calcium_cell():
    """Na+, K+ and Ca2+ leaks, a fixed pump, and an L-type-like Ca2+ channel open at rest
    (m_inf = 1/(1 + exp(-(v + 50 mV)/10 mV)), tau 1 ms), at 37 C.
    """
    ca = Channel("CaL", "Ca", 0.01 * mS / cm**2, [Gate("m", 2, inf="1/(1 + exp(-(v + 50*mV)/(10*mV)))", tau="1*ms")])
    return Cell(
        [
            Leak("Na", 0.01 * mS / cm**2),
            Leak("K", 0.1 * mS / cm**2),
            Leak("Ca", 0.001 * mS / cm**2),
            ca,
            NaKPump(0.5 * uA / cm**2),
        ],
        C_m=1 * uF / cm**2,
        area=AREA,
        ions=IONS,
        temperature=T_BODY,
    )


def test_prices_are_those_of_the_pumps():
    # 3 Na+ per ATP (Na+/K+-ATPase), 1 Ca2+ per ATP (PMCA): coulomb per ATP = n z e
    assert PRICES["Na"].charge_per_atp == pytest.approx(3 * E, rel=1e-7)
    assert PRICES["Ca"].charge_per_atp == pytest.approx(2 * E, rel=1e-7)


def test_resting_cost_is_the_rate_at_which_atp_ions_grows_with_calcium():
    cell = calcium_cell()
    rest = resting_state(cell)
    # by hand at the analytical rest: Na+ leak entry / 3e + Ca2+ entry (leak and channel) / 2e
    v = float(rest.v)
    e_na, e_ca = (float(cell.reversal_potentials[i]) for i in ("Na", "Ca"))
    m_inf = 1 / (1 + np.exp(-(v * 1e3 + 50) / 10))
    area = float(AREA)
    na_in = 0.1 * (e_na - v) * area  # A: 0.01 mS/cm^2 = 0.1 S/m^2
    ca_in = (0.01 + 0.1 * m_inf**2) * (e_ca - v) * area
    expected = na_in / (3 * float(elementary_charge)) + ca_in / (2 * float(elementary_charge))
    assert float(rest.atp_per_second * second) == pytest.approx(expected, rel=1e-9)
    assert ca_in / (2 * float(elementary_charge)) > 0.05 * expected  # the Ca2+ part matters here
    # Brian2 integrates the group's ATP_ions from that rest: it grows at the same rate
    group = cell.neuron_group(1, dt=0.05 * ms)
    mon = StateMonitor(group, ["ATP_ions", "v"], record=0, dt=1 * ms)
    Network(group, mon).run(100 * ms)
    assert np.ptp(np.asarray(mon.v[0] / mV)) < 1e-6  # it stays at rest
    grown = float(group.ATP_ions[0]) / 0.1
    assert grown == pytest.approx(float(rest.atp_per_second * second), rel=1e-6)


def test_counter_records_follow_the_mechanisms_and_receptors():
    cell = calcium_cell()
    group = cell.neuron_group(1, synapses=[AMPA()])
    accounts = accounts_of(group)
    by_name = {c.name: c for c in accounts.counters}
    assert set(by_name) == {"Q_Na_leak_Na", "Q_Ca_leak_Ca", "Q_Ca_CaL", "Q_Na_ampa", "ATP_pump"}
    assert (by_name["Q_Na_ampa"].kind, by_name["Q_Ca_CaL"].kind, by_name["ATP_pump"].kind) == (
        "synaptic",
        "own",
        "pump",
    )
    assert accounts.model is cell and accounts_of(group[:1]).model is cell  # subgroups too
    totals = accounts_of(cell.neuron_group(1, synapses=[AMPA()], counters="totals"))
    assert {c.name for c in totals.counters} == {"Q_Na_cell", "Q_Ca_cell", "Q_Na_synapses"}


def test_replace_resolves_the_leak_split_again():
    # A lumped leak of 0.3 mS/cm^2 reversing at -54.4 mV, split at 6.3 C and then at 37 C: at each
    # temperature the per-ion leaks must reverse together at -54.4 mV with the Nernst potentials of
    # that temperature (computed here), so the split shares change.
    ions = {"Na": Ion(inside=50 * mM, outside=440 * mM), "K": Ion(inside=400 * mM, outside=20 * mM)}
    cold = Cell(
        [Leak.split(0.3 * mS / cm**2, -54.4 * mV)],
        C_m=1 * uF / cm**2,
        area=AREA,
        ions=ions,
        temperature=279.45 * kelvin,
    )
    for temperature in (279.45, 310.15):
        cell = cold.replace(temperature=temperature * kelvin)
        rt_f = float(gas_constant * temperature * kelvin / faraday_constant)
        e_na, e_k = rt_f * np.log(440 / 50), rt_f * np.log(20 / 400)
        g = {m.name: float(m.g) for m in cell.mechanisms}
        assert g["leak_Na"] + g["leak_K"] == pytest.approx(3.0, rel=1e-12)  # S/m^2
        assert g["leak_Na"] == pytest.approx(3.0 * (-54.4e-3 - e_k) / (e_na - e_k), rel=1e-9)
        assert float(resting_state(cell).v / mV) == pytest.approx(-54.4, abs=1e-6)
    other = cold.replace(ions={"Na": Ion(E=50 * mV), "K": Ion(E=-77 * mV)})
    g_na = next(float(m.g) for m in other.mechanisms if m.name == "leak_Na")
    assert g_na == pytest.approx(3.0 * (-54.4 + 77) / 127, rel=1e-9)


def test_pumps_are_immutable_values():
    pump = NaKPump.hill(1 * uA / cm**2, 20 * mM)
    bigger = pump.with_scale(2 * uA / cm**2)
    assert float(pump.I_max / (uA / cm**2)) == pytest.approx(1)
    assert float(bigger.I_max / (uA / cm**2)) == pytest.approx(2)
    assert bigger.factor == pump.factor and bigger.parameters == pump.parameters
    with pytest.raises(dataclasses.FrozenInstanceError):
        pump.I_max = 3 * uA / cm**2


def test_a_pump_whose_rate_depends_on_v_is_refused():
    with pytest.raises(ModelError, match="depends on the membrane potential v"):
        NaKPump(1 * uA / cm**2, "custom", "exp(v/(25*mV))")

    class VoltagePump(NaKPump):  # a subclass that writes its own, v-dependent equation
        def equations(self):
            return "i_pump = (1 - pump_block)*I_max_pump*exp(v/(25*mV)) : amp/meter**2"

    cell = Cell(
        [Leak("Na", 0.01 * mS / cm**2), Leak("K", 0.1 * mS / cm**2), VoltagePump(0.5 * uA / cm**2)],
        C_m=1 * uF / cm**2,
        area=AREA,
        ions=IONS,
        temperature=T_BODY,
    )
    with pytest.raises(ModelError, match="depends on the membrane potential"):
        balance_rest(cell, -60 * mV)


def test_mechanism_contract_errors_name_what_is_missing():
    with pytest.raises(ModelError, match=r"needs \['E_Ca'\].*ions.Ca"):
        Cell(
            [Leak("Ca", 0.001 * mS / cm**2)],
            C_m=1 * uF / cm**2,
            area=AREA,
            ions={"Na": Ion(E=50 * mV), "K": Ion(E=-90 * mV)},
            temperature=T_BODY,
        )

    class Bare(Mechanism):
        name, carries = "bare", {"K": 1.0}

    with pytest.raises(ModelError, match="'bare'.*no scale constant"):
        Bare().with_scale(1 * mS / cm**2)


def test_an_electroneutral_pump_cannot_balance_a_rest():
    # a pump outside dv/dt (Cressman 2009): zero net Na+ and K+ flux would leave the leaks' net
    # current -p unbalanced, so no balanced rest exists
    cell = Cell(
        [Leak("Na", 0.01 * mS / cm**2), Leak("K", 0.1 * mS / cm**2), NaKPump.cressman()],
        C_m=1 * uF / cm**2,
        area=AREA,
        ions=IONS,
        temperature=T_BODY,
    )
    with pytest.raises(ModelError, match="electroneutral"):
        balance_rest(cell, -65 * mV)


def test_overriding_the_area_scales_the_whole_cell_figures(squid):
    # Ohm's law and flux per cell: twice the area, half the input resistance, twice the fluxes
    one, two = resting_state(squid), resting_state(squid, area=2 * squid.area)
    assert float(two.input_resistance / one.input_resistance) == pytest.approx(0.5, rel=1e-6)
    assert float(two.ion_flux["Na"] / one.ion_flux["Na"]) == pytest.approx(2, rel=1e-9)
    assert float(two.atp_per_second / one.atp_per_second) == pytest.approx(2, rel=1e-9)
    double_c = resting_state(squid, C_m=2 * squid.C_m)  # the capacitance changes no steady-state figure
    assert float(double_c.input_resistance / one.input_resistance) == pytest.approx(1, rel=1e-6)


def test_counters_are_left_riemann_sums_of_the_rk4_trajectory(squid):
    """Counters are summed once per step (brian2energy.counting) while the dynamics stay rk4.

    Reference: the same group with rk4 integrating the counters too (the rk4 updater object
    as method, which ``counted`` keeps as given), 200 ms of tonic firing at 10 uA/cm^2,
    dt = 0.025 ms. Expected (Euler-Maclaurin): the sum differs from the integral by the
    endpoint term -(dt/2)(f(T) - f(0)), f the integrand; beyond it by O(dt^2) terms.
    Tolerance 1e-4 of the counted charge: ten times finer than the 0.1% the per-spike
    figures are validated to. The dynamics must be identical (nothing reads a counter).
    """
    from brian2.stateupdaters.base import StateUpdateMethod

    from brian2energy.counting import CountedMethod

    dt = 0.025 * ms
    summed = squid.neuron_group(1, dt=dt)
    reference = squid.neuron_group(1, dt=dt, method=StateUpdateMethod.stateupdaters["rk4"])
    assert isinstance(summed.state_updater.method_choice, CountedMethod)
    monitors = []
    for group in (summed, reference):
        group.I_inj = 10 * uA / cm**2
        monitors.append(StateMonitor(group, ["Q_Na_NaV", "ATP_ions", "v"], record=0, dt=dt))
    Network(summed, reference, *monitors).run(200 * ms)
    ms_, mr = monitors
    assert np.array_equal(ms_.v[0], mr.v[0])
    for name in ("Q_Na_NaV", "ATP_ions"):
        q_sum, q_rk4 = np.asarray(getattr(ms_, name)[0]), np.asarray(getattr(mr, name)[0])
        f = np.diff(q_sum) / float(dt)  # the integrand at each step start, exactly (the sum's increments)
        for k in (1234, 4000, len(f) - 1):  # in and out of spikes, and the end
            endpoint = -float(dt) / 2 * (f[k] - f[0])
            assert abs(q_sum[k] - q_rk4[k] - endpoint) < 1e-4 * abs(q_rk4[k]), (name, k)
            assert abs(q_sum[k] - q_rk4[k]) <= float(dt) / 2 * np.max(np.abs(f)) * 1.01


def test_a_counter_read_by_the_dynamics_is_refused():
    from brian2 import Equations

    from brian2energy.counting import CountedMethod

    eqs = Equations("dv/dt = -v/(10*ms) + Q/(coulomb*second)*volt : volt\ndQ/dt = v/volt*coulomb/second : coulomb")
    with pytest.raises(ModelError, match=r"counter\(s\) \['Q'\] are read by dv/dt"):
        CountedMethod("rk4", ["Q"])(eqs)
