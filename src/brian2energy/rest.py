"""The resting state, derived from the same Brian2 equations the simulation runs.

Nothing here restates a mechanism by hand: the cell's ``Equations`` are turned
into sympy expressions (Brian2's own parser), subexpressions substituted, and
compiled into vectorised numpy functions. Gates whose equation is linear in the
gate (every HH-type gate) are solved for their steady state symbolically, so
steady states are the roots of one function of ``v``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, replace

import numpy as np
import sympy
from brian2 import (
    Network,
    Quantity,
    SpikeMonitor,
    StateMonitor,
    amp,
    cm,
    meter,
    ms,
    msiemens,
    mV,
    ohm,
    second,
    siemens,
    volt,
)
from brian2.core.functions import exprel as BrianExprel
from brian2.core.namespace import DEFAULT_UNITS
from brian2.parsing.sympytools import str_to_sympy
from brian2.units.constants import elementary_charge, faraday_constant
from brian2.units.fundamentalunits import get_dimensions

from .cell import DEFAULT_METHOD, Cell
from .errors import ModelError
from .expressions import check_dimensions, exprel
from .mechanisms import VALENCE, Leak, Mechanism, NaKPump

_MODULES = [{"exprel": exprel}, "numpy"]
_OPAQUE_EXPREL = sympy.Function("exprel")
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
        # moving concentrations are slow: the analysis holds them at the cell's values
        cell = cell.replace(concentrations=None)
        eqs = cell.equations(counters=False)
        self.states = cell.states
        self.parameters = ("I_inj", *overrides)
        namespace = {k: v for k, v in cell.namespace.items() if k not in overrides}
        symbols: dict[str, sympy.Symbol] = {}

        def parse(code: str) -> sympy.Expr:
            # Brian2's sympy exprel rewrites itself as (exp(x) - 1)/x once numbers are
            # substituted, which cancels catastrophically near x = 0; an opaque function
            # of the same name keeps it whole until numpy evaluates it.
            expr = str_to_sympy(code).replace(BrianExprel, _OPAQUE_EXPREL)
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

    def steady_potentials(self, params: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Every steady-state v (volt, SI) in V_RANGE, for P parameter points at once.

        ``params`` are 1-d arrays of length P (one per entry of ``self.parameters``).
        Returns ``(point, v)``: for each root found, its parameter point's index and v.
        Roots are bracketed on a 0.1 mV grid and refined by vectorised bisection.
        """
        grid = np.broadcast_to(_V_GRID[:, None], (_V_GRID.size, len(params[0])))
        with np.errstate(all="ignore"):
            f = np.array(np.broadcast_to(self.balance(grid, *(p[None, :] for p in params)), grid.shape))
            # a rate written as x/(1 - exp(-x)) is 0/0 exactly at its removable singularity,
            # which may fall on the grid: step off it by 0.1 uV there
            bad = ~np.isfinite(f)
            if bad.any():
                f[bad] = self.balance(grid[bad] + 1e-7, *(np.broadcast_to(p[None, :], grid.shape)[bad] for p in params))
        negative = np.signbit(f)
        at, point = np.nonzero(negative[:-1] != negative[1:])
        lo, hi = _V_GRID[at], _V_GRID[at + 1]
        lo_negative = negative[at, point]
        sub = [p[point] for p in params]
        with np.errstate(all="ignore"):
            for _ in range(50):  # 0.1 mV / 2**50: below double precision
                mid = 0.5 * (lo + hi)
                same = np.signbit(self.balance(mid, *sub)) == lo_negative
                lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
            root = 0.5 * (lo + hi)
            # keep true roots; drop sign changes across a jump (rounding at a removable singularity)
            scale = np.nanmax(np.abs(f), axis=0)[point]
            genuine = np.abs(np.broadcast_to(self.balance(root, *sub), root.shape)) <= 1e-6 * scale
        return point[genuine], root[genuine]

    def slope_conductance(self, v: np.ndarray, params: Sequence[np.ndarray], c_m: float) -> np.ndarray:
        """d i_mem/dv along the steady states (gates following), A/(V m^2), by central differences (0.1 uV)."""
        h = 1e-7
        with np.errstate(all="ignore"):
            return c_m * (np.asarray(self.balance(v - h, *params)) - np.asarray(self.balance(v + h, *params))) / (2 * h)

    def jacobian(self, x: np.ndarray, params: Sequence[np.ndarray]) -> np.ndarray:
        """d(rhs)/d(state) at states ``x`` (shape (R, n), SI), by central differences: (R, n, n) in 1/s."""
        n = len(self.states)
        jac = np.empty((x.shape[0], n, n))
        for j in range(n):
            h = 1e-7  # 0.1 uV for v, 1e-7 for gates: truncation error ~h**2, below rounding error
            up, down = x.copy(), x.copy()
            up[:, j] += h
            down[:, j] -= h
            f_up = np.array(np.broadcast_arrays(*self.rhs(*up.T, *params)))
            f_down = np.array(np.broadcast_arrays(*self.rhs(*down.T, *params)))
            jac[:, :, j] = ((f_up - f_down) / (2 * h)).T
        return jac


