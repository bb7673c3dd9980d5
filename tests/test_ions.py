"""Moving ion concentrations and responsive pumps, checked against physics and an independent simulator.

The Hubel & Dahlem 2014 reference is ``tests/hd2014_reference.py``: the authors' XPP code
(ModelDB 167714) transcribed into scipy and solved with Radau at rtol 1e-10, independently of
Brian2 and of this library.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import (
    Network,
    StateMonitor,
    amp,
    cm,
    kelvin,
    meter,
    mM,
    ms,
    mV,
    second,
    siemens,
    uA,
    um,
)
from brian2.units.constants import faraday_constant as F
from brian2.units.constants import gas_constant as R

import hd2014_reference as reference
from brian2energy import ModelError, NaKPump, load_model
from brian2energy.ions import Concentrations, pump_block
from brian2energy.rest import resting_state
from script_runner import run_script

#: tests/hd2014_reference.py, pump_block(20, None, 32, 1, y0=Y0_ODE): the .ode initial state, full block at
#: 20 s (upward -20 mV crossings; 171 s of CPU, so recorded here rather than recomputed in every run).
REFERENCE = {
    "first_spike_after_block": 4.52361836814293,
    "n_up": 504,
    "last_up": 29.156030113354884,
    "v_end": -8.637986854931185,
}

HD_SCRIPT = """
import json, sys, warnings
warnings.simplefilter("ignore")
import numpy as np
from brian2 import *
from brian2energy import load_model
from brian2energy.ions import ion_totals, pump_block
set_device("cpp_standalone", directory=sys.argv[1], build_on_run=False)
cell = load_model("hubel_dahlem_2014")
group = cell.neuron_group(1, dt=0.01 * ms)
spikes = SpikeMonitor(group)
trace = StateMonitor(group, ["v", "ATP_pump", "ATP_ions"], record=0, dt=1 * ms)
run(20 * second)
pump_block(group, 1)
run(12 * second)
device.build()
start = {k: float(v) for k, v in zip(("Na", "K", "Cl"), (25.231485 * (2160 + 720 * 125.30555 / 25.231485),
                                                          129.25764 * 2160 + 4.0 * 720,
                                                          9.900239 * 2160 + 123.2716 * 720))}
end = {k: float(v[0] / (mM * um**3)) for k, v in ion_totals(group, cell).items()}
t = np.asarray(spikes.t / second)
i20 = int(round(20 / 1e-3)) - 1
print(json.dumps({"spikes": t.tolist(), "start": start, "end": end, "v_end": float(group.v[0] / mV),
                  "atp_pump_20": float(trace.ATP_pump[0][i20]), "atp_ions_20": float(trace.ATP_ions[0][i20])}))
"""


@pytest.fixture(scope="module")
def hd_block(tmp_path_factory):
    """Hubel & Dahlem 2014 in cpp_standalone: 20 s at rest, then the pump fully blocked for 12 s."""
    return run_script(HD_SCRIPT, tmp_path_factory.mktemp("hd"))


def test_hd2014_rest_matches_the_reference():
    """At the model file's concentrations (the .ode initial state), v and n at steady state agree
    with the reference's v-n fixed point at those concentrations to 1e-5 mV (both exact root-finds).
    """
    from scipy.optimize import brentq

    y0 = reference.Y0_ODE.copy()

    def dv(v):  # the reference's dv/dt with n at its steady state, concentrations at the .ode state
        a_n, b_n, _, _ = reference.gating(v, 0.0)
        y = y0.copy()
        y[0], y[1] = v, a_n / (a_n + b_n)
        return reference.rhs(0.0, y)[0]

    v_ref = brentq(dv, -70.0, -60.0, xtol=1e-12)
    with pytest.warns(UserWarning, match="3 steady states"):  # two depolarized ones too, at these concentrations
        rest = resting_state(load_model("hubel_dahlem_2014"))
    assert float(rest.v / mV) == pytest.approx(v_ref, abs=1e-5)  # RT/F = 26.64 mV to 7 digits


def test_hd2014_pump_block_matches_the_reference(hd_block):
    """After a full block at 20 s the reference (Radau, rtol 1e-10, same initial state) fires its
    first spike 4.5236 s later, crosses -20 mV upward 504 times, the last at 29.1560 s, and sits in
    depolarization block (v = -8.638 mV) at 32 s. Measured with rk4 at dt = 0.01 ms: 0.3 ms, 504,
    0.4 ms and 0.012 mV off. Tolerances: 2 ms on the first spike (it ends 4.5 s of slow drift,
    where a 1e-4 relative rate error moves it by ~0.5 ms), 2 spikes of 504, 5 ms on the last
    (after 500 spikes, each crossing reported on the 0.01 ms grid), 0.05 mV on v.
    """
    t = np.array(hd_block["spikes"])
    assert not np.any(t < 20)  # silent at rest
    assert t[0] - 20 == pytest.approx(REFERENCE["first_spike_after_block"], abs=2e-3)
    assert abs(len(t) - REFERENCE["n_up"]) <= 2
    assert t[-1] == pytest.approx(REFERENCE["last_up"], abs=5e-3)
    assert hd_block["v_end"] == pytest.approx(REFERENCE["v_end"], abs=0.05)


def test_hd2014_conserves_every_ion(hd_block):
    """Na+, K+ (counting the glial buffer) and Cl- in cell plus extracellular space stay what they were,
    to 1e-9 relative, through 20 s of rest and 12 s of block, 500 spikes and depolarization block.
    """
    for ion, amount in hd_block["start"].items():
        assert hd_block["end"][ion] == pytest.approx(amount, rel=1e-9, abs=0), ion


def test_two_views_of_atp_agree_at_equilibrium(hd_block):
    """Over 20 s at rest the pump's turnover equals the Na+ that entered / 3 (within 1%)."""
    assert hd_block["atp_pump_20"] == pytest.approx(hd_block["atp_ions_20"], rel=0.01)


