"""Steady states and the resting state, computed from a model's own equations (no simulation).

Works on any model the accounting core describes (a :class:`~brian2energy.cell.Cell`, or a
model made from a user's equations), through what the model provides: its analysis
equations and namespace, its state names, its whole-cell capacitance and area, the
outputs to report (currents and the integrands of its energy counters) and its counter
records. The numbers come from :class:`~brian2energy.engine.Dynamics`; the prices from
:mod:`brian2energy.accounting`, so the resting cost is the rate at which the model's own
``ATP_ions`` counter grows at that rest.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from brian2 import Quantity, amp, coulomb, farad, mV, ohm, second, volt
from brian2.units.constants import faraday_constant
from brian2.units.fundamentalunits import get_dimensions

from .accounting import Accounts, atp
from .engine import V_RANGE, Dynamics
from .errors import ModelError, SeveralSteadyStatesWarning
from .expressions import check_dimensions
from .mechanisms import VALENCE

__all__ = [
    "CAPACITANCE",
    "FLUX",
    "RestingState",
    "dynamics",
    "resting_rates",
    "resting_state",
    "resting_values",
    "span",
    "state_at",
    "steady_states",
]


#: Keys of a model's ``analysis_outputs`` that the resting analysis reads besides currents and counters:
#: the whole-cell capacitance (farad), and ``@flux_<ion>``, each ion's whole-cell inward current
#: through every mechanism, pump included (amp). Not identifiers, so they clash with no model name.
CAPACITANCE = "@capacitance"
FLUX = "@flux_"


def dynamics(model, overrides: Sequence[str] = ()) -> Dynamics:
    """Return the model's :class:`~brian2energy.engine.Dynamics`, with ``overrides`` left as arguments.

    Parameters
    ----------
    model : Cell or EquationModel
        The model.
    overrides : sequence of str, optional
        Names of constants to leave as arguments of the functions instead of fixing them.

    Returns
    -------
    Dynamics
        The vectorised functions of the model's analysis equations.

    Notes
    -----
    Built once per model and set of overrides, in the model's own ``cache``. The arguments of
    every function are the states, then the model's ``analysis_parameters`` (``I_inj``), then
    the overrides.
    """
    key = ("dynamics", tuple(overrides))
    if key not in model.cache:
        namespace = {k: v for k, v in model.analysis_namespace.items() if k not in overrides}
        model.cache[key] = Dynamics(
            model.analysis_equations(),
            namespace,
            model.states,
            parameters=(*model.analysis_parameters, *overrides),
            outputs=model.analysis_outputs(),
        )
    return model.cache[key]


@dataclass(frozen=True, repr=False)
class RestingState:
    """A steady state of a model (arrays when parameters were given as arrays).

    Returned by :func:`resting_state`, :func:`steady_states`, :func:`state_at` and
    :func:`resting_rates`; every field has the broadcast shape of the parameters given
    (scalars for scalar parameters).

    Attributes
    ----------
    v : Quantity (volt)
        Membrane potential.
    gates : dict of str to float or ndarray
        Each gate's steady-state value (dimensionless).
    currents : dict of str to Quantity
        The currents the model's equations define (a :class:`~brian2energy.cell.Cell`:
        each mechanism's density ``i_<name>``, the per-ion totals ``i_<ion>`` and ``i_mem``, in
        amp/meter**2, outward positive; a model from :func:`~brian2energy.usermodel.from_equations`:
        the user's current subexpressions, in their units and signs).
    ion_flux : dict of str to Quantity (mol/second)
        Each ion's net flux into the cell through all mechanisms, pump included (mol/second per
        cell, which Brian2 prints as katal; zero for every ion at a balanced rest).
    entry_rates : dict of str to Quantity (amp)
        Each ion-entry counter of the model's own mechanisms (``Q_Na_NaV``, ...): the charge
        entering per second per cell (coulomb/second, i.e. amp), the rate at which that counter
        grows at this rest.
    pump_turnover : Quantity (1/second) or None
        Pump cycles per second per cell, i.e. ATP per second in the pump-turnover view (the rate
        of ``ATP_pump``); None without a pump.
    atp_per_second : Quantity (1/second)
        ATP per second per cell in the ions-restored view: every priced entry rate at its price
        (:data:`~brian2energy.accounting.PRICES`), the rate of ``ATP_ions``. Brian2 shows 1/second
        as Hz.
    permeability_ratio : float, ndarray or None
        P_Na/P_K of the model's GHK leaks (None unless it has both).
    input_resistance : Quantity (ohm)
        1/(d I_mem/dv) along the steady states (gates following), per cell.
    eigenvalues : Quantity (1/second)
        The eigenvalues (complex) of the full Jacobian (v and gates), on the last axis.
    stable : bool or ndarray of bool
        All the eigenvalues' real parts are negative.
    n_steady_states : int or ndarray of int
        How many steady states the model has at these parameters.
    """

    v: Quantity
    gates: dict[str, np.ndarray]
    currents: dict[str, Quantity]
    ion_flux: dict[str, Quantity]
    entry_rates: dict[str, Quantity]
    pump_turnover: Quantity | None
    atp_per_second: Quantity
    permeability_ratio: np.ndarray | None
    input_resistance: Quantity
    eigenvalues: Quantity
    stable: np.ndarray
    n_steady_states: np.ndarray

    def __repr__(self) -> str:
        """Return the headline figures in the units a physiologist reads (ATP per second, not Brian2's Hz)."""
        shape = np.shape(self.v)
        where = f" over {shape} parameter points" if shape else ""
        stable = np.asarray(self.stable)
        return (
            f"RestingState{where}(v = {span(self.v / mV, '.2f')} mV, "
            f"R_in = {span(self.input_resistance / (1e6 * ohm), '.4g')} MOhm, "
            f"ATP = {span(self.atp_per_second * second, '.4g')} ATP/s, "
            f"stable = {bool(stable) if stable.size == 1 else f'{int(stable.sum())} of {stable.size}'})"
        )

    __str__ = __repr__


def span(values, fmt: str) -> str:
    """Format one number, or the range ``[min .. max]`` of an array (NaN left out), for reprs.

    Parameters
    ----------
    values : float or array_like
        The number(s), dimensionless (divide a quantity by its unit first).
    fmt : str
        A format specification (``".4g"``).

    Returns
    -------
    str
        The formatted number or range (``"[all NaN]"`` if no value is finite).
    """
    a = np.asarray(values, dtype=float)
    if a.size == 1:
        return format(float(a), fmt)
    finite = a[np.isfinite(a)]
    return f"[{format(finite.min(), fmt)} .. {format(finite.max(), fmt)}]" if finite.size else "[all NaN]"


def _parameters(model, params: dict) -> tuple[tuple[str, ...], list[np.ndarray], tuple[int, ...], dict]:
    """Check overrides against the model's constants.

    Returns the overridden constants' names, the flat SI arrays of every free parameter (the
    model's analysis parameters first), their broadcast shape, and name -> SI array of every
    constant at these points.
    """
    params = dict(params)
    namespace = model.namespace
    free = []
    for name, default in model.analysis_parameters.items():
        free.append(check_dimensions(params.pop(name, default), default, f"{model.name}: {name}"))
    names = tuple(sorted(params))
    for name in names:
        if name not in namespace:
            raise ModelError(
                f"{model.name}: {name!r} is not a parameter of this model; choose from "
                f"{[*model.analysis_parameters, *sorted(namespace)]}"
            )
        check_dimensions(params[name], namespace[name], f"{model.name}: {name}")
    given = (*free, *(params[n] for n in names))
    if not given:  # a model without parameters, nothing overridden: one point
        return (), [], (), {}
    try:
        arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in given))
    except ValueError:
        shapes = {n: np.shape(v) for n, v in zip((*model.analysis_parameters, *names), given)}
        raise ModelError(f"{model.name}: the parameters' shapes {shapes} do not broadcast together") from None
    flat = [np.array(a, dtype=float).ravel() for a in arrays]
    constants = {n: flat[len(free) + k] for k, n in enumerate(names)}
    return names, flat, arrays[0].shape, constants