def dynamics(cell: Cell, overrides: Sequence[str] = ()) -> Dynamics:
    """The cell's :class:`Dynamics`, built once per cell and set of overridden parameters."""
    cache = cell.__dict__.setdefault("_dynamics", {})
    key = tuple(overrides)
    if key not in cache:
        cache[key] = Dynamics(cell, key)
    return cache[key]


@dataclass(frozen=True)
class RestingState:
    """A steady state of a cell (arrays when parameters were given as arrays).

    * ``v``: membrane potential; ``gates``: each gate's steady-state value;
    * ``currents``: each mechanism's current density ``i_<name>``, the per-ion totals
      ``i_<ion>`` and ``i_mem`` (amp/meter**2, outward positive);
    * ``ion_flux``: each ion's net flux into the cell through all mechanisms, pump
      included (mol/second per cell, which Brian2 prints as katal; zero for every ion
      at a balanced rest);
    * ``pump_turnover``: pump cycles per second per cell, i.e. ATP per second in the
      pump-turnover view (``i_pump * area / e``); None without a pump;
    * ``atp_per_second``: ATP per second per cell in the ions-restored view, the Na+
      entering through every Na+ carrier but the pump, divided by 3 e;
    * ``input_resistance``: 1/(area * d i_mem/dv) along the steady states (gates following);
    * ``eigenvalues`` (complex, 1/second) of the full Jacobian (v and gates), last axis;
      ``stable``: all their real parts are negative;
    * ``n_steady_states``: how many steady states the cell has at these parameters.
    """

    v: Quantity
    gates: dict[str, np.ndarray]
    currents: dict[str, Quantity]
    ion_flux: dict[str, Quantity]
    pump_turnover: Quantity | None
    atp_per_second: Quantity
    input_resistance: Quantity
    eigenvalues: Quantity
    stable: np.ndarray
    n_steady_states: np.ndarray


def _parameters(cell: Cell, params: dict) -> tuple[tuple[str, ...], list[np.ndarray], tuple[int, ...]]:
    """Check overrides against the cell's constants; return their names, flat SI arrays and broadcast shape."""
    params = dict(params)
    i_inj = check_dimensions(params.pop("I_inj", 0 * amp / meter**2), amp / meter**2, f"{cell.name}: I_inj")
    namespace = cell.namespace
    names = tuple(sorted(params))
    for name in names:
        if name not in namespace:
            raise ModelError(f"{cell.name}: {name!r} is not a parameter of this cell; choose from "
                             f"{['I_inj', *sorted(namespace)]}")
        check_dimensions(params[name], namespace[name], f"{cell.name}: {name}")
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (i_inj, *(params[n] for n in names))))
    return names, [np.array(a, dtype=float).ravel() for a in arrays], arrays[0].shape


def _states_at(cell: Cell, dyn: Dynamics, v: np.ndarray, params: list[np.ndarray]) -> dict:
    """Everything about the steady states at potentials ``v`` (SI arrays, one per parameter point)."""
    gates = {name: np.broadcast_to(dyn.gate_inf[name](v, *params), v.shape) for name in dyn.states[1:]}
    x = np.column_stack([v, *(gates[name] for name in dyn.states[1:])])
    with np.errstate(all="ignore"):
        currents = {c: np.broadcast_to(f(*x.T, *params), v.shape) for c, f in dyn.current.items()}
    eigenvalues = np.linalg.eigvals(dyn.jacobian(x, params))
    return {"v": v, "gates": gates, "currents": currents, "slope": dyn.slope_conductance(v, params, float(cell.C_m)),
            "eigenvalues": eigenvalues, "stable": np.all(eigenvalues.real < 0, axis=-1)}


