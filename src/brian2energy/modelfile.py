"""Model files: TOML data describing a cell, read safely into a :class:`~brian2energy.cell.Cell`.

A model file has a ``description`` and ``reference``, a ``[cell]`` table
(``C_m``, ``area``, ``temperature``, optional ``spike_threshold``, and the measured time steps
``dt``, ``dt_stable`` with their provenance ``dt_source``, see :attr:`Cell.dt <brian2energy.cell.Cell.dt>`), an
``[ions.<name>]`` table per ion (``E`` and/or ``inside``/``outside``), an
array of ``[[mechanisms]]`` tables, each with a ``type`` and its keys, and an optional
``[concentrations]`` table (``volume_inside``, ``volume_outside``, ``inside``, ``outside``
and a ``[concentrations.reservoir]`` of type ``GlialBuffer`` or ``Bath``).
Quantities are strings with units (``"120 mS/cm^2"``); rate expressions are
checked with :mod:`ast`, never executed. Every problem raises
:class:`~brian2energy.errors.ModelError` naming the file, the key, the value
given and what was expected.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from brian2 import Quantity, amp, kelvin, meter, mmolar, mV, second, siemens, uF

from .cell import Cell, Ion
from .errors import ModelError
from .expressions import parse_quantity
from .ions import Bath, Concentrations, GlialBuffer
from .leaks import GHKLeak, Leak
from .mechanisms import (
    Channel,
    Gate,
    Kdr_HD2014,
    Kdr_HH52,
    Mechanism,
    NaV_HD2014,
    NaV_HH52,
)
from .pumps import NaKPump

__all__ = ["MECHANISM_TYPES", "list_models", "load_model"]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_MODEL_DIR = files("brian2energy") / "models"
_CONDUCTANCE = siemens / meter**2
_ANY = None  # a channel's own parameters may have any dimensions


def list_models() -> dict[str, str]:
    """List the models that ship with brian2energy.

    Returns
    -------
    dict of str to str
        Model name (for :func:`load_model`) -> its one-line description, sorted by name.

    Raises
    ------
    ModelError
        If a shipped model file cannot be read or is malformed TOML.
    """
    out = {}
    for entry in sorted(_MODEL_DIR.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            out[entry.name[:-5]] = str(_read(entry, entry.name).get("description", ""))
    return out


def load_model(name_or_path: str | Path) -> Cell:
    """Read a model by name (``"squid_axon_hh1952"``) or from a ``.toml`` file path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        The name of a shipped model (see :func:`list_models`), or the path of a model file.

    Returns
    -------
    Cell
        The cell the file describes, named after the model (or the file's stem), with its
        ``description``, ``reference`` and measured steps (``dt``, ``dt_stable``, ``dt_source``).

    Raises
    ------
    ModelError
        If there is no such model or file, the file is not UTF-8 text or not valid TOML, or any
        key is missing, unknown, of the wrong type or units, or not physical; the message names
        the file, the key, the value given and what was expected.

    Notes
    -----
    The format (every key) is described in :mod:`brian2energy.modelfile`. Quantities are read
    by :func:`~brian2energy.expressions.parse_quantity` and rate expressions checked with
    :mod:`ast`, never executed.

    Examples
    --------
    >>> from brian2 import defaultclock
    >>> from brian2energy import load_model
    >>> cell = load_model("squid_axon_hh1952")
    >>> defaultclock.dt = cell.dt
    """
    text = str(name_or_path)
    candidate = _MODEL_DIR / f"{text}.toml"
    if candidate.is_file():
        source, path = f"{text}.toml", candidate
    elif Path(text).is_file():
        source, path = text, Path(text)
    else:
        raise ModelError(f"no model named {text!r} and no such file; the models are {sorted(list_models())}")
    return _build(_read(path, source), source, Path(text).stem if path is not candidate else text)


def _read(path, source: str) -> dict[str, Any]:
    """Read the TOML data in a model file (UTF-8, with or without a byte-order mark)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError(
            f"not a UTF-8 text file ({exc.reason} at byte {exc.start}); expected a TOML model file", source=source
        ) from None
    except OSError as exc:
        raise ModelError(f"cannot be read ({exc.strerror or exc})", source=source) from None
    try:
        return tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError, a 5000-digit integer, arrays nested deeply
        raise ModelError(f"malformed TOML ({exc or type(exc).__name__})", source=source) from None


def _typed(value: Any, kind: type | tuple, source: str, key: str) -> Any:
    """Return ``value`` if it is a TOML value of ``kind``, else raise a ModelError naming it.

    A bool is not a number here, although Python's ``bool`` is an ``int``: ``q10 = true`` is an
    error, not 1.
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    bool_as_number = isinstance(value, bool) and bool not in kinds and (int in kinds or float in kinds)
    if isinstance(value, kinds) and not bool_as_number:
        return value
    expected = " or ".join(k.__name__ for k in kinds)
    article = "an" if expected[0] in "aeiou" else "a"
    raise ModelError(f"expected {article} {expected}, got {value!r}", source=source, key=key)


class _Table:
    """One TOML table being read: every key is used once, unknown keys are errors."""

    def __init__(self, data: Any, source: str, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ModelError(f"expected a table, got {data!r}", source=source, key=where)
        self.data, self.source, self.where, self.used = dict(data), source, where, set()

    def key(self, name: str) -> str:
        """Return the dotted key of ``name`` in this table, for messages."""
        return f"{self.where}.{name}" if self.where else name

    def raw(self, name: str, default: Any = ..., kind: type | tuple = object) -> Any:
        """Return the value of ``name`` checked to be of ``kind`` (``default`` if absent; required without one)."""
        self.used.add(name)
        if name not in self.data:
            if default is ...:
                raise ModelError(f"missing key {name!r}", source=self.source, key=self.where or None)
            return default
        return _typed(self.data[name], kind, self.source, self.key(name))

    def ion(self, name: str) -> str | dict[str, int | float]:
        """Read an ion declaration: one ion's name (``"K"``), or a table of ion name -> share of the current.

        E.g. ``{Na = 0.4, K = 0.6}``. Which names are ions, and that shares sum to 1, the mechanism
        checks.
        """
        value = self.raw(name, kind=(str, dict))
        if isinstance(value, str):
            return value
        shares = _Table(value, self.source, self.key(name))
        return {ion: shares.raw(ion, kind=(int, float)) for ion in shares.data}

    def names(self, name: str, default: Any = ...) -> list[str]:
        """Read a list of names (ions: ``["Na", "K"]``), each checked to be a string."""
        value = self.raw(name, default, list)
        return [_typed(item, str, self.source, f"{self.key(name)}[{i}]") for i, item in enumerate(value)]

    def quantity(self, name: str, unit: Quantity | None, default: Any = ...) -> Any:
        """Read a quantity with the dimensions of ``unit`` (any dimensions if ``unit`` is None)."""
        text = self.raw(name, default, (str, int, float))
        if text is default:
            return default
        return parse_quantity(text, unit, source=self.source, key=self.key(name))

    def quantities(self, units: Mapping[str, Quantity]) -> dict[str, Any]:
        """Read the quantities among ``units`` (name -> unit) that the table gives; absent ones are left out."""
        return {name: self.quantity(name, unit) for name, unit in units.items() if name in self.data}

    def finish(self) -> None:
        """Refuse the keys no reader used (unknown keys)."""
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ModelError(
                f"unknown key(s) {unknown}; expected {sorted(self.used)}", source=self.source, key=self.where or None
            )


def _gate(data: Any, source: str, where: str) -> Gate:
    t = _Table(data, source, where)
    gate = Gate(
        name=t.raw("name", kind=str),
        power=t.raw("power", 1, int),
        **{k: t.raw(k, None, str) for k in ("alpha", "beta", "inf", "tau")},
        chain=_chain(t),
    )
    t.finish()
    return gate


def _chain(t: _Table) -> list[list[str]] | None:
    """Read a chain gate's transitions: a list of [forward, backward] rate expressions."""
    pairs = t.raw("chain", None, list)
    if pairs is None:
        return None
    for k, pair in enumerate(pairs):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(r, str) for r in pair)):
            raise ModelError(
                f"expected a pair of rate expressions [forward, backward], got {pair!r}",
                source=t.source,
                key=f"{t.key('chain')}[{k}]",
            )
    return pairs


