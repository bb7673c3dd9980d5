"""Energy accounting for a model a user wrote as plain Brian2 equations: :func:`from_equations`.

The user keeps their equations, their ``NeuronGroup``, threshold, reset and method;
:func:`from_equations` reads which ions each term of the membrane equation carries and
adds energy counters that integrate them, as a :class:`~brian2energy.cell.Cell` has.

**How the ions of a term are found.** Subexpressions are substituted into ``dv/dt``
(Brian2's own sympy parser), so the right-hand side ``f`` is one expression. For each
reversal potential ``E`` named in ``ions``, the conductance of the term it drives is read
from the equation itself: ``f`` must be linear in ``E``, and the term is
``g_E (E - v)/C`` with ``g_E = C df/dE`` (``C`` the membrane capacitance, a constant of the
namespace, found by its unit or named with ``capacitance=``). This holds for any algebraic
arrangement of conductance-based terms (``gl*(El-v)``, ``-g*(v-E)``, a shared ``/Cm`` or
one per term). The term's inward current ``g_E (E - v)`` is carried:

* by one ion (``{"ENa": "Na"}``), all of it;
* by two (``{"El": ("Na", "K")}``, a leak or cation conductance): split into two parallel
  conductances with the same total and the same reversal, ``g_a = g (E - E_b)/(E_a - E_b)``
  (as :meth:`~brian2energy.leaks.Leak.split` and the receptors do), with ``E_a`` and ``E_b``
  the reversal potentials the map gives those ions alone; ion ``a`` then enters as
  ``g_a (E_a - v)`` (the shares are written into the counters by name, so overriding a reversal
  keeps the split consistent);
* by the Na+/K+ pump (``{"I_pump": "pump"}``, a current term ``x`` of ``dv/dt`` rather than
  a reversal): its outward current ``-C df/dx x`` is one elementary charge per cycle, booked as
  pump turnover (``ATP_pump``, one ATP per cycle: 3 Na+ out, 2 K+ in), never as ion entry.

Terms without a named reversal (an injected current ``I``) carry no counted ions.

**What is counted** is what a ``Cell`` counts (:mod:`brian2energy.accounting`): per term
and counted ion, ``Q_<ion>_<reversal>`` (coulomb, whole-cell, entering charge positive:
``Q_Na_ENa``, ``Q_Na_El``, ``Q_Cl_Ei``), their sums ``Q_Na`` (``Q_Ca``), ``ATP_ions`` (ions
restored: Na+/3 and Ca2+ per ATP) and, with a pump, ``ATP_pump``. Terms named in
``synaptic`` are booked as synapses in reports and budgets. Per-area equations are
counted per cell with ``area``.

**What is refused**, each with an error naming the term: a name in ``ions`` that is not in
``dv/dt``, a ``dv/dt`` that is not linear in a named reversal or pump term, a split ion
without a reversal of its own in the map, a mixed reversal outside its ions' reversal range,
currents whose units do not match the membrane equation, and per-area equations without
``area``. A volt-valued constant in which ``dv/dt`` is linear but that ``ions`` does not name
gives an :class:`~brian2energy.errors.UnattributedCurrentWarning`: its current is not counted.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from brian2 import Equations, NeuronGroup, Quantity, amp, farad, meter, second, siemens, volt
from brian2.core.functions import DEFAULT_FUNCTIONS
from brian2.core.namespace import DEFAULT_CONSTANTS, DEFAULT_UNITS
from brian2.parsing.sympytools import sympy_to_str
from brian2.units.constants import elementary_charge
from brian2.units.fundamentalunits import DIMENSIONLESS, DimensionMismatchError, get_dimensions

from .accounting import COUNTED_IONS, Counter, counter_equations, counter_set, register
from .counting import BRIAN2_DEFAULT_METHOD, counted
from .engine import substituted
from .errors import ModelError, UnattributedCurrentWarning
from .expressions import check_dimensions, exprel
from .mechanisms import VALENCE
from .resting import CAPACITANCE, FLUX, resting_values

__all__ = ["EquationModel", "Term", "from_equations"]

#: Names every Brian2 group provides: never looked up in a namespace.
_SPECIAL = frozenset({"t", "dt", "i", "N", "t_in_timesteps", "lastspike", "not_refractory"})
#: Ions per pump cycle entering the cell (Na+/K+-ATPase: 3 Na+ out, 2 K+ in per ATP).
_PUMP_STOICHIOMETRY = {"Na": -3, "K": 2}
_PUMP = "pump"


@dataclass(frozen=True)
class Term:
    """One attributed term of the membrane equation.

    Attributes
    ----------
    name : str
        The reversal potential (or the pump current) that identifies it.
    ions : tuple of str
        What it carries (``("pump",)`` for the pump).
    kind : str
        ``"own"`` or ``"synaptic"``.
    current : str
        Its whole-cell inward current (amp) as a Brian2 expression, ``g (E - v)`` (for the pump:
        its outward current, one elementary charge per cycle).
    ion_currents : dict of str to str
        Ion -> the whole-cell inward current of that ion (amp; a split term: ``g_a (E_a - v)``,
        ``g_b (E_b - v)``, which sum to ``current``).
    """

    name: str
    ions: tuple[str, ...]
    kind: str
    current: str
    ion_currents: dict[str, str]


class EquationModel:
    """A user's Brian2 equations with energy accounting: what :func:`from_equations` returns.

    It offers what a :class:`~brian2energy.cell.Cell` offers for simulations and analysis:
    :meth:`equations` (the user's equations plus the counters), :attr:`namespace`,
    :meth:`neuron_group`, and the model description that :func:`~brian2energy.resting.resting_state`,
    :func:`~brian2energy.resting.steady_states`, :class:`~brian2energy.energy.EnergyMonitor`,
    :func:`~brian2energy.energy.energy_report`, :class:`~brian2energy.energy.BudgetMonitor` and
    :func:`~brian2energy.energy.network_budget` read. Balancing a rest
    (:func:`~brian2energy.rest.balance_rest` and its relatives) needs a ``Cell``'s per-ion leaks
    and pump, and refuses it.

    Made by :func:`from_equations`, whose arguments the constructor's mirror (the constructor is
    not meant to be called directly). The whole-cell capacitance (farad) is :attr:`capacitance`,
    the one per area :attr:`C_m` (None without an area).

    Attributes
    ----------
    name : str
        The model's name in reports and errors.
    potential : str
        The membrane potential's name.
    states : tuple of str
        The potential, then the other differential equations' variables.
    terms : tuple of Term
        The attributed terms of the membrane equation (:class:`Term`).
    area : Quantity (meter**2) or None
        The membrane area per cell; None for whole-cell equations without one.
    per_area : bool
        Whether the equations are written per area.
    stimulus : str or None
        The injected-current parameter the monitors record, or None.
    analysis_parameters : dict of str to Quantity
        Each parameter of the equations, at 0 in the resting analysis.
    namespace : dict of str to object
        The constants the equations use, with ``elementary_charge``.
    user_equations : brian2.Equations
        The user's equations as given.
    capacitance_name : str
        The name of the membrane capacitance constant.
    """

    v_rest = None

    def __init__(
        self,
        equations: Equations,
        namespace: dict,
        *,
        potential: str,
        capacitance: str,
        per_area: bool,
        area: Quantity | None,
        terms: Sequence[Term],
        stimulus: str | None,
        name: str,
    ) -> None:
        self.user_equations = equations
        self.namespace = namespace
        self.potential = potential
        self.capacitance_name = capacitance
        self.per_area = per_area
        self.area = area
        self.terms = tuple(terms)
        self.stimulus = stimulus
        self.name = name
        self.states = (potential, *(s for s in equations.diff_eq_names if s != potential))
        self.analysis_parameters = {p: Quantity(0.0, dim=equations[p].dim) for p in sorted(equations.parameter_names)}
        #: What the analysis built from these equations (see :class:`~brian2energy.cell.Cell`).
        self.cache: dict = {}

    @property
    def analysis_namespace(self) -> dict:
        """The constants of :meth:`analysis_equations`: the model's namespace."""
        return self.namespace

    @property
    def capacitance(self) -> Quantity:
        """The whole-cell membrane capacitance (farad)."""
        c = self.namespace[self.capacitance_name]
        return c * self.area if self.per_area else c

    @property
    def C_m(self) -> Quantity | None:
        """The specific membrane capacitance (farad/meter**2), None for whole-cell equations without an area."""
        if self.per_area:
            return self.namespace[self.capacitance_name]
        return None if self.area is None else self.namespace[self.capacitance_name] / self.area

    @property
    def pump(self) -> Term | None:
        """The term booked as the Na+/K+ pump, if any."""
        return next((t for t in self.terms if t.ions == (_PUMP,)), None)

    def permeabilities(self) -> dict[str, str]:
        """Return no GHK leaks: the ratio P_Na/P_K is not defined for these equations.

        Returns
        -------
        dict
            Empty.
        """
        return {}

    def counter_records(self, counters: bool | str = True) -> tuple[Counter, ...]:
        """Return the energy counters :meth:`equations` adds in this counter mode, as records.

        Parameters
        ----------
        counters : bool or str, optional
            True (default), ``"totals"`` or False, as for :meth:`~brian2energy.cell.Cell.equations`.

        Returns
        -------
        tuple of Counter
            One :class:`~brian2energy.accounting.Counter` per integrated counter: ``Q_<ion>_<term>``
            per term and counted ion, and ``ATP_pump`` with a pump term.
        """
        entries = tuple(
            Counter(f"Q_{ion}_{t.name}", ion, t.name, t.kind, t.ion_currents[ion])
            for t in self.terms
            if t.ions != (_PUMP,)
            for ion in t.ions
            if ion in COUNTED_IONS
        )
        pump = self.pump
        pump_record = (
            None if pump is None else Counter("ATP_pump", None, pump.name, "pump", f"{pump.current}/elementary_charge")
        )
        return counter_set(entries, pump_record, counters, self.name)

    @property
    def counters(self) -> tuple[str, ...]:
        """Names of the counters :meth:`equations` adds, with ``Q_Na`` and ``ATP_ions``."""
        return tuple(c.name for c in self.counter_records()) + ("Q_Na", "ATP_ions")

    def equations(self, counters: bool | str = True) -> Equations:
        """Return the user's equations plus the energy counters.

        Parameters
        ----------
        counters : bool or str, optional
            True (default), False or ``"totals"``, as for :meth:`~brian2energy.cell.Cell.equations`.

        Returns
        -------
        brian2.Equations
            The user's equations with ``Q_<ion>_<term>`` (coulomb), ``Q_Na`` (``Q_Ca``), ``ATP_ions``
            and, with a pump, ``ATP_pump`` (molecules).
        """
        records = self.counter_records(counters)
        if not records:
            return self.user_equations
        return self.user_equations + Equations(counter_equations(records))

    def analysis_equations(self) -> Equations:
        """Return the equations the resting analysis works on: the user's, without counters.

        Returns
        -------
        brian2.Equations
            The user's equations.
        """
        return self.user_equations

    def analysis_outputs(self) -> dict[str, str]:
        """Return what the resting analysis reports besides the states.

        Returns
        -------
        dict of str to str
            Name -> expression: the user's current subexpressions (amp or amp/meter**2), the
            integrand of every counter, the whole-cell capacitance and each ion's inward current
            (:data:`~brian2energy.resting.CAPACITANCE`, :data:`~brian2energy.resting.FLUX`).
        """
        eqs = self.user_equations
        currents = {
            n: n for n in eqs.subexpr_names if eqs[n].dim in (get_dimensions(amp), get_dimensions(amp / meter**2))
        }
        flux: dict[str, list[str]] = {}
        for t in self.terms:
            if t.ions == (_PUMP,):
                for ion, n in _PUMP_STOICHIOMETRY.items():
                    flux.setdefault(ion, []).append(f"{n}*{t.current}")
            else:
                for ion in t.ions:
                    flux.setdefault(ion, []).append(t.ion_currents[ion])
        area = f"*{_literal(self.area)}" if self.per_area else ""
        return {
            **currents,
            **{c.name: c.integrand for c in self.counter_records()},
            CAPACITANCE: f"{self.capacitance_name}{area}",
            **{f"{FLUX}{ion}": " + ".join(terms) for ion, terms in flux.items()},
        }

    def neuron_group(self, N: int, *, counters: bool | str = True, at_rest: bool = True, **kwargs) -> NeuronGroup:
        """Return a plain ``NeuronGroup`` of ``N`` neurons with these equations and counters.

        Parameters
        ----------
        N : int
            The number of neurons; positive.
        counters : bool or str, optional
            The counter mode: True (default), ``"totals"`` or False.
        at_rest : bool, optional
            If True (default) the potential and every gate start at the resting state
            (:func:`~brian2energy.resting.resting_state`, parameters at 0), else at Brian2's
            defaults (zero) for the user to set.
        **kwargs
            Passed to ``NeuronGroup`` (``threshold``, ``reset``, ``refractory``, ``method``,
            ``dt``, ...); not ``namespace``: the namespace is the model's. The counters are summed
            once per step, the rest integrated by ``method`` (Brian2's default if not given).

        Returns
        -------
        brian2.NeuronGroup
            The group; its counters are recorded for the monitors and reports.

        Raises
        ------
        ModelError
            If ``N`` is not a positive whole number, ``namespace`` is given, or ``at_rest`` and
            the model has no steady state.
        """
        if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 1:
            raise ModelError(f"{self.name}: neuron_group(N): N must be a positive whole number of neurons, got {N!r}")
        if "namespace" in kwargs:
            raise ModelError(
                f"{self.name}: neuron_group uses the model's namespace; change constants in "
                "from_equations(..., namespace=...)"
            )
        records = self.counter_records(counters)
        initial = {}
        if at_rest:
            try:
                initial = resting_values(self)
            except ModelError as err:
                raise ModelError(
                    f"{self.name}: cannot start the group at rest ({err}); pass at_rest=False and "
                    "set the initial values yourself"
                ) from None
        kwargs["method"] = counted(kwargs.get("method", BRIAN2_DEFAULT_METHOD), [c.name for c in records])
        group = NeuronGroup(N, self.equations(counters), namespace=self.namespace, **kwargs)
        for state, value in initial.items():
            setattr(group, state, value)
        register(group, self, records)
        return group

    def __repr__(self) -> str:
        """Return the model's name and what each term carries."""
        terms = ", ".join(f"{t.name}: {'/'.join(t.ions)}" for t in self.terms)
        return f"EquationModel({self.name!r}: {terms})"


