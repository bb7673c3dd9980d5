"""What energy accounting costs a large network (cpp_standalone, OpenMP threads).

10,000 neurons (8,000 Pospischil pyramidal cells balanced 2 mV past their critical rest, so
the network fires by itself, and 2,000 Wang-Buzsaki interneurons) with about 1,000,000
AMPA+NMDA and GABA_A synapses (``brian2energy.network.ei_network``, p = 0.01: 100 inputs per
neuron), 1 s at dt = cell.dt (0.025 ms), built three ways: with every energy counter (per
mechanism and receptor, both ATP views) and the population budget monitors; with the
budget's counters only (``counters="totals"``: Na+ and Ca2+ entry of the cells and of their
synapses) and the monitors; and the same network without any (``counters=False``). The
three copies (same seed, so the same connections and initial states) run side by side in
one ``Network`` of one run, so that the machine's load falls on all three alike; each
copy's cost is the time Brian2's profiler books to its code objects. Prints those times,
neuron-steps per second, the spike counts (equal in the three copies: counters do not
change the dynamics) and the extra time accounting costs (target: at most 5% for what a
network budget needs).
Usage: python benchmarks/bench_network.py [--n 10000] [--duration 1] [--threads 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile

from worker import brian2_run_clock, run_worker

WORKER = """
import json, sys, warnings
warnings.simplefilter("ignore")
from brian2 import *
from brian2energy import load_model
from brian2energy.network import ei_network
from brian2energy.rest import balance_rest, critical_rest
n, duration, threads, workdir = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
set_device("cpp_standalone", directory=workdir)
prefs.devices.cpp_standalone.openmp_threads = threads
rs = load_model("cortical_pyramidal_rs")
e_cell = balance_rest(rs, critical_rest(rs).v + 2 * mV)
i_cell = balance_rest(load_model("fast_spiking_interneuron").replace(area=5000 * um**2), -65 * mV)
defaultclock.dt = min(e_cell.dt, i_cell.dt)  # both cells' measured steps kept (0.025 ms)
network = Network()
nets = {}
for mode, counters in (("full", True), ("totals", "totals"), ("off", False)):
    nets[mode] = ei_network(e_cell, i_cell, n_e=n * 4 // 5, n_i=n // 5, p=0.01, seed=1, counters=counters,
                            name=f"{mode}_")
    network.add(*nets[mode].network.objects)
network.run(duration * second, profile=True)
cost = {mode: sum(float(t) for name, t in network.profiling_info if name.startswith(mode + "_")) for mode in nets}
print(json.dumps({"cost": cost, "run": device._last_run_time,
                  "synapses": sum(len(s) for s in nets["off"].synapses.values()),
                  "spikes": {mode: {k: int(m.num_spikes) for k, m in net.spikes.items()} for mode, net in nets.items()}}))
"""

LABELS = {"full": "every counter", "totals": 'counters="totals"', "off": "without accounting"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    parser.add_argument("--threads", type=int, default=2, help="OpenMP threads")
    args = parser.parse_args()
    print(f"building and running three copies of the network ({args.n} neurons each) side by side ...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = run_worker(WORKER, args.n, args.duration, args.threads, tmp)
    steps = args.n * round(args.duration / 2.5e-5)  # dt = cell.dt of the pyramidal cell, 0.025 ms
    print(
        f"\n{args.n} neurons, {out['synapses']} synapses per copy, {args.duration:g} s at dt = 0.025 ms "
        f"(cell.dt), cpp_standalone, {args.threads} OpenMP thread(s); cost = Brian2's profiled time of each "
        f"copy's code objects (whole run {out['run']:.1f} s; both by {brian2_run_clock(args.threads)} time)"
    )
    cost = out["cost"]
    for mode, label in LABELS.items():
        print(
            f"  {label:24s} {cost[mode]:.2f} s = {steps / cost[mode]:.3g} neuron-steps/s; spikes {out['spikes'][mode]}"
        )
    same = len({repr(sorted(s.items())) for s in out["spikes"].values()}) == 1
    print(f"  equal spike counts in the three copies: {same}")
    for mode in ("full", "totals"):
        print(f"  accounting ({LABELS[mode]}) costs x{cost[mode] / cost['off']:.3f} (target for totals <= 1.05)")
    if not same:
        sys.exit("the counters changed the spikes")


if __name__ == "__main__":
    main()
