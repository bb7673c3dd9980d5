"""Every example runs (shortened with ``--quick``), writes its figure under ``--out`` and prints its numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("[0-9][0-9]_*.py"))


def test_there_are_examples():
    assert EXAMPLES


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    result = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(tmp_path / "figures")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip(), "an example prints its key numbers"
    figures = list((tmp_path / "figures").glob("*.png"))
    assert figures and all(f.stat().st_size > 5_000 for f in figures)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures"], "examples write only under --out"