def from_equations(
    eqs: Equations | str,
    ions: Mapping[str, str | Sequence[str]],
    area: Quantity | None = None,
    namespace: Mapping[str, object] | None = None,
    *,
    potential: str = "v",
    capacitance: str | None = None,
    synaptic: Sequence[str] = (),
    stimulus: str | None = None,
    name: str = "model",
    level: int = 0,
) -> EquationModel:
    """Make a user's conductance-based Brian2 equations an accounted model.

    Parameters
    ----------
    eqs : brian2.Equations or str
        Brian2 ``Equations`` or an equation string with the membrane equation ``d<potential>/dt``
        (volt).
    ions : dict of str to str or tuple of str
        Each reversal potential in ``dv/dt`` -> the ion its term carries (``"Na"``), or two
        ions for a mixed conductance (``("Na", "K")``); a current term -> ``"pump"`` for the
        Na+/K+ pump.
    area : Quantity (meter**2), optional
        Membrane area per cell: required for per-area equations (to count per cell), optional
        for whole-cell ones (then per-area figures are available); positive.
    namespace : dict, optional
        The constants the equations use; None takes the caller's variables, as Brian2 resolves
        names (``level`` frames further up).
    potential : str, optional
        The membrane potential's name (default ``"v"``).
    capacitance : str, optional
        The name of the membrane capacitance constant, if its unit does not identify it.
    synaptic : sequence of str, optional
        Reversal names whose terms are synaptic inputs (booked as synapses in budgets).
    stimulus : str, optional
        An injected-current parameter of the equations, recorded by
        :class:`~brian2energy.energy.EnergyMonitor` (the resting cost measured in a run is taken
        where it is zero).
    name : str, optional
        The model's name in reports and errors (default ``"model"``).
    level : int, optional
        How many frames above the caller to take the namespace from, when ``namespace`` is None.

    Returns
    -------
    EquationModel
        The equations with their terms attributed, ready for
        :meth:`EquationModel.neuron_group`, :func:`~brian2energy.resting.resting_state` and the
        monitors and reports of :mod:`brian2energy.energy`.

    Raises
    ------
    ModelError
        Naming the term: if the equations do not parse or have no ``d<potential>/dt`` in volt; a
        name in ``ions`` is not in ``dv/dt`` or not an ion, a pair of ions or ``"pump"``; ``dv/dt``
        is not linear in a named reversal or pump term; a split ion has no reversal of its own in
        the map, or a mixed reversal lies outside its ions' reversal range; currents' units do not
        match the membrane equation; the capacitance cannot be identified; per-area equations come
        without ``area``; ``synaptic`` or ``stimulus`` name nothing suitable; or the equations use
        the counters' names or another ``elementary_charge``.

    Warns
    -----
    UnattributedCurrentWarning
        For a volt-valued constant in which ``dv/dt`` is linear but that ``ions`` does not name:
        its current is not counted.

    Notes
    -----
    The conductance of each named term is read from the equation itself, ``g_E = C df/dE``,
    and a mixed conductance is split into two parallel ones with the same total and reversal;
    what is counted is what a :class:`~brian2energy.cell.Cell` counts (ions-restored
    ``ATP_ions``, and with a pump the pump-turnover ``ATP_pump``). See
    :mod:`brian2energy.usermodel` for how the ions of a term are found, what is counted and what
    is refused.

    Examples
    --------
    >>> from brian2 import mV, uF, cm, mS, um
    >>> from brian2energy import from_equations
    >>> model = from_equations("dv/dt = (gNa*(ENa - v) + gK*(EK - v))/Cm : volt",
    ...                        ions={"ENa": "Na", "EK": "K"}, area=1000 * um**2,
    ...                        namespace={"Cm": 1 * uF / cm**2, "gNa": 0.01 * mS / cm**2,
    ...                                   "gK": 0.1 * mS / cm**2, "ENa": 50 * mV, "EK": -77 * mV})
    >>> model.counters
    ('Q_Na_ENa', 'Q_Na', 'ATP_ions')
    """
    if isinstance(eqs, str):
        try:
            eqs = Equations(eqs)
        except Exception as err:  # Brian2's parser raises several types for a malformed string
            raise ModelError(f"{name}: the equations do not parse: {err}") from None
    if not isinstance(eqs, Equations):
        raise ModelError(f"{name}: eqs must be Brian2 Equations or an equation string, got {type(eqs).__name__}")
    if namespace is None:
        namespace = _caller_namespace(level)
    elif not isinstance(namespace, Mapping):
        raise ModelError(f"{name}: namespace must be a dict of names to values, got {type(namespace).__name__}")
    if potential not in eqs.diff_eq_names or eqs[potential].dim != get_dimensions(volt):
        raise ModelError(
            f"{name}: the equations have no membrane equation d{potential}/dt = ... : volt "
            f"(their differential equations: {sorted(eqs.diff_eq_names)}); name the potential with "
            "potential="
        )
    ns = _constants(eqs, namespace, name)
    ions = _check_ions(ions, name)
    for s in synaptic:
        if s not in ions or ions[s] == (_PUMP,):
            raise ModelError(f"{name}: synaptic names {s!r}, which is not a reversal potential in ions")
    if stimulus is not None and stimulus not in eqs.parameter_names:
        raise ModelError(
            f"{name}: stimulus {stimulus!r} is not a parameter of the equations "
            f"(they have {sorted(eqs.parameter_names)})"
        )
    rhs, symbols = _membrane_rhs(eqs, potential, keep=set(ions))
    values = _values(eqs, ns, symbols)
    if get_dimensions(_evaluate(rhs, values, f"{name}: d{potential}/dt")) != get_dimensions(volt / second):
        raise ModelError(f"{name}: d{potential}/dt does not have units of volt/second")
    c_name = _capacitance(rhs, ns, values, capacitance, name)
    per_area = get_dimensions(ns[c_name]) == get_dimensions(farad / meter**2)
    if area is not None:
        check_dimensions(area, meter**2, f"{name}: area")
        if not float(area) > 0:
            raise ModelError(f"{name}: area must be positive, got {area!r}")
    elif per_area:
        raise ModelError(
            f"{name}: the equations are per area ({c_name} = {ns[c_name]!r}): give area= (the "
            "membrane area of one cell) to count per cell"
        )
    terms = _terms(rhs, symbols, values, ions, ns, c_name, per_area, area, potential, set(synaptic), name)
    _warn_unattributed(rhs, symbols, values, ns, set(ions), potential, name)
    if "elementary_charge" in ns and float(ns["elementary_charge"]) != float(elementary_charge):
        raise ModelError(
            f"{name}: the namespace's elementary_charge = {ns['elementary_charge']!r} is not the "
            "elementary charge, which the counters use: rename it"
        )
    ns = {**ns, "elementary_charge": elementary_charge}
    model = EquationModel(
        eqs,
        ns,
        potential=potential,
        capacitance=c_name,
        per_area=per_area,
        area=area,
        terms=terms,
        stimulus=stimulus,
        name=name,
    )
    counters = {*(c.name for c in model.counter_records()), "Q_Na", "Q_Ca", "ATP_ions", "elementary_charge"}
    clash = sorted(set(eqs.names) & counters)
    if clash:
        raise ModelError(f"{name}: the equations define {clash}, names of the energy counters: rename them")
    return model


