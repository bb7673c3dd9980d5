"""What counting costs on Hallermann et al. 2012's L5 neuron, and brian2energy against NEURON running the model itself.

The cell of models/hallermann2012_l5 (2766 compartments) and ModelDB 144526 (commit 4c648db, the same cell in
NEURON), the model's protocol: finitialize(-85 mV), 500 ms settling at dt = 0.5 ms (the model's own pre-run;
not timed), then 100 ms (``--duration``) timed, with a 2.5 nA, 3 ms step into the soma 15 ms in (t = 515 ms)
giving one action potential. Its Na+ ATP is the Na+ entry through the na and nax channels from 517 to 535 ms
(the model's charge window) / e / 3, summed over the cell. Each configuration runs in its own process, one
at a time, side by side in one run:

* brian2energy, cpp_standalone (one thread, as NEURON), dt = 0.01 ms: every counter (``counters=True``), the
  counters a region budget needs (``counters="totals"``: Q_Na, Q_Ca, ATP_ions) or none (``counters=False``).
  Na+ entry read from the counters Q_Na_na, Q_Na_nax (a StateMonitor every 1 ms, in the every-counter run
  only); the stimulus is switched by a ``run_regularly`` on a 1 ms clock in all three.
* NEURON, the model's own mod files and hoc (compiled here with nrnivmodl from ``--modeldb``, line endings made
  LF), backward Euler at dt = 0.01 ms (the model's setting) and 0.0025 ms (where NEURON's per-region ATP errors
  against converged, 3.3% at most, match brian2energy's at 0.01 ms, 3.1%); Na+ entry from the model's charge_
  mechanism. And CVODE at atol = 1e-4: Kv.mod and CaT.mod integrate by hand-written exponential steps with
  tables in dt (NEURON refuses CVODE with them), so here they are rewritten (``CVODE_TAILS``: the same rates as
  a DERIVATIVE block, no TABLE; at fixed dt = 0.01 the rewrite gives the same ATP to 2e-6), and Na+ entry is
  integrated by a state added to every segment (naint.mod, q' = ina), charge_ summing per step.

Times: wall clock of the timed 100 ms alone, the same on every Brian2 version: Brian2 by clock_gettime around
its run, inserted into main.cpp (Brian2 2.9 times runs in CPU time, 2.10 by wall clock; its own figure is
printed beside as a check), NEURON by time.perf_counter around fadvance/cvode.solve.

Measured on 2026-12-04 on a quiet 2-core machine (Brian2 2.9.0, NEURON 9.0.2; brian2energy builds the fastest
of two interleaved runs each):

    configuration                                wall s  / every    Na+ ATP  vs CVODE
    brian2energy, every counter                    9.62    1.000  1.932e+08    +0.93%
    brian2energy, what a region budget needs       9.47    0.984          -
    brian2energy, no counters                     10.03    1.043          -
    NEURON, dt = 0.01 ms                          30.87    3.210  1.999e+08    +4.42%
    NEURON, dt = 0.0025 ms                       124.21   12.913  1.936e+08    +1.13%
    NEURON, CVODE atol 1e-4                        6.35    0.660  1.914e+08    +0.00%

The counters cost less than the runs vary (another pair of runs, off and every counter alternated twice:
9.16, 9.06 s without counters, 9.33, 9.49 s with every one, +2 to +4%): inside the 5% target. At equal
accuracy (NEURON at dt = 0.0025 ms) brian2energy is 12.9 times as fast; NEURON at the model's own dt = 0.01 ms,
4.4% off, 3.2 times; NEURON's CVODE, with two mod files rewritten and exact, 1.5 times as fast as brian2energy.

Usage: python benchmarks/bench_l5.py --modeldb PATH [--duration 100]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from worker import brian2_run_clock, run_worker

BRIAN = """
import json, sys
import numpy as np
from brian2 import *
from brian2.units.constants import elementary_charge
from brian2energy import load_spatial_model
mode, duration, workdir = sys.argv[1], float(sys.argv[2]), sys.argv[3]
counters = {"all": True, "totals": "totals", "off": False}[mode]
set_device("cpp_standalone", directory=workdir, build_on_run=False)
neuron = load_spatial_model("hallermann2012_l5").spatial_neuron(v_init=-85 * mV, counters=counters)
neuron.run_regularly("I = 2.5*nA*int(t > 514.5*ms and t < 517.5*ms)*int(i == 0)", dt=1 * ms)
if mode == "all":
    monitor = StateMonitor(neuron, ["Q_Na_na", "Q_Na_nax"], record=True, dt=1 * ms)
    monitor.active = False
