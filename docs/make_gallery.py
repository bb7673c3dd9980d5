"""Regenerate the figures of the examples gallery.

Runs every script in ``examples/`` (or the ones named) with ``--quick`` in a temporary
directory and copies the PNG figure(s) it writes into ``docs/_static/gallery/<stem>/``,
replacing what was there. The figures are committed to git, so the documentation build
itself runs no simulation (the gallery extension, ``docs/_ext/gallery.py``, only reads
``examples/*.py`` and these PNGs, and warns about an example without a figure).

Usage, from the repository's root::

    python docs/make_gallery.py                 # every example (a few minutes)
    python docs/make_gallery.py 02 05           # only the examples whose names start so
    python docs/make_gallery.py --jobs 2        # two at a time

Run it again whenever an example or the plotting code changes what a figure shows.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GALLERY = ROOT / "docs" / "_static" / "gallery"
LARGE = 500 * 1024  # bytes: a figure committed to git should stay below this (tests/test_docs.py allows 600 kB)


def examples(selection: list[str]) -> list[Path]:
    """The example scripts, all of them or those whose file names start with one of ``selection``."""
    scripts = sorted(EXAMPLES.glob("[0-9][0-9]_*.py"))
    if selection:
        scripts = [s for s in scripts if any(s.name.startswith(prefix) or s.stem == prefix for prefix in selection)]
        if not scripts:
            sys.exit(f"no example matches {selection}")
    return scripts


def run(script: Path, timeout: float) -> tuple[Path, list[Path], float, str]:
    """Run one example with ``--quick``; copy its figures into the gallery; return what was done."""
    start = time.time()
    with tempfile.TemporaryDirectory(prefix=f"gallery_{script.stem}_") as tmp:
        out = Path(tmp) / "figures"
        result = subprocess.run(
            [sys.executable, str(script), "--quick", "--out", str(out)],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            return script, [], time.time() - start, result.stderr[-3000:]
        figures = sorted(out.glob("**/*.png"))
        if not figures:
            return script, [], time.time() - start, "the example wrote no PNG figure under --out"
        target = GALLERY / script.stem
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        copied = []
        for figure in figures:
            shutil.copy2(figure, target / figure.name)
            copied.append(target / figure.name)
    return script, copied, time.time() - start, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("examples", nargs="*", help="name prefixes of the examples to run (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="examples run at once (default 1)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed per example (default 900)")
    args = parser.parse_args(argv)
    failed = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for script, copied, seconds, error in pool.map(lambda s: run(s, args.timeout), examples(args.examples)):
            if error:
                failed += 1
                print(f"FAILED {script.name} ({seconds:.0f} s):\n{error}", file=sys.stderr)
                continue
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1024:.0f} kB" for p in copied)
            print(f"{script.name}: {sizes} ({seconds:.0f} s)", flush=True)
            for p in copied:
                if p.stat().st_size > LARGE:
                    print(f"  {p.name} is larger than {LARGE // 1024} kB: lower the example's dpi", file=sys.stderr)
    total = sum(p.stat().st_size for p in GALLERY.glob("*/*.png")) if GALLERY.exists() else 0
    print(f"gallery: {total / 1024:.0f} kB in {GALLERY.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
