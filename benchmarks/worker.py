"""Run one benchmark configuration in a process of its own and read the JSON it prints last.

A fresh process per configuration: cpp_standalone builds one project per process, and
no configuration warms the caches of the next.

Also the one place that knows which clock Brian2's standalone code times a run by
(`brian2_run_clock`), so that a benchmark comparing that time with NEURON's (or with anything
timed in Python) times the other side by the same clock (`CLOCKS`), under Brian2 2.9 and 2.10 alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

#: Python's clock for each kind of time Brian2 reports: process CPU time (std::clock, all threads
#: of the process) and wall time.
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def run_worker(code: str, *args, env: dict | None = None) -> dict:
    """``python -c code *args``; exits with the worker's stderr if it fails."""
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def brian2_run_clock(openmp_threads: int) -> str:
    """The clock of ``device._last_run_time`` (and of ``profile=True``) on cpp_standalone: "cpu" or "wall".

    ``openmp_threads`` is the value of ``prefs.devices.cpp_standalone.openmp_threads`` the run
    used. Brian2 before 2.10 times a run with ``std::clock`` (process CPU time) without OpenMP
    (``openmp_threads == 0``, the default) and with ``omp_get_wtime`` (wall time) with OpenMP,
    even with one thread (``openmp_threads == 1``); Brian2 2.10 and later always by wall time
    (``std::chrono::high_resolution_clock``). Read in this interpreter, which runs the workers.
    """
    import brian2

    version = tuple(int(part) for part in brian2.__version__.split(".")[:2])
    return "cpu" if openmp_threads == 0 and version < (2, 10) else "wall"