def _channel(t: _Table) -> Channel:
    ion = t.ion("ion")
    params = _Table(t.raw("parameters", {}, dict), t.source, t.key("parameters"))
    parameters = {name: params.quantity(name, _ANY) for name in params.data}
    gates = [_gate(g, t.source, f"{t.key('gates')}[{i}]") for i, g in enumerate(t.raw("gates", [], list))]
    q10 = t.raw("q10", 1.0, (int, float))
    return Channel(
        t.raw("name", kind=str),
        ion,
        t.quantity("g", _CONDUCTANCE),
        gates,
        E=t.quantity("E", mV, None),
        parameters=parameters,
        q10=q10,
        T_ref=t.quantity("T_ref", kelvin, None),
        phi=t.raw("phi", None, (int, float)),
        single_channel_conductance=t.quantity("single_channel_conductance", siemens, None),
    )


def _pump(t: _Table) -> NaKPump:
    text = t.raw("rate", kind=(str, int, float))
    try:
        rate = parse_quantity(text, amp / meter**2, source=t.source, key=t.key("rate"))
    except ModelError:
        rate = parse_quantity(text, 1 / (second * meter**2), source=t.source, key=t.key("rate"))
    return NaKPump(rate)


#: Mechanism types a model file may name, each reading its own keys.
MECHANISM_TYPES: dict[str, Callable[[_Table], Mechanism | Any]] = {
    "NaV_HH52": lambda t: NaV_HH52(
        t.quantity("g", _CONDUCTANCE),
        t.raw("name", "NaV", str),
        t.quantity("single_channel_conductance", siemens, NaV_HH52.SINGLE_CHANNEL_CONDUCTANCE),
    ),
    "Kdr_HH52": lambda t: Kdr_HH52(
        t.quantity("g", _CONDUCTANCE),
        t.raw("name", "Kdr", str),
        t.quantity("single_channel_conductance", siemens, Kdr_HH52.SINGLE_CHANNEL_CONDUCTANCE),
    ),
    "Leak": lambda t: Leak(t.raw("ion", kind=str), t.quantity("g", _CONDUCTANCE)),
    "GHKLeak": lambda t: GHKLeak(t.raw("ion", kind=str), t.quantity("P", meter / second)),
    "Leak.split": lambda t: Leak.split(
        t.quantity("g_total", _CONDUCTANCE), t.quantity("E_L", mV), tuple(t.names("ions", ["Na", "K"]))
    ),
    "NaKPump": _pump,
    "NaKPump.hill": lambda t: NaKPump.hill(
        t.quantity("I_max", amp / meter**2), t.quantity("K_half", mmolar), t.raw("n", 3.0, (int, float))
    ),
    "NaKPump.hubel_dahlem": lambda t: NaKPump.hubel_dahlem(
        **t.quantities(
            {"I_max": amp / meter**2, "Na_half": mmolar, "Na_slope": mmolar, "K_half": mmolar, "K_slope": mmolar}
        )
    ),
    "NaKPump.kager": lambda t: NaKPump.kager(
        t.quantity("I_max", amp / meter**2), **t.quantities({"K_m_K": mmolar, "K_m_Na": mmolar})
    ),
    "NaKPump.cressman": lambda t: NaKPump.cressman(**t.quantities({"I_max": amp / meter**2})),
    "NaV_HD2014": lambda t: NaV_HD2014(
        t.quantity("g", _CONDUCTANCE), t.raw("name", "NaV", str), t.raw("k_channel", "Kdr", str)
    ),
    "Kdr_HD2014": lambda t: Kdr_HD2014(
        t.quantity("g", _CONDUCTANCE),
        t.raw("name", "Kdr", str),
        t.quantity("single_channel_conductance", siemens, None),
    ),
    "Channel": _channel,
}


