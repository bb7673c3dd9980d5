"""What energy accounting costs a large network (cpp_standalone, OpenMP threads).

10,000 neurons (8,000 Pospischil pyramidal cells balanced 2 mV past their critical rest, so
the network fires by itself, and 2,000 Wang-Buzsaki interneurons) with about 1,000,000
AMPA+NMDA and GABA_A synapses (``brian2energy.network.ei_network``, p = 0.01: 100 inputs per
neuron), 1 s at dt = cell.dt (0.025 ms; the README's table was measured at 0.01 ms), built
three ways: with every energy counter (per mechanism and receptor, both ATP views) and the
population budget monitors; with the budget's counters only
(``counters="totals"``: Na+ and Ca2+ entry of the cells and of their synapses) and the
monitors; and the same network without any (``counters=False``). The builds run in turn,
``--repeats`` times each, in separate processes, side by side in one run.
Prints Brian2's own run time (compilation excluded), neuron-steps per second, the spike
counts, and the extra time accounting costs (target: at most 10%).
Usage: python benchmarks/bench_network.py [--n 10000] [--duration 1] [--threads 2] [--repeats 2]
"""

from __future__ import annotations

import argparse
import tempfile

from worker import run_worker

WORKER = """
import json, sys, warnings
warnings.simplefilter("ignore")
from brian2 import *
from brian2energy import enable_vector_math, load_model
from brian2energy.network import ei_network
from brian2energy.rest import balance_rest, critical_rest
mode, n, duration, threads, workdir = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
counters = {"full": True, "totals": "totals", "off": False}[mode]
enable_vector_math()
set_device("cpp_standalone", directory=workdir)
prefs.devices.cpp_standalone.openmp_threads = threads
rs = load_model("cortical_pyramidal_rs")
e_cell = balance_rest(rs, critical_rest(rs).v + 2 * mV)
i_cell = balance_rest(load_model("fast_spiking_interneuron").replace(area=5000 * um**2), -65 * mV)
defaultclock.dt = min(e_cell.dt, i_cell.dt)  # both cells' measured steps kept (0.025 ms)
net = ei_network(e_cell, i_cell, n_e=n * 4 // 5, n_i=n // 5, p=0.01, seed=1, counters=counters)
net.network.run(duration * second)
print(json.dumps({"run": device._last_run_time, "synapses": sum(len(s) for s in net.synapses.values()),
                  "spikes": {k: int(m.num_spikes) for k, m in net.spikes.items()}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    parser.add_argument("--threads", type=int, default=2, help="OpenMP threads")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    runs = {"full": [], "totals": [], "off": []}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeats):
            for mode in runs:
                print(f"run {k + 1}/{args.repeats}: accounting {mode} ...", flush=True)
                runs[mode].append(run_worker(WORKER, mode, args.n, args.duration, args.threads, f"{tmp}/{mode}"))
    steps = args.n * round(args.duration / 2.5e-5)  # dt = cell.dt of the pyramidal cell, 0.025 ms
    print(f"\n{args.n} neurons, {runs['off'][0]['synapses']} synapses, {args.duration:g} s at dt = 0.025 ms (cell.dt), "
          f"cpp_standalone, {args.threads} OpenMP thread(s); run time = Brian2's timing of the run")
    best = {}
    for mode, label in (("full", "every counter"), ("totals", 'counters="totals"'), ("off", "without accounting")):
        times = [r["run"] for r in runs[mode]]
        best[mode] = min(times)
        print(f"  {label:24s} runs {', '.join(f'{t:.2f}' for t in times)} s; best {best[mode]:.2f} s = "
              f"{steps / best[mode]:.3g} neuron-steps/s; spikes {runs[mode][0]['spikes']}")
    for mode in ("full", "totals"):
        print(f"  accounting ({mode}) costs x{best[mode] / best['off']:.3f} (best against best; target <= 1.10)")


if __name__ == "__main__":
    main()
