"""Information per ATP at rest (issue 14, parts 3 and 4): the Shannon rate against closed forms, Campbell's
theorem for quantum-bump shot noise, and the blowfly photoreceptor's ATP per bit against the order of
magnitude Laughlin, de Ruyter van Steveninck & Anderson 1998 report, Heras et al.'s light protocol, and the
trade-off of cost, bandwidth and bits along balanced rests against closed forms.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import Hz, amp, cm, ms, mV, nA, nS, second, volt

from brian2energy import ModelError, load_model
from brian2energy.information import information_rate
from brian2energy.light import QuantumBumps, light_levels
from heras2017 import HERAS_2017
from passive import passive_cell

# The passive cell: R = 1 GOhm, C = 10 pF, its corner 1/(2 pi R C) = 15.9 Hz.
R, C = 1e9, 1e-11


def lorentzian_rate(a, corner):
    """integral_0^inf log2(1 + a/(1 + (f/corner)^2)) df = pi corner (sqrt(1 + a) - 1) / ln 2."""
    return np.pi * corner * (np.sqrt(1 + a) - 1) / np.log(2)


def test_signal_and_noise_currents_give_shannons_rate_whatever_the_membrane():
    # Both enter as currents, so Z cancels: a Lorentzian signal (S0, corner 50 Hz) over white noise N.
    # Tolerance 0.5%: the integral stops at 100 kHz (the tail beyond is a fc^2 / (F ln 2) = 3.6 bits/s).
    s0, n, corner = 1e-26, 1e-28, 50.0
    rate = information_rate(
        passive_cell(),
        lambda f: s0 / (1 + (f / (corner * Hz)) ** 2) * amp**2 / Hz,
        current_noise={"white": lambda f: n * amp**2 / Hz},
    )
    assert float(rate.bits_per_second * second) == pytest.approx(lorentzian_rate(s0 / n, corner), rel=5e-3)
    assert "bits/s" in str(rate) and "ATP/bit" in repr(rate)


def test_noise_after_the_membrane_makes_its_bandwidth_count():
    # A white signal current S0 through the RC membrane against a white readout noise Nv: SNR =
    # S0 R^2 / (Nv (1 + (f/f_RC)^2)), so H is the Lorentzian rate at the membrane's corner 15.9 Hz.
    # Tolerance 1%: the tail beyond 100 kHz is a f_RC^2 / (F ln 2) = 36 bits/s of 7,140.
    s0, nv = 1e-26, 1e-12
    rate = information_rate(
        passive_cell(),
        lambda f: s0 * np.ones(len(f)) * amp**2 / Hz,
        readout_noise=lambda f: nv * np.ones(len(f)) * volt**2 / Hz,
    )
    assert float(rate.bits_per_second * second) == pytest.approx(
        lorentzian_rate(s0 * R**2 / nv, 1 / (2 * np.pi * R * C)), rel=1e-2
    )
    per_bit = float(rate.atp_per_second * second) / float(rate.bits_per_second * second)
    assert float(rate.atp_per_bit) == pytest.approx(per_bit, rel=1e-12)


def test_quantum_bump_shot_noise_obeys_campbells_theorem():
    # The variance of a Poisson train of bumps q b(t) at rate lambda is lambda q^2 integral b^2 dt, and for a
    # unit-area bump integral b^2 dt = 1/T, T the effective duration: with q = I_L/lambda the variance is
    # I_L^2 / (lambda T). Integrated here on a fine linear grid (the spectrum is smooth; tolerance 0.1%).
    cell = load_model("blowfly_photoreceptor")
    bumps = QuantumBumps(1e6 * Hz, n=4, tau=1 * ms)
    i_l = float(bumps.light_current(cell)[0])
    assert i_l == pytest.approx(-111.5076e-9 * 42e-3, rel=1e-3)  # g_light (v - E_L) = 111.5 nS x (-37 - 5) mV
    f = np.linspace(0, 20000, 400001)
    spectrum = np.asarray(bumps.shot_noise(cell)(f * Hz) / (amp**2 / Hz))[0]
    variance = np.sum(0.5 * (spectrum[1:] + spectrum[:-1]) * np.diff(f))
    assert variance == pytest.approx(i_l**2 / (1e6 * float(bumps.duration)), rel=1e-3)
    assert float(bumps.duration / ms) == pytest.approx(576 * 512 / 40320, rel=1e-12)  # (4!)^2 2^9 tau / 8!


def test_the_photoreceptors_cost_per_bit_is_of_laughlins_order():
    # Laughlin, de Ruyter van Steveninck & Anderson 1998 (Nat Neurosci 1:36, abstract): 10^6 - 10^7 ATP per bit
    # for graded signals in a photoreceptor. Assumed here (not fitted): the light-adapted cell of Heras et
    # al. 2017 at -37 mV, 10^6 effective photons/s ("broad daylight", Niven et al. 2007 as summarised in
    # J Exp Biol 210:vii), gamma bumps n = 4, tau = 1 ms (effective duration 7.3 ms, light-adapted bumps
    # being ~10 ms in Drosophila, Juusola & Hardie 2001), Gaussian white contrast 0.32 r.m.s. up to 500 Hz,
    # and channel noise of the Kv channels (20 pS). Brighter light costs more and carries more.
    # The photon rate is taken proportional to the light conductance (bumps of one size: no adaptation).
    cell = load_model("blowfly_photoreceptor")
    levels = light_levels(cell, [-52, -37] * mV)
    bumps = QuantumBumps(levels["g_light"] / levels["g_light"][-1] * 1e6 * Hz, n=4, tau=1 * ms)
    rate = information_rate(
        cell,
        bumps.contrast_signal(cell, 0.32, 500 * Hz, **levels),
        current_noise={"photons": bumps.shot_noise(cell, **levels)},
        **levels,
    )
    assert 1e6 <= float(rate.atp_per_bit[1]) <= 1e7
    bits = np.asarray(rate.bits_per_second * second)
    # Heras et al.'s code: 2.215e9 ATP/s at -52 mV, 1.030e10 at -37 mV (4.65 times)
    assert bits[1] > bits[0] and float(rate.atp_per_second[1] / rate.atp_per_second[0]) == pytest.approx(4.65, rel=2e-3)
    np.testing.assert_allclose(rate.atp_per_bit_pump, rate.atp_per_bit, rtol=1e-9)  # both views: a balanced rest


def test_light_levels_follow_heras_protocol():
    # Heras et al.'s code (depolarise_with_light) gives g_light and the pump current at each V_rest; the dark
    # state (-60 mV) needs no light. Tolerance: their figures' 4-5 transcribed digits.
    area = 1.45e-4 * cm**2
    v_rest, g_light, pump = (np.array(col) for col in list(zip(*HERAS_2017))[:3])
    levels = light_levels(load_model("blowfly_photoreceptor"), v_rest * mV)
    np.testing.assert_allclose(np.asarray(levels["g_light"] * area / nS), g_light, atol=2e-3)
    np.testing.assert_allclose(np.asarray(levels["I_max_pump"] * area / nA), pump, rtol=1e-3)
    with pytest.raises(ModelError, match="negative light conductance"):
        light_levels(load_model("blowfly_photoreceptor"), -65 * mV)
    with pytest.raises(ModelError, match="light channel"):
        light_levels(load_model("squid_axon_hh1952"), -60 * mV)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"signal": 3.0}, "function of frequency"),
        ({"signal": lambda f: 1e-26 * amp**2}, "amp\\*\\*2/Hz|amp\\^2|A\\^2"),
        ({"signal": lambda f: -1e-26 * amp**2 / Hz}, "non-negative"),
        ({"signal": lambda f: 1e-26 * amp**2 / Hz, "readout_noise": lambda f: 1 * mV}, "readout_noise"),
        ({"signal": lambda f: 1e-26 * amp**2 / Hz}, "unbounded"),
        # white signal over white noise: the rate grows with the band it is integrated over
        (
            {"signal": lambda f: 1e-26 * amp**2 / Hz, "current_noise": {"w": lambda f: 1e-28 * amp**2 / Hz}},
            "band-limit the signal",
        ),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    signal = kwargs.pop("signal")
    with pytest.raises(ModelError, match=match):
        information_rate(passive_cell(), signal, **kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"photon_rate": -1 * Hz, "n": 4, "tau": 1 * ms}, "photon_rate"),
        ({"photon_rate": 1e6, "n": 4, "tau": 1 * ms}, "photon_rate"),
        ({"photon_rate": 1e6 * Hz, "n": -0.5, "tau": 1 * ms}, ">= 0"),
        ({"photon_rate": 1e6 * Hz, "n": float("nan"), "tau": 1 * ms}, "finite"),
        ({"photon_rate": 1e6 * Hz, "n": "4", "tau": 1 * ms}, "n \\(the bump's gamma order\\)"),
        ({"photon_rate": 1e6 * Hz, "n": 4, "tau": 0 * ms}, "tau"),
    ],
)
def test_bad_bumps_are_refused(kwargs, match):
    with pytest.raises(ModelError, match=match):
        QuantumBumps(**kwargs)


def test_a_model_without_the_light_channel_is_named():
    with pytest.raises(ModelError, match="no light channel 'light'"):
        QuantumBumps(1e6 * Hz, n=4, tau=1 * ms).shot_noise(load_model("squid_axon_hh1952"))


def test_the_trade_off_along_balanced_rests_of_a_passive_cell():
    # The undifferentiated cell (linear Na+ and K+ leaks, a fixed pump) balanced at -35 mV with input
    # resistances of 0.25, 2.5 and 25 GOhm, vectorised: per cell, the leaks' total conductance is G = 1/R;
    # the balance (3 Na+ in and 2 K+ out per cycle) gives g_K = G / (1 + 1.5 (v - E_K)/(E_Na - v)) and
    # p = g_K (v - E_K) / 2e cycles/s; the corner is 1/(2 pi R C); against a white readout noise at a DC
    # signal-to-noise ratio a, the rate is pi f_c (sqrt(1 + a) - 1)/ln 2. Closed forms; tolerances as above.
    from brian2 import Gohm, farad, ohm
    from brian2.units.constants import elementary_charge

    from brian2energy import frequency_response
    from brian2energy.rest import balanced_family

    cell = load_model("undifferentiated_cell")
    resistance = np.array([0.25, 2.5, 25.0])
    family = balanced_family(cell, -35 * mV, input_resistance=resistance * Gohm)
    e_na, e_k = (float(cell.reversal_potentials[ion] / volt) for ion in ("Na", "K"))
    v, c = -0.035, float(cell.C_m * cell.area / farad)
    g_k = 1 / (resistance * 1e9) / (1 + 1.5 * (v - e_k) / (e_na - v))
    np.testing.assert_allclose(
        np.asarray(family.atp_per_second * second), g_k * (v - e_k) / 2 / float(elementary_charge), rtol=1e-6
    )
    corner = 1 / (2 * np.pi * resistance * 1e9 * c)
    response = frequency_response(family.cell, **family.scales)
    np.testing.assert_allclose(np.asarray(response.bandwidth / Hz), corner, rtol=1e-4)
    a, readout = 10.0, 1e-12
    r_in = np.asarray(response.input_resistance / ohm)
    rate = information_rate(
        family.cell,
        lambda f: (a * readout / r_in**2)[:, None] * np.ones(len(f)) * amp**2 / Hz,
        readout_noise=lambda f: readout * np.ones(len(f)) * volt**2 / Hz,
        **family.scales,
    )
    np.testing.assert_allclose(
        np.asarray(rate.bits_per_second * second), np.pi * corner * (np.sqrt(1 + a) - 1) / np.log(2), rtol=1e-2
    )


@pytest.mark.parametrize("n, tau", [(4, 1e-3), (1.24, 0.577e-3)])
def test_a_gamma_bump_of_any_order_has_its_duration_and_spectrum(n, tau):
    # The unit-area bump b(t) = t^n exp(-t/tau)/(Gamma(n+1) tau^(n+1)), integrated numerically here on a
    # fine time grid: its effective duration is 1/integral(b^2) (a square pulse of the same energy) and
    # its spectrum |integral b(t) exp(-2 pi i f t) dt|^2. n = 1.24, tau = 0.577 ms: the Musca bump of the
    # Juusola lab's model (models/SOURCES.md). Tolerance 1e-4: the trapezoidal rule at 0.2 us.
    from math import gamma

    from scipy.integrate import trapezoid

    t = np.arange(0, 80 * tau, tau / 5000)
    b = t**n * np.exp(-t / tau) / (gamma(n + 1) * tau ** (n + 1))
    bumps = QuantumBumps(1e6 * Hz, n=n, tau=tau * second)
    assert float(trapezoid(b, t)) == pytest.approx(1, rel=1e-4)
    assert float(bumps.duration / second) == pytest.approx(1 / trapezoid(b**2, t), rel=1e-4)
    f = np.array([10.0, 100.0, 300.0, 1000.0])
    numeric = np.abs([trapezoid(b * np.exp(-2j * np.pi * fi * t), t) for fi in f]) ** 2
    np.testing.assert_allclose(bumps.filter(f * Hz), numeric, rtol=1e-4)
