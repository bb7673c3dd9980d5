"""How long a 1,000-point excitability sweep of 2 s takes (target: under 6 s on 2 cores, compilation included).

``excitability_sweep`` balances the squid axon at 1,000 resting potentials from -75 to
-57.5 mV (straddling its critical rest at -59.65 mV), analyses each point's stability and
simulates all of them in one ``NeuronGroup`` for 2 s (dt = cell.dt = 0.05 ms, rk4), with the default
(vectorised) compiler flags. Each
configuration runs in its own process, measured side by side in one run:

* cython, first run in a fresh cache directory (code generation and compilation included);
* cython, run again with that cache warm;
* cpp_standalone with 2 OpenMP threads (compilation included, as every standalone run pays it), ``--repeats``
  times, each in a fresh build directory, and their median.

Prints wall times, the ratio to the 6 s target and the agreement between simulation and
analysis (points that fire vs points the analysis calls unstable).
Usage: python benchmarks/bench_sweep.py [--points 1000] [--duration 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from worker import run_worker

TARGET_S = 6.0

WORKER = """
import json, sys, time, warnings
import numpy as np
from brian2 import *
from brian2energy import load_model
from brian2energy.rest import excitability_sweep
config, points, duration, workdir = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
start = time.perf_counter()
if config == "cpp_standalone":
    set_device("cpp_standalone", directory=workdir)
    prefs.devices.cpp_standalone.openmp_threads = 2
else:
    prefs.codegen.target = "cython"
cell = load_model("squid_axon_hh1952")
table = excitability_sweep(cell, np.linspace(-75, -57.5, points) * mV, duration=duration * second, report=None)
wall = time.perf_counter() - start
fires = np.asarray(table.firing_rate > 0 * Hz)
unstable = table.feasible & ~table.stable
print(json.dumps({"wall": wall, "feasible": int(table.feasible.sum()), "fires": int(fires.sum()),
                  "unstable": int(unstable.sum()), "disagree": int(np.sum(fires[table.feasible] != unstable[table.feasible]))}))
"""


def run(config: str, points: int, duration: float, env: dict, workdir: str) -> dict:
    """Run one configuration in its own process and return its JSON report."""
    start = time.perf_counter()
    report = run_worker(WORKER, config, points, duration, workdir, env=env)
    report["process"] = time.perf_counter() - start
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=2.0, help="simulated seconds")
    parser.add_argument("--repeats", type=int, default=3, help="cpp_standalone runs, each built from scratch")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        # Brian2 keeps compiled cython extensions under ~/.cython/brian_extensions: pointing HOME
        # at an empty directory gives the cold run a fresh cache, which the warm run then reuses.
        env = dict(os.environ, HOME=tmp)
        runs = [("cython, cold cache", "cython"), ("cython, warm cache", "cython")]
        runs += [(f"cpp_standalone, 2 threads, #{k + 1}", "cpp_standalone") for k in range(args.repeats)]
        for k, (name, config) in enumerate(runs):
            print(f"running {name} ...", flush=True)
            results[name] = run(config, args.points, args.duration, env, os.path.join(tmp, f"standalone{k}"))
    standalone = sorted((r for name, r in results.items() if name.startswith("cpp")), key=lambda r: r["wall"])
    results["cpp_standalone, 2 threads, median"] = standalone[len(standalone) // 2]
    print(f"\n{args.points} points x {args.duration:g} s simulated (dt = cell.dt = 0.05 ms, rk4), squid axon")
    print(f"{'configuration':34s} {'wall (s)':>9s} {'/ 6 s':>7s} {'fire':>5s} {'unstable':>9s} {'disagree':>9s}")
    for name, r in results.items():
        print(
            f"{name:34s} {r['wall']:9.1f} {r['wall'] / TARGET_S:7.2f} {r['fires']:5d} {r['unstable']:9d} "
            f"{r['disagree']:9d}"
        )
    print(
        "(wall: in-process time from import to table, compilation included; fire: points with spikes after "
        "settling; unstable: points the analysis calls unstable; disagree: feasible points where they differ)"
    )


if __name__ == "__main__":
    main()
