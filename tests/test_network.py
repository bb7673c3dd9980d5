"""An E/I network of brian2energy cells: its budget adds up, and numpy and cpp_standalone agree.

Each target runs in its own process (a standalone device cannot be unset within one).
Connectivity and initial potentials come from a seeded numpy generator, so both targets build
the same network; they integrate the same equations with the same method, so spike counts
must be identical over this short run (rounding differences grow only over longer chaotic runs).
"""

from __future__ import annotations

import numpy as np
import pytest

from script_runner import run_script

SCRIPT = """
import json, sys, warnings
warnings.simplefilter("ignore")
from brian2 import *
from brian2energy import load_model
from brian2energy.energy import network_budget
from brian2energy.network import ei_network
from brian2energy.rest import balance_rest
target, out = sys.argv[1], sys.argv[2]
if target == "cpp_standalone":
    set_device("cpp_standalone", directory=out)
else:
    prefs.codegen.target = target
defaultclock.dt = 0.01 * ms
rs = balance_rest(load_model("cortical_pyramidal_rs"), -52 * mV)   # past its critical rest (-54.1 mV)
fs = balance_rest(load_model("fast_spiking_interneuron").replace(area=5000 * um**2), -65 * mV)
net = ei_network(rs, fs, n_e=40, n_i=10, p=0.2, seed=3, v_spread=4 * mV, budget_dt=1 * ms)
# an independent record of the same totals: every neuron's ATP_ions, every 1 ms, summed afterwards
traces = {k: StateMonitor(g, "ATP_ions", record=True, dt=1 * ms) for k, g in net.groups.items()}
net.network.add(list(traces.values()))
net.network.run(60 * ms)
budget = network_budget(net.budget)
print(json.dumps({
    "count": {k: [int(c) for c in m.count[:]] for k, m in net.spikes.items()},
    "n_spikes": budget.n_spikes,
    "atp": budget.atp,
    "budget_cumulative": {k: np.cumsum(np.sum(list(parts.values()), axis=0) * np.diff(budget.t)).tolist()
                          for k, parts in budget.rate.items()},
    "trace_cumulative": {k: (np.sum(m.ATP_ions, axis=0) - np.sum(m.ATP_ions[:, 0])).tolist()
                         for k, m in traces.items()},
    "atp_ions": {k: float(np.sum(g.ATP_ions[:])) for k, g in net.groups.items()},
    "rest_per_neuron": {k: float(budget.rate[k]["rest"][0] / len(g)) for k, g in net.groups.items()},
}))
"""


def run_target(target: str, tmp_path) -> dict:
    return run_script(SCRIPT, target, tmp_path / target)


@pytest.fixture(scope="module")
def numpy_run(tmp_path_factory):
    return run_target("numpy", tmp_path_factory.mktemp("numpy"))


def test_the_depolarized_network_fires(numpy_run):
    assert sum(numpy_run["count"]["E"]) > 0 and sum(numpy_run["count"]["I"]) > 0


def test_budget_parts_add_up_to_what_the_neurons_counted(numpy_run):
    """The parts add up to the neurons' own ATP_ions, summed after the run; over time, the ledger's
    population sums follow a StateMonitor of every neuron's ATP_ions at each 1 ms sample; the
    spike tally equals the SpikeMonitor's.
    """
    for pop in ("E", "I"):
        parts = numpy_run["atp"][pop]
        assert set(parts) == {"rest", "action potentials", "synapses"}
        # ATP_ions started at 0: the neurons' own totals, independent of the ledger and its samples
        assert sum(parts.values()) == pytest.approx(numpy_run["atp_ions"][pop], rel=1e-9)
        # ledger sample k (after bin k) against the StateMonitor at the same time, both at 1 ms
        over_time = numpy_run["budget_cumulative"][pop][:-1]  # the last bin ends at the run's end, not a sample
        trace = numpy_run["trace_cumulative"][pop][1:]
        assert len(over_time) == len(trace) == 59
        np.testing.assert_allclose(over_time, trace, rtol=1e-9, atol=1e-9 * trace[-1])
        assert numpy_run["n_spikes"][pop] == sum(numpy_run["count"][pop])
        assert parts["synapses"] > 0 and parts["action potentials"] > 0


def test_rest_part_is_the_balanced_rest_cost(numpy_run):
    """The rest part per neuron (Na+ entry at the resting state / 3e, the ions view) is the pump
    turnover balance_rest set to hold that rest (the pump view): at a balanced rest they must agree.
    """
    from brian2 import mV
    from brian2.units.constants import elementary_charge

    from brian2energy import load_model
    from brian2energy.rest import balance_rest

    cell = balance_rest(load_model("cortical_pyramidal_rs"), -52 * mV)
    ns = cell.namespace
    # at a balanced rest the pump turns over at Na+ entry / 3: one ATP per cycle
    cycles = float(ns["I_max_pump"] * cell.area / elementary_charge)
    assert numpy_run["rest_per_neuron"]["E"] == pytest.approx(cycles, rel=1e-6)


def test_numpy_and_cpp_standalone_give_the_same_spike_counts(numpy_run, tmp_path):
    other = run_target("cpp_standalone", tmp_path)
    assert other["count"] == numpy_run["count"]
    for pop in ("E", "I"):
        for part, value in numpy_run["atp"][pop].items():
            assert other["atp"][pop][part] == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize(
    ("n_e", "n_i", "p", "population", "size"), [(40, 10, 0.05, "I", "n_i"), (4, 100, 0.1, "E", "n_e")]
)
def test_a_population_that_would_send_no_synapse_is_refused(n_e, n_i, p, population, size):
    """Fixed in-degree round(p * n) = 0 would connect empty arrays (Brian2's ValueError from inside
    Synapses.connect) or, skipped, silently leave a pathway empty: a ModelError names p, the size and
    the population instead, before any Brian2 object is made.
    """
    from brian2energy import ModelError, load_model
    from brian2energy.network import ei_network

    cell = load_model("squid_axon_hh1952")
    with pytest.raises(
        ModelError,
        match=rf"p = {p}.*{size} = {n_i if size == 'n_i' else n_e}.*the {population} "
        rf"population would send no synapse.*p \* {size} > 0\.5",
    ):
        ei_network(cell, cell, n_e=n_e, n_i=n_i, p=p)


def test_one_synapse_per_neuron_and_population_is_built():
    """Just above the limit (p * n_i = 0.6 rounds to 1), every neuron receives exactly one synapse from
    the I population and round(0.06 * 40) = 2 from the E population.
    """
    import gc

    from brian2.utils.logger import catch_logs

    from brian2energy import load_model
    from brian2energy.network import ei_network

    rs, fs = load_model("cortical_pyramidal_rs"), load_model("fast_spiking_interneuron")
    with catch_logs():  # Brian2's "never included in a network" notes when the unrun network goes
        net = ei_network(rs, fs, n_e=40, n_i=10, p=0.06, counters=False, name="limit_")
        for source, k in (("E", 2), ("I", 1)):
            for target, n in (("E", 40), ("I", 10)):
                pathway = net.synapses[source + target]
                assert len(pathway) == k * n
                assert np.array_equal(np.bincount(pathway.j[:], minlength=n), np.full(n, k))
        del net, pathway
        gc.collect()