# --- reading the equations ------------------------------------------------------------------------


def _caller_namespace(level: int) -> dict:
    """Return the variables of the function that called :func:`from_equations` (``level`` frames further up)."""
    frame = sys._getframe(level + 2)
    return {**frame.f_globals, **frame.f_locals}


def _constants(eqs: Equations, namespace: Mapping, name: str) -> dict:
    """Every scalar constant of ``namespace`` (Brian2 quantities and numbers) that the equations do not define.

    Names the equations use must be among them or be Brian2's own (units, functions, constants).
    """
    own = set(eqs.names)
    constants = {}
    for key, value in namespace.items():
        if key in own or key in _SPECIAL or key.startswith("_") or isinstance(value, bool):
            continue
        if isinstance(value, (Quantity, float, int, np.number)) and np.ndim(value) == 0:
            constants[key] = value
    builtin = set(DEFAULT_UNITS) | set(DEFAULT_FUNCTIONS) | set(DEFAULT_CONSTANTS) | _SPECIAL
    missing = sorted(n for n in eqs.identifiers if n not in constants and n not in builtin and not n.startswith("xi"))
    if missing:
        raise ModelError(
            f"{name}: the equations use {missing}, which the namespace does not define as numbers or quantities"
        )
    for key in eqs.identifiers & set(constants):
        if not np.isfinite(float(np.asarray(constants[key]))):
            raise ModelError(f"{name}: the constant {key} = {constants[key]!r} is not finite")
    return constants


