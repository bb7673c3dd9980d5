"""Energy per spike and per second of rest: against NEURON's hh, and against physics."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest
from brian2 import Network, NeuronGroup, cm, kjoule, mole, ms, mV, second, uA

import neuron_reference
from brian2energy import ModelError, load_model, resting_state
from brian2energy.energy import EnergyMonitor, energy_report
from brian2energy.rest import balance_rest

matplotlib.use("Agg")
E = 1.602176634e-19  # C, elementary charge (SI 2019)


def pulse_run(cell, amplitude, on=20 * ms, width=1 * ms, total=60 * ms, n=1):
    group = cell.neuron_group(n, dt=0.01 * ms)
    monitor = EnergyMonitor(group)
    net = Network(group, monitor)
    net.run(on)
    group.I_inj = amplitude
    net.run(width)
    group.I_inj = 0 * uA / cm**2
    net.run(total - on - width)
    return group, monitor


@pytest.fixture(scope="module")
def squid_pulse(squid):
    group, monitor = pulse_run(squid, 40 * uA / cm**2)
    return energy_report(monitor)


def test_isolated_spike_cost_matches_neuron(squid, squid_pulse):
    # NEURON's hh (CVODE, converged), same 1 ms, 40 uA/cm^2 pulse: the Na+ entering in the
    # window [t - 2 ms, t + 10 ms] around the -20 mV crossing, minus rest, / 3e. Within 3%.
    report = squid_pulse
    ref = neuron_reference.simulate_hh(60.0, 40.0, t_on=20.0, t_off=21.0)
    rest = neuron_reference.simulate_hh(60.0, 0.0)
    assert ref.n_spikes == 1 and report.n_spikes[0] == 1 and report.method[0] == "isolated"
    rest_rate = rest.q_na[-1] / 0.060  # C/cm^2/s
    t_s = ref.spike_times[0]
    q = np.interp([t_s - 2.0, t_s + 10.0], ref.t, ref.q_na)
    per_spike = (q[1] - q[0] - rest_rate * 0.012) / (3 * E) * float(squid.area / cm**2)
    assert report.atp_per_spike[0] == pytest.approx(per_spike, rel=0.03)
    # rest: NEURON's Na+ entry at rest, per cell, within 1%
    assert float(report.atp_per_second_rest[0] * second) == pytest.approx(
        rest_rate / (3 * E) * float(squid.area / cm**2), rel=0.01
    )


def test_tonic_spike_cost_matches_neuron(squid):
    # 10 uA/cm^2 for 200 ms: (all ATP - resting rate x duration) / spikes, on both sides. Within 3%.
    group = squid.neuron_group(1, dt=0.01 * ms)
    group.I_inj = 10 * uA / cm**2
    monitor = EnergyMonitor(group, dt=0.1 * ms)
    Network(group, monitor).run(200 * ms)
    report = energy_report(monitor)
    ref = neuron_reference.simulate_hh(200.0, 10.0)
    rest_rate = neuron_reference.simulate_hh(50.0, 0.0).q_na[-1] / 0.050
    assert report.n_spikes[0] == ref.n_spikes == 14
    assert report.method[0] == "tonic"  # the last spike's window runs past the end of the run
    tonic = (ref.q_na[-1] - rest_rate * 0.2) / ref.n_spikes / (3 * E) * float(squid.area / cm**2)
    assert report.atp_per_spike[0] == pytest.approx(tonic, rel=0.03)


def test_rest_from_a_quiet_stretch_matches_the_analysis(squid, squid_pulse):
    # the simulated quiet stretch (before the pulse) against the analytical resting state: 1%
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analytical = float(resting_state(squid).atp_per_second * second)
    assert float(squid_pulse.atp_per_second_rest_measured[0] * second) == pytest.approx(analytical, rel=0.01)


def test_mechanism_breakdown_matches_neuron(squid, squid_pulse):
    # The Na+ leak's share, from NEURON's own voltage trace: g_leak_Na (E_Na - v) integrated over
    # the 60 ms run (the split leak's Na+ conductance from physics, leak_na_conductance), / 3e.
    ref = neuron_reference.simulate_hh(60.0, 40.0, t_on=20.0, t_off=21.0)
    g_na = neuron_reference.leak_na_conductance()  # S/cm^2
    current = g_na * (neuron_reference.ENA - ref.v) * 1e-3  # A/cm^2, inward
    q_leak = np.sum((current[1:] + current[:-1]) / 2 * np.diff(ref.t * 1e-3))  # C/cm^2, trapezoid
    expected = q_leak / (3 * E) * float(squid.area / cm**2)
    assert squid_pulse.by_mechanism["leak_Na"][0] == pytest.approx(expected, rel=0.01)
    # the spike's NaV entry is the rest of NEURON's Na+ entry
    expected_nav = (ref.q_na[-1] - q_leak) / (3 * E) * float(squid.area / cm**2)
    assert squid_pulse.by_mechanism["NaV"][0] == pytest.approx(expected_nav, rel=0.01)
    # joules: ATP / N_A x 50 kJ/mol
    total = float(squid_pulse.atp_total[0])
    assert float(squid_pulse.joules[0] / kjoule) * 1e3 == pytest.approx(total / 6.02214076e23 * 50e3, rel=1e-6)
    assert float(squid_pulse.atp_free_energy / (kjoule / mole)) == 50


def test_accounting_views_agree_for_a_balanced_cell():
    # A balanced cell (pump turnover = Na+ entry / 3 at rest), perturbed by a small subthreshold
    # pulse: over a long run the pump-turnover and ions-restored totals agree within 1%.
    cell = balance_rest(load_model("undifferentiated_cell"), -35 * mV)
    group = cell.neuron_group(1, dt=0.1 * ms)
    monitor = EnergyMonitor(group, dt=1 * ms)
    net = Network(group, monitor)
    group.I_inj = 0.02 * uA / cm**2
    net.run(5 * ms)
    group.I_inj = 0 * uA / cm**2
    net.run(995 * ms)
    report = energy_report(monitor)
    assert report.atp_total_pump[0] == pytest.approx(report.atp_total[0], rel=0.01)


def test_report_outputs(squid_pulse, tmp_path):
    import matplotlib.pyplot as plt

    from brian2energy import plot

    text = str(squid_pulse)
    assert "ATP per spike" in text and "Na+ load ratio" in text and "no pump" in text
    squid_pulse.to_csv(tmp_path / "report.csv")
    header = (tmp_path / "report.csv").read_text().splitlines()[0]
    assert header.startswith("neuron,spikes,atp_total")
    d = squid_pulse.to_dict()
    assert d["summary"]["spikes"] == 1 and d["neurons"]["method"] == ["isolated"]
    ax = plot.budget_bars(squid_pulse)
    assert len(ax.patches) == 2  # one partition per axis: rest, spikes
    assert sum(p.get_height() for p in ax.patches) == pytest.approx(1)
    plt.close("all")
    ax = plot.na_entry_bars(squid_pulse)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["NaV", "leak_Na"]
    assert sum(p.get_height() for p in ax.patches) == pytest.approx(1)
    plt.close("all")


def test_squid_load_ratio_is_several_times_the_mammalian_ones(squid_pulse):
    # Published: the HH squid axon at 6.3 C lets in ~1100 nC/cm^2 per spike, ~11 times the
    # minimum (Sengupta et al. 2010, repetitive firing); mammalian neurons 1.24 +- 0.29 (cortical
    # pyramidal) to 1.98 +- 0.55 (fast-spiking) (Carter & Bean 2009, 37 C). Tolerances: the
    # definitions differ (isolated spike here, dV from the pre-spike potential), so the squid must
    # lie in 8-16, the mammalian models below 2.5, and the squid at least 4 times above them.
    squid_ratio = squid_pulse.na_load_ratio[0]
    assert 8 < squid_ratio < 16
    for name, pulse in (("cortical_pyramidal_rs", 60), ("fast_spiking_interneuron", 20)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, monitor = pulse_run(load_model(name), pulse * uA / cm**2, total=40 * ms)
            report = energy_report(monitor)
        assert report.n_spikes[0] == 1
        assert 1 < report.na_load_ratio[0] < 2.5
        assert squid_ratio > 4 * report.na_load_ratio[0]


def test_monitor_errors(squid):
    plain = NeuronGroup(1, "v : volt")
    with pytest.raises(ModelError, match="pass cell="):
        EnergyMonitor(plain)
    no_counters = squid.neuron_group(1, counters=False)
    with pytest.raises(ModelError, match="counters=False"):
        EnergyMonitor(no_counters)


def test_load_ratio_counts_the_cells_own_sodium_with_synaptic_input(squid):
    # One spike evoked by a strong AMPA input: the spike's Na+ load is what the cell's own
    # mechanisms let in (NaV and the Na+ leak), not the receptor's Na+. By hand from the recorded
    # counters: the own Na+ over the window [t - 2 ms, t + 10 ms], minus the resting entry measured
    # over the quiet first 20 ms, over C x (v_peak - v_start). Tolerance 1e-3: the report takes
    # the resting entry from the analysis, the hand value from the simulated quiet stretch.
    from brian2 import SpikeGeneratorGroup, Synapses, uS

    from brian2energy.synapses import AMPA

    ampa = AMPA()
    group = squid.neuron_group(1, synapses=[ampa], dt=0.01 * ms)
    source = SpikeGeneratorGroup(1, [0], [20] * ms)
    pathway = Synapses(source, group, ampa.model, on_pre=ampa.on_pre)
    pathway.connect()
    pathway.w = 2 * uS
    monitor = EnergyMonitor(group)
    Network(group, source, pathway, monitor).run(50 * ms)
    report = energy_report(monitor)
    assert report.n_spikes[0] == 1 and report.method[0] == "isolated"
    states = monitor.states
    t, v = np.asarray(states.t / second), np.asarray(states.v[0])
    own = np.asarray(states.Q_Na_NaV[0]) + np.asarray(states.Q_Na_leak_Na[0])
    receptor = np.asarray(states.Q_Na_ampa[0])
    quiet = t < 0.0199
    rest_rate = (own[quiet][-1] - own[quiet][0]) / (t[quiet][-1] - t[quiet][0])
    t_s = float(monitor.spikes.t[0] / second)
    a, b = np.searchsorted(t, t_s - 2e-3), np.searchsorted(t, t_s + 10e-3)
    peak = a + np.argmax(v[a : b + 1])
    c = float(squid.C_m * squid.area)
    q_spike = own[b] - own[a] - rest_rate * (t[b] - t[a])
    expected = q_spike / (c * (v[peak] - v[a]))
    assert report.na_load_ratio[0] == pytest.approx(expected, rel=1e-3)
    with_receptor = (q_spike + receptor[b] - receptor[a]) / (c * (v[peak] - v[a]))
    assert with_receptor > 1.03 * expected  # the receptor's Na+ would have changed the answer
    assert report.budget["synapses"][0] > 0


def test_resting_cost_honours_per_neuron_parameters():
    # A passive cell (Na+ and K+ leaks, fixed pump P = 0.2 uA/cm^2) with a different K+ leak in each
    # neuron. By hand: g_Na (v - E_Na) + g_K (v - E_K) + P = 0 gives each rest v, and the ATP per
    # second is g_Na (E_Na - v) area / 3e. The report and the network budget book exactly that.
    from brian2 import kelvin, mS, uF, um

    from brian2energy import Cell, Ion, Leak, NaKPump
    from brian2energy.energy import BudgetMonitor, network_budget

    ions = {"Na": Ion(E=50 * mV), "K": Ion(E=-90 * mV)}
    cell = Cell(
        [Leak("Na", 0.005 * mS / cm**2), Leak("K", 0.05 * mS / cm**2), NaKPump(0.2 * uA / cm**2)],
        C_m=1 * uF / cm**2,
        area=1000 * um**2,
        ions=ions,
        temperature=310 * kelvin,
    )
    g_k = np.array([0.03, 0.05, 0.08])  # mS/cm^2
    group = cell.neuron_group(3, parameters=("g_leak_K",), dt=0.1 * ms)
    group.g_leak_K = g_k * mS / cm**2
    monitor, budget = EnergyMonitor(group), BudgetMonitor(group)
    Network(group, monitor, budget).run(20 * ms)
    v = (0.005 * 50 + g_k * -90 - 0.2) / (0.005 + g_k)  # mV; 0.2 uA/cm^2 = 0.2 (mS/cm^2) mV
    expected = 0.005e-3 * (50 - v) * 1e-3 * 1e-5 / (3 * E)  # S/cm^2 x V x cm^2 / C
    report = energy_report(monitor)
    np.testing.assert_allclose(np.asarray(report.atp_per_second_rest * second), expected, rtol=1e-6)
    rest_budget = network_budget({"cells": budget}).atp_per_second("cells")["rest"]
    assert rest_budget == pytest.approx(np.sum(expected), rel=1e-6)