defaultclock.dt = 0.5 * ms
run(500 * ms)
defaultclock.dt = 0.01 * ms
if mode == "all":
    monitor.active = True
device.insert_code("main", "struct timespec _b2e_start; clock_gettime(CLOCK_MONOTONIC, &_b2e_start);")
run(duration * ms)
device.insert_code("main", '''struct timespec _b2e_end; clock_gettime(CLOCK_MONOTONIC, &_b2e_end);
std::ofstream("wall_time.txt") << (_b2e_end.tv_sec - _b2e_start.tv_sec)
                                  + 1e-9 * (_b2e_end.tv_nsec - _b2e_start.tv_nsec);''')
device.build(directory=workdir, compile=True, run=True)
atp = None
if mode == "all":
    t = np.round(np.asarray(monitor.t / ms)).astype(int)
    q = np.asarray(monitor.Q_Na_na) + np.asarray(monitor.Q_Na_nax)
    atp = float((q[:, t == 535] - q[:, t == 517]).sum() / elementary_charge / 3)
print(json.dumps({"wall": float(open(workdir + "/wall_time.txt").read()), "atp": atp,
                  "brian2": device._last_run_time}))  # Brian2's own timing of that run, as a check
"""

NEURON = """
import json, os, sys, time
os.chdir(sys.argv[1])
from neuron import h
dt, atol, duration = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
h.load_file("stdrun.hoc")
for name in ("28_04_10_num19.hoc", "Cell parameters.hoc", "charge.hoc"):
    h.xopen(name)
h.parameters(); h.geom_nseg(); h.init_channels()
h('''proc init() {local saveDt, i
    finitialize(v_init)
    fcurrent()
    saveDt = dt
    dt = .5
    for i=1,500/dt fadvance()
    dt = saveDt
    init_channels()
    if (cvode.active()) { cvode.re_init() } else { fcurrent() }
    frecord_init()
}''')  # mosinit.hoc's init()
stim = h.IClamp(h.soma(0.5))
stim.delay, stim.dur, stim.amp = 515, 3, 2.5  # all_28_04_10_num19.ses
h.v_init, h.dt, h.steps_per_ms = -85, dt, 1 / dt
h.tStart_charge_, h.tEnd_charge_, h.peak_tolerance_charge_, h.peak_lowest_charge_ = 517, 535, 0.01, -60
if atol:
    h("forall insert naint")
h.stdinit()  # t = 500 ms
segments = [seg for sec in h.allsec() for seg in sec]
start = time.perf_counter()
if atol:
    h.cvode.active(1); h.cvode.atol(atol); h.cvode.re_init()
    h.cvode.solve(517); q517 = [seg.q_naint for seg in segments]
    h.cvode.solve(535); entry = [seg.q_naint - q for seg, q in zip(segments, q517)]
    h.cvode.solve(500 + duration)
else:
    while h.t < 500 + duration - dt / 2:
        h.fadvance()
    entry = [seg.na_ch_charge_ * dt for seg in segments]
wall = time.perf_counter() - start
# mA/cm2*ms x um2 = 1e-14 C; ATP = Na+ / 3 (the model's charge.hoc takes 1/e = 6.24e18)
atp = -sum(seg.area() * q for seg, q in zip(segments, entry)) * 1e-14 / 1.602176634e-19 / 3
print(json.dumps({"wall": wall, "atp": atp}))
"""

# Kv.mod and CaT.mod from BREAKPOINT to PROCEDURE rates, as CVODE can integrate them (same rates, no TABLE)
CVODE_TAILS = {
    "Kv.mod": """BREAKPOINT {
        SOLVE states METHOD cnexp
        gk = tadj*gbar*n
        ik = (1e-4) * gk * (v - ek)
}

DERIVATIVE states {
        trates(v)
        n' = (ninf - n)*tadj/ntau
}

PROCEDURE trates(v) {
        rates(v)
        tadj = q10^((celsius - temp)/10)
}

""",
    "CaT.mod": """BREAKPOINT {
        SOLVE states METHOD cnexp
        gcaT = gcabar*m*m*h
        icaT = gcaT *(1e-4)* (v - eca)
        ica = icaT
}

DERIVATIVE states {
        trates(v+vshift)
        m' = (minf - m)/mtau
        h' = (hinf - h)/htau
}

PROCEDURE trates(v) {
        rates(v)
}

