"""Run a Python script in its own process and read the JSON it prints last.

Each Brian2 device or target gets a process of its own: a standalone device cannot be
unset cleanly within one.
"""

from __future__ import annotations

import json
import subprocess
import sys


def run_script(script: str, *args: str, timeout: float = 900) -> dict:
    """``python -c script *args``; fails the test with the script's stderr if it fails."""
    result = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
