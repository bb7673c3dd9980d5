"""Chain gates: linear kinetic schemes (x0 <-> x1 <-> ... <-> xN) as a channel's gate.

References: an HH gate m**3 is exactly a four-state chain with rates (3 alpha, beta), (2 alpha, 2 beta),
(alpha, 3 beta) (three independent two-state particles; Hille, Ion Channels of Excitable Membranes,
ch. 18); a linear chain at steady state obeys detailed balance, x_k / x_(k-1) = forward_k / backward_k.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import StateMonitor, cm, ms, mV, run, uA

from brian2energy import (
    Cell,
    Channel,
    Gate,
    ModelError,
    load_model,
    membrane_noise,
    resting_state,
)
from brian2energy.errors import UnmodelledNoiseWarning
from brian2energy.rest import dynamics

SQUID = load_model("squid_axon_hh1952")
NAV = next(m for m in SQUID.mechanisms if m.name == "NaV")
AM, BM = NAV.GATES[0].alpha, NAV.GATES[0].beta
BINOMIAL = [(f"3*{AM}", BM), (f"2*{AM}", f"2*{BM}"), (AM, f"3*{BM}")]


def squid_with(nav):
    mechs = [nav if m.name == "NaV" else m for m in SQUID.mechanisms]
    return Cell(
        mechs, C_m=SQUID.C_m, area=SQUID.area, ions=SQUID.ions, temperature=SQUID.temperature, name="squid_chain"
    )


CHAIN_SQUID = squid_with(
    Channel("NaV", "Na", NAV.g, [Gate("m", chain=BINOMIAL), NAV.GATES[1]], q10=3.0, T_ref=NAV.T_ref)
)


def test_binomial_chain_is_the_hh_gate_at_rest():
    hh, chain = resting_state(SQUID), resting_state(CHAIN_SQUID)
    # the same steady state to rounding (exact equivalence; 1e-9 leaves room for the bisection's last bit)
    assert float(chain.v / mV) == pytest.approx(float(hh.v / mV), abs=1e-9)
    assert chain.gates["m3_NaV"] == pytest.approx(hh.gates["m_NaV"] ** 3, rel=1e-9)
    # the chain's other states: the binomial probabilities of at least one (two) open particles
    m = hh.gates["m_NaV"]
    assert chain.gates["m1_NaV"] == pytest.approx(1 - (1 - m) ** 3, rel=1e-9)
    assert chain.gates["m2_NaV"] == pytest.approx(3 * m**2 * (1 - m) + m**3, rel=1e-9)
    assert float(chain.input_resistance / hh.input_resistance) == pytest.approx(1, rel=1e-9)
    assert chain.stable and hh.stable


def test_binomial_chain_spikes_as_the_hh_gate():
    traces = []
    for cell in (SQUID, CHAIN_SQUID):
        group = cell.neuron_group(1, dt=0.01 * ms)
        group.I_inj = 10 * uA / cm**2
        monitor = StateMonitor(group, "v", record=0)
        run(30 * ms)
        traces.append(np.asarray(monitor.v[0] / mV))
    # both integrate the same dynamics by rk4 at 0.01 ms: they differ by the two discretisations'
    # local errors only (1e-5 mV of rk4's error at this step; 1e-3 mV leaves a margin, a spike is 100 mV)
    assert np.max(np.abs(traces[0] - traces[1])) < 1e-3
    assert traces[0].max() > 0  # it fired


CPP = """
import json, sys
from brian2 import *
sys.path.insert(0, sys.argv[2])
from test_chain_gate import CHAIN_SQUID
set_device("cpp_standalone", directory=sys.argv[1])
group = CHAIN_SQUID.neuron_group(1, dt=0.01*ms)
group.I_inj = 10*uA/cm**2
run(30*ms)
print(json.dumps({"v": float(group.v[0] / mV), "m3": float(group.m3_NaV[0]), "Q_Na": float(group.Q_Na[0] / coulomb)}))
"""


def test_chain_gate_compiles_to_cpp_standalone(tmp_path):
    # a chain gate in generated C++ integrates as numpy does (to rounding: the same rk4 in another language)
    from pathlib import Path

    from brian2 import coulomb, prefs

    from script_runner import run_script

    compiled = run_script(CPP, str(tmp_path / "standalone"), str(Path(__file__).parent))
    target = prefs.codegen.target
    prefs.codegen.target = "numpy"
    try:
        group = CHAIN_SQUID.neuron_group(1, dt=0.01 * ms)
        group.I_inj = 10 * uA / cm**2
        run(30 * ms)
    finally:
        prefs.codegen.target = target
    assert compiled["v"] == pytest.approx(float(group.v[0] / mV), rel=1e-9, abs=1e-9)
    assert compiled["m3"] == pytest.approx(float(group.m3_NaV[0]), rel=1e-7, abs=1e-12)
    assert compiled["Q_Na"] == pytest.approx(float(group.Q_Na[0] / coulomb), rel=1e-9)


def test_chain_steady_state_obeys_detailed_balance():
    # Schmidt-Hieber & Bischofberger 2010's activation chain (na8st.mod, Hallermann et al. 2012): unequal rates
    coefficients = [
        ((45.85, 0.02394), (0.01441, -0.08848)),
        ((19.81, 0.02218), (0.5650, -0.06108)),
        ((71.81, 0.06594), (0.7531, -0.03648)),
    ]  # (per ms, per mV) of A exp(k v)
    rates = [tuple(f"{a}*exp({k}*v/mV)/ms" for a, k in pair) for pair in coefficients]
    chan = Channel("Nax", "Na", NAV.g, [Gate("m", chain=rates), NAV.GATES[1]], q10=3.0, T_ref=NAV.T_ref)
    dyn = dynamics(squid_with(chan))
    v_mv = np.linspace(-120, 40, 17)
    ratio = np.column_stack(
        [np.ones(v_mv.size)] + [a * np.exp(k * v_mv) / (b * np.exp(q * v_mv)) for (a, k), (b, q) in coefficients]
    )
    weights = np.cumprod(ratio, axis=1)
    occupancy = weights / weights.sum(axis=1, keepdims=True)
    for k in (1, 2, 3):  # the states are the fractions in state k or beyond
        expected = occupancy[:, k:].sum(axis=1)
        assert dyn.gate_inf[f"m{k}_Nax"](v_mv * 1e-3, 0.0) == pytest.approx(expected, rel=1e-9)


def test_chain_gate_bad_input():
    with pytest.raises(ModelError, match="power 1"):
        Gate("m", power=2, chain=BINOMIAL)
    with pytest.raises(ModelError, match="forward, backward"):
        Gate("m", chain=[("1/ms",)])
    with pytest.raises(ModelError, match="backward1.*>= 0"):
        Channel("X", "Na", NAV.g, [Gate("m", chain=[("1/ms", "-1/ms")])])
    with pytest.raises(ModelError, match="unique"):
        Channel("X", "Na", NAV.g, [Gate("m", chain=BINOMIAL), Gate("m1", inf="0.5")])


def test_chain_channel_noise_is_reported_as_unmodelled():
    with pytest.warns(UnmodelledNoiseWarning, match="kinetic scheme"):
        noise = membrane_noise(CHAIN_SQUID, single_channel_conductance={"Kdr": NAV.single_channel_conductance})
    assert "NaV" not in noise.current and "Kdr" in noise.current


CHAIN_FILE = """
description = "a channel gated by a two-transition chain"
[cell]
C_m = "1 uF/cm^2"
area = "1000 um^2"
temperature = "6.3 degC"
[ions.Na]
E = "50 mV"
[ions.K]
E = "-77 mV"
[[mechanisms]]
type = "Channel"
name = "NaX"
ion = "Na"
g = "0.01 mS/cm^2"
[[mechanisms.gates]]
name = "m"
chain = [["2*exp(v/(20*mV))/ms", "1*exp(-v/(20*mV))/ms"], ["1*exp(v/(20*mV))/ms", "2*exp(-v/(20*mV))/ms"]]
[[mechanisms]]
type = "Leak"
ion = "K"
g = "0.3 mS/cm^2"
"""


def test_chain_gate_from_a_model_file(tmp_path):
    path = tmp_path / "chain.toml"
    path.write_text(CHAIN_FILE)
    cell = load_model(path)
    assert cell.mechanisms[0].states == ("m1_NaX", "m2_NaX")
    # two independent particles with rates (a, b): the chain (2a, b), (a, 2b); a/b = exp(v/10 mV), p = a/(a + b)
    rest = resting_state(cell)
    p = 1 / (1 + np.exp(-float(rest.v / mV) / 10))
    assert rest.gates["m2_NaX"] == pytest.approx(p**2, rel=1e-9)
    path.write_text(CHAIN_FILE.replace('["1*exp(v/(20*mV))/ms", "2*exp(-v/(20*mV))/ms"]]', '"1/ms"]'))
    with pytest.raises(ModelError, match=r"chain\[1\].*pair of rate expressions"):
        load_model(path)
