"""The model pages: one per shipped model, written at build time from the model files and ``models/SOURCES.md``.

Every model of :func:`brian2energy.list_models` and every spatial model (a folder under ``models/`` with a
``morphology.toml``, read with :func:`brian2energy.load_spatial_model`) gets ``models/<name>.md``: its
description and reference, the ``[cell]`` values with the measured time steps (``dt``, ``dt_stable``,
``dt_source``), the ions, every mechanism with its parameters, their values and units as the file writes
them and the comment that gives each one's source, the model's section of ``models/SOURCES.md`` (the
section headed ``## <file>``, included as it is written) and the model file itself. ``models/index.md``
lists the models and includes the parts of ``SOURCES.md`` that belong to no single model.

Each model is loaded with brian2energy's own loader, so a model file that does not load fails the build.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

logger = logging.getLogger(__name__)
_PUNCTUATION = re.compile(r"([\\`*_\[\]<>|$~#{}])")


def models_dir(app: Sphinx) -> Path:
    return Path(app.srcdir).parent / "models"


def text(value: str) -> str:
    """Plain text for a Markdown table cell (CommonMark escapes; no line breaks)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(value).split()))


def code(value) -> str:
    """A value as inline code in a Markdown table cell."""
    if isinstance(value, str):
        shown = value
    elif isinstance(value, bool):
        shown = "true" if value else "false"
    else:
        shown = repr(value) if not isinstance(value, list) else ", ".join(code_plain(v) for v in value)
    shown = " ".join(shown.split()).replace("|", "\\|")
    fence = "``" if "`" in shown else "`"
    return f"{fence}{shown}{fence}"


def code_plain(value) -> str:
    return value if isinstance(value, str) else repr(value)


# -- comments of a TOML file: (table path, key) -> the comment at the end of that key's line --------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=\s*(.*)$")


def _split_comment(value: str) -> tuple[str, str]:
    """``value # comment`` -> (value, comment), a ``#`` inside a string being part of the value."""
    quote = None
    i = 0
    while i < len(value):
        c = value[i]
        if quote:
            if value.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
            if c == "\\" and quote == '"':
                i += 2
                continue
        elif value.startswith('"""', i) or value.startswith("'''", i):
            quote = value[i : i + 3]
            i += 3
            continue
        elif c in "\"'":
            quote = c
        elif c == "#":
            return value[:i].rstrip(), value[i + 1 :].strip()
        i += 1
    return value.rstrip(), ""


def toml_comments(source: str) -> dict[tuple, str]:
    """The comment after each key, keyed by (table path, key); array tables are numbered from 0."""
    out: dict[tuple, str] = {}
    counts: dict[tuple, int] = {}
    arrays: set[tuple] = set()
    table: tuple = ()
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            parts = [p.strip().strip('"') for p in header.group(2).split(".")]
            resolved: tuple = ()
            for j, part in enumerate(parts):
                resolved += (part,)
                if resolved in arrays and j < len(parts) - 1:
                    resolved += (counts[resolved],)
            if header.group(1) == "[[":
                arrays.add(resolved)
                counts[resolved] = counts.get(resolved, -1) + 1
                table = resolved + (counts[resolved],)
            else:
                table = resolved
            continue
        key = _KEY.match(line)
        if not key:
            continue
        value, comment = _split_comment(key.group(2))
        opened = None
        if value.startswith(('"""', "'''")) and value.count(value[:3]) == 1:
            opened = value[:3]
        elif value.startswith("["):
            depth = value.count("[") - value.count("]")
            while depth > 0 and i < len(lines):  # an array over several lines: skip to its end
                more, _ = _split_comment(lines[i])
                depth += more.count("[") - more.count("]")
                i += 1
        if opened:
            while i < len(lines) and opened not in lines[i]:
                i += 1
            i += 1
        if comment:
            out[(table, key.group(1).strip('"'))] = comment
    return out


# -- one model page --------------------------------------------------------------------------------------


@dataclass
class Model:
    name: str  # as load_model / load_spatial_model know it
    file: Path  # the cell's .toml
    spatial: Path | None = None  # the folder of a spatial model


