"""The accounting core: what each ion costs, one record per energy counter, and which counters a group has.

Every energy figure in brian2energy (the ``ATP_ions`` counter, the resting cost of
:func:`~brian2energy.resting.resting_state` and :func:`~brian2energy.rest.cost_of_rest`,
:func:`~brian2energy.energy.energy_report`, :class:`~brian2energy.energy.BudgetMonitor`
and :func:`~brian2energy.energy.network_budget`) takes its prices from :data:`PRICES` and
its counters from :class:`Counter` records made here, where the counters' equations are
written. Nothing downstream parses a counter's name.

Two accounting views (both per cell, in ATP molecules):

* **ions restored** (``ATP_ions``): the charge of each priced ion that entered the cell,
  through every mechanism but the pump and through the cell's receptors, converted at
  its price: one ATP per 3 Na+ (the Na+/K+ pump), one per Ca2+ (extrusion);
* **pump turnover** (``ATP_pump``, cells with a Na+/K+ pump): the time integral of the
  pump current over the elementary charge, one ATP per cycle.

Ion-entry counters ``Q_<ion>_<source>`` (coulomb) integrate the charge of one ion that
entered through one source; ``Q_<ion>`` is their sum per ion; ions entered = Q / (z e).
K+ entry is not counted: the pump takes K+ back with the Na+ it exports (2 K+ per 3 Na+),
so the Na+ price covers both. Cl- entry is counted but not priced (:data:`UNPRICED`).

Groups made by brian2energy sum the counters once per step while their method (rk4)
integrates the dynamics (:mod:`~brian2energy.counting`, which states the accuracy).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from brian2 import Subgroup
from brian2.units.constants import elementary_charge

from .errors import ModelError
from .mechanisms import VALENCE, scaled

__all__ = [
    "COUNTED_IONS",
    "COUNTER_MODES",
    "PRICES",
    "UNPRICED",
    "Accounts",
    "Counter",
    "Price",
    "accounts_of",
    "atp",
    "counter_equations",
    "counter_set",
    "lumped",
    "mechanism_counters",
    "pump_counter",
    "receptor_counters",
    "register",
]


@dataclass(frozen=True)
class Price:
    """What restoring one ion that entered the cell costs, ions-restored view.

    Attributes
    ----------
    ion : str
        The ion (``"Na"``, ``"Ca"``).
    ions_per_atp : float
        How many ions one ATP restores.
    source : str
        Where that number comes from.
    """

    ion: str
    ions_per_atp: float
    source: str

    @property
    def charge_per_atp(self) -> float:
        """Coulomb of the ion's entering charge per ATP: ions_per_atp x z e (SI float, coulomb)."""
        return self.ions_per_atp * VALENCE[self.ion] * float(elementary_charge)

    @property
    def equation_divisor(self) -> str:
        """The same as a Brian2 expression (``3*elementary_charge``), so the counter equations use it."""
        return f"{self.ions_per_atp * VALENCE[self.ion]:g}*elementary_charge"


#: The one table of ATP prices (ions-restored view).
PRICES: dict[str, Price] = {
    "Na": Price(
        "Na",
        3,
        "Na+/K+-ATPase: 3 Na+ exported (and 2 K+ imported) per ATP hydrolysed "
        "(Skou 1957; Post & Jolly 1957; Attwell & Laughlin 2001)",
    ),
    "Ca": Price(
        "Ca",
        1,
        "plasma-membrane Ca2+-ATPase: 1 Ca2+ extruded per ATP; Na+/Ca2+ exchange brings in "
        "3 Na+ per Ca2+, again 1 ATP at the Na+/K+ pump (Attwell & Laughlin 2001)",
    ),
}
#: Ions whose entry is counted but not priced, and why.
UNPRICED: dict[str, str] = {
    "Cl": "its cost is indirect (KCC2 extrudes Cl- with K+, which the Na+/K+ pump re-imports) and the "
    "budgets followed here (Attwell & Laughlin 2001) do not price it",
}
#: Ions whose entry is counted (``Q_<ion>_<source>``).
COUNTED_IONS: tuple[str, ...] = (*PRICES, *UNPRICED)

#: Where a counter's ions come from: the cell's own mechanisms, its synaptic receptors, or the
#: pump's turnover (``ATP_pump``).
KINDS = ("own", "synaptic", "pump")


