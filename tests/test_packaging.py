"""Packaging: one version, named alike by the package, its metadata, CHANGELOG.md and CITATION.cff;
the license; the model files inside the wheel.

The version is written once, ``__version__`` in ``src/brian2energy/__init__.py``, and
``pyproject.toml`` reads it from there (``[tool.setuptools.dynamic]``). A failure of the metadata
check after changing it means the install is older than the checkout: ``pip install -e .`` again.
"""

from __future__ import annotations

import re
import sys
from fnmatch import fnmatch
from importlib import metadata
from pathlib import Path

import brian2energy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def released_entries() -> list[tuple[str, str]]:
    """CHANGELOG.md's released entries, newest first: (version, date) of each ``## [x.y.z] - date``."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](.*)$", text, flags=re.MULTILINE)
    assert headings, "CHANGELOG.md has no '## [version]' heading"
    entries = []
    for version, rest in headings:
        if version.lower() == "unreleased":
            continue
        date = re.fullmatch(r"\s+-\s+(\d{4}-\d{2}-\d{2})\s*", rest)
        assert date, f"CHANGELOG.md: '## [{version}]{rest}' is not '## [{version}] - YYYY-MM-DD'"
        entries.append((version, date.group(1)))
    return entries


def cff_field(name: str) -> str:
    """A top-level scalar of CITATION.cff (quotes stripped)."""
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(name)}:\s*(.+?)\s*$", text, flags=re.MULTILINE)
    assert found, f"CITATION.cff has no top-level {name}:"
    return found.group(1).strip("'\"")


def test_the_version_is_written_once_and_read_by_the_build():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project.get("dynamic", [])
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "brian2energy.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", brian2energy.__version__)


def test_the_installed_metadata_names_the_package_version():
    installed = metadata.version("brian2energy")
    assert brian2energy.__version__ == installed, (
        f"brian2energy.__version__ is {brian2energy.__version__} but the installed metadata says {installed}: "
        "the install is older than the checkout (pip install -e . again)"
    )


def test_the_changelog_top_release_is_this_version():
    entries = released_entries()
    assert entries, "CHANGELOG.md has no released entry"
    assert entries[0][0] == brian2energy.__version__, (
        f"CHANGELOG.md's newest release is {entries[0][0]}, the package is {brian2energy.__version__}"
    )
    assert len({version for version, _ in entries}) == len(entries), "CHANGELOG.md names a version twice"


def test_the_citation_names_this_version_and_its_release_date():
    assert cff_field("cff-version") == "1.2.0"
    assert cff_field("version") == brian2energy.__version__
    assert cff_field("date-released") == released_entries()[0][1]
    assert cff_field("license") == PYPROJECT["project"]["license"] == "MIT"


def test_the_license_file_is_mit_and_ships():
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text


def test_every_model_file_is_package_data():
    """Every file under models/ but the notes is matched by a package-data pattern, so it is in the wheel
    (src/brian2energy/models links to models/); a model in a new layout needs a new pattern.
    """
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["brian2energy"]
    package = ROOT / "src" / "brian2energy"
    assert (package / "models").resolve() == (ROOT / "models").resolve()
    shipped = [p for p in (ROOT / "models").rglob("*") if p.is_file() and p.suffix in (".toml", ".csv")]
    assert shipped
    for path in shipped:
        relative = (Path("models") / path.relative_to(ROOT / "models")).as_posix()
        # a pattern's * does not cross a /, as in setuptools' package-data globs
        assert any(fnmatch(relative, pattern) and relative.count("/") == pattern.count("/") for pattern in patterns), (
            f"{relative} is matched by no package-data pattern {patterns}"
        )
    others = sorted(
        p.name
        for p in (ROOT / "models").rglob("*")
        if p.is_file() and p.suffix not in (".toml", ".csv") and p.name != "SOURCES.md"
    )
    assert not others, f"files under models/ that no pattern ships: {others}"
