"""The ``brian2energy`` command: the model list and the demo (the README's main job)."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from types import SimpleNamespace

import numpy as np
import pytest
from brian2.units.constants import elementary_charge

import neuron_reference
from brian2energy.cli import main

E = float(elementary_charge)


def test_console_script_is_installed():
    (script,) = entry_points(group="console_scripts", name="brian2energy")
    assert script.load() is main


def test_models_lists_squid(capsys):
    assert main(["models"]) == 0
    assert "squid_axon_hh1952" in capsys.readouterr().out


def test_demo_writes_figure_and_summary_matching_neuron(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ATP per spike" in printed
    assert (out / "demo.png").stat().st_size > 10_000
    assert (out / "energy_summary.txt").read_text().strip() in printed
    summary = SimpleNamespace(**json.loads((out / "energy_summary.json").read_text()))
    # NEURON's hh, same protocol: a 10 uA/cm^2 step from 20 to 130 ms in a 150 ms run.
    # ATP = Na+ entry / 3e. Rest within 1% (it is a steady state: both are exact to
    # root-finding precision); per spike within 3% (integration over spikes at the demo's step, cell.dt = 0.05 ms).
    rest = neuron_reference.simulate_hh(150.0, 0.0)
    step = neuron_reference.simulate_hh(150.0, 10.0, t_on=20.0, t_off=130.0)
    assert summary.spikes == step.n_spikes
    rest_rate = rest.q_na[-1] / 0.150 / (3 * E)  # ATP/s/cm^2
    assert summary.atp_per_second_rest_per_cell / summary.area_cm2 == pytest.approx(rest_rate, rel=0.01)
    per_spike = (step.q_na[-1] - rest.q_na[-1]) / step.n_spikes / (3 * E)
    assert summary.atp_per_spike_per_cell / summary.area_cm2 == pytest.approx(per_spike, rel=0.03)
    # the headline: the critical rest is the Hopf point (Rinzel & Miller 1980: 9.78 uA/cm^2);
    # silent 1 mV below it, firing by itself 1 mV above it, and dearer there
    assert summary.critical_current_uA_per_cm2 == pytest.approx(9.78, abs=0.02)
    assert summary.rate_below_Hz == 0 and summary.rate_above_Hz > 20
    assert summary.atp_per_second_above_per_cell > summary.atp_per_second_below_per_cell
    # (2) the photoreceptor in the dark and held at -37 mV by light: Heras et al. 2017's code gives 8.660e8 and
    # 1.030e10 ATP/s and bandwidths of 58.654 and 320.405 Hz (tests/heras2017.py; 0.2%: transcribed digits)
    assert summary.photoreceptor_atp_per_second_dark == pytest.approx(8.660e8, rel=2e-3)
    assert summary.photoreceptor_atp_per_second_light == pytest.approx(1.030e10, rel=2e-3)
    assert summary.photoreceptor_bandwidth_dark_Hz == pytest.approx(58.654, rel=2e-3)
    assert summary.photoreceptor_bandwidth_light_Hz == pytest.approx(320.405, rel=2e-3)
    # (3) the undifferentiated cell (Pre et al. 2014: 2.5 GOhm, tau 34 ms) near -35 mV at under 1% of that cost;
    # (4) its corner 1/(2 pi tau), and at a DC signal-to-noise ratio a against noise after an RC membrane the
    # Shannon rate is pi f_c (sqrt(1 + a) - 1) / ln 2 (1%: the integral stops at 100 kHz)
    assert summary.undifferentiated_atp_per_second < 0.01 * summary.photoreceptor_atp_per_second_light
    corner = 1 / (2 * np.pi * 0.034)
    assert summary.undifferentiated_bandwidth_Hz == pytest.approx(corner, rel=1e-3)
    a = summary.snr
    assert summary.bits_per_second_undifferentiated == pytest.approx(
        np.pi * corner * (np.sqrt(1 + a) - 1) / np.log(2), rel=1e-2
    )
    assert summary.bits_per_second_light > 50 * summary.bits_per_second_undifferentiated