def _concentrations(data: Any, source: str) -> Concentrations:
    t = _Table(data, source, "concentrations")
    reservoir = None
    if "reservoir" in t.data:
        r = _Table(t.raw("reservoir", kind=dict), source, "concentrations.reservoir")
        kind = r.raw("type", kind=str)
        if kind == "GlialBuffer":
            reservoir = GlialBuffer(**r.quantities({"B0": mmolar, "k1": 1 / second, "K_cr": mmolar, "slope": mmolar}))
        elif kind == "Bath":
            reservoir = Bath(**r.quantities({"rate": 1 / second, "K_bath": mmolar}))
        else:
            raise ModelError(
                f"unknown reservoir {kind!r}; expected 'GlialBuffer' or 'Bath'",
                source=source,
                key="concentrations.reservoir.type",
            )
        r.finish()
    conc = Concentrations(
        t.quantity("volume_inside", meter**3),
        t.quantity("volume_outside", meter**3, None),
        inside=tuple(t.names("inside", ["Na", "K"])),
        outside=tuple(t.names("outside", [])),
        reservoir=reservoir,
    )
    t.finish()
    return conc


def _mechanism(data: Any, source: str, where: str):
    t = _Table(data, source, where)
    kind = t.raw("type", kind=str)
    if kind not in MECHANISM_TYPES:
        raise ModelError(
            f"unknown mechanism {kind!r}; expected one of {sorted(MECHANISM_TYPES)}", source=source, key=t.key("type")
        )
    try:
        mech = MECHANISM_TYPES[kind](t)
    except ModelError as exc:
        if exc.source:
            raise
        raise ModelError(str(exc), source=source, key=f"{where} ({kind})") from None
    t.finish()
    return mech