def _resting(cell: Cell, params: dict, *, all_states: bool = False):
    overrides, values, shape = _parameters(cell, params)
    dyn = dynamics(cell, overrides)
    point, roots = dyn.steady_potentials(values)
    n_points = len(values[0])
    counts = np.bincount(point, minlength=n_points)
    if np.any(counts == 0):
        raise ModelError(f"{cell.name}: no steady state between {V_RANGE[0] * 1e3:g} and {V_RANGE[1] * 1e3:g} mV "
                         f"for {int(np.sum(counts == 0))} of {n_points} parameter point(s)")
    found = _states_at(cell, dyn, roots, [p[point] for p in values])
    if all_states:
        rows = np.flatnonzero(point == 0)
        return [_package(cell, found, rows, np.full(len(rows), counts[0]), (len(rows),))]
    # the state the cell rests at: the one nearest the potential it was balanced at, if any, else the
    # most hyperpolarized stable one, else the most hyperpolarized
    if cell.v_rest is not None:
        order = np.lexsort((np.abs(roots - float(cell.v_rest)), point))
    else:
        order = np.lexsort((roots, ~found["stable"], point))
    first = order[np.r_[True, point[order][1:] != point[order][:-1]]]
    if n_points == 1 and counts[0] > 1:
        kind = "stable" if found["stable"][first[0]] else "unstable (none is stable)"
        which = (f"the one nearest v_rest = {float(cell.v_rest) * 1e3:.2f} mV" if cell.v_rest is not None
                 else f"the most hyperpolarized {kind} one")
        warnings.warn(f"{cell.name} has {counts[0]} steady states at these parameters "
                      f"({', '.join(f'{r * 1e3:.2f}' for r in np.sort(roots))} mV); "
                      f"resting_state returns {which}", stacklevel=3)
    return _package(cell, found, first, counts, shape)


def _package(cell: Cell, found: dict, rows: np.ndarray, counts: np.ndarray, shape: tuple) -> RestingState:
    def pick(a):
        return np.asarray(a)[rows].reshape(shape + np.asarray(a).shape[1:])

    density = amp / meter**2
    currents = {name: pick(c) * density for name, c in found["currents"].items()}
    ion_flux = {ion: -currents[f"i_{ion}"] * cell.area / (VALENCE[ion] * faraday_constant)
                for ion in cell.ions if f"i_{ion}" in currents}
    na_entry = -sum((m.carries["Na"] * currents[m.current] for m in cell.na_mechanisms()),
                    0 * density) * cell.area
    pump = cell.pump
    return RestingState(
        v=pick(found["v"]) * volt,
        gates={name: pick(g) for name, g in found["gates"].items()},
        currents=currents,
        ion_flux=ion_flux,
        pump_turnover=None if pump is None else currents[pump.current] * cell.area / elementary_charge,
        atp_per_second=na_entry / (3 * elementary_charge),
        input_resistance=1 / (pick(found["slope"]) * siemens / meter**2 * cell.area),
        eigenvalues=pick(found["eigenvalues"]) / second,
        stable=pick(found["stable"]),
        n_steady_states=np.asarray(counts).reshape(shape),
    )


def resting_state(cell: Cell, **params) -> RestingState:
    """The state the cell rests at, computed from its equations (no simulation).

    ``params`` override the cell's parameters for this call (``I_inj=9.7*uA/cm**2``,
    ``g_leak_K=...``), as scalars or arrays (broadcast together; every figure is then
    an array of that shape). Of several steady states the cell rests at the most
    hyperpolarized stable one (a warning says there were several); if none is
    stable, the most hyperpolarized one is returned with ``stable`` False. A cell made by
    :func:`balance_rest` rests at the steady state nearest the potential it was balanced at
    (``cell.v_rest``), stable or not.
    """
    return _scalar(_resting(cell, params))


def steady_states(cell: Cell, **params) -> list[RestingState]:
    """Every steady state of the cell at scalar ``params``, from hyperpolarized to depolarized."""
    if any(np.ndim(v) for v in params.values()):
        raise ModelError("steady_states takes scalar parameters; use resting_state for arrays")
    (state,) = _resting(cell, params, all_states=True)
    order = np.argsort(np.asarray(state.v))
    return [_scalar(_index(state, i)) for i in order]


def _index(state: RestingState, i) -> RestingState:
    def at(x):
        return None if x is None else x[i]

    return RestingState(v=at(state.v), gates={k: at(g) for k, g in state.gates.items()},
                        currents={k: at(c) for k, c in state.currents.items()},
                        ion_flux={k: at(f) for k, f in state.ion_flux.items()}, pump_turnover=at(state.pump_turnover),
                        atp_per_second=at(state.atp_per_second), input_resistance=at(state.input_resistance),
                        eigenvalues=state.eigenvalues[i], stable=state.stable[i],
                        n_steady_states=state.n_steady_states[i])


def _scalar(state: RestingState) -> RestingState:
    """Unwrap 0-d arrays when the parameters were scalars; array results pass through."""
    if np.ndim(state.stable) == 0:
        return replace(state, stable=bool(state.stable), n_steady_states=int(state.n_steady_states),
                       gates={k: float(g) for k, g in state.gates.items()})
    return state