def _check_ions(ions: Mapping, name: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(ions, Mapping) or not ions:
        raise ModelError(
            f"{name}: ions must map reversal names to ions, e.g. {{'ENa': 'Na', 'El': ('Na', 'K')}}, got {ions!r}"
        )
    out = {}
    for key, value in ions.items():
        carried = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, (tuple, list)) else None
        ok = carried is not None and (
            carried == (_PUMP,)
            or (1 <= len(carried) <= 2 and len(set(carried)) == len(carried) and all(i in VALENCE for i in carried))
        )
        if not isinstance(key, str) or not key.isidentifier() or not ok:
            raise ModelError(
                f"{name}: ions[{key!r}] = {value!r}: expected an ion of {sorted(VALENCE)}, a pair of "
                f"them for a mixed conductance, or 'pump' for the Na+/K+ pump current"
            )
        out[key] = carried
    return out


def _membrane_rhs(eqs: Equations, potential: str, keep: set[str]) -> tuple[sympy.Expr, dict[str, sympy.Symbol]]:
    """``d<potential>/dt`` with every subexpression substituted (except those named in ``keep``)."""
    exprs, symbols = substituted(eqs, {potential: eqs[potential].expr.code}, keep)
    return exprs[potential], symbols


def _values(eqs: Equations, ns: dict, symbols: dict) -> dict[str, Quantity]:
    """Give every name a value with the right unit: constants as given, variables at an arbitrary value."""
    out = {}
    for n in symbols:
        if n in ns:
            out[n] = ns[n]
        elif n in DEFAULT_UNITS:
            out[n] = DEFAULT_UNITS[n]
        elif n in DEFAULT_CONSTANTS:
            out[n] = DEFAULT_CONSTANTS[n].value
        elif n in eqs.names:
            out[n] = Quantity(-0.0637 if eqs[n].dim == get_dimensions(volt) else 0.37, dim=eqs[n].dim)
        elif n in _SPECIAL:
            out[n] = Quantity(
                0.011 if n in ("t", "dt", "lastspike") else 1.0,
                dim=get_dimensions(second) if n in ("t", "dt", "lastspike") else DIMENSIONLESS,
            )
    return out


