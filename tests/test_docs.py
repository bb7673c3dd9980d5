"""The documentation builds without a warning (``sphinx-build -W --keep-going -n``), with a page for every model
and every example (with its figure) and every public name of every module in the API reference.
"""

from __future__ import annotations

import ast
import html
import importlib
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = sorted((ROOT / "examples").glob("[0-9][0-9]_*.py"))
SMART_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})  # Sphinx's, undone


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The HTML site, built once for the tests of this file, as CI and Read the Docs build it."""
    out = tmp_path_factory.mktemp("html")
    doctrees = tmp_path_factory.mktemp("doctrees")
    start = time.time()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-n",
            "-b",
            "html",
            "-d",
            str(doctrees),
            str(DOCS),
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    problems = list(dict.fromkeys(line for line in result.stderr.splitlines() if "WARNING" in line or "ERROR" in line))
    assert result.returncode == 0, (
        "sphinx-build failed:\n" + "\n".join(problems[:60]) + f"\n\n{result.stderr[-4000:]}\n{result.stdout[-1500:]}"
    )
    assert time.time() - start < 300, "the documentation takes more than 5 minutes to build"
    return out


def inventory(built: Path) -> dict[str, dict]:
    from sphinx.util.inventory import InventoryFile

    with open(built / "objects.inv", "rb") as stream:
        inv = InventoryFile.load(stream, "", lambda base, uri: uri)
    return getattr(inv, "data", inv)  # Sphinx >= 8.2: an _Inventory; earlier: the dict


def public_modules() -> list[str]:
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import apipages
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    return apipages.module_names()


def test_builds_without_warnings(built):
    assert (built / "index.html").is_file()
    assert not (built / "_static" / "gallery").exists(), "the gallery's figures are copied once, by their pages"


def test_every_public_name_is_documented(built):
    objects = inventory(built)
    documented = {
        name: entry for kind, entries in objects.items() if kind.startswith("py:") for name, entry in entries.items()
    }
    missing = []
    for module in public_modules():
        mod = importlib.import_module(module)
        assert f"{module}" in objects["py:module"], f"{module} has no API page"
        page = (built / "api" / f"{module}.html").read_text(encoding="utf-8")
        for name in mod.__all__:
            obj = getattr(mod, name)
            home = getattr(obj, "__module__", None) if callable(obj) else None
            candidates = [f"{module}.{name}"] + ([f"{home}.{name}"] if home and home.startswith("brian2energy") else [])
            entry = next((documented[c] for c in candidates if c in documented), None)
            if entry is None:
                missing.append(f"{module}.{name}")
            elif f"{module}.{name}" not in documented:
                # a re-export: documented where it is defined, and linked from this module's page
                uri = getattr(entry, "uri", None) or entry[2]
                assert f'href="{Path(uri).name}' in page or f'href="{uri}' in page, (
                    f"{module}'s page does not link {name} to its documentation"
                )
    assert not missing, f"public names without API documentation: {missing}"


def test_every_public_name_has_a_description(built):
    """Each entry of the API pages says something: no name is listed with an empty description."""
    empty = []
    for module in public_modules():
        page = (built / "api" / f"{module}.html").read_text(encoding="utf-8")
        for name in importlib.import_module(module).__all__:
            match = re.search(rf'id="{re.escape(module)}\.{re.escape(name)}">.*?</dt>\s*<dd>(.*?)</dd>', page, re.S)
            if match and not re.sub(r"<[^>]+>", "", match.group(1)).strip():
                empty.append(f"{module}.{name}")
    assert not empty, f"public names documented without a word: {empty}"


def test_one_page_per_public_module(built):
    modules = public_modules()
    assert "brian2energy.cell" in modules and "brian2energy" in modules
    for module in modules:
        assert (built / "api" / f"{module}.html").is_file()
    on_disk = {p.stem for p in (ROOT / "src" / "brian2energy").glob("*.py") if not p.stem.startswith("_")}
    assert {m.rsplit(".", 1)[-1] for m in modules[1:]} == on_disk, "every module has an __all__ and a page"


def page_text(path: Path) -> str:
    """A built page's text: tags dropped, entities and Sphinx's smart quotes undone, blanks collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
    text = text.translate(SMART_QUOTES)
    return " ".join(text.split())


