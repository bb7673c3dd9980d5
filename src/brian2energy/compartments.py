"""Cells on a published morphology, from model files: the cell's mechanisms and a compartment table.

A spatial model is a folder under ``models/`` (or anywhere) with three files, all data:

* ``cell.toml``: the mechanisms, ions and temperature, as any model file (:func:`~brian2energy.modelfile.load_model`);
  its densities are the defaults;
* ``morphology.toml``: ``Ri`` (the axial resistivity), ``compartments`` (the table's file name),
  ``description`` and ``reference``;
* the compartment table, CSV: one row per compartment, sections in parent-before-child order and
  each section's compartments from its start to its end. Columns: ``section``, ``parent`` (empty for
  the root), ``region`` (a label such as ``ais``), ``length [um]``, ``diameter_start [um]`` and
  ``diameter_end [um]`` (the compartment is a truncated cone, as Brian2's ``Section``), and any constant
  of the cell with its unit in brackets (``C_m [uF/cm^2]``, ``g_na [mS/cm^2]``): that constant's value
  in the compartment. Lines starting with ``#`` are comments.

The root section, when its region is ``soma``, becomes a Brian2 ``Soma`` (one isopotential compartment)
of the same membrane area as its rows, with their area-weighted mean constants; every child section
starts at the end of its parent (or at the soma).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from importlib.resources import files
from itertools import pairwise
from pathlib import Path

import numpy as np
from brian2 import Morphology, Quantity, Section, Soma, SpatialNeuron, meter, ohm, um
from brian2.units.fundamentalunits import get_dimensions

from .cell import Cell
from .errors import ModelError
from .expressions import parse_quantity
from .modelfile import _read, load_model

__all__ = ["SpatialModel", "load_spatial_model"]

_MODEL_DIR = files("brian2energy") / "models"
_GEOMETRY = {"length": um, "diameter_start": um, "diameter_end": um}
_HEADER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[(.+)\])?\s*$")


@dataclass(frozen=True, repr=False)
class SpatialModel:
    """A cell on its morphology, as read by :func:`load_spatial_model`.

    Attributes
    ----------
    name : str
        The model's name (its folder's).
    cell : Cell
        The mechanisms (a :class:`~brian2energy.cell.Cell`, its densities the defaults).
    morphology : brian2.Morphology
        The morphology.
    Ri : Quantity (ohm*meter)
        The axial resistivity.
    values : dict of str to Quantity
        Constant -> one value per compartment (Brian2's order), in the constant's units.
    regions : dict of str to ndarray
        Label -> compartment indices, in the table's order.
    sections : dict of str to ndarray
        The table's section name -> compartment indices.
    description : str
        From ``morphology.toml``.
    reference : str
        From ``morphology.toml``.
    source : str
        The file it was read from, for messages.
    """

    name: str
    cell: Cell
    morphology: Morphology
    Ri: Quantity
    values: dict[str, Quantity]
    regions: dict[str, np.ndarray]
    sections: dict[str, np.ndarray]
    description: str = ""
    reference: str = ""
    source: str = field(default="", compare=False)

    def spatial_neuron(self, **kwargs) -> SpatialNeuron:
        """Return the model as a Brian2 ``SpatialNeuron``.

        Parameters
        ----------
        **kwargs
            Passed to :func:`~brian2energy.spatial.spatial_neuron`, e.g. ``counters``, ``method``,
            ``dt``, ``regions`` for more overrides.

        Returns
        -------
        brian2.SpatialNeuron
            The cell on the morphology with the table's values per compartment, counters in every
            compartment.
        """
        return self.cell.spatial_neuron(self.morphology, self.Ri, values=self.values, **kwargs)

    def __repr__(self) -> str:
        """Return the model's name, compartments, sections and regions."""
        parts = ", ".join(f"{k} {v.size}" for k, v in self.regions.items())
        return (
            f"SpatialModel({self.name!r}: {self.morphology.total_compartments} compartments in "
            f"{len(self.sections)} sections; {parts})"
        )


def load_spatial_model(name_or_path: str | Path) -> SpatialModel:
    """Read a spatial model by name (``"hallermann2012_l5"``, a folder under ``models/``) or from a folder path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        The name of a shipped spatial model, or a folder with ``cell.toml``, ``morphology.toml``
        and the compartment table (see :mod:`brian2energy.compartments`).

    Returns
    -------
    SpatialModel
        The cell, its morphology, ``Ri``, the per-compartment values, regions and sections.

    Raises
    ------
    ModelError
        If there is no such model or folder, ``morphology.toml`` has unknown or missing keys or
        a ``Ri`` that is not a positive resistivity, ``cell.toml`` is not a valid model file
        (see :func:`~brian2energy.modelfile.load_model`), or the compartment table is malformed
        (the message names the file, line and column).
    """
    text = str(name_or_path)
    folder = _MODEL_DIR / text
    if not (folder / "morphology.toml").is_file():
        folder = Path(text)
        if not (folder / "morphology.toml").is_file():
            raise ModelError(
                f"no spatial model named {text!r} and no folder with a morphology.toml there; the "
                f"spatial models are {_spatial_models()}"
            )
    source = f"{folder.name}/morphology.toml"
    meta = _read(folder / "morphology.toml", source)
    unknown = sorted(set(meta) - {"Ri", "compartments", "description", "reference"})
    if unknown:
        raise ModelError(f"unknown key(s) {unknown}; expected Ri, compartments, description, reference", source=source)
    for key in ("Ri", "compartments"):
        if key not in meta:
            raise ModelError(f"missing key {key!r}", source=source)
    ri = parse_quantity(meta["Ri"], ohm * meter, source=source, key="Ri")
    if not float(ri) > 0:
        raise ModelError(f"Ri must be positive, got {meta['Ri']!r}", source=source, key="Ri")
    cell = load_model(folder / "cell.toml").replace(name=folder.name)
    table = folder / str(meta["compartments"])
    morphology, values, regions, sections = _read_table(table, cell, f"{folder.name}/{table.name}")
    return SpatialModel(
        folder.name,
        cell,
        morphology,
        ri,
        values,
        regions,
        sections,
        str(meta.get("description", "")),
        str(meta.get("reference", "")),
        source,
    )


def _spatial_models() -> list[str]:
    """List the shipped spatial models."""
    return sorted(p.name for p in _MODEL_DIR.iterdir() if (p / "morphology.toml").is_file())


def _read_table(path: Path, cell: Cell, source: str):
    """Read the compartment table as (Morphology, values, regions, sections).

    Every problem is a ModelError naming the file, line and column.
    """
    try:
        lines = [
            line
            for line in path.read_text(encoding="utf-8-sig").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read the compartment table ({exc})", source=source) from None
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise ModelError("the compartment table is empty", source=source)
    columns, units = [], {}
    for text in header:
        match = _HEADER.match(text)
        if not match:
            raise ModelError(
                f"column {text!r}: expected a name with an optional unit in brackets, e.g. 'g_na [mS/cm^2]'",
                source=source,
                key="header",
            )
        columns.append(match.group(1))
        units[match.group(1)] = match.group(2)
    constants = set(cell.namespace) - {"area"}
    for name in ("section", "parent", "region", *_GEOMETRY):
        if name not in columns:
            raise ModelError(f"missing column {name!r}", source=source, key="header")
    for name in columns:
        if name not in {"section", "parent", "region", *_GEOMETRY} and name not in constants:
            raise ModelError(
                f"column {name!r} is not a constant of the cell; expected one of {sorted(constants)}",
                source=source,
                key="header",
            )
    numeric = [n for n in columns if n not in ("section", "parent", "region")]
    scale = {}
    for name in numeric:
        unit = _GEOMETRY.get(name, cell.namespace.get(name))
        if units[name] is None:
            raise ModelError(f"column {name!r} needs its unit in brackets", source=source, key="header")
        scale[name] = float(parse_quantity(f"1 {units[name]}", unit, source=source, key=f"header {name}"))
    rows = []
    for number, row in enumerate(reader, start=2):
        if len(row) != len(columns):
            raise ModelError(f"expected {len(columns)} fields, got {len(row)}", source=source, key=f"row {number}")
        record = dict(zip(columns, (cell_text.strip() for cell_text in row)))
        for name in numeric:
            try:
                value = float(record[name]) * scale[name]
            except ValueError:
                raise ModelError(
                    f"{name} = {record[name]!r} is not a number", source=source, key=f"row {number}"
                ) from None
            if not np.isfinite(value) or value < 0 or (name in _GEOMETRY and value == 0):
                raise ModelError(
                    f"{name} = {record[name]!r} must be finite and {'positive' if name in _GEOMETRY else 'non-negative'}",
                    source=source,
                    key=f"row {number}",
                )
            record[name] = value
        record["row"] = number
        rows.append(record)
    if not rows:
        raise ModelError("the compartment table has no rows", source=source)
    return _build(rows, cell, [n for n in numeric if n not in _GEOMETRY], source)


def _frustum_area(row) -> float:
    r0, r1 = row["diameter_start"] / 2, row["diameter_end"] / 2
    return float(np.pi * (r0 + r1) * np.hypot(row["length"], r0 - r1))


def _build(rows, cell: Cell, constant_columns: list[str], source: str):
    order: list[str] = []
    by_section: dict[str, list[dict]] = {}
    for row in rows:
        name = row["section"]
        if name not in by_section:
            order.append(name)
            by_section[name] = []
        elif order[-1] != name:
            raise ModelError(
                f"section {name!r}'s compartments must be consecutive rows", source=source, key=f"row {row['row']}"
            )
        by_section[name].append(row)
    built: dict[str, Morphology] = {}
    root = None
    for name in order:
        first = by_section[name][0]
        parent = first["parent"]
        if any(r["parent"] != parent or r["region"] != first["region"] for r in by_section[name]):
            raise ModelError(
                f"section {name!r}: every row must name the same parent and region",
                source=source,
                key=f"row {first['row']}",
            )
        if not parent:
            if root is not None:
                raise ModelError(
                    f"section {name!r} has no parent, but {root!r} is the root already",
                    source=source,
                    key=f"row {first['row']}",
                )
            root = name
            if first["region"] == "soma":
                area = sum(_frustum_area(r) for r in by_section[name])
                built[name] = Soma(diameter=np.sqrt(area / np.pi) * meter)
                continue
        elif parent not in built:
            raise ModelError(
                f"section {name!r}: its parent {parent!r} must come before it in the table",
                source=source,
                key=f"row {first['row']}",
            )
        section_rows = by_section[name]
        for before, after in pairwise(section_rows):
            if not np.isclose(before["diameter_end"], after["diameter_start"], rtol=1e-6):
                raise ModelError(
                    f"section {name!r}: a compartment's diameter_start must equal the previous one's diameter_end",
                    source=source,
                    key=f"row {after['row']}",
                )
        diameters = [r["diameter_start"] for r in section_rows] + [section_rows[-1]["diameter_end"]]
        built[name] = Section(
            n=len(section_rows),
            diameter=np.array(diameters) * meter,
            length=np.array([r["length"] for r in section_rows]) * meter,
        )
        if parent:
            setattr(built[parent], _attribute(name), built[name])
    morphology = built[root]
    size = morphology.total_compartments
    sections = {name: np.asarray(built[name].indices[:], dtype=int) for name in order}
    regions: dict[str, list[int]] = {}
    values = {name: np.zeros(size) for name in constant_columns}
    for name in order:
        idx = sections[name]
        section_rows = by_section[name]
        regions.setdefault(section_rows[0]["region"], []).extend(idx.tolist())
        if isinstance(built[name], Soma):  # one compartment: the rows' area-weighted means
            weights = np.array([_frustum_area(r) for r in section_rows])
            for column in constant_columns:
                values[column][idx] = np.dot(weights, [r[column] for r in section_rows]) / weights.sum()
        else:
            for column in constant_columns:
                values[column][idx] = [r[column] for r in section_rows]
    quantities = {name: Quantity(v, dim=get_dimensions(cell.namespace[name])) for name, v in values.items()}
    return morphology, quantities, {k: np.array(v, dtype=int) for k, v in regions.items()}, sections


def _attribute(name: str) -> str:
    """Turn a NEURON section name (``dend[3]``) into a Brian2 child name (``dend3``)."""
    return re.sub(r"\W", "", name)
