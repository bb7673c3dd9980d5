"""What an EnergyMonitor costs, measured against the simulation it watches (cpp_standalone, 1 thread).

1,000 squid-axon neurons (currents spread over 0-20 uA/cm^2) for 200 ms at dt = cell.dt (0.05 ms),
run three ways in separate processes, side by side in one run: no monitor, an
``EnergyMonitor`` recording every neuron at every step (what per-spike windows and spike
peaks need), and one recording every 0.1 ms. Prints Brian2's own run time of each and the
ratios to the bare run. Usage: python benchmarks/bench_energy_monitor.py [--n 1000] [--duration 0.2]
"""

from __future__ import annotations

import argparse
import tempfile

from worker import brian2_run_clock, run_worker

WORKER = """
import json, sys
import numpy as np
from brian2 import *
from brian2energy import load_model
from brian2energy.energy import EnergyMonitor
mode, n, duration, workdir = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
set_device("cpp_standalone", directory=workdir)
cell = load_model("squid_axon_hh1952")
group = cell.neuron_group(n, dt=cell.dt)  # its measured step, 0.05 ms
group.I_inj = np.linspace(0, 20, n) * uA / cm**2
if mode == "every step":
    EnergyMonitor(group)
elif mode == "every 0.1 ms":
    EnergyMonitor(group, dt=0.1 * ms)
run(duration * second)
print(json.dumps({"run": device._last_run_time}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=0.2, help="simulated seconds")
    args = parser.parse_args()
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, mode in enumerate(("none", "every step", "every 0.1 ms")):
            print(f"running: monitor {mode} ...", flush=True)
            times[mode] = run_worker(WORKER, mode, args.n, args.duration, f"{tmp}/{k}")["run"]
    clock = brian2_run_clock(0)  # the workers leave openmp_threads at 0
    print(
        f"\n{args.n} neurons, {args.duration:g} s at dt = cell.dt (run time: Brian2's timing of the run, "
        f"{clock} time in all three)"
    )
    for mode, t in times.items():
        print(f"  EnergyMonitor {mode:14s} {t:8.2f} s   x{t / times['none']:.3f} of the bare run")


if __name__ == "__main__":
    main()