def _dimensionless_exprel(x):
    if isinstance(x, Quantity) and not x.is_dimensionless:
        raise DimensionMismatchError("exprel takes a dimensionless argument", get_dimensions(x))
    return exprel(x)


def _evaluate(expr: sympy.Expr, values: Mapping[str, Quantity], what: str):
    """``expr`` evaluated with Brian2 quantities, so its unit follows (``what`` names it in errors)."""
    names = sorted(s.name for s in expr.free_symbols)
    unknown = [n for n in names if n not in values]
    if unknown:
        raise ModelError(f"{what}: cannot evaluate {unknown}")
    f = sympy.lambdify(
        [sympy.Symbol(n) for n in names],
        expr.xreplace({s: sympy.Symbol(s.name) for s in expr.free_symbols}),
        modules=[{"exprel": _dimensionless_exprel}, "numpy"],
    )
    try:
        with np.errstate(all="ignore"):
            return f(*(values[n] for n in names))
    except DimensionMismatchError as err:
        raise ModelError(f"{what}: inconsistent units ({err})") from None
    except Exception as err:  # an unsupported function or construct in the expression
        raise ModelError(f"{what}: cannot evaluate {sympy_to_str(expr)!r} ({type(err).__name__}: {err})") from None


def _si(expr: sympy.Expr, values: Mapping[str, Quantity], what: str) -> float:
    return float(np.asarray(_evaluate(expr, values, what)))


