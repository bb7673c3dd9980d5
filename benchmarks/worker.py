"""Run one benchmark configuration in a process of its own and read the JSON it prints last.

A fresh process per configuration: cpp_standalone builds one project per process, and
no configuration warms the caches of the next.
"""

from __future__ import annotations

import json
import subprocess
import sys


def run_worker(code: str, *args, env: dict | None = None) -> dict:
    """``python -c code *args``; exits with the worker's stderr if it fails."""
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env,
                         check=False)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])
