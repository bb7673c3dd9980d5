"""Core benchmark: energy counters on versus off, and brian2energy versus NEURON's ``hh``.

What it measures (all in one run, so the ratios compare like with like):

* ``N`` (default 10,000) Hodgkin-Huxley 1952 squid-axon neurons, neuron ``i``
  injected with a constant current density ``20*i/(N-1)`` uA/cm^2 (0-20 uA/cm^2),
  simulated for ``--duration`` (default 1 s) from rest.
* brian2energy exactly as the README tells a user to write it: ``load_model("squid_axon_hh1952")``,
  ``defaultclock.dt = cell.dt`` (the model's measured step, 0.05 ms), ``cell.neuron_group(N)``
  (rk4, every counter on), Brian2's ``cpp_standalone`` device, no tuning call (the vectorised
  maths that ``import brian2energy`` turns on is the default). Run ``--repeats`` times (default
  2); the minimum run time is kept. Compile time (code generation and ``make``: the build's
  wall time minus the wall time of the compiled binary) is reported apart from the run time,
  which is Brian2's own timing of ``Network::run`` (``device._last_run_time``).
* What the counters cost, side by side in one run: one process runs two groups with every
  counter and two without, interleaved in one ``Network`` (the same currents), and Brian2's
  profiler books each group's code objects; the ratio is the counted groups' time over the
  others'. Target: at most 3%.
* NEURON's built-in ``hh`` in ``N`` single-compartment sections with the same
  parameters as ``tests/neuron_reference.py`` (the validated reference), each
  with its own ``IClamp`` giving the same current density, started at rest and
  integrated with ``ParallelContext.psolve`` (``cache_efficient`` on) at:
  Crank-Nicolson (``secondorder=2``) at dt = 0.0125 ms, the largest of 0.025,
  0.0125, ... that keeps spike times within 0.1 ms of CVODE over 1 s at 0-20
  uA/cm^2 (at dt = 0.025 ms it drifts 0.26 ms by 1 s; backward Euler needs
  dt < 0.0005 ms, too slow to run at this N); and backward Euler at dt = 0.01 ms,
  Brian2's former step but *not* equally accurate, for reference. Setup (building the
  sections) is reported apart from the run (``psolve``).
* Accuracy, checked in the same run: for about 10 neurons spread over the
  current range, the spike times of every configuration are compared in order
  with NEURON's CVODE at rtol = atol = 1e-10 (``simulate_hh``), over the whole
  duration and over the first 200 ms. A configuration is equally accurate if
  every sampled neuron has the reference's spike count and all its spike times
  are within 0.1 ms. Spike times are as each simulator records them: Brian2
  reports the start of the step in which v crossed -20 mV, NEURON's ``NetCon``
  the end of that step (neither interpolates), so each carries up to one step
  of bookkeeping error of opposite sign.

Timing clock: Brian2 2.9's standalone code times a run without OpenMP (``--threads 1``: the
``openmp_threads`` preference left at 0) with ``std::clock`` (process CPU time), with OpenMP
(``--threads > 1``) by wall clock (``omp_get_wtime``), and Brian2 2.10 and later always by wall
clock (``benchmarks/worker.py``'s ``brian2_run_clock``, which the Brian2 run reports). NEURON's
run is timed by both clocks (``worker.CLOCKS``: ``time.process_time``, ``time.perf_counter``)
and compared by the one Brian2's run was timed by; with
``--threads > 1`` NEURON uses as many threads (``ParallelContext.nthread``). The "wall s" column gives NEURON's wall time of
``psolve`` and, for Brian2, the wall time of the whole compiled binary
(including its start-up and writing the results).

Figures: neuron-steps per second = N*steps/run time, the cost of one step;
neuron-seconds per wall second = N*duration/run time, the speed to a solution
of equal accuracy (the fair comparison when the step sizes differ).

Every Brian2 and NEURON configuration runs in its own subprocess (this script
re-invoked with a hidden sub-command that prints JSON), one at a time.

Usage::

    python benchmarks/bench_core.py            # N = 10,000, 1 s: ~15 minutes on 2 cores
    python benchmarks/bench_core.py --quick    # N = 500, 0.2 s: a smoke check
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from worker import CLOCKS, brian2_run_clock

TESTS_DIR = Path(__file__).resolve().parent.parent / "tests"
MODEL = "squid_axon_hh1952"
I_MAX = 20.0  # largest injected current density, uA/cm^2
BRIAN_DT = None  # ms; None: the model's cell.dt (read in the Brian2 sub-process)
N_SAMPLE = 10  # neurons checked against CVODE
TOLERANCE = 0.1  # ms, the accuracy criterion on spike times
EARLY_WINDOW = 200.0  # ms, the window the NEURON step sizes were chosen on
OVERHEAD_TARGET = 0.03  # every counter may add at most 3% run time
SPEEDUP_TARGET = 15.0  # brian2energy: at least 15 times NEURON's neuron-seconds per second

# NEURON configurations: (label, dt in ms, secondorder, equally accurate by design)
NEURON_CONFIGS: list[tuple[str, float, int, bool]] = [
    ("NEURON CN dt=0.0125", 0.0125, 2, True),
    ("NEURON BE dt=0.01", 0.01, 0, False),
]


def currents(n: int) -> np.ndarray:
    """Injected current densities, uA/cm^2: evenly spread over 0-20."""
    return np.linspace(0.0, I_MAX, n)


def sample_indices(n: int) -> list[int]:
    """Indices of the neurons checked against CVODE, spread over the current range."""
    return sorted({int(i) for i in np.round(np.linspace(0, n - 1, min(N_SAMPLE, n)))})


def steps(duration_ms: float, dt: float) -> int:
    """Number of integration steps of ``dt`` in ``duration_ms``."""
    return int(round(duration_ms / dt))


# --- sub-commands (each runs in its own process and prints one JSON line) ---


def run_brian2(n: int, duration_ms: float, threads: int) -> dict[str, Any]:
    """One cpp_standalone run of brian2energy; timings in s, spike times in ms."""
    from brian2 import (
        SpikeMonitor,
        cm,
        defaultclock,
        device,
        ms,
        prefs,
        run,
        set_device,
        uA,
    )

    from brian2energy import load_model

    with tempfile.TemporaryDirectory(prefix="bench_core_") as directory:
        start = time.perf_counter()
        set_device("cpp_standalone", directory=directory, build_on_run=False)
        if threads > 1:
            prefs.devices.cpp_standalone.openmp_threads = threads
        cell = load_model(MODEL)
        step = cell.dt if BRIAN_DT is None else BRIAN_DT * ms
        defaultclock.dt = step
        group = cell.neuron_group(n)
        group.I_inj = currents(n) * uA / cm**2
        spikes = SpikeMonitor(group)
        run(duration_ms * ms)
        setup = time.perf_counter() - start
        start = time.perf_counter()
        device.build(directory=directory, compile=True, run=True)
        build = time.perf_counter() - start
        if device._last_run_completed_fraction != 1.0:
            raise RuntimeError("the standalone run did not complete")
        binary = device.timers["run_binary"]
        index, t = np.asarray(spikes.i[:]), np.asarray(spikes.t[:] / ms)
    return {
        "dt": float(step / ms),
        "setup": setup,
        "compile": build - binary,
        "run": device._last_run_time,
        "wall": binary,
        "n_spikes": len(t),
        "trains": [t[index == i].tolist() for i in sample_indices(n)],
        "clock": brian2_run_clock(prefs.devices.cpp_standalone.openmp_threads),
    }


def run_side_by_side(n: int, duration_ms: float) -> dict[str, Any]:
    """Groups with every counter and without, interleaved in one profiled standalone run."""
    from brian2 import Network, cm, defaultclock, ms, set_device, uA

    from brian2energy import load_model

    with tempfile.TemporaryDirectory(prefix="bench_core_side_") as directory:
        set_device("cpp_standalone", directory=directory)
        cell = load_model(MODEL)
        defaultclock.dt = cell.dt
        network = Network()
        for k, counters in enumerate((True, False, False, True)):
            group = cell.neuron_group(n, counters=counters, name=f"{'on' if counters else 'off'}{k}_")
            group.I_inj = currents(n) * uA / cm**2
            network.add(group)
        network.run(duration_ms * ms, profile=True)
        cost = {"on": 0.0, "off": 0.0}
        for name, t in network.profiling_info:
            cost[name[: name.index("_")].rstrip("0123456789")] += float(t)
    return cost


def run_neuron(n: int, duration_ms: float, dt: float, secondorder: int, threads: int) -> dict[str, Any]:
    """One fixed-step NEURON run of ``n`` hh compartments; timings in s, spike times in ms."""
    sys.path.insert(0, str(TESTS_DIR))
    from neuron import h

    import neuron_reference as ref

    v_rest = ref.resting_potential()
    start = time.perf_counter()
    h.celsius = ref.CELSIUS
    h.usetable_hh = 0
    length = 100.0 / math.sqrt(math.pi)  # um; L = diam gives a lateral area of 1e4 um^2
    pc = h.ParallelContext()
    cells = []
    for i, density in enumerate(currents(n)):
        section = h.Section(name=f"hh{i}")
        section.L = section.diam = length
        section.nseg = 1
        section.cm = ref.CM
        section.insert("hh")
        segment = section(0.5)
        segment.hh.gnabar, segment.hh.gkbar = ref.GNA_BAR, ref.GK_BAR
        segment.hh.gl, segment.hh.el = ref.GL, ref.EL
        segment.ena, segment.ek = ref.ENA, ref.EK
        clamp = h.IClamp(segment)
        clamp.delay, clamp.dur = 0.0, 1e9
        clamp.amp = density * h.area(0.5, sec=section) * 1e-8 * 1e3  # uA/cm^2 * cm^2 -> nA
        detector = h.NetCon(segment._ref_v, None, sec=section)
        detector.threshold = ref.SPIKE_THRESHOLD
        pc.set_gid2node(i, pc.id())
        pc.cell(i, detector)
        cells.append((section, clamp))
    spike_t, spike_id = h.Vector(), h.Vector()
    pc.spike_record(-1, spike_t, spike_id)
    if threads > 1:
        pc.nthread(threads)
    cvode = h.CVode()
    cvode.active(0)
    cvode.cache_efficient(1)
    h.dt = dt
    h.secondorder = secondorder
    pc.set_maxstep(10)
    h.finitialize(v_rest)
    setup = time.perf_counter() - start
    start = {name: clock() for name, clock in CLOCKS.items()}
    pc.psolve(duration_ms)
    run = {name: clock() - start[name] for name, clock in CLOCKS.items()}  # the runner keeps Brian2's clock
    if abs(h.t - duration_ms) > 0.5 * dt:
        raise RuntimeError(f"NEURON stopped at t = {h.t} ms, not {duration_ms} ms")
    t, index = spike_t.as_numpy().copy(), spike_id.as_numpy().astype(int)
    order = np.argsort(t, kind="stable")
    t, index = t[order], index[order]
    return {
        "setup": setup,
        "run": run,
        "wall": run["wall"],
        "n_spikes": len(t),
        "trains": [t[index == i].tolist() for i in sample_indices(n)],
    }


def run_reference(n: int, duration_ms: float) -> dict[str, Any]:
    """CVODE spike times (ms) of the sampled neurons."""
    sys.path.insert(0, str(TESTS_DIR))
    from neuron_reference import simulate_hh

    density = currents(n)
    return {
        "trains": [
            simulate_hh(duration_ms, float(density[i]), method="cvode").spike_times.tolist() for i in sample_indices(n)
        ]
    }


# --- orchestration ---


@dataclass
class Result:
    """Figures of one configuration (times in s; ``runs`` lists every repeat)."""

    label: str
    dt: float
    n: int
    duration_ms: float
    setup: float
    compile: float | None
    runs: list[float]
    wall: float
    n_spikes: int
    trains: list[list[float]]

    @property
    def run(self) -> float:
        """Fastest run time."""
        return min(self.runs)

    @property
    def steps(self) -> int:
        """Integration steps."""
        return steps(self.duration_ms, self.dt)

    @property
    def neuron_steps_per_s(self) -> float:
        """Neuron-steps per second of run time."""
        return self.n * self.steps / self.run

    @property
    def neuron_s_per_s(self) -> float:
        """Simulated neuron-seconds per second of run time."""
        return self.n * self.duration_ms * 1e-3 / self.run


@dataclass
class Accuracy:
    """Spike-time agreement of a configuration with CVODE on the sampled neurons."""

    max_dev: float  # ms, over the whole duration (spikes matched in order)
    counts_match: int  # sampled neurons with the reference's spike count
    max_dev_early: float  # ms, over the reference's spikes in the first 200 ms
    early_ok: bool  # every sampled neuron has at least those spikes
    n_sampled: int

    @property
    def passes(self) -> bool:
        """Same spike counts and every spike within 0.1 ms over the whole duration."""
        return self.counts_match == self.n_sampled and self.max_dev <= TOLERANCE

    @property
    def passes_early(self) -> bool:
        """Every spike of the first 200 ms within 0.1 ms."""
        return self.early_ok and self.max_dev_early <= TOLERANCE


def accuracy(trains: list[list[float]], reference: list[list[float]]) -> Accuracy:
    """Compare spike trains with the reference's, neuron by neuron, spikes in order."""
    max_dev = max_dev_early = 0.0
    counts_match, early_ok = 0, True
    for got, ref in zip(trains, reference):
        got, ref = np.asarray(got), np.asarray(ref)
        common = min(len(got), len(ref))
        counts_match += len(got) == len(ref)
        if common:
            max_dev = max(max_dev, float(np.max(np.abs(got[:common] - ref[:common]))))
        early = int(np.sum(ref <= EARLY_WINDOW))
        early_ok &= len(got) >= early
        if early and len(got) >= early:
            max_dev_early = max(max_dev_early, float(np.max(np.abs(got[:early] - ref[:early]))))
    return Accuracy(max_dev, counts_match, max_dev_early, early_ok, len(reference))