def _capacitance(rhs: sympy.Expr, ns: dict, values: dict, given: str | None, name: str) -> str:
    """Find the name of the membrane capacitance: the one farad or farad/meter**2 constant dv/dt divides by."""
    units = (get_dimensions(farad), get_dimensions(farad / meter**2))
    candidates = sorted(s.name for s in rhs.free_symbols if s.name in ns and get_dimensions(ns[s.name]) in units)
    if given is not None:
        if given not in candidates:
            raise ModelError(
                f"{name}: capacitance={given!r} is not a farad or farad/meter**2 constant of dv/dt "
                f"(those are {candidates})"
            )
        candidates = [given]
    if len(candidates) != 1:
        raise ModelError(
            f"{name}: dv/dt must divide the currents by one membrane capacitance constant (farad or "
            f"farad/meter**2) of the namespace; found {candidates or 'none'}: name it with capacitance="
        )
    c = next(s for s in rhs.free_symbols if s.name == candidates[0])
    # dv/dt = (currents)/C: C dv/dt must not change when C does (checked at the constants' values)
    scaled_values = dict(values, **{c.name: 2 * values[c.name]})
    once, twice = _si(rhs * c, values, name), _si(rhs * c, scaled_values, name)
    if not np.isclose(once, twice, rtol=1e-9, atol=0):
        raise ModelError(f"{name}: dv/dt is not (sum of currents)/{c.name}: doubling {c.name} does not halve it")
    return c.name