def state_at(cell: Cell, v: Quantity, **params) -> RestingState:
    """The steady state at potential ``v``, which must be one (e.g. the v a cell was balanced at)."""
    overrides, values, shape = _parameters(cell, params)
    if shape:
        raise ModelError("state_at takes scalar parameters")
    dyn = dynamics(cell, overrides)
    v = np.atleast_1d(np.asarray(check_dimensions(v, mV, "state_at: v"), dtype=float))
    residual = float(dyn.balance(v, *values)[0]) * float(cell.C_m)
    if abs(residual) > 1e-9:
        raise ModelError(f"{cell.name}: {v[0] * 1e3:.3f} mV is not a steady state (net current "
                         f"{residual:.3g} A/m^2)")
    found = _states_at(cell, dyn, v, values)
    count = len(dyn.steady_potentials(values)[1])
    return _scalar(_package(cell, found, np.array([0]), np.array([count]), ()))


def resting_values(cell: Cell) -> dict[str, Quantity | float]:
    """``v`` and every gate at the cell's resting state with no injected current."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rest = resting_state(cell)
    return {"v": rest.v, **rest.gates}


_SIEMENS_DENSITY = siemens / meter**2
_BALANCED = ("g_leak_Na", "g_leak_K", "I_max_pump")


def _is_leak(m: Mechanism, ion: str) -> bool:
    return isinstance(m, Leak) and m.name == f"leak_{ion}"


def own_leak_conductance(cell: Cell) -> Quantity:
    """The cell's Na+ plus K+ leak conductance density."""
    return sum((m.g for m in cell.mechanisms if _is_leak(m, "Na") or _is_leak(m, "K")), 0 * _SIEMENS_DENSITY)


def _leak_density(cell: Cell, leak_conductance: Quantity | None) -> np.ndarray:
    """A leak conductance given per area or per cell, as a density in S/m^2 (SI array)."""
    if leak_conductance is None:
        return np.asarray(own_leak_conductance(cell), dtype=float)
    if get_dimensions(leak_conductance) == get_dimensions(siemens):
        leak_conductance = leak_conductance / cell.area
    check_dimensions(leak_conductance, _SIEMENS_DENSITY, f"{cell.name}: leak_conductance (per area or per cell)")
    return np.asarray(leak_conductance, dtype=float)


@dataclass(frozen=True)
class _Balance:
    """Na+ and K+ leak conductance densities and pump current density (SI arrays) balancing v."""

    v: np.ndarray
    g_na: np.ndarray
    g_k: np.ndarray
    i_pump: np.ndarray
    g_min: np.ndarray  # the least leak conductance density that keeps all three non-negative
    slope: np.ndarray  # steady-state slope conductance density of every other mechanism


def _balance(cell: Cell, v: np.ndarray, g_leak: np.ndarray | None) -> _Balance:
    """Solve the flux balance at v for the given total leak (None: only the bounds are needed).

    With I_Na, I_K the other mechanisms' Na+ and K+ currents at v (gates at steady state):
    I_Na + g_Na (v - E_Na) + 3 P = 0, I_K + g_K (v - E_K) - 2 P = 0, g_Na + g_K = G.
    """
    e_na, e_k = (float(cell.reversal_potentials[ion]) for ion in ("Na", "K"))
    others = [m for m in cell.mechanisms if not (_is_leak(m, "Na") or _is_leak(m, "K") or m.is_pump)]
    if "_core" not in cell.__dict__:  # the cell without its Na+/K+ leaks and pump, built once per cell
        cell.__dict__["_core"] = dynamics(cell.with_mechanisms(others)) if others else None
    core = cell.__dict__["_core"]
    v = np.asarray(v, dtype=float)
    i_ion = {}
    for ion in {ion for m in others for ion in m.carries} | {"Na", "K"}:
        name = f"i_{ion}"
        if core is None or name not in core.current:
            i_ion[ion] = np.zeros_like(v)
            continue
        x = [v, *(core.gate_inf[g](v, 0.0) for g in core.states[1:])]
        i_ion[ion] = np.broadcast_to(core.current[name](*x, 0.0), v.shape)
    stray = {ion: i for ion, i in i_ion.items() if ion not in ("Na", "K") and np.any(np.abs(i) > 1e-12)}
    if stray:
        raise ModelError(f"{cell.name}: balance_rest balances Na+ and K+ only, but {sorted(stray)} "
                         "carry net current at this potential")
    slope = np.zeros_like(v) if core is None else core.slope_conductance(v, [0.0], float(cell.C_m))
    a, b = v - e_na, v - e_k  # both vanish only at the reversal potentials, outside the feasible range
    with np.errstate(divide="ignore", invalid="ignore"):
        drive = -3 / a + 2 / b  # > 0 for E_K < v < E_Na
        offset = i_ion["Na"] / a + i_ion["K"] / b
        p_min = np.maximum.reduce([np.zeros_like(v), -i_ion["Na"] / 3, i_ion["K"] / 2])
        g_min = p_min * drive - offset
        if g_leak is None:
            nan = np.full_like(v, np.nan)
            return _Balance(v, nan, nan, nan, g_min, slope)
        p = (g_leak + offset) / drive
        return _Balance(v, -(i_ion["Na"] + 3 * p) / a, (2 * p - i_ion["K"]) / b, p, g_min, slope)


