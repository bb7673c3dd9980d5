"""The API reference: one page per public module of brian2energy, written at build time from ``__all__``.

A public module is one of ``src/brian2energy/*.py`` with an ``__all__``. Its page (``api/<module>.rst``) has the
module's docstring, a summary table of every name in its ``__all__``, and the full documentation of the names
the module defines itself (autodoc). A name the module imports from another module (``rest`` re-exports
``resting``'s names, the package re-exports the main ones) is listed in the table and linked to the page of the
module that defines it, where it is documented once.

References to a re-exported name (``brian2energy.Cell``, ``brian2energy.rest.resting_state``) or to a name a module
imported (``Cell.dt`` in a docstring of ``modelfile``) resolve to the defining module's entry: the
``missing-reference`` handler below follows the imports, read from the sources with :mod:`ast`; a bare name that
lost its module's context (a summary line shown on another page) resolves if the package has one object of
that name.

Three corrections to napoleon and autosummary, for numpydoc docstrings as this package writes them:

* a type with its unit in parentheses (``Quantity (siemens/meter**2 or siemens)``) stays whole, the unit shown
  as a literal (napoleon would split it at ``or`` and look up ``siemens)`` as a class);
* an attribute's or property's docstring is a summary, not ``type: description`` (napoleon's Google-style
  reading of a colon in the first line);
* autosummary's one-line summary is not cut at a period inside an inline literal (``[min .. max]``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.ext import autosummary
from sphinx.ext.napoleon import docstring as napoleon_docstring
from sphinx.ext.napoleon.docstring import NumpyDocstring
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

PACKAGE = "brian2energy"
logger = logging.getLogger(__name__)


def package_dir() -> Path:
    return Path(importlib.import_module(PACKAGE).__file__).parent


def module_names() -> list[str]:
    """Every public module: the package and each of its modules whose source assigns ``__all__``."""
    names = [PACKAGE]
    for path in sorted(package_dir().glob("*.py")):
        if path.stem.startswith("_"):
            continue
        if _all_of(ast.parse(path.read_text(encoding="utf-8"))) is not None:
            names.append(f"{PACKAGE}.{path.stem}")
    return names


def _source(module: str) -> Path:
    base = package_dir()
    return base / "__init__.py" if module == PACKAGE else base / f"{module.rsplit('.', 1)[1]}.py"


def _all_of(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                return list(ast.literal_eval(node.value))
    return None


def imports_of(module: str) -> dict[str, str]:
    """Name -> the module it was imported from, for every ``from .x import name`` (or absolute) at top level."""
    tree = ast.parse(_source(module).read_text(encoding="utf-8"))
    package = PACKAGE if module == PACKAGE else module.rsplit(".", 1)[0]
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            if not origin.startswith(PACKAGE):
                continue
            for alias in node.names:
                if alias.name != "*" and alias.asname in (None, alias.name):  # "import x as y": not followed
                    out[alias.name] = origin
    return out


def defined_in(module: str) -> set[str]:
    """The names a module's source defines at top level (def, class, assignment), in ``if``/``try`` blocks too."""
    names: set[str] = set()

    def visit(body):
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
                visit(getattr(node, "finalbody", []))

    visit(ast.parse(_source(module).read_text(encoding="utf-8")).body)
    return names


_IMPORTS: dict[str, dict[str, str]] = {}
_DEFINED: dict[str, set[str]] = {}


def home_of(module: str, name: str) -> str:
    """The module that defines ``name`` as seen from ``module``, following re-exports."""
    seen = set()
    while (module, name) not in seen:
        seen.add((module, name))
        if module not in _IMPORTS:
            try:
                _IMPORTS[module], _DEFINED[module] = imports_of(module), defined_in(module)
            except (OSError, IndexError):
                return module
        if name in _DEFINED[module]:
            return module
        origin = _IMPORTS[module].get(name)
        if origin is None:
            return module
        try:
            target = importlib.import_module(origin)
        except ImportError:
            return module
        if inspect.ismodule(getattr(target, name, None)):
            return module
        module = origin
    return module


def public_names(module: str) -> list[str]:
    return list(importlib.import_module(module).__all__)


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj) or inspect.ismethod(obj):
        return "function"
    if callable(obj) and not isinstance(obj, type) and hasattr(obj, "__wrapped__"):
        return "function"
    return "data"


