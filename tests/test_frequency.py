"""The small-signal frequency response at rest (issue 14, part 1): against the RC closed form, the
resting analysis, the Jacobian's eigenvalues, Heras et al. 2017's own code for the blowfly
photoreceptor from dark to light, and white-noise simulations in Brian2 of the squid axon (resonant),
the photoreceptor (band-pass) and the undifferentiated cell (a plain RC).
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import (
    Hz,
    Mohm,
    cm,
    farad,
    kHz,
    mS,
    ms,
    mV,
    nA,
    nS,
    ohm,
    second,
)

from brian2energy import ModelError, load_model, resting_state
from brian2energy.frequency import frequency_response
from heras2017 import HERAS_2017
from passive import passive_cell


def test_a_passive_cell_is_the_rc_circuit():
    cell = passive_cell()
    r = 1 / (0.1e-3 * 1e4 * 1000e-12)  # ohm: 0.1 mS/cm^2 = 1 S/m^2 over 1000 um^2
    c = 1e-6 * 1e4 * 1000e-12  # farad: 1 uF/cm^2 = 0.01 F/m^2
    f = np.logspace(-1, 4, 60)
    response = frequency_response(cell, f * Hz)
    closed = r / (1 + 2j * np.pi * f * r * c)
    np.testing.assert_allclose(np.asarray(response.impedance / ohm), closed, rtol=1e-6)  # Jacobian by differences
    assert float(response.input_resistance / ohm) == pytest.approx(r, rel=1e-6)
    assert float(response.peak_frequency / Hz) == 0  # low-pass: the peak is at DC
    assert float(response.bandwidth / Hz) == pytest.approx(1 / (2 * np.pi * r * c), rel=1e-6)  # the RC corner
    assert float(response.time_constant / ms) == pytest.approx(r * c * 1e3, rel=1e-6)
    assert float(response.passive_time_constant / ms) == pytest.approx(r * c * 1e3, rel=1e-6)


def test_input_resistance_is_the_resting_states():
    cell = load_model("squid_axon_hh1952")
    response = frequency_response(cell)
    assert float(response.input_resistance / ohm) == pytest.approx(
        float(resting_state(cell).input_resistance / ohm), rel=1e-5
    )


def test_the_squid_axon_resonates():
    # HH 1952 rests as a damped oscillator: the resting state's eigenvalues hold a complex pair, and
    # a lightly damped pair makes |Z| peak near its frequency Im(lambda)/(2 pi) (for a second-order
    # resonance the peak lies below the damped frequency, by a factor that depends on the damping:
    # allow 50%). The peak and the eigenvalues come from different computations (a maximum of |Z|
    # searched over frequency, numpy's eigvals).
    cell = load_model("squid_axon_hh1952")
    response = frequency_response(cell)
    eig = np.asarray(resting_state(cell).eigenvalues * second)
    ringing = np.max(np.abs(eig.imag)) / (2 * np.pi)
    assert ringing > 0
    assert float(response.peak_frequency / Hz) == pytest.approx(ringing, rel=0.5)
    assert float(response.peak / response.input_resistance) > 1.05  # a band-pass peak above DC
    assert float(response.bandwidth / Hz) > float(response.peak_frequency / Hz)


def test_arrays_of_parameters_broadcast():
    cell = passive_cell()
    g = np.array([0.5, 1.0, 2.0]) * 0.09 * mS / cm**2
    response = frequency_response(cell, [1, 10, 100] * Hz, g_leak_K=g)
    assert response.impedance.shape == (3, 3)
    r = 1 / ((0.01e-3 + np.array([0.5, 1.0, 2.0]) * 0.09e-3) * 1e4 * 1000e-12)
    np.testing.assert_allclose(np.asarray(response.input_resistance / ohm), r, rtol=1e-6)
    assert "R_in (MOhm)" in str(response) and repr(response) == str(response)


@pytest.mark.parametrize(
    "frequencies", [np.array([1.0, 2.0]), [-1, 10] * Hz, [1, 2] * ms, np.array([]) * Hz, [np.nan] * Hz]
)
def test_bad_frequencies_are_refused(frequencies):
    with pytest.raises(ModelError, match="frequencies"):
        frequency_response(passive_cell(), frequencies)


def test_units_of_the_result():
    response = frequency_response(passive_cell(), [1, 1000] * Hz)
    assert response.impedance.dim == ohm.dim and response.bandwidth.dim == Hz.dim
    assert response.gain_bandwidth.dim == (ohm * Hz).dim
    assert float(response.input_resistance / Mohm) > 0 and float(response.bandwidth / kHz) > 0
    assert response.time_constant.dim == second.dim


def test_the_photoreceptor_matches_heras_2017_code_from_dark_to_light():
    # The shipped file is Heras' light-adapted cell at -37 mV; their darker states differ only in the
    # light conductance and the pump turnover they solve for, given here as overrides. Tolerance 0.2%:
    # their figures are transcribed to 4-5 digits (g_light and the pump current set V_rest to ~1 uV) and
    # they differentiate the rate functions by finite differences.
    area = 1.45e-4 * cm**2
    rows = list(zip(*HERAS_2017))
    g_light = np.array(rows[1]) * nS / area
    pump = np.array(rows[2]) * nA / area
    cell = load_model("blowfly_photoreceptor")
    np.testing.assert_allclose(
        np.asarray(resting_state(cell, g_light=g_light, I_max_pump=pump).v / mV), rows[0], atol=0.01
    )
    response = frequency_response(cell, [0, 1, 10, 30, 100, 300] * Hz, g_light=g_light, I_max_pump=pump)
    np.testing.assert_allclose(np.abs(np.asarray(response.impedance / Mohm)), np.array(rows[3]), rtol=2e-3)
    np.testing.assert_allclose(np.asarray(response.peak / Mohm), rows[4], rtol=2e-3)
    np.testing.assert_allclose(np.asarray(response.bandwidth / Hz), rows[5], rtol=2e-3)
    # light buys bandwidth: a five-fold wider band at -37 mV than in the dark
    assert float(response.bandwidth[-1] / response.bandwidth[0]) > 5


_RUNS = {}


def white_noise_run(name, n, duration):
    """The resting cell ``name`` driven by small white-noise current in Brian2, once per test session.

    ``n`` neurons, each with its own Gaussian current, constant over each step of cell.dt, for
    ``duration`` seconds; the current's size is chosen so that v fluctuates by about 0.3 mV (for an RC
    membrane var(v) = sigma^2 dt R / (2 C)), where these membranes are linear to well under 1%. v is
    recorded at the end of each step, half a step after the centre of that step's current. Cython:
    numpy's per-step overhead would make tens of thousands of rk4 steps take minutes.
    """
    if name not in _RUNS:
        from brian2 import StateMonitor, TimedArray, amp, meter, prefs, run, start_scope

        start_scope()
        cell = load_model(name)
        dt = float(cell.dt)
        area = float(cell.area / meter**2)
        r = float(frequency_response(cell, [0] * Hz).input_resistance / ohm)
        sigma = 3e-4 / np.sqrt(dt * r / (2 * float(cell.C_m * cell.area / farad))) / area  # A/m^2 per sample
        drive = np.random.default_rng(14).standard_normal((round(duration / dt), n)) * sigma
        group = cell.neuron_group(n, dt=cell.dt)
        group.namespace["noise"] = TimedArray(drive * amp / meter**2, dt=cell.dt)
        group.run_regularly("I_inj = noise(t, i)", when="start")
        v = StateMonitor(group, "v", record=True, when="end")
        target = prefs.codegen.target
        prefs.codegen.target = "cython"
        try:
            run(duration * second)
        finally:
            prefs.codegen.target = target
        _RUNS[name] = cell, dt, drive * area, np.asarray(v.v[:].T / mV) * 1e-3
    return _RUNS[name]


@pytest.mark.parametrize(
    "name, n, duration, segment, band, tolerance",
    [
        # resonant: 0.125 s segments resolve 8 Hz; measured max error 1.6% (10-300 Hz)
        ("squid_axon_hh1952", 200, 1.0, 0.125, (10, 300), 0.05),
        # band-pass (peak 116 Hz, slow Kv tau 50 ms): 0.25 s segments; measured 0.5% (10-1000 Hz)
        ("blowfly_photoreceptor", 100, 2.0, 0.25, (10, 1000), 0.03),
        # a plain RC with a 34 ms time constant (corner 4.7 Hz): 1 s segments; measured 1.6% (2-300 Hz)
        ("undifferentiated_cell", 100, 4.0, 1.0, (2, 300), 0.05),
    ],
)
def test_the_impedance_matches_a_white_noise_simulation(name, n, duration, segment, band, tolerance):
    # Z(f) estimated as the cross-spectrum of current and voltage over the current's spectrum (Welch,
    # half-overlapping segments averaged over the neurons), corrected for the half step by which the
    # recorded v leads the centre of each step's constant current. The system is linear and noise-free,
    # so the estimate's error is the bias of finite segments (activity entering from before a segment,
    # largest at the lowest frequencies, about tau/segment), plus nonlinearity (~0.1% at 0.3 mV):
    # the tolerances are about three times the errors measured here.
    from scipy import signal

    cell, dt, current, v = white_noise_run(name, n, duration)  # whole-cell amp (positive depolarizing), volt
    v = v - v.mean(axis=0)
    f, p_iv = signal.csd(current, v, fs=1 / dt, nperseg=int(segment / dt), axis=0)
    _, p_ii = signal.welch(current, fs=1 / dt, nperseg=int(segment / dt), axis=0)
    estimate = (p_iv.mean(axis=1) / p_ii.mean(axis=1)) * np.exp(-1j * np.pi * f * dt)
    inside = (f >= band[0]) & (f <= band[1])
    predicted = np.asarray(frequency_response(cell, f[inside] * Hz).impedance / ohm)
    error = np.abs(estimate[inside] - predicted) / np.abs(predicted)
    assert np.max(error) < tolerance, (
        f"largest relative error {np.max(error):.3f} at {f[inside][np.argmax(error)]:.0f} Hz"
    )
    assert 0.1 < np.std(v) * 1e3 < 1  # mV: small enough to be linear, large enough to be measured