def _ms_cm2(g) -> str:
    """A conductance density (SI) as text in mS/cm^2."""
    return f"{float(g) * 0.1:.4g} mS/cm^2"


def _requested_leak(cell: Cell, bounds: _Balance, leak_conductance: Quantity | None,
                    input_resistance: Quantity | None) -> np.ndarray:
    """The Na+ plus K+ leak density (SI) asked for: given, from an input resistance, or the cell's own.

    An input resistance R sets the total steady-state slope conductance 1/(R area), of
    which the leaks supply what the other mechanisms (``bounds.slope``) do not.
    """
    if input_resistance is None:
        return _leak_density(cell, leak_conductance)
    r = np.asarray(check_dimensions(input_resistance, ohm, f"{cell.name}: input_resistance"), dtype=float)
    return 1 / (r * float(cell.area)) - bounds.slope


def _feasible(cell: Cell, sol: _Balance) -> np.ndarray:
    """Where the balance exists: E_K < v < E_Na and no leak or pump negative."""
    e_k, e_na = (float(cell.reversal_potentials[ion]) for ion in ("K", "Na"))
    return (sol.v > e_k) & (sol.v < e_na) & (sol.g_na >= 0) & (sol.g_k >= 0) & (sol.i_pump >= 0)


def _check_range(cell: Cell, v: np.ndarray) -> None:
    e_k, e_na = (cell.reversal_potentials[ion] for ion in ("K", "Na"))
    bad = ~((v > float(e_k)) & (v < float(e_na)))
    if np.any(bad):
        raise ModelError(f"{cell.name}: v_rest = {np.asarray(v)[bad][0] * 1e3:.2f} mV is outside (E_K, E_Na) = "
                         f"({float(e_k / mV):.2f}, {float(e_na / mV):.2f}) mV: a leak conductance or the pump "
                         "would have to be negative")


def balance_rest(
    cell: Cell,
    v_rest: Quantity,
    leak_conductance: Quantity | None = None,
    input_resistance: Quantity | None = None,
) -> Cell:
    """A cell whose Na+ and K+ leaks and pump turnover balance every ion's flux at ``v_rest``.

    At ``v_rest`` (gates at steady state) Na+ entry equals 3 x pump cycles and K+
    exit 2 x pump cycles, so the cell rests there with zero net Na+ and K+ flux.
    By default the total leak conductance stays the cell's own; ``leak_conductance``
    (per area, or per cell in siemens) or ``input_resistance`` sets the leakiness
    instead. A cell without a pump gets a fixed-turnover ``NaKPump``; a Hill pump
    keeps its form with ``I_max`` scaled. Impossible requests raise ModelError
    saying which quantity would go negative and what range is possible.
    """
    if leak_conductance is not None and input_resistance is not None:
        raise ModelError("balance_rest: give leak_conductance or input_resistance, not both")
    v = np.asarray(check_dimensions(v_rest, mV, "balance_rest: v_rest"), dtype=float)
    if v.ndim:
        raise ModelError("balance_rest: v_rest must be a scalar (excitability_sweep takes arrays)")
    _check_range(cell, v)
    bounds = _balance(cell, v, None)
    g_leak = _requested_leak(cell, bounds, leak_conductance, input_resistance)
    if input_resistance is not None:
        r_max = 1 / (cell.area * (bounds.g_min + bounds.slope) * _SIEMENS_DENSITY)
        if g_leak < bounds.g_min:
            raise ModelError(f"{cell.name}: an input resistance of {input_resistance.in_best_unit()} at "
                             f"{v * 1e3:.2f} mV needs less leak than the voltage-gated channels and the flux "
                             f"balance allow: at most {r_max.in_best_unit()} is possible")
    elif g_leak < bounds.g_min:
        raise ModelError(
            f"{cell.name}: at v_rest = {v * 1e3:.2f} mV a leak of {_ms_cm2(g_leak)} is too small: "
            f"{_negative(cell, v, g_leak)} would be negative; the leak conductance must be at least "
            f"{_ms_cm2(bounds.g_min)}")
    sol = _balance(cell, v, np.asarray(g_leak))
    return _balanced_cell(cell, float(sol.g_na), float(sol.g_k), float(sol.i_pump), v).replace(v_rest=v * volt)


