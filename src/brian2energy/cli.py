"""The ``brian2energy`` command: ``brian2energy models`` and ``brian2energy demo [--out DIR]``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import ModelError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``brian2energy`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``): ``models``, or ``demo [--out DIR]``.

    Returns
    -------
    int
        The exit status: 0, or 2 after a :class:`~brian2energy.errors.ModelError` or an
        ``OSError`` (printed to stderr).
    """
    parser = argparse.ArgumentParser(prog="brian2energy", description="Energy accounting for Brian2 neurons.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("models", help="list the models that ship with brian2energy")
    demo = sub.add_parser("demo", help="the headline figure: what holding a resting potential costs and what it buys")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("brian2energy-demo"),
        help="directory for the figure and summary (default: ./brian2energy-demo)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "models":
            from .modelfile import list_models

            for name, description in list_models().items():
                print(f"{name:28s} {description}")
        else:
            from .demo import run_demo

            _check_output_folder(args.out)
            start = time.perf_counter()
            summary = run_demo(args.out)
            print(summary.text())
            print(
                f"wrote demo.png, energy_summary.txt and energy_summary.json into {args.out} "
                f"in {time.perf_counter() - start:.1f} s"
            )
    except (ModelError, OSError) as exc:
        print(f"brian2energy: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _check_output_folder(out: Path) -> None:
    """Make ``out`` (a directory) and check it is writable, before any simulation runs."""
    if out.exists() and not out.is_dir():
        raise ModelError(f"--out {out}: exists and is not a directory; give a directory for the figure and summary")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".brian2energy-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ModelError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


if __name__ == "__main__":
    sys.exit(main())
