"""Every ```python block of the README and the documentation runs, and asserts what it claims.

The blocks of one page run in document order in one namespace (a page builds up, as a reader
types it), in a fresh temporary working directory, on Brian2's numpy target, after
``start_scope()`` and with ``defaultclock.dt`` back at Brian2's default. A block without an
``assert`` fails: a snippet that silently does nothing (a group Brian2's magic network never
sees, a figure never drawn) cannot ship. Tracebacks name the page and the line in it.

Blocks meant to be read, not run, use another language: ```bash or ```console for commands,
```toml for model files, ```text for output. Any other fence language (```py, ```pycon,
```ipython, or none) is refused, so that Python code cannot slip past this test unrun.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The pages whose snippets run: the README, the model notes the model pages include, and every Markdown page of
#: the documentation that is written by hand (not the pages docs/_ext writes at build time, which are git-ignored:
#: tests/test_docs.py checks those, so the set of pages here does not depend on whether a build has run).
GENERATED = {"_build", "api", "models", "gallery"}
PAGES = [ROOT / "README.md", ROOT / "models" / "SOURCES.md", *sorted((ROOT / "docs").rglob("*.md"))]
PAGES = [
    p
    for p in PAGES
    if not GENERATED & set(p.relative_to(ROOT / "docs").parts[:1] if ROOT / "docs" in p.parents else ())
]
#: Fence languages that are not run. MyST directives (```{toctree}, ```{note}) are not code either.
NOT_RUN = {"bash", "console", "shell", "sh", "toml", "text", "csv", "json", "ini", "none"}
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")  # in a list item too


@dataclass(frozen=True)
class Block:
    """One fenced code block: its page, the line of its opening fence (1-based), language and code."""

    page: Path
    line: int
    language: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page, in document order (nested fences are kept inside theirs)."""
    found, lines = [], page.read_text(encoding="utf-8").splitlines()
    k = 0
    while k < len(lines):
        match = _FENCE.match(lines[k])
        if not match:
            k += 1
            continue
        fence, info = match["fence"], match["info"].strip()
        end = k + 1
        while end < len(lines):
            closing = _FENCE.match(lines[end])
            if (
                closing
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"].strip()
            ):
                break
            end += 1
        language = info.split()[0] if info else ""
        indent = len(match["indent"])  # a fence indented in a list item: its lines lose that indentation
        code = [line[min(indent, len(line) - len(line.lstrip(" "))) :] for line in lines[k + 1 : end]]
        found.append(Block(page, k + 1, language, "\n".join(code)))
        k = end + 1
    return found


def python_blocks(page: Path) -> list[Block]:
    return [b for b in blocks(page) if b.language == "python"]


def _id(page: Path) -> str:
    return str(page.relative_to(ROOT))


RUNNABLE = [p for p in PAGES if python_blocks(p)]


def test_the_pages_have_snippets():
    assert (ROOT / "README.md") in RUNNABLE
    assert len(RUNNABLE) >= 5, [str(p) for p in RUNNABLE]


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_every_code_block_says_whether_it_runs(page):
    """A block is ```python (run here), a language that is not Python, or a MyST directive."""
    bad = [
        f"{b.where}: ```{b.language or '(no language)'}"
        for b in blocks(page)
        if b.language != "python" and b.language not in NOT_RUN and not b.language.startswith("{")
    ]
    assert not bad, (
        f"code blocks must be ```python (run by this test) or ```bash/```console/```toml/```text (not run): {bad}"
    )


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_every_python_block_asserts(page):
    """A snippet states its effect as an ``assert``: one that asserts nothing may be doing nothing."""
    silent = [
        b.where
        for b in python_blocks(page)
        if not any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(b.code, b.where)))
    ]
    assert not silent, f"python blocks without an assert: {silent}"


@pytest.mark.parametrize("page", RUNNABLE, ids=_id)
def test_the_snippets_run(page, tmp_path, monkeypatch):
    """The page's blocks, in order, in one namespace: each must run and its asserts hold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from brian2 import defaultclock, ms, prefs, start_scope

    monkeypatch.chdir(tmp_path)
    prefs.codegen.target = "numpy"
    defaultclock.dt = 0.1 * ms
    start_scope()
    scope: dict = {"__name__": "__snippet__"}
    try:
        for block in python_blocks(page):
            # padded so that a traceback's line numbers are the page's own
            code = compile("\n" * block.line + block.code, str(page), "exec")
            try:
                exec(code, scope)  # noqa: S102 - the project's own documentation
            except Exception as exc:
                raise AssertionError(f"the python block at {block.where} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        plt.close("all")
        defaultclock.dt = 0.1 * ms
        start_scope()