def cost_of_rest(
    cell: Cell,
    v_rest: Quantity,
    leak_conductance: Quantity | None = None,
    input_resistance: Quantity | None = None,
) -> Quantity:
    """ATP per second per cell that holding a balanced rest at ``v_rest`` costs (vectorised).

    The cost of the cell :func:`balance_rest` would return, without building it: the
    pump turnover that balances the fluxes, equal there to the ions-restored view
    (Na+ entry / 3e). ``v_rest``, ``leak_conductance`` and ``input_resistance`` broadcast
    together; points where no balance exists (a leak or the pump would be negative)
    are NaN.
    """
    if leak_conductance is not None and input_resistance is not None:
        raise ModelError("cost_of_rest: give leak_conductance or input_resistance, not both")
    v = np.asarray(check_dimensions(v_rest, mV, "cost_of_rest: v_rest"), dtype=float)
    g = _requested_leak(cell, _balance(cell, v, None), leak_conductance, input_resistance)
    v, g = np.broadcast_arrays(v, g)
    sol = _balance(cell, v, g)
    return np.where(_feasible(cell, sol), sol.i_pump, np.nan) * float(cell.area / elementary_charge) / second


def _negative(cell: Cell, v: np.ndarray, g_leak: np.ndarray) -> str:
    sol = _balance(cell, v, g_leak)
    names = [name for name, x in (("the Na+ leak", sol.g_na), ("the K+ leak", sol.g_k), ("the pump", sol.i_pump))
             if x < 0]
    return " and ".join(names)


def _pump_per_unit(cell: Cell, v: float) -> float:
    """The pump's current density per unit ``I_max_pump`` at rest, from its own equation.

    1 for a fixed-turnover pump; less for a Hill pump at the cell's Na_i. Pumps here
    depend on concentrations, not on v, so one value serves every resting potential.
    """
    probe = dynamics(cell, ("I_max_pump",))
    x = [np.asarray(v), *(probe.gate_inf[g](v, 0.0, 1.0) for g in probe.states[1:])]
    return float(probe.current[cell.pump.current](*x, 0.0, 1.0))


def _balanced_cell(cell: Cell, g_na: float, g_k: float, i_pump: float, v: float) -> Cell:
    others = [m for m in cell.mechanisms if not (_is_leak(m, "Na") or _is_leak(m, "K") or m.is_pump)]
    pump = cell.pump
    if pump is None:
        new_pump = NaKPump(i_pump * amp / meter**2)
    else:
        new_pump = copy(pump)
        new_pump.I_max = i_pump / _pump_per_unit(cell, v) * amp / meter**2
    leaks = [Leak("Na", g_na * _SIEMENS_DENSITY), Leak("K", g_k * _SIEMENS_DENSITY)]
    return cell.replace(mechanisms=others + leaks + [new_pump], v_rest=None,
                        description=f"{cell.description} (balanced at {v * 1e3:.2f} mV)")


@dataclass(frozen=True)
class CriticalRest:
    """The most depolarized balanced resting potential that is still stable.

    ``v``: that potential (to 0.01 mV); ``injected_current``: the current density that
    holds the original (unbalanced) cell at ``v``; ``leak_conductance``: the Na+ plus K+
    leak density the balance kept; ``cell``: the cell balanced at ``v``; ``atp_per_second``
    and ``pump_turnover``: what holding that rest costs per cell (ions-restored and
    pump-turnover views, equal at a balanced rest); ``eigenvalues``: the Jacobian's
    at ``v`` (1/second), the leading pair about to cross into the right half-plane.
    """

    v: Quantity
    injected_current: Quantity
    leak_conductance: Quantity
    cell: Cell
    atp_per_second: Quantity
    pump_turnover: Quantity
    eigenvalues: Quantity


def balanced_stability(cell: Cell, v: np.ndarray, g_leak: np.ndarray) -> tuple[np.ndarray, np.ndarray, Cell]:
    """Stability of the cell balanced at each v (SI arrays) with leak densities ``g_leak``.

    Returns (stable, eigenvalues in 1/s, the balanced template cell). Points where the
    balance is impossible are reported unstable with NaN eigenvalues.
    """
    v, g_leak = np.broadcast_arrays(np.asarray(v, dtype=float), np.asarray(g_leak, dtype=float))
    sol = _balance(cell, v, g_leak)
    ok = _feasible(cell, sol)
    template = _balanced_cell(cell, 0.0, 0.0, 0.0, float(v.flat[0]))
    dyn = dynamics(template, _BALANCED)
    per_unit = _pump_per_unit(template, float(v.flat[0]))
    params = [np.zeros(v.size), sol.g_na.ravel(), sol.g_k.ravel(), sol.i_pump.ravel() / per_unit]
    x = np.column_stack([v.ravel(), *(np.broadcast_to(dyn.gate_inf[g](v.ravel(), *params), (v.size,))
                                      for g in dyn.states[1:])])
    eig = np.full((v.size, len(dyn.states)), np.nan, dtype=complex)
    flat_ok = ok.ravel()
    if flat_ok.any():
        eig[flat_ok] = np.linalg.eigvals(dyn.jacobian(x[flat_ok], [p[flat_ok] for p in params]))
    eig = eig.reshape(v.shape + (len(dyn.states),))
    stable = ok & np.all(eig.real < 0, axis=-1)
    return stable, eig, template


