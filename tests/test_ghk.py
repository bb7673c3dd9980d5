"""The GHK leak against the Goldman-Hodgkin-Katz current and voltage equations computed here by hand,
against NEURON's ghk(), and balanced rests of GHK cells.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import NeuronGroup, cm, kelvin, mM, mS, mV, second, uF, um
from brian2.units.constants import faraday_constant, gas_constant

from brian2energy import Cell, GHKLeak, Ion, ModelError, NaKPump, load_model, resting_state
from brian2energy.rest import balance_rest

# Brian2's physical constants (CODATA 2014: 96485.33289 C/mol, 8.3144598 J/(mol K)), so that the
# comparison tests the equation, not a choice of constants (CODATA 2018 moves R by 3.4e-7, which
# near a reversal potential moves the small current by up to 3e-5 relative)
F, R = float(faraday_constant), float(gas_constant)
CONC = {"Na": (10.0, 145.0, 1), "K": (140.0, 5.0, 1), "Ca": (1e-4, 2.0, 2), "Cl": (10.0, 110.0, -1)}  # mM, z
AREA = 1000 * um**2
P = 1e-8  # m/s (1e-6 cm/s)


def ghk_current(v, ion, celsius):
    """i/P (A/m^2 per m/s), outward positive: z^2 F^2 v/(RT) (c_i - c_o e^{-zFv/RT})/(1 - e^{-zFv/RT})."""
    ci, co, z = CONC[ion]
    u = z * F * v / (R * (273.15 + celsius))
    if u == 0:
        return z * F * (ci - co)  # the limit at v = 0
    return z * F * u * (ci - co * np.exp(-u)) / (1 - np.exp(-u))


def ghk_voltage(p_na, p_k, celsius):
    """The GHK voltage equation for Na+ and K+ (volt)."""
    (na_i, na_o, _), (k_i, k_o, _) = CONC["Na"], CONC["K"]
    return R * (273.15 + celsius) / F * np.log((p_k * k_o + p_na * na_o) / (p_k * k_i + p_na * na_i))


def ions(*names):
    return {n: Ion(inside=CONC[n][0] * mM, outside=CONC[n][1] * mM) for n in names}


def ghk_cell(p_na, p_k, celsius, **kwargs):
    return Cell(
        [GHKLeak("Na", p_na * cm / second * 100), GHKLeak("K", p_k * cm / second * 100)],
        C_m=1 * uF / cm**2,
        area=AREA,
        ions=ions("Na", "K"),
        temperature=(273.15 + celsius) * kelvin,
        **kwargs,
    )


@pytest.mark.parametrize("celsius", [6.3, 37.0])
def test_current_is_the_ghk_current_equation(celsius):
    # Brian2 evaluates the leak's current in a group at potentials from -100 mV to +50 mV, through 0
    # exactly and within 1 nV of it (the removable singularity). Against the hand formula: 1e-8,
    # the hand formula's own rounding near v = 0 (u ~ 4e-8: 1 - exp(-u) keeps 8 digits), not the
    # leak's (which uses exprel, exact there); elsewhere they agree to ~1e-13.
    v = np.array([-100, -65, -20, -1e-6, 0, 1e-6, 30, 50]) * 1e-3
    for ion in ("Na", "K", "Ca", "Cl"):
        cell = Cell(
            [GHKLeak(ion, P * cm / second * 100)],
            C_m=1 * uF / cm**2,
            area=AREA,
            ions=ions(ion),
            temperature=(273.15 + celsius) * kelvin,
        )
        group = NeuronGroup(len(v), cell.equations(counters=False), namespace=cell.namespace)
        group.v = v * 1e3 * mV
        brian = np.asarray(getattr(group, f"i_leak_{ion}")[:])
        expected = np.array([P * ghk_current(x, ion, celsius) for x in v])
        assert np.all(np.isfinite(brian))
        np.testing.assert_allclose(brian, expected, rtol=1e-8)
        assert brian[4] == pytest.approx(P * CONC[ion][2] * F * (CONC[ion][0] - CONC[ion][1]), rel=1e-12)


@pytest.mark.parametrize("celsius", [6.3, 37.0])
@pytest.mark.parametrize("ratio", [0.01, 0.05, 0.3, 1.0, 3.0])
def test_passive_ghk_cell_rests_at_the_ghk_voltage(celsius, ratio):
    # P_Na = P_K (ratio 1) rests at exactly 0 mV here: K_i - K_o = Na_o - Na_i = 135 mM
    rest = resting_state(ghk_cell(ratio * 1e-6, 1e-6, celsius))
    assert float(rest.v) == pytest.approx(ghk_voltage(ratio, 1.0, celsius), abs=1e-9)  # 1 nV: root finding
    assert rest.permeability_ratio == pytest.approx(ratio, rel=1e-12)
    assert rest.stable and rest.n_steady_states == 1


def test_neuron_ghk_agrees():
    # NEURON's ghk() (nrn_ghk, CODATA 2018 constants) against the leak evaluated by Brian2 (CODATA
    # 2014: R is 3.4e-7 smaller relative). Measured here at these points: within 3e-6 relative (the
    # constants, amplified near each reversal potential); tolerance 1e-5. A wrong valence, sign or
    # concentration is off by order one.
    import neuron_reference

    for celsius in (6.3, 37.0):
        for ion in ("Na", "K", "Ca"):
            ci, co, z = CONC[ion]
            cell = Cell(
                [GHKLeak(ion, P * cm / second * 100)],
                C_m=1 * uF / cm**2,
                area=AREA,
                ions=ions(ion),
                temperature=(273.15 + celsius) * kelvin,
            )
            v = np.array([-100.0, -60.0, -1e-6, 0.0, 30.0])
            group = NeuronGroup(len(v), cell.equations(counters=False), namespace=cell.namespace)
            group.v = v * mV
            brian = np.asarray(getattr(group, f"i_leak_{ion}")[:]) / P
            ref = neuron_reference.ghk_current(v, ci, co, z, celsius)
            np.testing.assert_allclose(brian, ref, rtol=1e-5)


@pytest.mark.parametrize("celsius", [6.3, 37.0])
def test_balance_rest_solves_the_permeabilities_and_the_pump(celsius):
    # At v, with u_X = GHK current per unit permeability (hand formula): P_Na u_Na + 3 p = 0 and
    # P_K u_K - 2 p = 0, so P_Na/P_K = -(3/2) u_K/u_Na whatever the leakiness.
    cell = ghk_cell(0.05e-6, 1e-6, celsius)
    for v in (-70.0, -35.0, -10.0):
        balanced = balance_rest(cell, v * mV)
        rest = resting_state(balanced)
        assert float(rest.v / mV) == pytest.approx(v, abs=1e-8)
        u_na, u_k = ghk_current(v * 1e-3, "Na", celsius), ghk_current(v * 1e-3, "K", celsius)
        assert rest.permeability_ratio == pytest.approx(-1.5 * u_k / u_na, rel=1e-6)
        gross = float(rest.atp_per_second * second) * 3 / 6.02214076e23  # mol/s of Na+ entering
        for ion in ("Na", "K"):
            assert abs(float(rest.ion_flux[ion])) < 1e-9 * gross
        assert float(rest.pump_turnover / rest.atp_per_second) == pytest.approx(1, rel=1e-9)
        assert all(isinstance(m, (GHKLeak, NaKPump)) for m in balanced.mechanisms)


def test_ghk_leak_needs_both_concentrations():
    with pytest.raises(ModelError, match=r"leak_Na.*GHKLeak.*Na_i.*inside and outside concentrations"):
        Cell(
            [GHKLeak("Na", 1e-8 * cm / second)],
            C_m=1 * uF / cm**2,
            area=AREA,
            ions={"Na": Ion(E=50 * mV)},
            temperature=310 * kelvin,
        )
    with pytest.raises(ModelError, match="meter/second"):
        GHKLeak("K", 1 * mS / cm**2)
    with pytest.raises(ModelError, match=">= 0"):
        GHKLeak("K", -1e-8 * cm / second)


def test_ghk_leak_in_a_model_file(tmp_path):
    text = tmp_path / "ghk.toml"
    text.write_text("""description = "two GHK leaks"