def _literal(area: Quantity) -> str:
    return f"({float(area)!r}*meter**2)"


def _terms(rhs, symbols, values, ions, ns, c_name, per_area, area, potential, synaptic, name) -> list[Term]:
    c = symbols[c_name]
    conductance_unit = siemens / meter**2 if per_area else siemens
    current_unit = amp / meter**2 if per_area else amp
    cell = f"*{_literal(area)}" if per_area else ""
    single = {carried[0]: key for key, carried in ions.items() if len(carried) == 1 and carried != (_PUMP,)}
    terms = []
    for key, carried in ions.items():
        if key not in symbols or symbols[key] not in rhs.free_symbols:
            raise ModelError(
                f"{name}: ions names {key!r}, which does not appear in d{potential}/dt "
                "(with its subexpressions substituted)"
            )
        x = symbols[key]
        coefficient = sympy.diff(rhs, x)
        if sympy.diff(coefficient, x) != 0 and not _linear_numerically(rhs, x, values, name):
            raise ModelError(
                f"{name}: d{potential}/dt is not linear in {key}, so the current through {key} is not "
                "a conductance times a driving force"
            )
        factor = c * coefficient
        if carried == (_PUMP,):
            current = -factor * x
            check_dimensions(
                _evaluate(current, values, f"{name}: the pump current {key}"),
                current_unit,
                f"{name}: the pump current {key} (outward, {'per area' if per_area else 'whole-cell'})",
            )
            terms.append(Term(key, carried, "own", f"({sympy_to_str(current)}){cell}", {}))
            continue
        check_dimensions(
            _evaluate(factor, values, f"{name}: the conductance of {key}"),
            conductance_unit,
            f"{name}: the conductance of the term through {key} ({c_name} x d(d{potential}/dt)/d{key})",
        )
        g = sympy_to_str(factor)
        current = f"({g})*({key} - {potential}){cell}"
        ion_currents = {carried[0]: current}
        if len(carried) == 2:
            ion_currents = {
                ion: f"{share}*({g})*({single[ion]} - {potential}){cell}"
                for ion, share in _split(key, carried, single, ns, name).items()
            }
        terms.append(Term(key, carried, "synaptic" if key in synaptic else "own", current, ion_currents))
    if sum(t.ions == (_PUMP,) for t in terms) > 1:
        raise ModelError(
            f"{name}: only one term can be the Na+/K+ pump, got {[t.name for t in terms if t.ions == (_PUMP,)]}"
        )
    return terms