class Runner:
    """Runs sub-commands one at a time and prints progress with the elapsed time."""

    def __init__(self, n: int, duration_ms: float, threads: int) -> None:
        self.n, self.duration_ms, self.threads = n, duration_ms, threads
        self.start = time.perf_counter()
        self.clock = "wall"  # the clock Brian2 timed its run by, read from its first run

    def log(self, message: str) -> None:
        """Print a progress line prefixed by the elapsed time."""
        elapsed = time.perf_counter() - self.start
        print(f"[{int(elapsed) // 60:3d}:{int(elapsed) % 60:02d}] {message}", flush=True)

    def call(self, *args: str) -> dict[str, Any]:
        """Run this script with a sub-command and return the JSON it prints."""
        command = [
            sys.executable,
            __file__,
            *args,
            "--n",
            str(self.n),
            "--duration",
            repr(self.duration_ms * 1e-3),
            "--threads",
            str(self.threads),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-5000:])
            raise RuntimeError(f"sub-command {args} failed with exit code {done.returncode}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def brian2(self, repeats: int) -> Result:
        """brian2energy as the README writes it (every counter on), ``repeats`` times."""
        result = None
        for repeat in range(repeats):
            self.log(f"brian2energy, run {repeat + 1}/{repeats} ...")
            out = self.call("_brian2")
            self.log(
                f"  compile {out['compile']:.1f} s, run {out['run']:.2f} s ({out['clock']} time), "
                f"{out['n_spikes']} spikes"
            )
            if result is None:
                result = Result(
                    "brian2energy (README)",
                    out["dt"],
                    self.n,
                    self.duration_ms,
                    out["setup"],
                    out["compile"],
                    [out["run"]],
                    out["wall"],
                    out["n_spikes"],
                    out["trains"],
                )
                self.clock = out["clock"]
            else:
                result.runs.append(out["run"])
                result.wall = min(result.wall, out["wall"])
                result.compile = min(result.compile, out["compile"])
        return result

    def counters(self) -> float:
        """What every counter costs, measured side by side in one run: the run-time ratio minus 1."""
        self.log("counters on and off, side by side in one profiled run ...")
        cost = self.call("_side")
        self.log(f"  with counters {cost['on']:.2f} s, without {cost['off']:.2f} s (profiled, two groups each)")
        return cost["on"] / cost["off"] - 1.0

    def neuron(self, label: str, dt: float, secondorder: int) -> Result:
        """One NEURON configuration, timed by the clock Brian2's run was timed by."""
        self.log(f"{label} ({steps(self.duration_ms, dt)} steps) ...")
        out = self.call("_neuron", "--dt", repr(dt), "--secondorder", str(secondorder))
        run = out["run"][self.clock]
        self.log(f"  setup {out['setup']:.1f} s, run {run:.2f} s ({self.clock} time), {out['n_spikes']} spikes")
        return Result(
            label, dt, self.n, self.duration_ms, out["setup"], None, [run], out["wall"], out["n_spikes"], out["trains"]
        )


def report(
    results: list[Result],
    checks: dict[str, Accuracy],
    overhead: float,
    brian: Result,
    neuron: list[tuple[Result, bool]],
    threads: int,
    clock: str,
    total: float,
) -> None:
    """Print the table of figures and the ratios."""
    print()
    print(
        f"N = {brian.n}, duration = {brian.duration_ms:g} ms, threads = {threads}; "
        f"run s = {clock} time of the run, by the same clock for both simulators "
        "(minimum over repeats for Brian2)"
    )
    header = (
        f"{'configuration':<28} {'dt ms':>6} {'steps':>7} {'setup s':>7} {'compile s':>9} "
        f"{'run s':>8} {'wall s':>8} {'neuron-steps/s':>14} {'neuron-s/s':>10} {'spikes':>8} "
        f"{'dev ms':>7} {'dev200':>7} {'counts':>6} {'<=0.1ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        check = checks[result.label]
        compile_s = "-" if result.compile is None else f"{result.compile:.1f}"
        ok = "yes" if check.passes else ("200ms" if check.passes_early else "no")
        print(
            f"{result.label:<28} {result.dt:>6g} {result.steps:>7d} {result.setup:>7.1f} "
            f"{compile_s:>9} {result.run:>8.2f} {result.wall:>8.2f} "
            f"{result.neuron_steps_per_s:>14.3e} {result.neuron_s_per_s:>10.1f} "
            f"{result.n_spikes:>8d} {check.max_dev:>7.4f} {check.max_dev_early:>7.4f} "
            f"{check.counts_match:>3d}/{check.n_sampled:<2d} {ok:>7}"
        )
    if len(brian.runs) > 1:
        print(f"  run s of every repeat of {brian.label}: {', '.join(f'{x:.2f}' for x in brian.runs)}")
    print(
        f"  dev ms: max |spike time - CVODE| over {checks[brian.label].n_sampled} sampled neurons, "
        f"whole run; dev200: first {EARLY_WINDOW:g} ms; counts: neurons with CVODE's spike count; "
        "<=0.1ms: yes, 200ms (only over the first 200 ms) or no"
    )
    print()
    print("Ratios (measured in this run)")
    verdict = "meets" if overhead <= OVERHEAD_TARGET else "MISSES"
    print(
        f"  every counter on/off, side by side: {1 + overhead:.3f} (overhead {100 * overhead:+.1f}%; "
        f"target <= {100 * OVERHEAD_TARGET:g}%: {verdict})"
    )
    for result, equal in neuron:
        tag = "chosen for equal accuracy" if equal else "same dt, less accurate, for reference"
        steps_ratio = brian.neuron_steps_per_s / result.neuron_steps_per_s
        time_ratio = brian.neuron_s_per_s / result.neuron_s_per_s
        target = ""
        if equal:
            target = f"; target >= {SPEEDUP_TARGET:g}: {'meets' if time_ratio >= SPEEDUP_TARGET else 'MISSES'}"
        print(
            f"  {brian.label} / {result.label} [{tag}, "
            f"accurate in this run: {'yes' if checks[result.label].passes else 'no'}]:"
        )
        print(f"    neuron-s per s of run (time to solution) {time_ratio:.2f}{target}")
        print(f"    neuron-steps/s {steps_ratio:.2f}")
    print()
    print(f"Benchmark wall time: {total / 60:.1f} min")


def benchmark(n: int, duration_ms: float, threads: int, repeats: int) -> None:
    """Run every configuration, one process at a time, and print the report."""
    runner = Runner(n, duration_ms, threads)
    runner.log(f"N = {n}, duration = {duration_ms:g} ms, threads = {threads}")
    runner.log(f"CVODE reference for neurons {sample_indices(n)} ...")
    reference = runner.call("_reference")["trains"]
    brian = runner.brian2(repeats)
    overhead = runner.counters()
    neuron = [(runner.neuron(label, dt, order), equal) for label, dt, order, equal in NEURON_CONFIGS]
    results = [brian, *(result for result, _ in neuron)]
    checks = {result.label: accuracy(result.trains, reference) for result in results}
    report(results, checks, overhead, brian, neuron, threads, runner.clock, time.perf_counter() - runner.start)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of neurons (default 10000)")
    parser.add_argument("--duration", type=float, default=1.0, help="simulated time, s (default 1)")
    parser.add_argument("--quick", action="store_true", help="smoke check: N = 500, 0.2 s")
    parser.add_argument("--threads", type=int, default=1, help="threads for both simulators (default 1)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of brian2energy (default 2)")
    # hidden sub-commands: one configuration per process
    parser.add_argument(
        "command", nargs="?", choices=["_brian2", "_side", "_neuron", "_reference"], help=argparse.SUPPRESS
    )
    parser.add_argument("--dt", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--secondorder", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.duration = 500, 0.2
    duration_ms = args.duration * 1e3
    if args.command == "_brian2":
        out = run_brian2(args.n, duration_ms, args.threads)
    elif args.command == "_side":
        out = run_side_by_side(args.n, duration_ms)
    elif args.command == "_neuron":
        out = run_neuron(args.n, duration_ms, args.dt, args.secondorder, args.threads)
    elif args.command == "_reference":
        out = run_reference(args.n, duration_ms)
    else:
        benchmark(args.n, duration_ms, args.threads, args.repeats)
        return
    print(json.dumps(out))


if __name__ == "__main__":
    main()
