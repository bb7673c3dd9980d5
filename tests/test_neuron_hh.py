"""The HH 1952 squid axon against NEURON's built-in ``hh`` (CVODE, rtol = atol = 1e-10).

The reference is converged: its spike times move by < 1e-5 ms when its
tolerances are tightened 1000-fold (see neuron_reference.py), so every
difference below is brian2energy's own integration error at dt = 0.01 ms.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import SpikeMonitor, StateMonitor, cm, ms, mV, run, uA

import neuron_reference  # NEURON is in the test extra: a missing install is a failure, not a skip

DURATION = 200.0  # ms
I_INJ = 10.0  # uA/cm^2


@pytest.fixture(scope="module")
def reference():
    return neuron_reference.simulate_hh(DURATION, I_INJ, method="cvode")


@pytest.fixture(scope="module")
def brian(squid):
    group = squid.neuron_group(1, dt=0.01 * ms)
    group.I_inj = I_INJ * uA / cm**2
    states = StateMonitor(group, ["v", "Q_Na"], record=0)
    spikes = SpikeMonitor(group)
    run(DURATION * ms)
    return {
        "t": states.t / ms,
        "v": states.v[0] / mV,
        "q_na": np.asarray(states.Q_Na[0]) / float(squid.area / cm**2),  # C/cm^2
        "q_na_end": float(group.Q_Na[0]) / float(squid.area / cm**2),
        "spikes": spikes.t / ms,
    }


def test_resting_potential_matches_neuron(squid):
    # HH 1952 set E_L so that the axon rests at -65 mV; NEURON's hh with E_L = -54.387 mV
    # rests at -64.9964 mV (bisection on its own currents). Tolerance: root-finding precision.
    from brian2energy import resting_state

    v = float(resting_state(squid).v / mV)
    assert v == pytest.approx(-65.0, abs=0.1)
    assert v == pytest.approx(neuron_reference.resting_potential(), abs=1e-6)


def test_spike_times_within_0p1_ms(brian, reference):
    # Tonic firing at 10 uA/cm^2 for 200 ms: NEURON fires 14 spikes. The issue's
    # accuracy contract is 0.1 ms; Brian2 reports spikes at the step they are detected
    # in, so up to one dt (0.01 ms) of that is bookkeeping.
    assert reference.n_spikes == 14
    assert len(brian["spikes"]) == reference.n_spikes
    assert np.max(np.abs(brian["spikes"] - reference.spike_times)) < 0.1


def test_voltage_trace(brian, reference):
    # Mean |dV| over the whole 200 ms of firing, sampled every 0.01 ms on both sides.
    n = min(len(brian["t"]), len(reference.t))
    np.testing.assert_allclose(brian["t"][:n], reference.t[:n], atol=1e-9)
    assert np.mean(np.abs(brian["v"][:n] - reference.v[:n])) < 0.5


def test_sodium_entry_within_one_percent(brian, reference):
    # Q_Na counts Na+ through the NaV channel and the Na+ share of the split leak;
    # NEURON's q_na is -integral(ina + g_leak_Na (v - E_Na)) with the same split.
    q_ref = reference.q_na[-1]
    assert brian["q_na_end"] == pytest.approx(q_ref, rel=0.01)
    n = min(len(brian["q_na"]), len(reference.q_na))
    assert np.max(np.abs(brian["q_na"][:n] - reference.q_na[:n])) < 0.01 * q_ref
