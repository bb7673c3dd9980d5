"""The resting state, derived from the same Brian2 equations the simulation runs.

Nothing here restates a mechanism by hand: the cell's ``Equations`` are turned
into sympy expressions (Brian2's own parser), subexpressions substituted, and
compiled into vectorised numpy functions. Gates whose equation is linear in the
gate (every HH-type gate) are solved for their steady state symbolically, so
steady states are the roots of one function of ``v``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from brian2 import Quantity, amp, meter, volt
from brian2.units.constants import elementary_charge
from brian2.core.namespace import DEFAULT_UNITS
from brian2.parsing.sympytools import str_to_sympy
from scipy.optimize import brentq

from .cell import Cell
from .errors import ModelError
from .expressions import exprel

_MODULES = [{"exprel": exprel}, "numpy"]
#: Where steady states are searched for, and the grid the search starts from.
V_RANGE = (-150.0e-3, 100.0e-3)
_V_GRID = np.linspace(*V_RANGE, 2501)


class Dynamics:
    """A cell's dynamics as numpy functions of SI values.

    ``rhs(*states, *parameters)`` returns every state's time derivative;
    ``gate_inf[name](v, *parameters)`` a gate's steady state; and
    ``balance(v, *parameters)`` is dv/dt with every gate at its steady state,
    whose roots are the cell's steady states. ``parameters`` are ``I_inj`` and
    any cell constants named in ``overrides`` (all in SI units).
    """

    def __init__(self, cell: Cell, overrides: Sequence[str] = ()) -> None:
        eqs = cell.equations(counters=False)
        self.states = cell.states
        self.parameters = ("I_inj", *overrides)
        namespace = {k: v for k, v in cell.namespace.items() if k not in overrides}
        symbols: dict[str, sympy.Symbol] = {}

        def parse(code: str) -> sympy.Expr:
            expr = str_to_sympy(code)
            symbols.update({s.name: s for s in expr.free_symbols})
            return expr

        subexpressions = {name: parse(eqs[name].expr.code) for name in eqs.subexpr_names}
        self.currents = ("i_mem", *(m.current for m in cell.mechanisms), *(f"i_{ion}" for ion in cell.ions
                                                                           if f"i_{ion}" in subexpressions))
        derivatives = {name: parse(eqs[name].expr.code) for name in self.states}
        derivatives.update({name: subexpressions[name] for name in self.currents})
        for _ in range(len(subexpressions) + 1):
            pending = {symbols[n]: e for n, e in subexpressions.items() if n in symbols}
            derivatives = {k: e.xreplace(pending) for k, e in derivatives.items()}
            if not any(s.name in subexpressions for e in derivatives.values() for s in e.free_symbols):
                break
        args = {name: symbols.get(name, sympy.Symbol(name, real=True)) for name in (*self.states, *self.parameters)}
        constants = {}
        for sym in set().union(*(e.free_symbols for e in derivatives.values())):
            if sym.name in args:
                continue
            value = namespace.get(sym.name, DEFAULT_UNITS.get(sym.name))
            if value is None:
                value = 0.0 if sym.name in eqs.parameter_names else None  # extra currents are zero here
            if value is None:
                raise ModelError(f"the cell's equations use {sym.name!r}, which it does not define")
            constants[sym] = float(np.asarray(value))
        derivatives = {k: e.xreplace(constants) for k, e in derivatives.items()}
        self.expressions = derivatives
        arg_symbols = [args[n] for n in (*self.states, *self.parameters)]
        self.rhs = sympy.lambdify(arg_symbols, [derivatives[s] for s in self.states], modules=_MODULES)
        self.current = {c: sympy.lambdify(arg_symbols, derivatives[c], modules=_MODULES) for c in self.currents}

        v, params = args["v"], [args[p] for p in self.parameters]
        infs = {}
        for gate in self.states[1:]:
            x, f = args[gate], derivatives[gate]
            slope = sympy.diff(f, x)
            if sympy.diff(slope, x) != 0 or (f.free_symbols - {x, v, *params}):
                raise ModelError(f"state {gate!r} is not a gate linear in itself and driven by v alone")
            infs[x] = -f.subs(x, 0) / slope
        self.gate_inf = {x.name: sympy.lambdify([v, *params], e, modules=_MODULES) for x, e in infs.items()}
        self.balance = sympy.lambdify([v, *params], derivatives["v"].xreplace(infs), modules=_MODULES)

    def steady_potentials(self, *params: float) -> np.ndarray:
        """Every v (volt, SI) in V_RANGE where dv/dt = 0 with gates at steady state."""
        with np.errstate(all="ignore"):
            f = np.broadcast_to(self.balance(_V_GRID, *params), _V_GRID.shape)
        crossings = np.flatnonzero(np.sign(f[:-1]) * np.sign(f[1:]) <= 0)
        roots = []
        for i in crossings:
            if f[i] == 0:
                roots.append(_V_GRID[i])
            elif f[i + 1] != 0:
                roots.append(brentq(lambda x: self.balance(x, *params), _V_GRID[i], _V_GRID[i + 1], xtol=1e-12))
        return np.unique(np.round(np.asarray(roots, dtype=float), 12))


def dynamics(cell: Cell, overrides: Sequence[str] = ()) -> Dynamics:
    """The cell's :class:`Dynamics`, built once per cell and set of overridden parameters."""
    cache = cell.__dict__.setdefault("_dynamics", {})
    key = tuple(overrides)
    if key not in cache:
        cache[key] = Dynamics(cell, key)
    return cache[key]


@dataclass(frozen=True)
class RestingState:
    """A cell's resting state.

    ``currents`` holds each mechanism's current density ``i_<name>``, the per-ion
    totals ``i_<ion>`` and ``i_mem`` (amp/meter**2, outward positive).
    ``atp_per_second`` is the ions-restored view, per cell: the Na+ entering
    through every Na+ carrier but the pump, divided by 3 e (the ATP the pump
    must spend to export it). ``atp_per_second_pump`` is the pump-turnover view,
    ``i_pump * area / e`` (None without a pump); at a balanced rest the two agree.
    """

    v: Quantity
    gates: dict[str, float]
    currents: dict[str, Quantity]
    na_entry: Quantity
    atp_per_second: Quantity
    atp_per_second_pump: Quantity | None


def resting_state(cell: Cell) -> RestingState:
    """The state the cell rests at with no injected current (the most hyperpolarized steady state)."""
    dyn = dynamics(cell)
    roots = dyn.steady_potentials(0.0)
    if roots.size == 0:
        raise ModelError(f"{cell.name}: no steady state between {V_RANGE[0]*1e3:g} and {V_RANGE[1]*1e3:g} mV")
    v = float(roots[0])
    gates = {name: float(f(v, 0.0)) for name, f in dyn.gate_inf.items()}
    state = [v, *(gates[name] for name in dyn.states[1:]), 0.0]
    currents = {name: float(f(*state)) * amp / meter**2 for name, f in dyn.current.items()}
    na_entry = -sum(m.carries["Na"] * currents[m.current] for m in cell.na_mechanisms()) * cell.area
    pump = cell.pump
    return RestingState(
        v=v * volt,
        gates=gates,
        currents=currents,
        na_entry=na_entry,
        atp_per_second=na_entry / (3 * elementary_charge),
        atp_per_second_pump=None if pump is None else currents[pump.current] * cell.area / elementary_charge,
    )


def resting_values(cell: Cell) -> dict[str, Quantity | float]:
    """``v`` and every gate at the cell's resting state with no injected current."""
    rest = resting_state(cell)
    return {"v": rest.v, **rest.gates}