def _states_at(model, dyn: Dynamics, v: np.ndarray, params: list[np.ndarray]) -> dict:
    """Everything about the steady states at potentials ``v`` (SI arrays, one per parameter point)."""
    x = dyn.gates_at(v, params)
    eigenvalues = np.linalg.eigvals(dyn.jacobian(x, params))
    return {
        "v": v,
        "gates": {name: x[:, k + 1] for k, name in enumerate(dyn.states[1:])},
        "outputs": dyn.outputs_at(x, params),
        "dims": dyn.output_dims,
        "slope": dyn.balance_slope(v, params),
        "eigenvalues": eigenvalues,
        "stable": np.all(eigenvalues.real < 0, axis=-1),
    }


def _resting(model, params: dict, *, all_states: bool = False, shape: tuple | None = None):
    overrides, values, given_shape, constants = _parameters(model, params)
    shape = given_shape if shape is None else shape
    dyn = dynamics(model, overrides)
    point, roots = dyn.steady_potentials(values)
    n_points = len(values[0]) if values else 1
    counts = np.bincount(point, minlength=n_points)
    if np.any(counts == 0):
        raise ModelError(
            f"{model.name}: no steady state between {V_RANGE[0] * 1e3:g} and {V_RANGE[1] * 1e3:g} mV "
            f"for {int(np.sum(counts == 0))} of {n_points} parameter point(s)"
        )
    found = _states_at(model, dyn, roots, [p[point] for p in values])
    constants = {k: c[point] for k, c in constants.items()}
    if all_states:
        rows = np.flatnonzero(point == 0)
        return [_package(model, found, constants, rows, np.full(len(rows), counts[0]), (len(rows),))]
    # the state the model rests at: the one nearest the potential it was balanced at, if any, else the
    # most hyperpolarized stable one, else the most hyperpolarized
    if model.v_rest is not None:
        order = np.lexsort((np.abs(roots - float(model.v_rest)), point))
    else:
        order = np.lexsort((roots, ~found["stable"], point))
    first = order[np.r_[True, point[order][1:] != point[order][:-1]]]
    if n_points == 1 and counts[0] > 1:
        kind = "stable" if found["stable"][first[0]] else "unstable (none is stable)"
        which = (
            f"the one nearest v_rest = {float(model.v_rest) * 1e3:.2f} mV"
            if model.v_rest is not None
            else f"the most hyperpolarized {kind} one"
        )
        warnings.warn(
            f"{model.name} has {counts[0]} steady states at these parameters "
            f"({', '.join(f'{r * 1e3:.2f}' for r in np.sort(roots))} mV); "
            f"resting_state returns {which}",
            SeveralSteadyStatesWarning,
            stacklevel=3,
        )
    return _package(model, found, constants, first, counts, shape)