def shipped_models(app: Sphinx) -> list[Model]:
    import brian2energy

    folder = models_dir(app)
    models = [Model(name, folder / f"{name}.toml") for name in brian2energy.list_models()]
    for sub in sorted(p for p in folder.iterdir() if (p / "morphology.toml").is_file()):
        models.append(Model(sub.name, sub / "cell.toml", sub))
    return models


def sources_sections(path: Path) -> tuple[list[str], dict[str, tuple[int, int, str]]]:
    """``SOURCES.md`` split at its ``## `` headings: the file's lines, and heading key -> (first line after the
    heading, end line, heading text); the key is the heading's first word without ``.toml`` or ``/``. The
    preamble is under the key ``""``.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    sections = {"": (1 if lines and lines[0].startswith("# ") else 0, starts[0] if starts else len(lines), "")}
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        heading = lines[start][3:].strip()
        key = heading.split()[0].removesuffix("/").removesuffix(".toml") if heading else ""
        sections[key] = (start + 1, end, heading)
    return lines, sections


def include(relpath: str, start: int, end: int) -> list[str]:
    return ["```{include} " + relpath, f":start-line: {start}", f":end-line: {end}", "```", ""]


def _rows(table: dict, path: tuple, comments: dict, skip: tuple = ()) -> list[str]:
    rows = [
        (k, v)
        for k, v in table.items()
        if k not in skip and not isinstance(v, dict) and not (isinstance(v, list) and v and isinstance(v[0], dict))
    ]
    if not rows:
        return []
    out = ["| key | value | source |", "| --- | --- | --- |"]
    for key, value in rows:
        out.append(f"| `{key}` | {code(value)} | {text(comments.get((path, key), ''))} |")
    return out + [""]


def _gate_rows(gates: list[dict], path: tuple, comments: dict) -> list[str]:
    out = []
    for g, gate in enumerate(gates):
        gpath = path + ("gates", g)
        out += [f"Gate `{gate.get('name', g)}`:", ""]
        rows = []
        for key, value in gate.items():
            if key == "chain" and isinstance(value, list):
                for s, step in enumerate(value):
                    rows.append((f"chain[{s}]", " ; ".join(map(str, step)) if isinstance(step, list) else step))
            else:
                rows.append((key, value))
        out += ["| key | value | source |", "| --- | --- | --- |"]
        out += [f"| `{k}` | {code(v)} | {text(comments.get((gpath, k.split('[')[0]), ''))} |" for k, v in rows]
        out.append("")
    return out


def mechanism_title(mech: dict, index: int) -> str:
    kind = mech.get("type", "?")
    label = mech.get("name") or mech.get("ion") or ""
    if isinstance(label, dict):
        label = "/".join(label)
    if isinstance(mech.get("ions"), list):
        label = label or "/".join(mech["ions"])
    return f"{index + 1}. {kind}" + (f" `{label}`" if label else "")


def cell_sections(data: dict, source: str, cell, heading: str = "##") -> list[str]:  # noqa: C901
    """The [cell], [ions], [[mechanisms]] and other tables of a model file as Markdown."""
    comments = toml_comments(source)
    out = [f"{heading} Cell", ""]
    out += _rows(data.get("cell", {}), ("cell",), comments)
    if "dt" in data.get("cell", {}):
        out += [
            f"`Cell.dt` = {code(str(cell.dt))}, `Cell.dt_stable` = {code(str(cell.dt_stable))}: the largest "
            "steps measured to keep the model within its accuracy target and stable "
            "({py:attr}`brian2energy.cell.Cell.dt`).",
            "",
        ]
    else:
        out += [
            "The file gives no measured `dt`: {py:attr}`brian2energy.cell.Cell.dt` derives a step from the "
            "model's Jacobian at rest.",
            "",
        ]
    if data.get("ions"):
        out += [f"{heading} Ions", ""]
        for ion, table in data["ions"].items():
            out += [f"{heading}# {text(ion)}", ""] + _rows(table, ("ions", ion), comments)
    out += [f"{heading} Mechanisms", ""]
    out += [
        "As loaded ({py:class}`~brian2energy.cell.Cell`): each mechanism's name in the equations (states and "
        "parameters carry it: `g_<name>`, `i_<name>`) and the share of its current each ion carries.",
        "",
        "| mechanism | class | carries |",
        "| --- | --- | --- |",
    ]
    for mech in cell.mechanisms:
        carries = ", ".join(f"{ion} {share:g}" for ion, share in mech.carries.items())
        out.append(f"| `{mech.name}` | `{type(mech).__name__}` | {text(carries)} |")
    out += [
        "",
        f"State variables (`Cell.states`): {', '.join(f'`{n}`' for n in cell.states)}. "
        f"Energy counters (`Cell.counters`): {', '.join(f'`{n}`' for n in cell.counters)}.",
        "",
        "As the model file writes them, with the comment that gives each value's source:",
        "",
    ]
    for m, mech in enumerate(data.get("mechanisms", [])):
        path = ("mechanisms", m)
        out += [f"{heading}# {mechanism_title(mech, m)}", ""]
        out += _rows(mech, path, comments)
        for key, value in mech.items():
            if isinstance(value, dict):
                out += [f"`{key}`:", ""] + _rows(value, path + (key,), comments)
        if isinstance(mech.get("gates"), list):
            out += _gate_rows(mech["gates"], path, comments)
    for key, value in data.items():
        if key in ("cell", "ions", "mechanisms") or not isinstance(value, dict):
            continue
        out += [f"{heading} {text(key.capitalize())}", ""] + _rows(value, (key,), comments)
        for sub, table in value.items():
            if isinstance(table, dict):
                out += [f"{heading}# {text(sub)}", ""] + _rows(table, (key, sub), comments)
    return out


def model_page(app: Sphinx, model: Model, sections: dict) -> str:
    import brian2energy

    root = Path(app.srcdir).parent
    source = model.file.read_text(encoding="utf-8-sig")
    data = tomllib.loads(source)
    if model.spatial is None:
        cell = brian2energy.load_model(model.name)
        meta = data
        loader = f'brian2energy.load_model("{model.name}")'
        api = "{py:func}`~brian2energy.modelfile.load_model`"
    else:
        spatial = brian2energy.load_spatial_model(model.name)
        cell = spatial.cell
        meta = tomllib.loads((model.spatial / "morphology.toml").read_text(encoding="utf-8-sig"))
        loader = f'brian2energy.load_spatial_model("{model.name}")'
        api = "{py:func}`~brian2energy.compartments.load_spatial_model`"
    rel = model.file.relative_to(root).as_posix()
    # the snippet asserts what it loaded (tests/test_snippets.py runs every ```python block of docs/**/*.md)
    if model.spatial is None:
        check = f"assert len(cell.mechanisms) == {len(cell.mechanisms)}"
    else:
        check = f"assert spatial_model.morphology.total_compartments == {spatial.morphology.total_compartments}"
    out = [
        f"<!-- Generated by docs/_ext/modelpages.py from {rel} and models/SOURCES.md: do not edit. -->",
        "",
        f"# `{model.name}`",
        "",
        text(meta.get("description", "")),
        "",
        "```python",
        "import brian2energy",
        "",
        f"{'spatial_model' if model.spatial else 'cell'} = {loader}",
        check,
        "```",
        "",
        f"Read with {api} from `{(model.spatial or model.file).relative_to(root).as_posix()}`.",
        "",
        "**Reference.** " + text(meta.get("reference", "(none given)")),
        "",
    ]
    if model.spatial is not None:
        comments = toml_comments((model.spatial / "morphology.toml").read_text(encoding="utf-8-sig"))
        out += ["## Morphology", ""] + _rows(meta, (), comments, skip=("description", "reference"))
        out += [
            f"{spatial.morphology.total_compartments} compartments in {len(spatial.sections)} sections, "
            f"axial resistivity `Ri` = {code(str(spatial.Ri))}.",
            "",
            "| region | compartments |",
            "| --- | --- |",
        ]
        out += [f"| `{region}` | {len(index)} |" for region, index in spatial.regions.items()] + [""]
        out += [
            "Constants given per compartment by the compartment table (the cell file's values are the "
            "defaults): " + ", ".join(f"`{name}`" for name in spatial.values) + ".",
            "",
        ]
        table = model.spatial / str(meta["compartments"])
        head = table.read_text(encoding="utf-8-sig").splitlines()
        comments = next((i for i, line in enumerate(head) if not line.lstrip().startswith("#")), len(head))
        rel_table = table.relative_to(root).as_posix()
        rows = sum(1 for line in head[comments + 1 :] if line.strip() and not line.lstrip().startswith("#"))
        out += [
            f"The compartment table `{rel_table}` ({rows} rows), its header:",
            "",
            "```{literalinclude} ../../" + rel_table,
            f":lines: 1-{comments + 1}",
            ":language: text",
            "```",
            "",
        ]
        out += ["## The cell (`cell.toml`)", ""] + [
            line.replace("## ", "### ", 1)
            if line.startswith("## ")
            else line.replace("### ", "#### ", 1)
            if line.startswith("### ")
            else line
            for line in cell_sections(data, source, cell)
        ]
    else:
        out += cell_sections(data, source, cell)
    out += ["## Sources, checks and approximations", ""]
    if model.name in sections:
        start, end, heading = sections[model.name]
        out += [f"From `models/SOURCES.md`, *{text(heading)}*:", ""]
        out += include("../../models/SOURCES.md", start, end)
    else:
        out += [
            "`models/SOURCES.md` has no section of its own for this model: every value's source is the "
            "comment beside it in the model file (the tables above, and the file below).",
            "",
        ]
    out += ["## The model file", "", f"`{rel}`:", "", "```{literalinclude} ../../" + rel, ":language: toml", "```", ""]
    if model.spatial is not None:
        out += [
            f"`{(model.spatial / 'morphology.toml').relative_to(root).as_posix()}`:",
            "",
            "```{literalinclude} ../../" + (model.spatial / "morphology.toml").relative_to(root).as_posix(),
            ":language: toml",
            "```",
            "",
        ]
    return "\n".join(out)


def index_page(app: Sphinx, models: list[Model], sections: dict) -> str:
    import brian2energy

    descriptions = brian2energy.list_models()
    out = [
        "<!-- Generated by docs/_ext/modelpages.py from models/: do not edit. -->",
        "",
        "# Models",
        "",
        "The models that ship with brian2energy, one page each, generated from the model files and "
        "`models/SOURCES.md`. Load one with {py:func}`~brian2energy.modelfile.load_model` "
        "(a {py:class}`~brian2energy.cell.Cell`), or a cell on its morphology with "
        "{py:func}`~brian2energy.compartments.load_spatial_model`. Each page is written when the documentation "
        "is built, from the model file (read by brian2energy's own loader) and its section of `models/SOURCES.md`: "
        "to change a page, change those.",
        "",
        "| model | description |",
        "| --- | --- |",
    ]
    for model in models:
        description = descriptions.get(model.name)
        if description is None:
            description = tomllib.loads((model.spatial / "morphology.toml").read_text(encoding="utf-8-sig")).get(
                "description", ""
            )
        out.append(f"| [`{model.name}`]({model.name}.md) | {text(description)} |")
    out += ["", "```{toctree}", ":hidden:", ""] + [m.name for m in models] + ["```", ""]
    start, end, _ = sections[""]
    out += ["## About the model files", ""] + include("../../models/SOURCES.md", start, end)
    names = {m.name for m in models}
    for key, (start, end, heading) in sections.items():
        if key and key not in names:
            out += [f"## {heading}", ""] + include("../../models/SOURCES.md", start, end)
    return "\n".join(out)


def generate(app: Sphinx) -> None:
    from apipages import write_if_changed

    out = Path(app.srcdir) / "models"
    models = shipped_models(app)
    _, sections = sources_sections(models_dir(app) / "SOURCES.md")
    pages = {"index": index_page(app, models, sections)}
    for model in models:
        pages[model.name] = model_page(app, model, sections)
    for stale in out.glob("*.md"):
        if stale.stem not in pages:
            stale.unlink()
    for stem, page in pages.items():
        write_if_changed(out / f"{stem}.md", page)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", generate)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