""",
}
NAINT = """NEURON { SUFFIX naint USEION na READ ina RANGE q }
ASSIGNED { ina (milliamp/cm2) }
STATE { q }
INITIAL { q = 0 }
BREAKPOINT { SOLVE s METHOD cnexp }
DERIVATIVE s { q' = ina }
"""


def compile_model(modeldb: Path, directory: Path, cvode: bool) -> None:
    """The model's .hoc and .mod files (LF line endings) in ``directory``, CVODE rewrites if asked, compiled."""
    directory.mkdir()
    for source in [*modeldb.glob("*.hoc"), *modeldb.glob("*.mod")]:
        text = source.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode()
        if cvode and source.name in CVODE_TAILS:
            text = (
                text[: text.index("BREAKPOINT {")] + CVODE_TAILS[source.name] + text[text.index("PROCEDURE rates(") :]
            )
        (directory / source.name).write_text(text)
    if cvode:
        (directory / "naint.mod").write_text(NAINT)
    out = subprocess.run([nrnivmodl()], cwd=directory, capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"nrnivmodl failed in {directory}:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")


def nrnivmodl() -> str | None:
    return shutil.which("nrnivmodl", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--modeldb",
        type=Path,
        required=True,
        help="checkout of ModelDB 144526 (commit 4c648db), e.g. git clone of ModelDBRepository/144526",
    )
    parser.add_argument("--duration", type=float, default=100.0, help="timed ms after the settling (>= 36)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each brian2energy build, interleaved")
    args = parser.parse_args()
    modeldb = args.modeldb.resolve()
    if not (modeldb / "28_04_10_num19.hoc").is_file():
        raise SystemExit(f"--modeldb {modeldb}: no 28_04_10_num19.hoc there, not a checkout of ModelDB 144526")
    if importlib.util.find_spec("neuron") is None or nrnivmodl() is None:
        raise SystemExit("NEURON is not installed (no 'neuron' module or no nrnivmodl): pip install neuron")
    if args.duration < 36:
        raise SystemExit("--duration must cover the charge window, 17 to 35 ms after the settling: >= 36")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench_l5_") as tmp:
        print("compiling ModelDB 144526 (original, and with the CVODE rewrites) ...", flush=True)
        compile_model(modeldb, Path(tmp, "original"), cvode=False)
        compile_model(modeldb, Path(tmp, "cvode"), cvode=True)
        for repeat in range(args.repeats):  # interleaved, each built afresh; the fastest of each kept
            for name, mode in (
                ("every counter", "all"),
                ("what a region budget needs", "totals"),
                ("no counters", "off"),
            ):
                label = f"brian2energy, {name}"
                print(f"running {label} ({repeat + 1} of {args.repeats}) ...", flush=True)
                r = run_worker(BRIAN, mode, args.duration, Path(tmp, f"{mode}{repeat}"))
                if label not in results or r["wall"] < results[label]["wall"]:
                    results[label] = r
        for label, model, dt, atol in (
            ("NEURON, dt = 0.01 ms", "original", 0.01, 0),
            ("NEURON, dt = 0.0025 ms", "original", 0.0025, 0),
            ("NEURON, CVODE atol 1e-4", "cvode", 0.01, 1e-4),
        ):
            print(f"running {label} ...", flush=True)
            results[label] = run_worker(NEURON, Path(tmp, model), dt, atol, args.duration)
    on = results["brian2energy, every counter"]
    reference = results["NEURON, CVODE atol 1e-4"]["atp"]
    print(f"\nL5 cell, {args.duration:g} ms after 500 ms settling (not timed), one AP; wall clock of the timed run")
    print(f"{'configuration':42s} {'wall s':>8} {'/ every':>8} {'Na+ ATP':>10} {'vs CVODE':>9}")
    for label, r in results.items():
        atp = f"{r['atp']:10.4g} {100 * (r['atp'] / reference - 1):+8.2f}%" if r["atp"] else f"{'-':>10}"
        own = f"  (Brian2's own timing: {r['brian2']:.2f} s, {brian2_run_clock(0)} time)" if "brian2" in r else ""
        print(f"{label:42s} {r['wall']:8.2f} {r['wall'] / on['wall']:8.3f} {atp}{own}")
    bare = results["brian2energy, no counters"]["wall"]
    for kind in ("every counter", "what a region budget needs"):
        print(f"counters, {kind}: x{results[f'brian2energy, {kind}']['wall'] / bare:.3f} (target <= 1.05)")


if __name__ == "__main__":
    sys.exit(main())
