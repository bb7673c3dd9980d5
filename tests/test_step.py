"""The time step: each model's measured ``cell.dt``, the refusal of unstable steps, the coarse-step
warning, the model-file keys and the step derived for a cell built in Python.

The physics is checked against NEURON (``tests/neuron_reference.py``, nothing from brian2energy):
the squid model's stored step keeps spike times within the 0.1 ms contract of NEURON's CVODE, and
twice its largest stable step does blow up.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from brian2 import (
    Network,
    NeuronGroup,
    SpikeMonitor,
    cm,
    defaultclock,
    kelvin,
    mS,
    ms,
    mV,
    run,
    uA,
    uF,
    um,
)

from brian2energy import (
    Cell,
    CoarseStepWarning,
    Ion,
    Kdr_HH52,
    Leak,
    ModelError,
    NaV_HH52,
    list_models,
    load_model,
)
from brian2energy.resting import resting_values
from brian2energy.step import LADDER, STABILITY_LADDER

neuron_reference = pytest.importorskip("neuron_reference")  # needs NEURON


@pytest.fixture
def restore_defaultclock():
    dt = defaultclock.dt
    yield
    defaultclock.dt = dt


def _ms(q):
    return round(float(q / ms), 9)


def test_every_shipped_model_stores_its_measured_steps():
    for name in list_models():
        cell = load_model(name)
        assert _ms(cell.dt) in {_ms(x) for x in LADDER}, name
        assert _ms(cell.dt_stable) in {_ms(x) for x in STABILITY_LADDER}, name
        assert cell.dt <= cell.dt_stable, name
        assert cell.dt_source.startswith("benchmarks/step_ladder.py"), name
        assert cell.replace(area=2 * cell.area).dt == cell.dt  # replace keeps the measured steps


def test_squid_dt_keeps_spike_times_within_0_1_ms_of_neuron_cvode():
    # The contract behind cell.dt: rk4 at the stored step (0.05 ms), 1 s of tonic firing at
    # 10 uA/cm^2, against NEURON's own hh under CVODE at rtol = atol = 1e-10 (converged to 2e-5 ms).
    # Brian2's SpikeMonitor reports the start of the step in which v crossed -20 mV, so up to one
    # step (0.05 ms) of the error is that bookkeeping; the bound is the contract itself, 0.1 ms.
    squid = load_model("squid_axon_hh1952")
    assert _ms(squid.dt) == 0.05
    group = squid.neuron_group(1, dt=squid.dt, counters=False)
    group.I_inj = 10 * uA / cm**2
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(1000 * ms)
    ref = neuron_reference.simulate_hh(1000.0, 10.0).spike_times
    got = np.asarray(spikes.t / ms)
    assert len(got) == len(ref) > 60
    assert np.abs(got - ref).max() < 0.1


def test_squid_blows_up_above_its_largest_stable_step():
    # What the refusal prevents: rk4 at 0.1 ms (2 x dt_stable), built without neuron_group's check,
    # turns v into NaN within 30 ms at 10 uA/cm^2 (the 0.05 ms run above stays finite for 1 s).
    squid = load_model("squid_axon_hh1952")
    group = NeuronGroup(1, squid.equations(counters=False), method="rk4", namespace=squid.namespace, dt=0.1 * ms)
    for name, value in resting_values(squid).items():
        setattr(group, name, value)
    group.I_inj = 10 * uA / cm**2
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # Brian2's invalid-value warnings
        Network(group).run(30 * ms)
    assert not np.isfinite(group.v[0])


def test_an_unstable_step_is_refused_with_model_step_method_and_largest_working_step():
    squid = load_model("squid_axon_hh1952")
    with pytest.raises(ModelError) as err:
        squid.neuron_group(1, dt=0.1 * ms)
    message = str(err.value)
    for words in ("squid_axon_hh1952", "dt = 0.1 ms", "'rk4'", "stably up to dt = 0.05 ms", "cell.dt = 0.05 ms"):
        assert words in message
    # the steps known to work are accepted without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoarseStepWarning)
        squid.neuron_group(1, dt=squid.dt)
        squid.neuron_group(1, dt=0.01 * ms)
    # other methods are not checked (the steps were measured for rk4)
    squid.neuron_group(1, dt=0.1 * ms, method="exponential_euler")


def test_the_step_is_checked_at_the_start_of_the_run(restore_defaultclock):
    # defaultclock.dt set after the group was built: refused when the run starts (Brian2 wraps the
    # error of a preparing object; the ModelError is its cause), warned about if only too coarse
    squid = load_model("squid_axon_hh1952")
    group = squid.neuron_group(1, counters=False)
    defaultclock.dt = 0.1 * ms
    with pytest.raises(Exception) as err:
        Network(group).run(1 * ms)
    cause = err.value if isinstance(err.value, ModelError) else err.value.__cause__
    assert isinstance(cause, ModelError) and "dt = 0.1 ms" in str(cause) and "squid_axon_hh1952" in str(cause)
    hd = load_model("hubel_dahlem_2014")
    defaultclock.dt = 0.05 * ms  # stable for rk4 (dt_stable), coarser than its dt (0.01 ms)
    group = hd.neuron_group(1, counters=False)
    with pytest.warns(CoarseStepWarning, match="0.1 ms spike-time contract is not kept"):
        run(0.1 * ms)


def test_a_stable_but_coarse_step_warns():
    hd = load_model("hubel_dahlem_2014")
    assert (_ms(hd.dt), _ms(hd.dt_stable)) == (0.01, 0.05)
    with pytest.warns(
        CoarseStepWarning,
        match=r"hubel_dahlem_2014: dt = 0.025 ms is stable for 'rk4' but larger "
        r"than cell.dt = 0.01 ms.*0.1 ms spike-time contract is not kept",
    ):
        hd.neuron_group(1, dt=0.025 * ms)


GOOD_STEPS = 'spike_threshold = "-20 mV"\ndt = "0.025 ms"\ndt_stable = "0.05 ms"\ndt_source = "measured"'


@pytest.mark.parametrize(
    "steps, words",
    [
        ('dt = "0.025 mV"', ["cell.dt", "'0.025 mV'", "wrong dimensions", "second"]),
        ('dt = "-0.01 ms"', ["cell.dt", "positive time step", "'-0.01 ms'"]),
        ('dt_stable = "0 ms"', ["cell.dt_stable", "positive time step"]),
        ("dt = 0.025", ["cell.dt", "wrong dimensions"]),
        ('dt = "0.1 ms"\ndt_stable = "0.05 ms"', ["cell.dt", "larger than dt_stable"]),
        ("dt_source = 3", ["cell.dt_source", "expected a str"]),
    ],
)
def test_model_file_steps_are_read_and_bad_ones_named(tmp_path, steps, words):
    text = (Path(__file__).parent.parent / "models" / "squid_axon_hh1952.toml").read_text()
    text = "\n".join(line for line in text.splitlines() if not line.startswith(("dt =", "dt_stable =", "dt_source =")))
    good = tmp_path / "good.toml"
    good.write_text(text.replace('spike_threshold = "-20 mV"', GOOD_STEPS))
    cell = load_model(good)
    assert (_ms(cell.dt), _ms(cell.dt_stable), cell.dt_source) == (0.025, 0.05, "measured")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('spike_threshold = "-20 mV"', 'spike_threshold = "-20 mV"\n' + steps))
    with pytest.raises(ModelError) as err:
        load_model(bad)
    assert str(err.value).startswith(str(bad))
    for w in words:
        assert w in str(err.value)


def python_squid(**kwargs):
    return Cell(
        [NaV_HH52(120 * mS / cm**2), Kdr_HH52(36 * mS / cm**2), Leak.split(0.3 * mS / cm**2, -54.387 * mV)],
        C_m=1 * uF / cm**2,
        area=1e4 * um**2,
        ions={"Na": Ion(E=50 * mV), "K": Ion(E=-77 * mV)},
        temperature=279.45 * kelvin,
        **kwargs,
    )


def test_a_python_cell_gets_a_conservative_step_from_its_dynamics():
    cell = python_squid()
    # the same membrane as the squid model file, measured at dt 0.05 ms (stable up to 0.05, not 0.1):
    # the derived step is on the ladder and not above the measured one, and the stability limit is
    # the measured one (rk4's real-axis limit 2.785 at the largest eigenvalue, 3.3e4/s: 0.085 ms)
    assert _ms(cell.dt) in {_ms(x) for x in LADDER} and cell.dt <= load_model("squid_axon_hh1952").dt
    assert _ms(cell.dt_stable) == 0.05
    assert cell.dt_source.startswith("derived")
    with pytest.raises(ModelError, match="stably up to dt = 0.05 ms"):
        cell.neuron_group(1, dt=0.1 * ms)
    # conservative for every shipped model: never above what step_ladder.py measured
    for name in list_models():
        measured = load_model(name)
        derived = measured.replace(dt=None, dt_stable=None)
        assert derived.dt_source.startswith("derived"), name
        assert derived.dt <= measured.dt and derived.dt_stable <= measured.dt_stable, name
    # a passive cell: its one eigenvalue is 1/tau, any ladder step is stable
    passive = Cell(
        [Leak("K", 0.05 * mS / cm**2)],
        C_m=1 * uF / cm**2,
        area=1000 * um**2,
        ions={"K": Ion(E=-90 * mV)},
        temperature=310 * kelvin,
    )
    assert (_ms(passive.dt), _ms(passive.dt_stable)) == (0.05, 0.1)
    # given steps are kept, checked, and kept by replace
    given = python_squid(dt=0.02 * ms, dt_stable=0.05 * ms, dt_source="by hand")
    assert (_ms(given.dt), _ms(given.replace(area=2e4 * um**2).dt), given.dt_source) == (0.02, 0.02, "by hand")
    for kwargs, words in (
        ({"dt": -1 * ms}, "positive time step"),
        ({"dt": 1 * mV}, "Cell: dt"),
        ({"dt": 0.1 * ms, "dt_stable": 0.05 * ms}, "larger than dt_stable"),
    ):
        with pytest.raises(ModelError, match=words):
            python_squid(**kwargs)