@dataclass(frozen=True)
class Counter:
    """One energy counter: a state variable integrated by Brian2 with ``v``.

    Attributes
    ----------
    name : str
        The state variable (``Q_Na_NaV``, ``ATP_pump``).
    ion : str or None
        The ion it counts (None for ``ATP_pump``).
    source : str
        The mechanism or receptor (``cell``/``synapses`` for lumped counters).
    kind : str
        ``"own"``, ``"synaptic"`` or ``"pump"``.
    integrand : str
        The Brian2 expression it integrates (coulomb/second for ion counters, entering charge
        positive; 1/second for ``ATP_pump``).

    Raises
    ------
    ModelError
        If ``kind`` is not one of ``"own"``, ``"synaptic"``, ``"pump"``.
    """

    name: str
    ion: str | None
    source: str
    kind: str
    integrand: str

    def __post_init__(self) -> None:
        """Check the kind (see Raises)."""
        if self.kind not in KINDS:
            raise ModelError(f"counter {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def unit(self) -> str:
        """The counter's Brian2 unit string: ``"coulomb"`` for ion counters, ``"1"`` for ``ATP_pump``."""
        return "1" if self.ion is None else "coulomb"

    @property
    def atp_per_unit(self) -> float:
        """ATP per unit of the counter: per coulomb for ion counters (0 if unpriced), 1 for ``ATP_pump``."""
        if self.ion is None:
            return 1.0
        price = PRICES.get(self.ion)
        return 1.0 / price.charge_per_atp if price else 0.0

    @property
    def priced(self) -> bool:
        """Whether the counter enters the ions-restored view (``ATP_ions``)."""
        return self.ion in PRICES


def mechanism_counters(mechanisms: Iterable) -> tuple[Counter, ...]:
    """Make the ion-entry counters of a cell's own mechanisms (every one but the pump), per counted ion.

    Parameters
    ----------
    mechanisms : iterable of Mechanism
        The cell's mechanisms.

    Returns
    -------
    tuple of Counter
        ``Q_<ion>_<mech>`` of kind ``"own"`` for every counted ion (:data:`COUNTED_IONS`) a
        mechanism carries.

    Notes
    -----
    Mechanism currents are densities, outward positive, so a counter integrates
    ``-share * i_<mech> * area``.
    """
    return tuple(
        Counter(f"Q_{ion}_{m.name}", ion, m.name, "own", f"-{scaled(m.carries[ion], m.current)}*area")
        for m in mechanisms
        if not m.is_pump
        for ion in COUNTED_IONS
        if m.carries.get(ion)
    )


def receptor_counters(receptors: Iterable) -> tuple[Counter, ...]:
    """Make the ion-entry counters of synaptic receptors: whole-cell per-ion currents, inward positive.

    Parameters
    ----------
    receptors : iterable of Receptor
        The receptors.

    Returns
    -------
    tuple of Counter
        ``Q_<ion>_<receptor>`` of kind ``"synaptic"``, integrating ``I_<receptor>_<ion>`` (amp).
    """
    return tuple(
        Counter(f"Q_{ion}_{r.name}", ion, r.name, "synaptic", f"I_{r.name}_{ion}")
        for r in receptors
        for ion in r.ions
        if ion in COUNTED_IONS
    )


def pump_counter(pump) -> Counter:
    """Make the ``ATP_pump`` counter: one ATP per pump cycle, one outward elementary charge per cycle.

    Parameters
    ----------
    pump : Mechanism
        The cell's pump.

    Returns
    -------
    Counter
        Integrating ``i_pump * area / e`` (1/second).
    """
    return Counter("ATP_pump", None, pump.name, "pump", f"{pump.current}*area/elementary_charge")


def lumped(counters: Sequence[Counter]) -> tuple[Counter, ...]:
    """Sum priced counters by ion and kind: ``Q_<ion>_cell`` (own mechanisms) and ``Q_<ion>_synapses``.

    Parameters
    ----------
    counters : sequence of Counter
        The full set of counters.

    Returns
    -------
    tuple of Counter
        One counter per priced ion and kind (unpriced and pump counters left out).
    """
    groups: dict[tuple[str, str], list[Counter]] = {}
    for c in counters:
        if c.priced:
            groups.setdefault((c.ion, c.kind), []).append(c)
    label = {"own": "cell", "synaptic": "synapses"}
    return tuple(
        Counter(f"Q_{ion}_{label[kind]}", ion, label[kind], kind, " + ".join(f"({c.integrand})" for c in cs))
        for (ion, kind), cs in groups.items()
    )


#: Counter modes: every counter, none, or what network budgets need (:func:`counter_set`).
COUNTER_MODES = (True, False, "totals")


def counter_set(entries: Sequence[Counter], pump: Counter | None, mode: bool | str, who: str) -> tuple[Counter, ...]:
    """Choose the counters of a model in a counter mode.

    Parameters
    ----------
    entries : sequence of Counter
        The model's ion-entry counters.
    pump : Counter or None
        Its ``ATP_pump`` counter, if it has a pump.
    mode : bool or str
        ``True`` every ion-entry counter and ``ATP_pump``, ``False`` none, ``"totals"`` the
        :func:`lumped` priced counters only (no ``ATP_pump``, no Cl-).
    who : str
        The model's name, for the message.

    Returns
    -------
    tuple of Counter
        The counters to integrate.

    Raises
    ------
    ModelError
        If ``mode`` is not one of :data:`COUNTER_MODES`.
    """
    if not (isinstance(mode, bool) or mode == "totals"):
        raise ModelError(f"{who}: counters must be True, False or 'totals', got {mode!r}")
    if not mode:
        return ()
    if mode == "totals":
        return lumped(entries)
    return tuple(entries) + ((pump,) if pump else ())


def counter_equations(counters: Sequence[Counter]) -> str:
    """Write the counters' Brian2 equation lines, with the per-ion totals ``Q_<ion>`` and ``ATP_ions``.

    Parameters
    ----------
    counters : sequence of Counter
        The counters to integrate.

    Returns
    -------
    str
        ``d<counter>/dt = <integrand>`` per counter, ``Q_<ion>`` (coulomb) and ``ATP_ions``
        (molecules) as subexpressions.

    Notes
    -----
    ``Q_Na`` and ``ATP_ions`` are always defined (zero without Na+ carriers); ``Q_Ca`` where
    Ca2+ enters. ``ATP_ions`` = sum over priced ions of ``Q_<ion>`` / (ions per ATP x z e).
    """
    lines = [f"d{c.name}/dt = {c.integrand} : {c.unit}" for c in counters]
    atp_terms = []
    for ion, price in PRICES.items():
        names = [c.name for c in counters if c.ion == ion]
        if names or ion == "Na":
            lines.append(f"Q_{ion} = {' + '.join(names) or '0*coulomb'} : coulomb")
            atp_terms.append(f"Q_{ion}/({price.equation_divisor})")
    lines.append(f"ATP_ions = {' + '.join(atp_terms)} : 1")
    return "\n".join(lines)


def atp(counters: Iterable[Counter], values: Mapping[str, np.ndarray]) -> np.ndarray | float:
    """Convert counter values to ATP (ions-restored view): the sum of price x value over priced counters.

    Parameters
    ----------
    counters : iterable of Counter
        The counters (unpriced ones are left out).
    values : dict of str to ndarray
        Counter name -> values (coulomb, SI arrays).

    Returns
    -------
    ndarray or float
        ATP (molecules). Works on cumulative values (ATP) and on rates (coulomb/second: ATP per
        second) alike.
    """
    return sum((c.atp_per_unit * np.asarray(values[c.name], dtype=float) for c in counters if c.priced), 0.0)


@dataclass(frozen=True)
class Accounts:
    """What a group made by brian2energy counts: the model it was made from and its counters.

    Attributes
    ----------
    model : Cell or EquationModel
        The model the group was made from.
    counters : tuple of Counter
        The counters its equations integrate.
    """

    model: object
    counters: tuple[Counter, ...]

    @property
    def priced(self) -> tuple[Counter, ...]:
        """The ion-entry counters that cost ATP, own and synaptic."""
        return tuple(c for c in self.counters if c.priced)

    @property
    def pump(self) -> Counter | None:
        """The pump-turnover counter, if the group has it."""
        return next((c for c in self.counters if c.kind == "pump"), None)


_ACCOUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def register(group, model, counters: Sequence[Counter]) -> None:
    """Remember which model and counters a group was made with (called by the group's constructor).

    Parameters
    ----------
    group : brian2.Group
        The group (held by a weak reference).
    model : Cell or EquationModel
        The model it was made from.
    counters : sequence of Counter
        Its counters.
    """
    _ACCOUNTS[group] = Accounts(model, tuple(counters))


def accounts_of(group) -> Accounts | None:
    """Return the :class:`Accounts` of a group (or a subgroup of it) made by brian2energy.

    Parameters
    ----------
    group : brian2.Group
        A group, or a subgroup of one.

    Returns
    -------
    Accounts or None
        The group's model and counters, or None if brian2energy did not make it.
    """
    found = _ACCOUNTS.get(group)
    if found is None and isinstance(group, Subgroup):  # its source is a weak proxy of its group
        found = next((accounts for g, accounts in _ACCOUNTS.items() if g == group.source), None)
    return found
