"""Minutes of biological time in seconds: one Hubel & Dahlem 2014 cell under a pump block, cpp_standalone.

The cell rests 20 s, its pump is blocked for 9.5 s (500 spikes, then depolarization block) and
restored, and it is followed to ``--duration`` seconds (recovery takes ~80 s), at dt = cell.dt = 0.01 ms
with rk4, spikes recorded, the default vectorised maths. Prints Brian2's run time (compilation excluded), the ratio of
simulated to run time, and the same for ``--neurons`` independent cells in one group (cells
with different block fractions, vectorised: no Python loop over cells).
Usage: python benchmarks/bench_pump_block.py [--duration 120] [--neurons 100]
"""

from __future__ import annotations

import argparse
import tempfile

from worker import brian2_run_clock, run_worker

WORKER = """
import json, sys, warnings
warnings.simplefilter("ignore")
import numpy as np
from brian2 import *
from brian2energy import load_model
from brian2energy.ions import pump_block
n, duration, workdir = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
set_device("cpp_standalone", directory=workdir, build_on_run=False)
cell = load_model("hubel_dahlem_2014")
group = cell.neuron_group(n, dt=cell.dt)  # its measured step, 0.01 ms
spikes = SpikeMonitor(group)
run(20 * second)
pump_block(group, np.linspace(1, 0.5, n))
run(9.5 * second)
pump_block(group, 0)
run((duration - 29.5) * second)
device.build()
print(json.dumps({"run": device._last_run_time, "spikes": int(spikes.num_spikes)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0, help="simulated seconds (> 29.5)")
    parser.add_argument("--neurons", type=int, default=100)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1, args.neurons):
            print(f"running {n} cell(s) ...", flush=True)
            results[n] = run_worker(WORKER, n, args.duration, f"{tmp}/{n}")
    print(
        f"\nHubel & Dahlem 2014 cell, pump blocked 20-29.5 s, {args.duration:g} s simulated at dt = cell.dt = 0.01 ms, "
        f"rk4, cpp_standalone, 1 thread (run time: Brian2's timing of the run, {brian2_run_clock(0)} time)"
    )
    for n, r in results.items():
        print(
            f"  {n:5d} cell(s): {r['run']:7.2f} s run time, simulated/run time = {args.duration / r['run']:6.1f} "
            f"(x{n} cells: {n * args.duration / r['run']:.0f} cell-seconds per second), {r['spikes']} spikes"
        )


if __name__ == "__main__":
    main()