def markdown_words(line: str) -> list[str]:
    """The words of a line of Markdown as they show on a page (emphasis and code marks dropped)."""
    return [w for w in re.sub(r"[*`]|^\s*[-#]+\s", " ", line).split() if w]


def test_one_page_per_model(built):
    import brian2energy

    models = [*brian2energy.list_models(), "hallermann2012_l5"]
    assert len(models) == 8
    for name in models:
        text = page_text(built / "models" / f"{name}.html")
        assert "Mechanisms" in text and "dt" in text and "Reference." in text, name
    # every section of models/SOURCES.md is shown: on its model's page, or (notes on several models) on the index
    lines = (ROOT / "models" / "SOURCES.md").read_text(encoding="utf-8").splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith("## ")]
    assert headings
    for i in headings:
        key = lines[i][3:].split()[0].removesuffix("/").removesuffix(".toml")
        page = built / "models" / (f"{key}.html" if key in models else "index.html")
        first = next(line for line in lines[i + 1 :] if line.strip())
        assert " ".join(markdown_words(first)[:8]) in page_text(page), (lines[i], page.name)
    index = (built / "models" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{name}.html"' in index for name in models)


def test_squid_axon_page_lists_its_parameters(built):
    page = (built / "models" / "squid_axon_hh1952.html").read_text(encoding="utf-8")
    for text in (
        "120 mS/cm^2",
        "36 mS/cm^2",
        "-54.387 mV",
        "g_Na bar, HH 1952 Table 3",
        "0.05 ms",
        "Hodgkin AL, Huxley AF (1952)",
    ):
        assert text in page, text


def test_one_gallery_page_per_example_with_its_figure(built):
    assert len(EXAMPLES) == 10
    for script in EXAMPLES:
        page = (built / "gallery" / f"{script.stem}.html").read_text(encoding="utf-8")
        figures = sorted((DOCS / "_static" / "gallery" / script.stem).glob("*.png"))
        assert figures, f"{script.name} has no figure: run python docs/make_gallery.py {script.stem[:2]}"
        for figure in figures:
            assert f"_images/{figure.name}" in page, (script.name, figure.name)
            assert (built / "_images" / figure.name).stat().st_size == figure.stat().st_size
            assert 5_000 < figure.stat().st_size < 600_000, f"{figure.name}: {figure.stat().st_size} bytes"
        summary = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))).split("\n\n")[0]
        heading = re.search(r"<h1>(.*?)<a class=\"headerlink", page, re.S).group(1)
        shown = " ".join(re.sub(r"<[^>]+>", "", html.unescape(heading)).split()).translate(SMART_QUOTES)
        assert shown == " ".join(summary.replace("``", "").split()).rstrip("."), script.name
        code = html.unescape(re.sub(r"<[^>]+>", "", page))
        missing = [line for line in script.read_text(encoding="utf-8").splitlines() if line.strip() not in code]
        assert not missing, f"{script.name}: its page lacks {missing[:3]}"
    index = (built / "gallery" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{s.stem}.html"' in index for s in EXAMPLES)


def test_an_example_without_its_figure_fails_the_build(tmp_path):
    """The gallery warns (an error under -W) about an example with no figure in docs/_static/gallery/."""
    import logging
    from types import SimpleNamespace

    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import gallery
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "01_new.py").write_text('"""A new example.\n\nIt draws nothing yet."""\n')
    (tmp_path / "docs" / "_static" / "gallery" / "01_new").mkdir(parents=True)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("sphinx.gallery")
    logger.addHandler(handler)
    try:
        page = gallery.example_page(SimpleNamespace(srcdir=str(tmp_path / "docs")), tmp_path / "examples" / "01_new.py")
    finally:
        logger.removeHandler(handler)
    assert "A new example" in page and "It draws nothing yet." in page
    assert any("01_new.py has no figure" in record.getMessage() for record in records), records


def test_the_model_pages_snippets_run(built):
    # The model pages are written at build time (docs/models/*.md, git-ignored), so tests/test_snippets.py does
    # not see them; their python blocks run here, after the build, with the same rules: each asserts, each runs.
    from test_snippets import python_blocks

    pages = sorted((DOCS / "models").glob("*.md"))
    assert len(pages) >= 8
    for page in pages:
        for block in python_blocks(page):
            assert "assert " in block.code, block.where
            exec(compile("\n" * block.line + block.code, str(page), "exec"), {"__name__": "__snippet__"})  # noqa: S102