[cell]
C_m = "1 uF/cm^2"
area = "1000 um^2"
temperature = "37 degC"
[ions.Na]
inside = "10 mM"
outside = "145 mM"
[ions.K]
inside = "140 mM"
outside = "5 mM"
[[mechanisms]]
type = "GHKLeak"
ion = "Na"
P = "5e-8 cm/second"
[[mechanisms]]
type = "GHKLeak"
ion = "K"
P = "1e-6 cm/second"
""")
    rest = resting_state(load_model(text))
    assert float(rest.v) == pytest.approx(ghk_voltage(0.05, 1.0, 37.0), abs=1e-9)
    text.write_text(text.read_text().replace('P = "1e-6 cm/second"', 'P = "1e-6 mS/cm^2"'))
    with pytest.raises(ModelError, match=r"ghk.toml.*mechanisms\[1\].*P"):
        load_model(text)


def test_undifferentiated_cell_both_ways():
    # The model file's conductance split (E_Na 50, E_K -90 mV) rests at -35 mV; at mammalian
    # concentrations (Na 10/145, K 140/5 mM, 37 C) the GHK voltage equation gives -35 mV at
    # P_Na/P_K = (K_o - K_i e^u)/(Na_i e^u - Na_o), u = F v/(RT), computed here; the README and
    # SOURCES quote it.
    cell = load_model("undifferentiated_cell")
    assert float(resting_state(cell).v / mV) == pytest.approx(-35, abs=1e-6)
    u = F * -35e-3 / (R * 310.15)
    ratio = (5 - 140 * np.exp(u)) / (10 * np.exp(u) - 145)
    assert ratio == pytest.approx(0.2304, abs=5e-4)  # quoted in models/SOURCES.md
    assert ghk_voltage(ratio, 1.0, 37.0) == pytest.approx(-35e-3, abs=1e-12)