def _package(model, found: dict, constants: dict, rows: np.ndarray, counts: np.ndarray, shape: tuple) -> RestingState:
    def pick(a):
        return np.asarray(a)[rows].reshape(shape + np.asarray(a).shape[1:])

    outputs = {name: pick(value) for name, value in found["outputs"].items()}
    currents = {
        name: Quantity(value, dim=found["dims"][name]) for name, value in outputs.items() if name in found["dims"]
    }
    records = model.counter_records()
    entry = {c.name: outputs[c.name] for c in records if c.ion is not None}
    pump = Accounts(model, records).pump
    capacitance = outputs[CAPACITANCE] * np.ones(shape) * farad
    ion_flux = {
        key[len(FLUX) :]: outputs[key] * amp / (VALENCE[key[len(FLUX) :]] * faraday_constant)
        for key in outputs
        if key.startswith(FLUX)
    }
    permeability = model.permeabilities()
    ratio = None
    if {"Na", "K"} <= set(permeability):
        p_na, p_k = (
            pick(constants[n]) if n in constants else float(model.namespace[n])
            for n in (permeability["Na"], permeability["K"])
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.asarray(p_na / p_k)
    return RestingState(
        v=pick(found["v"]) * volt,
        gates={name: pick(g) for name, g in found["gates"].items()},
        currents=currents,
        ion_flux=ion_flux,
        entry_rates={name: rate * coulomb / second for name, rate in entry.items()},
        pump_turnover=None if pump is None else outputs[pump.name] / second,
        atp_per_second=atp(records, entry) * np.ones(shape) / second,
        permeability_ratio=ratio,
        input_resistance=1 / (pick(found["slope"]) / second * capacitance),
        eigenvalues=pick(found["eigenvalues"]) / second,
        stable=pick(found["stable"]),
        n_steady_states=np.asarray(counts).reshape(shape),
    )


def resting_state(model, **params) -> RestingState:
    """Compute the state the model rests at from its equations (no simulation).

    Parameters
    ----------
    model : Cell or EquationModel
        The model (a :class:`~brian2energy.cell.Cell`, or one made by
        :func:`~brian2energy.usermodel.from_equations`).
    **params : Quantity
        Overrides of the model's parameters for this call (``I_inj=9.7*uA/cm**2``,
        ``g_leak_K=...``), each in the units of the constant it replaces, as scalars or arrays
        (broadcast together; every figure is then an array of that shape).

    Returns
    -------
    RestingState
        The resting state: potential, gates, currents, ion fluxes, entry rates, the ATP per
        second in both accounting views, input resistance, eigenvalues and stability.

    Raises
    ------
    ModelError
        If a parameter is not one of the model's or has the wrong units, the parameters' shapes
        do not broadcast, or there is no steady state between -150 and +100 mV
        (:data:`~brian2energy.engine.V_RANGE`) at some parameter point.

    Warns
    -----
    SeveralSteadyStatesWarning
        If the model has several steady states at scalar parameters; the message says which one
        was taken.

    See Also
    --------
    steady_states : every steady state.
    resting_rates : the rest of every neuron of a group.
    brian2energy.frequency.frequency_response : the small-signal impedance at this rest.
    brian2energy.rest.cost_of_rest : the cost of a balanced rest at a chosen potential.

    Notes
    -----
    Of several steady states the model rests at the most hyperpolarized stable one (a
    :class:`~brian2energy.errors.SeveralSteadyStatesWarning` says there were several); if none
    is stable, the most hyperpolarized one is returned with ``stable`` False. A cell made by
    :func:`~brian2energy.rest.balance_rest` rests at the steady state nearest the potential it
    was balanced at (``cell.v_rest``), stable or not.

    The resting cost ``atp_per_second`` is the rate at which the model's own ``ATP_ions`` counter
    grows at that rest (ions-restored view); ``pump_turnover`` the rate of ``ATP_pump``
    (pump-turnover view).

    Examples
    --------
    >>> from brian2energy import load_model, resting_state
    >>> rest = resting_state(load_model("squid_axon_hh1952"))
    >>> float(rest.atp_per_second) > 0
    True
    """
    return _scalar(_resting(model, params))


def steady_states(model, **params) -> list[RestingState]:
    """Find every steady state of the model at scalar ``params``, from hyperpolarized to depolarized.

    Parameters
    ----------
    model : Cell or EquationModel
        The model.
    **params : Quantity
        Scalar overrides of the model's parameters, as in :func:`resting_state`.

    Returns
    -------
    list of RestingState
        One per steady state between -150 and +100 mV, in order of increasing ``v``.

    Raises
    ------
    ModelError
        If a parameter is an array, not one of the model's or of the wrong units, or there is
        no steady state.
    """
    if any(np.ndim(v) for v in params.values()):
        raise ModelError("steady_states takes scalar parameters; use resting_state for arrays")
    (state,) = _resting(model, params, all_states=True)
    order = np.argsort(np.asarray(state.v))
    return [_scalar(_index(state, i)) for i in order]


def _index(state: RestingState, i) -> RestingState:
    """Pick the state at index ``i`` (an integer or an index array) of every per-point field."""

    def at(x):
        return None if x is None else x[i]

    return RestingState(
        v=at(state.v),
        gates={k: at(g) for k, g in state.gates.items()},
        currents={k: at(c) for k, c in state.currents.items()},
        ion_flux={k: at(f) for k, f in state.ion_flux.items()},
        entry_rates={k: at(r) for k, r in state.entry_rates.items()},
        pump_turnover=at(state.pump_turnover),
        atp_per_second=at(state.atp_per_second),
        permeability_ratio=None
        if state.permeability_ratio is None
        else np.broadcast_to(state.permeability_ratio, np.shape(state.stable))[i],
        input_resistance=at(state.input_resistance),
        eigenvalues=state.eigenvalues[i],
        stable=state.stable[i],
        n_steady_states=state.n_steady_states[i],
    )


def _scalar(state: RestingState) -> RestingState:
    """Unwrap 0-d arrays when the parameters were scalars; array results pass through."""
    if np.ndim(state.stable) == 0:
        ratio = None if state.permeability_ratio is None else float(state.permeability_ratio)
        return replace(
            state,
            stable=bool(state.stable),
            n_steady_states=int(state.n_steady_states),
            gates={k: float(g) for k, g in state.gates.items()},
            permeability_ratio=ratio,
        )
    return state


def state_at(model, v: Quantity, **params) -> RestingState:
    """Return the steady state at potential ``v``, which must be one (e.g. the v a cell was balanced at).

    Parameters
    ----------
    model : Cell or EquationModel
        The model.
    v : Quantity (volt)
        The potential of a steady state.
    **params : Quantity
        Scalar overrides of the model's parameters, as in :func:`resting_state`.

    Returns
    -------
    RestingState
        The steady state at ``v``.

    Raises
    ------
    ModelError
        If a parameter is an array or invalid, or ``v`` is not a steady state (abs(dv/dt) above
        1e-7 V/s there).
    """
    overrides, values, shape, constants = _parameters(model, params)
    if shape:
        raise ModelError("state_at takes scalar parameters")
    dyn = dynamics(model, overrides)
    v = np.atleast_1d(np.asarray(check_dimensions(v, mV, "state_at: v"), dtype=float))
    residual = float(dyn.balance(v, *values)[0])  # dv/dt, V/s
    if abs(residual) > 1e-7:
        raise ModelError(f"{model.name}: {v[0] * 1e3:.3f} mV is not a steady state (dv/dt = {residual:.3g} V/s)")
    found = _states_at(model, dyn, v, values)
    count = len(dyn.steady_potentials(values)[1])
    return _scalar(_package(model, found, constants, np.array([0]), np.array([count]), ()))


def resting_values(model) -> dict[str, Quantity | float]:
    """Return ``v`` and every gate at the model's resting state with no injected current.

    Parameters
    ----------
    model : Cell or EquationModel
        The model.

    Returns
    -------
    dict of str to Quantity or float
        ``"v"`` (volt) and each gate's value, for setting a group's initial state.

    Notes
    -----
    A :class:`~brian2energy.errors.SeveralSteadyStatesWarning` is suppressed here: the state is
    the one :func:`resting_state` picks.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeveralSteadyStatesWarning)
        rest = resting_state(model)
    return {"v": rest.v, **rest.gates}


#: Variables every Brian2 group has, never a model's constant.
_GROUP_VARIABLES = frozenset({"N", "i", "t", "dt", "t_in_timesteps", "lastspike", "not_refractory"})


def resting_rates(model, group) -> RestingState:
    """Compute the resting state of every neuron of ``group`` (no input, I_inj = 0), with its own parameters.

    Parameters
    ----------
    model : Cell or EquationModel
        The model the group was made from.
    group : brian2.NeuronGroup
        The group; constants of the model that are per-neuron parameters of the group are read
        from it.

    Returns
    -------
    RestingState
        Every field an array over the group's neurons: ``atp_per_second`` (1/second) is what
        :func:`~brian2energy.energy.energy_report` and :func:`~brian2energy.energy.network_budget`
        book as rest, ``entry_rates`` (amp) their baselines.

    Raises
    ------
    ModelError
        If some neuron's parameters have no steady state.

    Notes
    -----
    Each distinct set of parameters is solved once. A
    :class:`~brian2energy.errors.SeveralSteadyStatesWarning` is suppressed here.
    """
    names = sorted(n for n in model.namespace if n in group.variables and n not in _GROUP_VARIABLES)
    n = len(group)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeveralSteadyStatesWarning)
        if not names:  # one point, as an array of one, for every neuron
            return _index(_resting(model, {}, shape=(1,)), np.zeros(n, dtype=int))
        values = np.column_stack([np.asarray(getattr(group, name)[:]) for name in names])
        unique, inverse = np.unique(values, axis=0, return_inverse=True)
        state = _resting(
            model,
            {name: Quantity(unique[:, k], dim=get_dimensions(model.namespace[name])) for k, name in enumerate(names)},
        )
    return _index(state, np.ravel(inverse))
