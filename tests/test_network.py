"""An E/I network of brian2energy cells: its budget adds up, and numpy and cpp_standalone agree.

Each target runs in its own process (a standalone device cannot be unset within one).
Connectivity and initial potentials come from a seeded numpy generator, so both targets build
the same network; they integrate the same equations with the same method, so spike counts
must be identical over this short run (rounding differences grow only over longer chaotic runs).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
net.network.run(60 * ms)
budget = network_budget(net.budget)
print(json.dumps({
    "count": {k: [int(c) for c in m.count[:]] for k, m in net.spikes.items()},
    "n_spikes": budget.n_spikes,
    "atp": budget.atp,
    "rate_integral": {k: {p: float(np.sum(r * np.diff(budget.t))) for p, r in parts.items()}
                      for k, parts in budget.rate.items()},
    "atp_ions": {k: float(np.sum(g.ATP_ions[:])) for k, g in net.groups.items()},
    "rest_per_neuron": {k: float(budget.rate[k]["rest"][0] / len(g)) for k, g in net.groups.items()},
}))
"""


def run_target(target: str, tmp_path) -> dict:
    result = subprocess.run([sys.executable, "-c", SCRIPT, target, str(tmp_path / target)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def numpy_run(tmp_path_factory):
    return run_target("numpy", tmp_path_factory.mktemp("numpy"))


def test_the_depolarized_network_fires(numpy_run):
    assert sum(numpy_run["count"]["E"]) > 0 and sum(numpy_run["count"]["I"]) > 0


def test_budget_parts_add_up_to_what_the_neurons_counted(numpy_run):
    """The ledger's population sums equal the neurons' own ATP_ions, summed after the run; the
    parts add up to it; the spike tally equals the SpikeMonitor's."""
    for pop in ("E", "I"):
        parts = numpy_run["atp"][pop]
        assert set(parts) == {"rest", "action potentials", "synapses"}
        # ATP_ions started at 0: the neurons' own totals, independent of the ledger and its samples
        assert sum(parts.values()) == pytest.approx(numpy_run["atp_ions"][pop], rel=1e-9)
        for part, value in parts.items():
            assert numpy_run["rate_integral"][pop][part] == pytest.approx(value, rel=1e-12)
        assert numpy_run["n_spikes"][pop] == sum(numpy_run["count"][pop])
        assert parts["synapses"] > 0 and parts["action potentials"] > 0


def test_rest_part_is_the_balanced_rest_cost(numpy_run):
    """The rest part per neuron is the analytical cost of the balanced rest: Na+ leak entry / 3e,
    written out here from the leak split (physics, not the library's rest module)."""
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