def critical_rest(cell: Cell, leak_conductance: Quantity | None = None) -> CriticalRest:
    """Follow :func:`balance_rest` upward until the balanced rest loses stability.

    Starting from the most hyperpolarized stable balanced rest between E_K and E_Na,
    on a 0.5 mV grid, the first loss of stability is bisected to 0.01 mV. The leak is
    the cell's own (Na+ plus K+) unless ``leak_conductance`` is given (per area or per cell).
    """
    g_leak = _leak_density(cell, leak_conductance)
    e_k, e_na = (float(cell.reversal_potentials[ion]) for ion in ("K", "Na"))
    grid = np.arange(e_k + 0.5e-3, e_na - 0.25e-3, 0.5e-3)
    stable, _, _ = balanced_stability(cell, grid, g_leak)
    if not stable.any():
        raise ModelError(f"{cell.name}: no balanced rest between E_K and E_Na is stable with a leak of "
                         f"{_ms_cm2(g_leak)}")
    first = int(np.argmax(stable))
    lost = np.flatnonzero(~stable[first:])
    if lost.size == 0:
        raise ModelError(f"{cell.name}: every balanced rest from {grid[first] * 1e3:.2f} mV up to E_Na is stable; "
                         "there is no critical resting potential")
    lo, hi = grid[first + lost[0] - 1], grid[first + lost[0]]
    while hi - lo > 1e-6:  # 0.001 mV: bisection well inside the 0.01 mV asked for
        mid = 0.5 * (lo + hi)
        ok, _, _ = balanced_stability(cell, np.array([mid]), g_leak)
        lo, hi = (mid, hi) if ok[0] else (lo, mid)
    balanced = _balanced_cell(cell, *(float(x) for x in _solution(cell, lo, g_leak)), lo)
    rest = state_at(balanced, lo * volt)
    unbalanced = dynamics(cell)
    i_hold = -float(cell.C_m) * float(unbalanced.balance(lo, 0.0))
    return CriticalRest(
        v=lo * volt,
        injected_current=i_hold * amp / meter**2,
        leak_conductance=float(g_leak) * _SIEMENS_DENSITY,
        cell=balanced,
        atp_per_second=rest.atp_per_second,
        pump_turnover=rest.pump_turnover,
        eigenvalues=rest.eigenvalues,
    )


def _solution(cell: Cell, v: float, g_leak: np.ndarray) -> tuple[float, float, float]:
    sol = _balance(cell, np.asarray(v), np.asarray(g_leak))
    return float(sol.g_na), float(sol.g_k), float(sol.i_pump)


@dataclass(frozen=True)
class SweepTable:
    """One row per parameter point of :func:`excitability_sweep` (arrays, Brian2 units).

    ``v_rest`` and ``leak_conductance`` (Na+ plus K+ leak density) are the targets;
    ``feasible`` whether a balance exists there (NaN elsewhere); ``stable`` the
    analytical stability of the balanced rest; ``mean_v``, ``firing_rate`` and
    ``atp_per_second`` (ions-restored view, per cell) are measured after the settling
    time; ``atp_per_second_rest`` is the analytical cost of the balanced rest, and
    ``atp_per_spike`` = (atp_per_second - atp_per_second_rest) / firing_rate (NaN when silent).
    """

    v_rest: Quantity
    leak_conductance: Quantity
    feasible: np.ndarray
    stable: np.ndarray
    mean_v: Quantity
    firing_rate: Quantity
    atp_per_second: Quantity
    atp_per_second_rest: Quantity
    atp_per_spike: np.ndarray

    #: column name -> (unit, unit label) for to_csv
    _COLUMNS = {
        "v_rest": (mV, "mV"), "leak_conductance": (msiemens / cm**2, "mS/cm^2"), "feasible": (None, ""),
        "stable": (None, ""), "mean_v": (mV, "mV"), "firing_rate": (1 / second, "Hz"),
        "atp_per_second": (1 / second, "1/s"), "atp_per_second_rest": (1 / second, "1/s"), "atp_per_spike": (None, ""),
    }

    def __len__(self) -> int:
        return len(self.stable)

    def to_csv(self, path) -> None:
        """Write the table as CSV, one column per field, units in the header."""
        header, columns = [], []
        for name, (unit, label) in self._COLUMNS.items():
            value = getattr(self, name)
            header.append(f"{name} ({label})" if label else name)
            columns.append(np.asarray(value / unit if unit is not None else value, dtype=float))
        np.savetxt(path, np.column_stack(columns), delimiter=",", header=",".join(header), comments="", fmt="%.10g")


