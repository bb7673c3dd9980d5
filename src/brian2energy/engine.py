"""The symbolic engine: a model's Brian2 equations as vectorised numpy functions.

Everything brian2energy computes about a model without simulating it (resting states,
their stability, the flux balance of a rest) starts here, from the same ``Equations``
Brian2 integrates: they are parsed with Brian2's own sympy parser, subexpressions are
substituted, constants are taken from the namespace, and the result is compiled into
numpy functions of SI values. Gates whose equations are linear in the gates (every HH-type
gate, and linear kinetic schemes) are solved for their steady state symbolically, so steady
states are the roots of one function of the membrane potential. Like Brian2's state updaters, the engine takes
equations, a namespace and names, not a group or a cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import sympy
from brian2 import Equations
from brian2.core.functions import exprel as BrianExprel
from brian2.core.namespace import DEFAULT_UNITS
from brian2.parsing.sympytools import str_to_sympy

from .errors import ModelError
from .expressions import exprel as numpy_exprel

__all__ = ["V_RANGE", "Dynamics", "substituted"]


class exprel(sympy.Function):  # noqa: N801 - lambdify prints it by this name
    """Brian2's ``exprel(x) = (exp(x) - 1)/x`` kept whole until numpy evaluates it.

    Brian2's own sympy exprel rewrites itself as (exp(x) - 1)/x once numbers are substituted,
    which cancels catastrophically near x = 0. Its derivative is :class:`exprel_prime`.
    """

    nargs = 1

    def fdiff(self, argindex=1):
        """Return the derivative, :class:`exprel_prime` of the argument."""
        return exprel_prime(self.args[0])


class exprel_prime(sympy.Function):  # noqa: N801
    """The derivative ``d exprel(x)/dx = (x exp(x) - expm1(x))/x**2``, evaluated without cancellation near 0."""

    nargs = 1


def numpy_exprel_prime(x):
    """Evaluate d exprel/dx: the power series ``sum n x**(n-1)/(n+1)!`` below ``|x| = 0.5`` (20 terms), the closed form above."""
    x = np.asarray(x, dtype=float)
    series = sum(n * x ** (n - 1) / float(np.prod(np.arange(1, n + 2))) for n in range(1, 21))
    with np.errstate(all="ignore"):
        closed = (x * np.exp(x) - np.expm1(x)) / x**2
    return np.where(np.abs(x) < 0.5, series, closed)


_MODULES = [{"exprel": numpy_exprel, "exprel_prime": numpy_exprel_prime}, "numpy"]
#: Where steady states are searched for (volt), and the grid the search starts from.
V_RANGE = (-150.0e-3, 100.0e-3)
_V_GRID = np.linspace(*V_RANGE, 2501)


def substituted(
    equations: Equations, codes: Mapping[str, str], keep: Sequence[str] = ()
) -> tuple[dict[str, sympy.Expr], dict[str, sympy.Symbol]]:
    """Parse Brian2 expressions with every subexpression of ``equations`` substituted, recursively.

    Parameters
    ----------
    equations : brian2.Equations
        The equations whose subexpressions are substituted.
    codes : dict of str to str
        Name -> Brian2 code of each expression, parsed by Brian2's sympy parser.
    keep : sequence of str, optional
        Subexpressions not to substitute.

    Returns
    -------
    expressions : dict of str to sympy.Expr
        The parsed, substituted expressions, by name.
    symbols : dict of str to sympy.Symbol
        Every symbol met, by name.
    """
    symbols: dict[str, sympy.Symbol] = {}

    def parse(code: str) -> sympy.Expr:
        expr = str_to_sympy(code).replace(BrianExprel, exprel)
        symbols.update({s.name: s for s in expr.free_symbols})
        return expr

    subexpressions = {n: parse(equations[n].expr.code) for n in equations.subexpr_names if n not in keep}
    exprs = {name: parse(code) for name, code in codes.items()}
    for _ in range(len(subexpressions) + 1):
        pending = {symbols[n]: e for n, e in subexpressions.items() if n in symbols}
        exprs = {k: e.xreplace(pending) for k, e in exprs.items()}
        if not any(s.name in subexpressions for e in exprs.values() for s in e.free_symbols):
            break
    return exprs, symbols


def _gate_steady_states(
    gates: Sequence[sympy.Symbol],
    derivatives: Mapping[str, sympy.Expr],
    v: sympy.Symbol,
    params: Sequence[sympy.Symbol],
) -> dict[sympy.Symbol, sympy.Expr]:
    """Solve for each gate's steady state as an expression in v and the parameters.

    The gates' equations must be linear in the gates, with coefficients in v and the parameters
    alone (HH gates; linear kinetic schemes, whose states are coupled). Gates coupled to one
    another are solved together, one linear system per coupled set; an HH gate alone is
    x = -f(0)/(df/dx).
    """
    group = {x: {x} for x in gates}
    for x in gates:
        f = derivatives[x.name]
        others = f.free_symbols - {v, *params, *gates}
        if others or any(
            sympy.diff(f, a, b) != 0 for a in f.free_symbols & set(gates) for b in f.free_symbols & set(gates)
        ):
            raise ModelError(
                f"state {x.name!r} is not a gate linear in itself and the other gates and driven by {v.name} alone"
            )
        for y in f.free_symbols & set(gates):
            merged = group[x] | group[y]
            for z in merged:
                group[z] = merged
    infs = {}
    for members in {frozenset(g) for g in group.values()}:
        ordered = [x for x in gates if x in members]
        rows = [derivatives[x.name] for x in ordered]
        if len(ordered) == 1:
            (x,), (f,) = ordered, rows
            infs[x] = -f.subs(x, 0) / sympy.diff(f, x)
            continue
        matrix = sympy.Matrix([[sympy.diff(f, x) for x in ordered] for f in rows])
        offset = sympy.Matrix([f.xreplace(dict.fromkeys(ordered, 0)) for f in rows])
        infs.update(zip(ordered, matrix.LUsolve(-offset)))
    return infs


class Dynamics:
    """A model's dynamics as numpy functions of SI values.

    Parameters
    ----------
    equations : brian2.Equations
        The model's Brian2 ``Equations`` (without counters; slow concentrations held fixed).
    namespace : dict of str to object
        The constants the equations use (Brian2 quantities); units come from Brian2.
    states : sequence of str
        The differential state variables, the membrane potential first.
    parameters : sequence of str, optional
        Names left as arguments of every function (e.g. an injected current and any constants to
        vary); equation parameters not named here are zero (extra currents, synaptic
        conductances), constants not named here take their namespace value.
    outputs : dict of str to str, optional
        Name -> Brian2 expression in the model's variables (a current, a counter's integrand),
        each compiled as ``output[name](*states, *parameters)``; ``output_dims`` has the
        dimensions of those that are subexpressions of the equations.

    Attributes
    ----------
    states : tuple of str
        The state variables, the potential first.
    parameters : tuple of str
        The parameters every function takes after the states.
    expressions : dict of str to sympy.Expr
        Every state's derivative and every output, constants substituted.
    rhs : callable
        ``rhs(*states, *parameters)``, every state's time derivative (SI).
    output : dict of str to callable
        Output name -> ``f(*states, *parameters)``.
    gate_inf : dict of str to callable
        Gate name -> ``f(v, *parameters)``, its steady state.
    balance : callable
        ``balance(v, *parameters)``, dv/dt (volt/second) with every gate at its steady state; its
        roots are the model's steady states.

    Raises
    ------
    ModelError
        If a state has no differential equation, the equations use a name neither they nor the
        namespace define, or a gate is not linear in itself and the other gates and driven by
        the potential alone.
    """

    def __init__(
        self,
        equations: Equations,
        namespace: Mapping[str, object],
        states: Sequence[str],
        *,
        parameters: Sequence[str] = (),
        outputs: Mapping[str, str] | None = None,
    ) -> None:
        self.states = tuple(states)
        self.parameters = tuple(parameters)
        missing = [s for s in self.states if s not in equations.diff_eq_names]
        if missing:
            raise ModelError(f"the equations have no differential equation for {missing}")
        outputs = dict(outputs or {})
        codes = {**{name: equations[name].expr.code for name in self.states}, **outputs}
        derivatives, symbols = substituted(equations, codes)
        args = {name: symbols.get(name, sympy.Symbol(name, real=True)) for name in (*self.states, *self.parameters)}
        constants = {}
        for sym in set().union(*(e.free_symbols for e in derivatives.values())):
            if sym.name in args:
                continue
            value = namespace.get(sym.name, DEFAULT_UNITS.get(sym.name))
            if value is None and sym.name in equations.parameter_names:
                value = 0.0  # extra currents and synaptic conductances: no input at rest
            if value is None:
                raise ModelError(f"the equations use {sym.name!r}, which neither they nor the namespace define")
            constants[sym] = float(np.asarray(value))
        derivatives = {k: e.xreplace(constants) for k, e in derivatives.items()}
        self.expressions = derivatives
        self._partials: dict = {}
        arg_symbols = [args[n] for n in (*self.states, *self.parameters)]
        self.rhs = sympy.lambdify(arg_symbols, [derivatives[s] for s in self.states], modules=_MODULES)
        self.output = {name: sympy.lambdify(arg_symbols, derivatives[name], modules=_MODULES) for name in outputs}
        #: the Brian2 dimensions of the outputs that are subexpressions of the equations
        self.output_dims = {name: equations[name].dim for name in outputs if name in equations.subexpr_names}

        v, params = args[self.states[0]], [args[p] for p in self.parameters]
        infs = _gate_steady_states([args[g] for g in self.states[1:]], derivatives, v, params)
        self.gate_inf = {x.name: sympy.lambdify([v, *params], e, modules=_MODULES) for x, e in infs.items()}
        self.balance = sympy.lambdify([v, *params], derivatives[self.states[0]].xreplace(infs), modules=_MODULES)

    def partial(self, name: str, wrt: str | None = None):
        """Return the derivative of output ``name`` with respect to one state, the other states held.

        Parameters
        ----------
        name : str
            An output (or a state's derivative) of :attr:`expressions`.
        wrt : str, optional
            The state (default: the potential).

        Returns
        -------
        callable
            ``f(*states, *parameters)``: the exact derivative, from the symbolic expression.
        """
        key = (name, wrt or self.states[0])
        if key not in self._partials:
            symbols = {s.name: s for s in self.expressions[name].free_symbols}
            arg_symbols = [symbols.get(n, sympy.Symbol(n, real=True)) for n in (*self.states, *self.parameters)]
            derivative = sympy.diff(self.expressions[name], arg_symbols[self.states.index(key[1])])
            self._partials[key] = sympy.lambdify(arg_symbols, derivative, modules=_MODULES)
        return self._partials[key]

    def steady_potentials(self, params: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Find every steady-state potential in :data:`V_RANGE`, for P parameter points at once.

        Parameters
        ----------
        params : sequence of ndarray
            1-d arrays of length P (one per entry of ``self.parameters``; none: P = 1), SI.

        Returns
        -------
        point : ndarray of int
            For each root found, its parameter point's index.
        v : ndarray
            For each root found, the potential (volt, SI).

        Notes
        -----
        Roots are bracketed on a 0.1 mV grid and refined by vectorised bisection.
        """
        grid = np.broadcast_to(_V_GRID[:, None], (_V_GRID.size, len(params[0]) if params else 1))
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

    def gates_at(self, v: np.ndarray, params: Sequence[np.ndarray]) -> np.ndarray:
        """Return the full state at potentials ``v`` with every gate at its steady state.

        Parameters
        ----------
        v : ndarray
            Potentials (volt, SI), shape (R,).
        params : sequence of ndarray
            The parameters' values (SI), one array per entry of ``self.parameters``, broadcast
            with the states.

        Returns
        -------
        ndarray
            Shape (R, n states): v, then every gate (SI).
        """
        v = np.asarray(v, dtype=float)
        return np.column_stack([v, *(np.broadcast_to(self.gate_inf[g](v, *params), v.shape) for g in self.states[1:])])

    def outputs_at(self, x: np.ndarray, params: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
        """Evaluate every output at states ``x``.

        Parameters
        ----------
        x : ndarray
            States, shape (R, n), SI.
        params : sequence of ndarray
            The parameters' values (SI), one array per entry of ``self.parameters``, broadcast
            with the states.

        Returns
        -------
        dict of str to ndarray
            Output name -> values, shape (R,), SI.
        """
        with np.errstate(all="ignore"):
            return {name: np.broadcast_to(f(*x.T, *params), x.shape[:1]) for name, f in self.output.items()}

    def balance_slope(self, v: np.ndarray, params: Sequence[np.ndarray]) -> np.ndarray:
        """Return -d(dv/dt)/dv along the steady states (gates following), by central differences (0.1 uV).

        Parameters
        ----------
        v : ndarray
            Potentials (volt, SI).
        params : sequence of ndarray
            The parameters' values (SI), one array per entry of ``self.parameters``, broadcast
            with the states.

        Returns
        -------
        ndarray
            In 1/s. Times the capacitance, this is the steady-state slope conductance.
        """
        h = 1e-7
        with np.errstate(all="ignore"):
            return (np.asarray(self.balance(v - h, *params)) - np.asarray(self.balance(v + h, *params))) / (2 * h)

    def jacobian(self, x: np.ndarray, params: Sequence[np.ndarray]) -> np.ndarray:
        """Return the Jacobian d(rhs)/d(state) at states ``x``, by central differences.

        Parameters
        ----------
        x : ndarray
            States, shape (R, n), SI.
        params : sequence of ndarray
            The parameters' values (SI), one array per entry of ``self.parameters``, broadcast
            with the states.

        Returns
        -------
        ndarray
            Shape (R, n, n), in 1/s.
        """
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
