"""Lint and format: ``ruff check`` and ``ruff format --check`` pass on the whole repository.

CI runs only ``pip install -e ".[test]" && pytest``, so the lint step is a test: ruff (pinned in
the test extra, configured in ``pyproject.toml``) runs from the repository's root on everything
it covers (the package, tests, benchmarks, examples, docs scripts). To fix what it reports:
``ruff check --fix .`` and ``ruff format .``, then the rest by hand.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]], ids=["check", "format"])
def test_ruff(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, f"ruff {' '.join(command)} failed (exit {result.returncode}):\n{output[-20000:]}"