def excitability_sweep(
    cell: Cell,
    v_rest: Quantity,
    leak_conductance: Quantity | None = None,
    duration: Quantity = 2 * second,
    *,
    settle: Quantity | None = None,
    perturbation: Quantity = 0.1 * mV,
    dt: Quantity = 0.025 * ms,
    method: str = DEFAULT_METHOD,
    report: str | None = "text",
) -> SweepTable:
    """Simulate the cell balanced at every (v_rest, leak_conductance) point, one neuron per point.

    ``v_rest`` and ``leak_conductance`` (per area or per cell; default the cell's own)
    broadcast together. Every neuron starts at its balanced rest, displaced by
    ``perturbation``, and runs for ``duration`` in one ``NeuronGroup`` (whatever
    Brian2 target or device is active); rates, mean v and ATP are measured after
    ``settle`` (default: half the duration). Progress goes through Brian2's ``report``.
    The default dt is 0.025 ms: a sweep measures rates and costs, not spike times, and
    with rk4 these match dt = 0.01 ms (measured on the squid, Wang-Buzsaki and RS cells
    across their critical rests: identical spike counts, ATP within 1e-6) at 2.5x the speed.
    """
    v = np.asarray(check_dimensions(v_rest, mV, "excitability_sweep: v_rest"), dtype=float)
    g = _leak_density(cell, leak_conductance)
    v, g = (a.ravel().copy() for a in np.broadcast_arrays(v, g))
    duration = check_dimensions(duration, second, "excitability_sweep: duration")
    settle = duration / 2 if settle is None else check_dimensions(settle, second, "excitability_sweep: settle")
    if not 0 * second <= settle < duration:
        raise ModelError(f"excitability_sweep: settle = {settle!r} must lie in [0, duration = {duration!r})")
    stable, _, template = balanced_stability(cell, v, g)
    sol = _balance(cell, v, g)
    feasible = _feasible(cell, sol)
    nan = np.full(v.size, np.nan)
    mean_v, rate, atp_rate, atp_rest = nan.copy(), nan.copy(), nan.copy(), nan.copy()
    idx = np.flatnonzero(feasible)
    if idx.size:
        per_unit = _pump_per_unit(template, float(v[idx[0]]))
        params = [np.zeros(idx.size), sol.g_na[idx], sol.g_k[idx], sol.i_pump[idx] / per_unit]
        group = template.neuron_group(idx.size, parameters=_BALANCED, dt=dt, method=method)
        for name, value in zip(_BALANCED, params[1:]):
            setattr(group, name, value * (amp if name == "I_max_pump" else siemens) / meter**2)
        dyn = dynamics(template, _BALANCED)
        for gate in dyn.states[1:]:
            setattr(group, gate, np.broadcast_to(dyn.gate_inf[gate](v[idx], *params), (idx.size,)))
        group.v = v[idx] * volt + perturbation
        spikes = SpikeMonitor(group, record=True)
        samples = StateMonitor(group, ["v", "ATP_ions"], record=True, dt=1 * ms)
        Network(group, spikes, samples).run(duration, report=report, namespace={})
        late = samples.t >= settle
        window = float((duration - settle) / second)
        mean_v[idx] = np.mean(np.asarray(samples.v[:, late]), axis=1)
        counts = np.bincount(np.asarray(spikes.i[spikes.t >= settle]), minlength=idx.size)
        rate[idx] = counts / window
        atp = np.asarray(samples.ATP_ions)
        first = int(np.argmax(late))
        atp_rate[idx] = (atp[:, -1] - atp[:, first]) / float((samples.t[-1] - samples.t[first]) / second)
        # the balanced rest's own cost: Na+ entry at v_rest / 3e (equal to the pump turnover there)
        atp_rest[idx] = params[3] * per_unit * float(template.area / elementary_charge)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_spike = np.where(rate > 0, (atp_rate - atp_rest) / rate, np.nan)
    return SweepTable(
        v_rest=v * volt, leak_conductance=g * _SIEMENS_DENSITY, feasible=feasible, stable=stable,
        mean_v=mean_v * volt, firing_rate=rate / second, atp_per_second=atp_rate / second,
        atp_per_second_rest=atp_rest / second, atp_per_spike=per_spike,
    )
