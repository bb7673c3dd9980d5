"""The small-signal frequency response at rest (issue 14, part 1): against the RC closed form, the
resting analysis, the Jacobian's eigenvalues and a white-noise simulation of the squid axon.

Still to come: white-noise checks of the photoreceptor and the undifferentiated cell, and the
comparison with Heras et al.'s code.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import Hz, Mohm, cm, kelvin, kHz, mS, ms, mV, ohm, second, uF, um

from brian2energy import Cell, Ion, Leak, ModelError, load_model, resting_state
from brian2energy.frequency import frequency_response

AREA = 1000 * um**2
IONS = {"Na": Ion(E=50 * mV), "K": Ion(E=-77 * mV)}


def passive_cell(g_na=0.01, g_k=0.09):
    """Two ohmic leaks (mS/cm^2) and C_m = 1 uF/cm^2: an RC circuit, R = 1/(g area), C = C_m area."""
    return Cell([Leak("Na", g_na * mS / cm**2), Leak("K", g_k * mS / cm**2)], C_m=1 * uF / cm**2, area=AREA, ions=IONS,
                temperature=310 * kelvin)


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
    assert float(response.input_resistance / ohm) == pytest.approx(float(resting_state(cell).input_resistance / ohm),
                                                                   rel=1e-5)


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


@pytest.mark.parametrize("frequencies", [np.array([1.0, 2.0]), [-1, 10] * Hz, [1, 2] * ms, np.array([]) * Hz,
                                         [np.nan] * Hz])
def test_bad_frequencies_are_refused(frequencies):
    with pytest.raises(ModelError, match="frequencies"):
        frequency_response(passive_cell(), frequencies)


def test_units_of_the_result():
    response = frequency_response(passive_cell(), [1, 1000] * Hz)
    assert response.impedance.dim == ohm.dim and response.bandwidth.dim == Hz.dim
    assert response.gain_bandwidth.dim == (ohm * Hz).dim
    assert float(response.input_resistance / Mohm) > 0 and float(response.bandwidth / kHz) > 0
    assert response.time_constant.dim == second.dim


@pytest.fixture(scope="module")
def squid_noise_run():
    """The resting squid axon driven by small white-noise current in Brian2 (cython: numpy's per-step
    overhead would make 20,000 rk4 steps take minutes; the state update's compiled code is the one
    tests/test_targets.py compiles, so it comes from Brian2's cache).

    200 neurons, each with its own Gaussian current density, constant over each step of cell.dt
    (0.05 ms), 1 s: v fluctuates by about 0.3 mV, where the membrane is linear to well under 1%.
    v is recorded at the end of each step, half a step after the centre of that step's current.
    """
    from brian2 import StateMonitor, TimedArray, amp, meter, prefs, run, start_scope

    start_scope()
    cell = load_model("squid_axon_hh1952")
    n, duration = 200, 1.0
    dt = float(cell.dt)
    steps = round(duration / dt)
    sigma = 0.02  # A/m^2 = 2 uA/cm^2 per sample
    drive = np.random.default_rng(14).standard_normal((steps, n)) * sigma
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
    return cell, dt, drive, np.asarray(v.v[:].T / mV) * 1e-3


def test_the_squid_impedance_matches_a_white_noise_simulation(squid_noise_run):
    # Z(f) estimated as the cross-spectrum of current and voltage over the current's spectrum
    # (Welch, 0.125 s segments, averaged over 200 neurons x 15 half-overlapping segments), corrected
    # for the half step by which the recorded v leads the centre of each step's constant current.
    from scipy import signal

    cell, dt, noise, v = squid_noise_run
    area = float(cell.area)
    current = noise * area  # whole-cell amp; positive depolarizing
    v = v - v.mean(axis=0)
    f, p_iv = signal.csd(current, v, fs=1 / dt, nperseg=int(0.125 / dt), axis=0)
    _, p_ii = signal.welch(current, fs=1 / dt, nperseg=int(0.125 / dt), axis=0)
    estimate = (p_iv.mean(axis=1) / p_ii.mean(axis=1)) * np.exp(-1j * np.pi * f * dt)
    band = (f >= 10) & (f <= 300)
    predicted = np.asarray(frequency_response(cell, f[band] * Hz).impedance / ohm)
    error = np.abs(estimate[band] - predicted) / np.abs(predicted)
    assert np.max(error) < 0.05, f"largest relative error {np.max(error):.3f} at {f[band][np.argmax(error)]:.0f} Hz"