def attributes_section(cls) -> list[str]:
    """The names a class's numpydoc ``Attributes`` section lists (autodoc would document them a second time)."""
    lines = inspect.cleandoc(cls.__doc__ or "").splitlines()
    names, inside = [], False
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"} and line.strip():
            inside = line.strip() == "Attributes"
            continue
        if inside and line and not line[0].isspace() and not set(line.strip()) <= {"-"}:
            name = re.split(r"[\s:]", line.strip(), maxsplit=1)[0]
            if name.isidentifier():
                names.append(name)
    return names


def _title(text: str) -> list[str]:
    return [text, "=" * len(text), ""]


def module_page(module: str) -> str:
    mod = importlib.import_module(module)
    names = public_names(module)
    own = [n for n in names if home_of(module, n) == module]
    imported = [n for n in names if n not in own]
    lines = [f".. This page is generated by docs/_ext/apipages.py from {module}.__all__: do not edit.", ""]
    lines += _title(f"``{module}``")
    lines += [f".. automodule:: {module}", "", f".. currentmodule:: {module}", ""]
    if own:
        lines += [
            ".. rubric:: Defined here" if imported else ".. rubric:: Summary",
            "",
            ".. autosummary::",
            "   :nosignatures:",
            "",
        ]
        lines += [f"   {n}" for n in own] + [""]
    if imported:
        lines += [
            ".. rubric:: Re-exported" if own else ".. rubric:: Summary",
            "",
            "Documented where they are defined; importable from here as well.",
            "",
            ".. autosummary::",
            "   :nosignatures:",
            "",
        ]
        for n in imported:  # autosummary wants names below the current module relative to it
            home = home_of(module, n)
            lines.append(f"   ~{home[len(module) + 1 :] if home.startswith(module + '.') else home}.{n}")
        lines.append("")
    groups = {"class": [], "exception": [], "function": [], "data": []}
    for name in own:
        if not hasattr(mod, name):
            logger.warning("%s.__all__ names %r, which the module does not define", module, name)
            continue
        groups[_kind(getattr(mod, name))].append(name)
    headings = {
        "class": "Classes",
        "exception": "Exceptions and warnings",
        "function": "Functions",
        "data": "Constants",
    }
    for kind, members in groups.items():
        if not members:
            continue
        lines += [headings[kind], "-" * len(headings[kind]), ""]
        for name in members:
            if kind in ("class", "exception"):
                lines += [f".. auto{kind}:: {name}", "   :members:", "   :show-inheritance:"]
                listed = attributes_section(getattr(mod, name))
                if listed:  # documented once, in the docstring's Attributes section
                    lines.append(f"   :exclude-members: {', '.join(listed)}")
                lines.append("")
            else:
                lines += [f".. auto{kind}:: {name}", ""]
    return "\n".join(lines)


def index_page(modules: list[str]) -> str:
    lines = [".. This page is generated by docs/_ext/apipages.py: do not edit.", ""]
    lines += _title("API reference")
    lines += [
        "One page per public module; each lists every name in the module's ``__all__``. The package",
        "itself re-exports the names most scripts need (``from brian2energy import load_model``).",
        "",
        ".. autosummary::",
        "   :nosignatures:",
        "",
    ]
    lines += [f"   {m}" for m in modules] + [""]
    lines += [".. toctree::", "   :hidden:", ""] + [f"   {m}" for m in modules] + [""]
    return "\n".join(lines)


def write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "api"
    modules = module_names()
    pages = {"index": index_page(modules)} | {m: module_page(m) for m in modules}
    for stale in out.glob("*.rst"):
        if stale.stem not in pages:
            stale.unlink()
    for stem, text in pages.items():
        write_if_changed(out / f"{stem}.rst", text)


def _canonical(target: str) -> str | None:
    """``target`` (a dotted name starting with the package) with its first name after the module replaced by
    the module that defines it; None if it does not name the package's objects.
    """
    if not target.startswith(PACKAGE):
        return None
    parts = target.split(".")
    for split in range(len(parts), 0, -1):
        module = ".".join(parts[:split])
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        if split == len(parts):
            return module
        return ".".join([home_of(module, parts[split]), *parts[split:]])
    return None


