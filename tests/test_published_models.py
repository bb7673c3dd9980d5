"""Each shipped model against the figure it is known for (sources: models/SOURCES.md)."""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import Gohm, SpikeMonitor, cm, ms, mV, nS, run, second, uA

from brian2energy import list_models, load_model, resting_state
from brian2energy.rest import balance_rest


def steady_rates(cell, currents_uA_cm2, duration=120 * ms):
    """Firing rate (Hz) from the mean of the last three inter-spike intervals, one neuron per current."""
    group = cell.neuron_group(len(currents_uA_cm2), dt=0.01 * ms)
    group.I_inj = np.asarray(currents_uA_cm2) * uA / cm**2
    spikes = SpikeMonitor(group)
    run(duration)
    trains = spikes.spike_trains()
    return np.array([1 / np.mean(np.diff(trains[i] / second)[-3:]) for i in range(len(currents_uA_cm2))]), trains


def test_models_are_listed():
    assert {
        "cortical_pyramidal_rs",
        "fast_spiking_interneuron",
        "blowfly_photoreceptor",
        "undifferentiated_cell",
        "squid_axon_hh1952",
    } <= set(list_models())


def test_wang_buzsaki_f_i_curve():
    # Wang & Buzsaki (1996) Fig. 1A, read off the published figure: ~190 Hz at 5, ~285 Hz at
    # 10 and ~400 Hz at 20 uA/cm^2. Tolerance 10%: the figure is read by eye.
    cell = load_model("fast_spiking_interneuron")
    rates, _ = steady_rates(cell, [5, 10, 20])
    np.testing.assert_allclose(rates, [190, 285, 400], rtol=0.10)


def test_wang_buzsaki_rest_and_type_one_onset():
    # Rest near E_L = -65 mV (its leak dominates at rest), and a class-1 onset: the rest is lost
    # in a saddle-node (a real eigenvalue crosses zero) at a small current, ~0.16 uA/cm^2.
    cell = load_model("fast_spiking_interneuron")
    with pytest.warns(UserWarning, match="3 steady states"):  # rest, a saddle and a depolarized node
        rest = resting_state(cell)
    assert float(rest.v / mV) == pytest.approx(-64, abs=1.0)
    below, above = resting_state(cell, I_inj=np.array([0.15, 0.17]) * uA / cm**2).stable
    assert below and not above


def test_pospischil_regular_spiking_adapts():
    # Pospischil et al. (2008): the RS class is defined by spike-frequency adaptation from the slow
    # M current; rest near its leak reversal of -70.3 mV.
    cell = load_model("cortical_pyramidal_rs")
    with pytest.warns(UserWarning, match="3 steady states"):
        assert float(resting_state(cell).v / mV) == pytest.approx(-70.3, abs=2.0)
    _, trains = steady_rates(cell, [4.22], duration=200 * ms)  # 0.5 nA, the OSB Fig. 2b protocol
    isi = np.diff(trains[0] / ms)
    assert len(isi) > 10 and isi[-1] > 1.2 * isi[0]


def test_blowfly_photoreceptor_cost_in_light_and_dark():
    # Heras et al. (2017) Fig. 8: ~1.0e10 ATP/s when light depolarizes the cell to -37 mV,
    # ~8.7e8 ATP/s in the dark at -60 mV (read off the figure: 10%).
    cell = load_model("blowfly_photoreceptor")
    light = resting_state(cell)
    assert float(light.v / mV) == pytest.approx(-37, abs=0.05)
    assert float(light.atp_per_second * second) == pytest.approx(1.0e10, rel=0.10)
    # the file's pump rate balances the fluxes at -37 mV to its 7 significant digits
    assert float(light.pump_turnover / light.atp_per_second) == pytest.approx(1, rel=1e-6)
    # dark: no light conductance; Heras re-balances the pump at -60 mV with the cell's own leaks
    dark_cell = cell.with_mechanisms([m for m in cell.mechanisms if m.name != "light"])
    dark = resting_state(balance_rest(dark_cell, -60 * mV, leak_conductance=(4 + 6.404425) * nS))
    assert float(dark.atp_per_second * second) == pytest.approx(8.7e8, rel=0.10)
    k_leak = next(
        m.g
        for m in balance_rest(dark_cell, -60 * mV, leak_conductance=(4 + 6.404425) * nS).mechanisms
        if m.name == "leak_K"
    )
    assert float(k_leak * cell.area / nS) == pytest.approx(4.0, rel=0.01)  # Heras' K+ leak, 4 nS


def test_undifferentiated_cell_passive_properties():
    # Pre et al. 2014, day 31-38 (as tabulated by Chinchalongporn et al. 2015, Table 2):
    # input resistance 2.5 GOhm, membrane time constant 34 ms, rest -35 mV.
    cell = load_model("undifferentiated_cell")
    rest = resting_state(cell)
    assert float(rest.v / mV) == pytest.approx(-35, abs=0.1)
    assert float(rest.input_resistance / Gohm) == pytest.approx(2.5, rel=0.01)
    assert float(rest.input_resistance * cell.C_m * cell.area / ms) == pytest.approx(34, rel=0.02)
    # resting between E_K and E_Na costs little: three orders of magnitude below the photoreceptor
    cheap = resting_state(balance_rest(cell, -35 * mV))
    photoreceptor = resting_state(load_model("blowfly_photoreceptor"))
    assert float(cheap.atp_per_second / photoreceptor.atp_per_second) < 1e-2