def _steps(cell: _Table) -> dict[str, Any]:
    """Read the ``[cell]`` table's measured steps.

    ``dt`` and ``dt_stable`` positive times, ``dt`` not above ``dt_stable``, ``dt_source`` a string.
    """
    steps = {name: cell.quantity(name, second, None) for name in ("dt", "dt_stable")}
    for name, value in steps.items():
        if value is not None and not float(value) > 0:
            raise ModelError(
                f'must be a positive time step such as "0.025 ms", got {cell.data[name]!r}',
                source=cell.source,
                key=cell.key(name),
            )
    if None not in steps.values() and float(steps["dt"]) > float(steps["dt_stable"]) * (1 + 1e-9):
        raise ModelError(
            f"{cell.data['dt']!r} is larger than dt_stable = {cell.data['dt_stable']!r}, the largest stable step",
            source=cell.source,
            key=cell.key("dt"),
        )
    return {**steps, "dt_source": cell.raw("dt_source", "", str)}


def _build(data: dict[str, Any], source: str, name: str) -> Cell:
    top = _Table(data, source, "")
    description = top.raw("description", "", str)
    reference = top.raw("reference", "", str)
    cell = _Table(top.raw("cell", kind=dict), source, "cell")
    ions_table = _Table(top.raw("ions", kind=dict), source, "ions")
    ions = {}
    for ion_name in ions_table.data:
        t = _Table(ions_table.raw(ion_name, kind=dict), source, f"ions.{ion_name}")
        ions[ion_name] = Ion(
            inside=t.quantity("inside", mmolar, None),
            outside=t.quantity("outside", mmolar, None),
            E=t.quantity("E", mV, None),
        )
        t.finish()
        try:
            ions[ion_name].check(ion_name)
        except ModelError as exc:
            raise ModelError(str(exc), source=source, key=f"ions.{ion_name}") from None
    mech_list = top.raw("mechanisms", kind=list)
    mechanisms = [_mechanism(m, source, f"mechanisms[{i}]") for i, m in enumerate(mech_list)]
    try:
        concentrations = _concentrations(top.raw("concentrations"), source) if "concentrations" in top.data else None
    except ModelError as exc:
        if exc.source:
            raise
        raise ModelError(str(exc), source=source, key="concentrations") from None
    kwargs = dict(
        concentrations=concentrations,
        C_m=cell.quantity("C_m", uF / meter**2),
        area=cell.quantity("area", meter**2),
        temperature=cell.quantity("temperature", kelvin),
        spike_threshold=cell.quantity("spike_threshold", mV, -20 * mV),
        **_steps(cell),
    )
    cell.finish()
    top.finish()
    try:
        return Cell(mechanisms, ions=ions, name=name, description=description, reference=reference, **kwargs)
    except ModelError as exc:
        raise ModelError(str(exc), source=source) from None