def resolve_reexports(app: Sphinx, env, node, contnode):
    """A reference to a name through a module that re-exports or imports it resolves to its definition."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    module, klass = node.get("py:module"), node.get("py:class")
    candidates = [target, f"{PACKAGE}.{target}"]  # the second: relative to the package (engine.Dynamics)
    if module:
        if klass:
            candidates.append(f"{module}.{klass}.{target}")
        candidates.append(f"{module}.{target}")
    domain = env.get_domain("py")
    for candidate in candidates:
        canonical = _canonical(candidate)
        if not canonical:
            continue
        entry = domain.objects.get(canonical)
        if entry is None:
            entry = domain.modules.get(canonical)
            if entry is None:
                continue
            return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, canonical)
        return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, canonical)
    # a bare name out of its module's context (an autosummary line on another page): the package's one object
    # of that name, if there is exactly one
    if "." not in target.lstrip("~."):
        name = target.lstrip("~.")
        matches = [
            full
            for full in domain.objects
            if full.startswith(f"{PACKAGE}.") and full.endswith(f".{name}") and not domain.objects[full].aliased
        ]
        if len(matches) == 1:
            entry = domain.objects[matches[0]]
            return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, matches[0])
    return None


def _plain_attribute_docstring(self) -> list[str]:
    """Napoleon reads an attribute's or property's first line ``"text: more"`` as ``"type: description"`` (a
    Google-style habit); in numpydoc an attribute's docstring is a summary and its type is the annotation. Here
    the docstring is parsed as any other (its sections included), with no inline type.
    """
    lines = self._dedent(self._consume_to_end())
    return NumpyDocstring(lines, self._config).lines()


_convert_type_spec = napoleon_docstring._convert_type_spec


def _type_with_units(spec: str, translations=None, debug_location=None) -> str:
    """Napoleon's type conversion, with a parenthesised part kept whole as a literal: the docstrings write a
    quantity's unit so (``Quantity (siemens/meter**2 or siemens)``), and napoleon would split it at ``or``.
    """
    out, depth, start = [], 0, 0
    parts = []
    for i, c in enumerate(spec):
        if c == "(":
            if depth == 0:
                parts.append((False, spec[start:i]))
                start = i
            depth += 1
        elif c == ")" and depth:
            depth -= 1
            if depth == 0:
                parts.append((True, spec[start : i + 1]))
                start = i + 1
    if depth:  # unbalanced: leave it to napoleon
        return _convert_type_spec(spec, translations, debug_location)
    parts.append((False, spec[start:]))
    for grouped, part in parts:
        if grouped:
            out.append(f"(``{part[1:-1].strip()}``)")
        elif part.strip():  # leading blanks kept: " or None" is a delimiter and a name to napoleon
            core = part if re.search(r"\s(of|or|and|to)\s+$", part) else part.rstrip()  # "tuple of (...)"
            out.append(_convert_type_spec(core, translations, debug_location) + part[len(core) :])
        else:
            out.append(part)
    return "".join(out)


_extract_summary = autosummary.extract_summary


def _balanced_summary(doc, settings) -> str:
    """Autosummary's first sentence, not cut inside an inline literal (``[min .. max]``): Sphinx 9 checks the
    whole stanza instead of the sentence it cut, so a period inside ``...`` ends the summary there.
    """
    summary = _extract_summary(doc, settings)
    if summary.count("``") % 2 == 0:
        return summary
    stanza = []
    for line in doc:
        if not line.strip():
            if stanza:
                break
            continue
        stanza.append(line.strip())
    sentences = autosummary.periods_re.split(" ".join(stanza))
    for i in range(len(sentences)):
        candidate = ". ".join(sentences[: i + 1]).rstrip(".") + "."
        if len(candidate) >= len(summary) and candidate.count("``") % 2 == 0:
            return candidate
    return " ".join(stanza)


def setup(app: Sphinx) -> dict:
    # three corrections to private functions of napoleon and autosummary (Sphinx 7 to 9); each is checked to
    # exist, so a Sphinx without one builds as before (a warning, not a crash, if the docstrings need it)
    if hasattr(NumpyDocstring, "_parse_attribute_docstring"):
        NumpyDocstring._parse_attribute_docstring = _plain_attribute_docstring
    if hasattr(autosummary, "extract_summary") and hasattr(autosummary, "periods_re"):
        autosummary.extract_summary = _balanced_summary
    if hasattr(napoleon_docstring, "_convert_type_spec"):
        napoleon_docstring._convert_type_spec = _type_with_units
    app.connect("builder-inited", generate)
    app.connect("missing-reference", resolve_reexports)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
