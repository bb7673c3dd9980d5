"""What accounting a user's own model costs: Brian2's COBAHH network with and without ``from_equations`` counters.

The network of Brette et al. (2007) benchmark 3 (Brian2's ``examples/COBAHH.py``; the cell as in
``tests/cobahh.py``): ``--n`` (default 4000) Traub-Miles cells, 80% excitatory, p = 0.02,
exponential Euler at Brian2's default step of 0.1 ms, ``--duration`` (default 1 s) on
cpp_standalone. Three copies of the same network (same connections, same initial state) run
side by side in one run, so that the machine's load falls on all three alike: the user's
equations alone; with every counter ``from_equations`` adds (``Q_Na_<term>``, ``Q_Cl_Ei``,
``Q_Na``, ``ATP_ions``); with ``counters="totals"`` and a ``BudgetMonitor`` (what
``network_budget`` needs). Each copy's cost is the time Brian2's profiler books to its code
objects (state update, threshold, reset, synapses, monitors). The three spike trains must be
identical: the counters do not change the user's dynamics. Target: accounting costs at most 5%.
Usage: python benchmarks/bench_cobahh.py [--n 4000] [--duration 1] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from worker import brian2_run_clock, run_worker

TESTS = Path(__file__).resolve().parent.parent / "tests"

WORKER = """
import hashlib, json, sys, warnings
warnings.simplefilter("ignore")
import numpy as np
n_cells, duration, threads, workdir, tests = sys.argv[1:6]
sys.path.insert(0, tests)
from brian2 import *
from cobahh import AREA, COBAHH, COBAHH_EQS, COBAHH_IONS
from brian2energy import from_equations
from brian2energy.energy import BudgetMonitor
set_device("cpp_standalone", directory=workdir)
prefs.devices.cpp_standalone.openmp_threads = int(threads)
N = int(n_cells)
model = from_equations(COBAHH_EQS, COBAHH_IONS, area=AREA, namespace=COBAHH, synaptic=("Ee", "Ei"))
rng = np.random.default_rng(2007)
v0 = COBAHH["El"] + (rng.standard_normal(N)*5 - 5)*mV
ge0 = (rng.standard_normal(N)*1.5 + 4)*10*nS
gi0 = (rng.standard_normal(N)*12 + 20)*10*nS
pre, post = np.nonzero(rng.random((N, N)) < 0.02)
exc = pre < 4*N//5
net = Network()
spikes = {}
for mode, eqs in (("off", Equations(COBAHH_EQS)), ("full", model.equations()), ("totals", model.equations("totals"))):
    P = NeuronGroup(N, eqs, threshold="v > -20*mV", refractory=3*ms, method="exponential_euler",
                    namespace=model.namespace, name=f"{mode}_cells")
    ce = Synapses(P, P, on_pre="ge += 6*nS", namespace={}, name=f"{mode}_exc")
    ci = Synapses(P, P, on_pre="gi += 67*nS", namespace={}, name=f"{mode}_inh")
    ce.connect(i=pre[exc], j=post[exc])
    ci.connect(i=pre[~exc], j=post[~exc])
    P.v, P.ge, P.gi = v0, ge0, gi0
    spikes[mode] = SpikeMonitor(P, name=f"{mode}_spikes")
    net.add(P, ce, ci, spikes[mode])
    if mode == "totals":
        net.add(BudgetMonitor(P, cell=model, dt=1*ms, name="totals_budget"))
net.run(float(duration)*second, profile=True)
cost = {mode: sum(float(t) for name, t in net.profiling_info if name.startswith(mode + "_")) for mode in spikes}
trains = {mode: hashlib.sha1(m.i[:].tobytes() + m.t_[:].tobytes()).hexdigest() for mode, m in spikes.items()}
print(json.dumps({"cost": cost, "trains": trains, "spikes": int(spikes["off"].num_spikes),
                  "run": device._last_run_time}))
"""

LABELS = {"off": "the user's equations alone", "full": "every counter", "totals": 'counters="totals" + budget'}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP threads")
    args = parser.parse_args()
    print(f"building and running three copies of COBAHH ({args.n} cells each) side by side ...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = run_worker(WORKER, args.n, args.duration, args.threads, tmp, TESTS)
    cost = out["cost"]
    print(
        f"\nCOBAHH, {args.n} cells, {args.duration:g} s at dt = 0.1 ms, exponential Euler, cpp_standalone, "
        f"{args.threads} thread(s); cost = Brian2's profiled time of each copy's code objects "
        f"(whole run {out['run']:.2f} s; both by {brian2_run_clock(args.threads)} time)"
    )
    for mode in LABELS:
        print(f"  {LABELS[mode]:28s} {cost[mode]:.2f} s")
    same = len(set(out["trains"].values())) == 1
    print(f"  {out['spikes']} spikes; identical spike trains in the three copies: {same}")
    for mode in ("full", "totals"):
        print(f"  accounting ({LABELS[mode]}) costs x{cost[mode] / cost['off']:.3f} (target <= 1.05)")
    if not same:
        sys.exit("the counters changed the spike trains")


if __name__ == "__main__":
    main()
