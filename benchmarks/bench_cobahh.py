"""What accounting a user's own model costs: Brian2's COBAHH network with and without ``from_equations`` counters.

The network of Brette et al. (2007) benchmark 3 (Brian2's ``examples/COBAHH.py``; the cell as in
``tests/cobahh.py``): ``--n`` (default 4000) Traub-Miles cells, 80% excitatory, p = 0.02,
exponential Euler at Brian2's default step of 0.1 ms, ``--duration`` (default 1 s) on
cpp_standalone, built three ways: the user's equations alone; with every counter
``from_equations`` adds (``Q_Na_<term>``, ``Q_Cl_Ei``, ``Q_Na``, ``ATP_ions``); with
``counters="totals"`` and a ``BudgetMonitor`` (what ``network_budget`` needs). Each runs
``--repeats`` times, interleaved, in processes of its own; the best run time of each is kept
(Brian2's own timing of the run, compilation excluded). The spike trains must be identical:
the counters do not change the user's dynamics. Target: accounting costs at most 5%.
Usage: python benchmarks/bench_cobahh.py [--n 4000] [--duration 1] [--repeats 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from worker import run_worker

TESTS = Path(__file__).resolve().parent.parent / "tests"

WORKER = """
import hashlib, json, sys, warnings
warnings.simplefilter("ignore")
mode, n, duration, threads, workdir, tests = sys.argv[1:7]
sys.path.insert(0, tests)
from brian2 import *
from cobahh import AREA, COBAHH, COBAHH_EQS, COBAHH_IONS
from brian2energy import from_equations
from brian2energy.energy import BudgetMonitor
set_device("cpp_standalone", directory=workdir)
prefs.devices.cpp_standalone.openmp_threads = int(threads)
n = int(n)
model = from_equations(COBAHH_EQS, COBAHH_IONS, area=AREA, namespace=COBAHH, synaptic=("Ee", "Ei"))
eqs = {"off": Equations(COBAHH_EQS), "full": model.equations(), "totals": model.equations("totals")}[mode]
seed(2007)
P = NeuronGroup(n, eqs, threshold="v > -20*mV", refractory=3*ms, method="exponential_euler", namespace=model.namespace)
ce = Synapses(P[:4*n//5], P, on_pre="ge += 6*nS", namespace={})
ci = Synapses(P[4*n//5:], P, on_pre="gi += 67*nS", namespace={})
ce.connect(p=0.02)
ci.connect(p=0.02)
P.v = "El + (randn()*5 - 5)*mV"
P.ge = "(randn()*1.5 + 4)*10*nS"
P.gi = "(randn()*12 + 20)*10*nS"
spikes = SpikeMonitor(P)
if mode == "totals":
    budget = BudgetMonitor(P, cell=model, dt=1*ms)
run(float(duration)*second)
trains = hashlib.sha1(spikes.i[:].tobytes() + spikes.t_[:].tobytes()).hexdigest()
print(json.dumps({"run": device._last_run_time, "spikes": int(spikes.num_spikes), "trains": trains}))
"""

LABELS = {"off": "the user's equations alone", "full": "every counter", "totals": 'counters="totals" + budget'}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP threads")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = {mode: [] for mode in LABELS}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeats):
            for mode in runs:
                print(f"run {k + 1}/{args.repeats}: {LABELS[mode]} ...", flush=True)
                runs[mode].append(run_worker(WORKER, mode, args.n, args.duration, args.threads, f"{tmp}/{mode}",
                                             TESTS))
    best = {mode: min(r["run"] for r in rs) for mode, rs in runs.items()}
    print(f"\nCOBAHH, {args.n} cells, {args.duration:g} s at dt = 0.1 ms, exponential Euler, cpp_standalone, "
          f"{args.threads} thread(s); run time = Brian2's timing of the run")
    for mode, rs in runs.items():
        times = ", ".join(f"{r['run']:.2f}" for r in rs)
        print(f"  {LABELS[mode]:28s} runs {times} s; best {best[mode]:.2f} s; "
              f"{rs[0]['spikes']} spikes")
    same = len({r["trains"] for rs in runs.values() for r in rs}) == 1
    print(f"  identical spike trains in every run: {same}")
    for mode in ("full", "totals"):
        print(f"  accounting ({LABELS[mode]}) costs x{best[mode] / best['off']:.3f} (best against best; target <= 1.05)")
    if not same:
        sys.exit("the counters changed the spike trains")


if __name__ == "__main__":
    main()