def _linear_numerically(rhs, x, values, name) -> bool:
    """Whether ``rhs`` is linear in ``x`` at the constants' values (sympy may not simplify its slope to 0)."""
    v0 = float(np.asarray(values[x.name])) if x.name in values else 0.0
    scale = abs(v0) or 1.0
    points = [
        _si(rhs, dict(values, **{x.name: Quantity(v0 + k * 0.01 * scale, dim=get_dimensions(values[x.name]))}), name)
        for k in (-1, 0, 1, 2)
    ]
    curvature = np.diff(points, 2)
    return bool(np.all(np.abs(curvature) <= 1e-9 * max(np.max(np.abs(points)), 1e-300)))


def _split(key, carried, single, ns, name) -> dict[str, str]:
    """Write the two ions' shares of a mixed conductance reversing at ``key``, as Brian2 expressions."""
    a, b = carried
    for ion in carried:
        if ion not in single:
            raise ModelError(
                f"{name}: splitting {key} into {a} and {b} needs the reversal potential of {ion}: map the "
                f"name of {ion}'s reversal potential to {ion!r} in ions"
            )
    e_a, e_b = single[a], single[b]
    if all(n in ns for n in (key, e_a, e_b)):
        E, Ea, Eb = (float(np.asarray(ns[n])) for n in (key, e_a, e_b))
        if not min(Ea, Eb) <= E <= max(Ea, Eb) or Ea == Eb:
            raise ModelError(
                f"{name}: {key} = {ns[key]!r} is outside the reversal range of {a} and {b} "
                f"[{e_a} = {ns[e_a]!r}, {e_b} = {ns[e_b]!r}], so one of them would need a negative "
                "conductance"
            )
    share = f"(({key} - {e_b})/({e_a} - {e_b}))"
    return {a: share, b: f"(1 - {share})"}


def _warn_unattributed(rhs, symbols, values, ns, named, potential, name) -> None:
    volt_dim = get_dimensions(volt)
    for s in sorted(rhs.free_symbols, key=lambda s: s.name):
        if s.name in named or s.name not in ns or get_dimensions(ns[s.name]) != volt_dim:
            continue
        if sympy.diff(rhs, s, 2) == 0:
            warnings.warn(
                f"{name}: d{potential}/dt is linear in the constant {s.name} = {ns[s.name]!r}, which looks "
                f"like a reversal potential, but ions does not name it: its current is not counted",
                UnattributedCurrentWarning,
                stacklevel=3,
            )
