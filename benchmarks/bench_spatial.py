"""What counting costs on a morphology, and how a counted SpatialNeuron compares with NEURON on the same cable.

The HH 1952 squid cable of tests/test_spatial.py (radius 238 um, Ri 35.4 ohm cm, 18.5 C, 5 cm in
``--n`` compartments), one propagated action potential and the rest of ``--duration``, at dt = 5 us
(the step at which Brian2's cable solver and NEURON's backward Euler agree to rounding, so equal
accuracy is equal step). Each configuration runs in its own process, side by side in one run:
brian2energy with every counter, brian2energy with ``counters=False`` (cpp_standalone, 1 thread), and
NEURON's ``hh`` on the same cable. Times are the runs' own: Brian2's ``device._last_run_time``, and
NEURON's loop of ``fadvance`` timed by the same clock (``worker.brian2_run_clock``: the Brian2 runs use
OpenMP with one thread, which Brian2 2.9 times by wall clock like 2.10, not by CPU time as without OpenMP).
Usage: python benchmarks/bench_spatial.py [--n 2000] [--duration 0.2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from worker import brian2_run_clock, run_worker

OPENMP_THREADS = 1  # the Brian2 runs' prefs.devices.cpp_standalone.openmp_threads

BRIAN = """
import json, sys
from brian2 import *
from brian2energy import load_model
counters, n, duration, workdir = sys.argv[1] == "on", int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
set_device("cpp_standalone", directory=workdir)
prefs.devices.cpp_standalone.openmp_threads = int(sys.argv[5])
defaultclock.dt = 0.005 * ms
cell = load_model("squid_axon_hh1952").replace(temperature=(273.15 + 18.5) * kelvin)
cable = cell.spatial_neuron(Cylinder(length=5 * cm, diameter=476 * um, n=n), Ri=35.4 * ohm * cm, counters=counters)
cable.run_regularly("I = 30*uA*int(t < 0.2*ms)*int(i == 0)", when="start")  # one run: standalone builds once
run(duration * second)
print(json.dumps({"run": device._last_run_time}))
"""

NEURON = """
import json, sys, time
sys.path.insert(0, sys.argv[4])
import brian2
import neuron_reference as ref
from neuron import h
n, duration, clock = int(sys.argv[1]), float(sys.argv[2]) * 1e3, sys.argv[3]
cable = h.Section(name="cable")
cable.L, cable.diam, cable.Ra, cable.nseg, cable.cm = 50000.0, 476.0, 35.4, n, 1.0
cable.insert("hh")
h.usetable_hh = 0
for segment in cable:
    segment.hh.gnabar, segment.hh.gkbar, segment.hh.gl, segment.hh.el = 0.12, 0.036, 0.0003, -54.387
    segment.ena, segment.ek = 50.0, -77.0
stim = h.IClamp(cable(0.5 / n))
stim.delay, stim.dur, stim.amp = 0.0, 0.2, 30000.0
h.celsius, h.dt, h.secondorder = 18.5, 0.005, 0
h.CVode().active(0)
h.finitialize(ref.resting_potential())
clock = {"cpu": time.process_time, "wall": time.perf_counter}[clock]  # worker.CLOCKS
start = clock()
while h.t < duration - 0.0025:
    h.fadvance()
print(json.dumps({"run": clock() - start}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="compartments")
    parser.add_argument("--duration", type=float, default=0.2, help="simulated seconds")
    args = parser.parse_args()
    clock = brian2_run_clock(OPENMP_THREADS)
    tests = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, mode in (("every counter", "on"), ("no counters", "off")):
            print(f"running brian2energy, {name} ...", flush=True)
            workdir = os.path.join(tmp, mode)
            results[f"brian2energy, {name}"] = run_worker(BRIAN, mode, args.n, args.duration, workdir, OPENMP_THREADS)
    print("running NEURON ...", flush=True)
    results["NEURON hh, backward Euler"] = run_worker(NEURON, args.n, args.duration, clock, tests)
    steps = round(args.duration / 5e-6)
    print(f"\n{args.n} compartments x {steps} steps (dt = 5 us), 1 thread, by {clock} time for both simulators")
    for name, r in results.items():
        print(f"{name:32s} {r['run']:8.2f} s  {args.n * steps / r['run']:.3g} compartment-steps/s")
    on, off = results["brian2energy, every counter"]["run"], results["brian2energy, no counters"]["run"]
    nrn = results["NEURON hh, backward Euler"]["run"]
    print(
        f"counters: x{on / off:.3f} (target <= 1.05); brian2energy with every counter / NEURON: "
        f"{nrn / on:.2f} times as fast at equal accuracy"
    )


if __name__ == "__main__":
    sys.exit(main())