def test_na_load_is_pumped_back_with_the_implied_time_constant():
    """A spike train's Na+ excess decays as exp(-t/tau) with the tau the pump and leak imply.

    The squid axon membrane on a 2 um axon (volume/area = 0.5 um), at fixed outside concentrations.
    Linearising d Na_i/dt = -(A/(F V)) (3 i_pump + i_Na) in Na_i with v held:
    1/tau = A/(F V) [3 d i_pump/d Na_i + g_Na (RT/F)/Na_i], with the Kager pump's
    d i_pump/d Na_i = i_pump * 3 K_m/(Na_i (Na_i + K_m)) and g_Na the resting Na+ conductance.
    Tolerance 10%: holding v leaves out the electrogenic pump's hyperpolarization and E_K's drift,
    each a few percent.
    """
    cell = load_model("squid_axon_dynamic_ions")
    volume = cell.area * 0.5 * um
    cell = cell.replace(concentrations=Concentrations(volume, inside=("Na", "K")))
    rest = resting_state(cell)
    group = cell.neuron_group(1, dt=0.05 * ms)  # HH spikes at 6.3 C are slow: rk4 at 0.05 ms resolves them
    mon = StateMonitor(group, "Na_i", record=0, dt=1 * ms)
    net = Network(group, mon)
    group.I_inj = 20 * uA / cm**2
    net.run(150 * ms)  # a train of ~10 spikes loads ~3 mM of Na+
    group.I_inj = 0 * uA / cm**2
    net.run(1.2 * second)
    t, na = np.asarray(mon.t / second), np.asarray(mon.Na_i[0] / mM)
    assert na.max() > 51  # loaded
    late = t > 0.5
    slope, _ = np.polyfit(t[late], np.log(na[late] - 50.0), 1)
    i_pump = float(rest.currents["i_pump"] / (amp / meter**2))
    d_pump = i_pump * 3 * 10.0 / (50.0 * (50.0 + 10.0))  # A/m^2 per mM (= per mol/m^3)
    g_na = float((rest.currents["i_NaV"] + rest.currents["i_leak_Na"]) / (rest.v - 50 * mV) / (siemens / meter**2))
    rtf = float(R * cell.temperature / F)  # volt
    rate = float(cell.area / (F * volume)) * (3 * d_pump + g_na * rtf / 50.0)  # 1/s
    assert -slope == pytest.approx(rate, rel=0.1)


def test_pump_forms_follow_their_published_equations():
    """Each form at given Na_i, K_o against its formula written out here."""
    from brian2 import NeuronGroup

    pumps = {
        "hubel_dahlem": (
            NaKPump.hubel_dahlem(),
            lambda na, k: 6.8 / ((1 + np.exp((25 - na) / 3)) * (1 + np.exp(5.5 - k))),
        ),
        "kager": (NaKPump.kager(10 * uA / cm**2), lambda na, k: 10 * (1 + 2 / k) ** -2 * (1 + 10 / na) ** -3),
    }
    for name, (pump, formula) in pumps.items():
        ns = {**pump.namespace(300 * kelvin), "Na_i": 18 * mM, "K_o": 6 * mM}
        group = NeuronGroup(1, pump.equations() + "\npump_block : 1", namespace=ns)
        assert float(group.i_pump[0] / (uA / cm**2)) == pytest.approx(formula(18.0, 6.0), rel=1e-12), name
        group.pump_block = 0.25
        assert float(group.i_pump[0] / (uA / cm**2)) == pytest.approx(0.75 * formula(18.0, 6.0), rel=1e-12), name
    assert not NaKPump.cressman().electrogenic
    assert float(NaKPump.cressman().I_max / (uA / cm**2)) == pytest.approx(1.25 / 0.044494542)


def test_bad_concentration_input_is_refused():
    cell = load_model("squid_axon_hh1952")  # its ions give E only
    with pytest.raises(ModelError, match="ions.Na needs inside and outside concentrations"):
        cell.replace(concentrations=Concentrations(1 * um**3, inside=("Na",)))
    with pytest.raises(ModelError, match="volume_inside must be positive"):
        Concentrations(-1 * um**3)
    with pytest.raises(ModelError, match="need volume_outside"):
        Concentrations(1 * um**3, outside=("K",))
    group = load_model("hubel_dahlem_2014").neuron_group(1)
    with pytest.raises(ModelError, match=r"fraction must lie in \[0, 1\]"):
        pump_block(group, 1.5)
    with pytest.raises(ModelError, match="no Na\\+/K\\+ pump"):
        pump_block(cell.neuron_group(1), 1)
