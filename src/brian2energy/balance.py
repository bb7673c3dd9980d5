"""Balanced rests: leaks and pump that hold a cell at a chosen potential, what that costs, and where it stops being stable.

At a balanced rest ``v`` (gates at their steady state) the Na+ entering through every
mechanism equals 3 x the pump's cycles and the K+ leaving equals 2 x the cycles, so the
cell rests at ``v`` with zero net Na+ and K+ flux. The unknowns are the scales of the
cell's Na+ leak, K+ leak and pump (``g_leak_Na``, ``g_leak_K`` or the GHK permeabilities
``P_leak_Na``, ``P_leak_K``, and ``I_max_pump``); each current is proportional to its scale
(the mechanism contract), so with ``u_Na(v)``, ``u_K(v)`` the leaks' currents per unit
scale, ``s_Na``, ``s_K`` their slopes, and ``I_Na``, ``I_K`` the other mechanisms' currents::

    I_Na + x_Na u_Na + 3 P = 0,    I_K + x_K u_K - 2 P = 0,    x_Na s_Na + x_K s_K = G

where ``G`` is the leaks' slope conductance density (for linear leaks, g_Na + g_K). Every
figure comes from the cell's own equations through :mod:`brian2energy.engine`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Quantity, amp, meter, mV, ohm, second, siemens, volt
from brian2.units.fundamentalunits import get_dimensions

from .accounting import atp
from .cell import Cell
from .engine import Dynamics
from .errors import ModelError
from .expressions import check_dimensions
from .leaks import Leak
from .pumps import NaKPump
from .resting import dynamics, resting_values, span, state_at

__all__ = [
    "BalancedFamily",
    "CriticalRest",
    "balanced_family",
    "balance_rest",
    "balanced_stability",
    "cost_of_rest",
    "critical_rest",
    "own_leak_conductance",
]

_SIEMENS_DENSITY = siemens / meter**2
_H = 1e-7  # volt: the step of the central differences for the leaks' slopes (0.1 uV)


@dataclass(frozen=True)
class _Template:
    """Hold the cell with its Na+ leak, K+ leak and pump as free scales (leaks linear unless the cell's are GHK)."""

    cell: Cell
    scales: tuple[str, str, str]
    dyn: Dynamics

    def values(self, v: np.ndarray, scales: tuple[float, float, float]) -> dict[str, np.ndarray]:
        """Return every current density (SI) at potentials ``v``, gates at steady state, with these scales."""
        v = np.asarray(v, dtype=float)
        params = [np.zeros(v.shape), *(np.full(v.shape, s, dtype=float) for s in scales)]
        x = self.dyn.gates_at(v.ravel(), [p.ravel() for p in params])
        return {k: np.reshape(a, v.shape) for k, a in self.dyn.outputs_at(x, [p.ravel() for p in params]).items()}


def _check_cell(cell, who: str) -> None:
    """Refuse a model that is not a :class:`~brian2energy.cell.Cell`."""
    if not isinstance(cell, Cell):
        raise ModelError(
            f"{who} needs a brian2energy Cell: it resizes the cell's per-ion leaks and its Na+/K+ pump, "
            f"which {getattr(cell, 'name', cell)!r} ({type(cell).__name__}) does not have as mechanisms; "
            "resting_state, steady_states and the energy reports work on it"
        )


def _template(cell: Cell) -> _Template:
    """Build the balance template of a cell once (in the cell's cache)."""
    if "balance_template" not in cell.cache:
        missing = [ion for ion in ("Na", "K") if ion not in cell.reversal_potentials]
        if missing:
            raise ModelError(
                f"{cell.name}: balancing a rest needs Na+ and K+, but the cell defines no ion "
                f"{missing}; give it ions.{missing[0]}"
            )
        leaks = [cell.leak(ion) or Leak(ion, 0 * _SIEMENS_DENSITY) for ion in ("Na", "K")]
        pump = cell.pump or NaKPump(0 * amp / meter**2)
        if not pump.electrogenic:
            raise ModelError(
                f"{cell.name}: its pump ({pump!r}) is left out of dv/dt (electroneutral), so no rest can "
                "have zero net Na+ and K+ flux and zero net current; balance_rest needs an electrogenic pump"
            )
        for m in cell.mechanisms:
            if m.is_leak and m not in leaks and set(m.carries) & {"Na", "K"}:
                raise ModelError(
                    f"{cell.name}: balance_rest resizes one Na+ and one K+ leak, but leak "
                    f"{m.name!r} carries {sorted(m.carries)}"
                )
        others = [m for m in cell.mechanisms if m not in leaks and not m.is_pump]
        template = cell.replace(mechanisms=[*others, *leaks, pump], v_rest=None)
        scales = (leaks[0].scale, leaks[1].scale, pump.scale)
        cell.cache["balance_template"] = _Template(template, scales, dynamics(template, scales))
    return cell.cache["balance_template"]


def _unit(tpl: _Template, v: np.ndarray) -> dict[str, np.ndarray]:
    """Evaluate the balance's terms at potentials ``v`` (SI).

    Each leak's current and slope per unit scale, the pump's current per unit I_max, and the
    other mechanisms' per-ion currents and slope conductance density.
    """
    cell, dyn = tpl.cell, tpl.dyn
    v = np.asarray(v, dtype=float)
    zero = tpl.values(v, (0.0, 0.0, 0.0))
    out = {
        "I_Na": zero["i_Na"],
        "I_K": zero["i_K"],
        "slope": float(cell.C_m) * np.reshape(dyn.balance_slope(v.ravel(), [np.zeros(v.size)] * 4), v.shape),
    }
    for ion in cell.ion_currents():
        if ion not in ("Na", "K") and np.any(np.abs(zero[f"i_{ion}"]) > 1e-12):
            raise ModelError(
                f"{cell.name}: balance_rest balances Na+ and K+ only, but {ion} carries net current at this potential"
            )
    for k, ion in enumerate(("Na", "K")):
        current = cell.leak(ion).current
        params = [np.zeros(v.size), *(np.full(v.size, float(j == k)) for j in range(3))]  # this leak's scale 1
        x = dyn.gates_at(v.ravel(), params)
        out[f"u_{ion}"] = np.reshape(dyn.outputs_at(x, params)[current], v.shape)
        with np.errstate(all="ignore"):
            out[f"s_{ion}"] = np.reshape(np.broadcast_to(dyn.partial(current)(*x.T, *params), (v.size,)), v.shape)
    pump = tpl.values(v, (0.0, 0.0, 1.0))[cell.pump.current]
    shifted = tpl.values(v + 10e-3, (0.0, 0.0, 1.0))[cell.pump.current]
    if np.any(np.abs(shifted - pump) > 1e-9 * np.abs(pump)):
        raise ModelError(
            f"{cell.name}: the pump's turnover depends on the membrane potential; balance_rest "
            "scales I_max to balance one potential and needs a pump that v does not change"
        )
    out["pump"] = pump
    return out


@dataclass(frozen=True)
class _Balance:
    """Hold the scales balancing each v (SI arrays): Na+ leak, K+ leak, pump current density (not I_max)."""

    v: np.ndarray
    x_na: np.ndarray
    x_k: np.ndarray
    i_pump: np.ndarray
    g_min: np.ndarray  # the least leak slope conductance density that keeps all three non-negative
    slope: np.ndarray  # steady-state slope conductance density of every other mechanism
    pump_unit: np.ndarray  # pump current density per unit I_max


def _balance(cell: Cell, v: np.ndarray, g_leak: np.ndarray | None) -> _Balance:
    """Solve the flux balance at v for the given leak slope conductance (None: only the bounds)."""
    u = _unit(_template(cell), v)
    a, b, sa, sb = u["u_Na"], u["u_K"], u["s_Na"], u["s_K"]  # a < 0 < b between E_K and E_Na
    i_na, i_k = u["I_Na"], u["I_K"]
    with np.errstate(divide="ignore", invalid="ignore"):
        drive = -3 * sa / a + 2 * sb / b  # > 0 for E_K < v < E_Na
        offset = sa * i_na / a + sb * i_k / b
        p_min = np.maximum.reduce([np.zeros_like(a), -i_na / 3, i_k / 2])
        g_min = p_min * drive - offset
        if g_leak is None:
            nan = np.full_like(a, np.nan)
            return _Balance(np.asarray(v, dtype=float), nan, nan, nan, g_min, u["slope"], u["pump"])
        p = (g_leak + offset) / drive
        return _Balance(
            np.asarray(v, dtype=float), -(i_na + 3 * p) / a, (2 * p - i_k) / b, p, g_min, u["slope"], u["pump"]
        )


def _own_slope(cell: Cell, v: np.ndarray) -> np.ndarray:
    """Return the cell's own Na+ plus K+ leak slope conductance density at ``v`` (SI)."""
    u = _unit(_template(cell), v)
    ns = cell.namespace
    return sum(
        (float(ns[m.scale]) * u[f"s_{ion}"] for ion in ("Na", "K") if (m := cell.leak(ion))), np.zeros(np.shape(v))
    )


def own_leak_conductance(cell: Cell, v: Quantity | None = None) -> Quantity:
    """Return the cell's Na+ plus K+ leak slope conductance density at ``v``.

    Parameters
    ----------
    cell : Cell
        The cell.
    v : Quantity (volt), optional
        The potential(s) (default: the cell's resting potential for GHK leaks; any for linear
        ones).

    Returns
    -------
    Quantity (siemens/meter**2)
        For linear leaks, g_Na + g_K at any ``v``; for GHK leaks, the slope of their currents
        at ``v``. Shaped like ``v``.

    Raises
    ------
    ModelError
        If ``cell`` is not a :class:`~brian2energy.cell.Cell`, lacks Na+ or K+, has
        an electroneutral pump, or has a leak carrying Na+ or K+ besides its one Na+ and one K+ leak, or ``v`` is not a voltage.
    """
    _check_cell(cell, "own_leak_conductance")
    if v is None:
        v = resting_values(cell)["v"] if cell.permeabilities() else 0 * mV
    v = np.asarray(check_dimensions(v, mV, f"{cell.name}: v"), dtype=float)
    return _own_slope(cell, v) * _SIEMENS_DENSITY


def _leak_density(cell: Cell, leak_conductance: Quantity | None, v: np.ndarray) -> np.ndarray:
    """Convert a leak slope conductance given per area or per cell to a density in S/m^2 (SI array); None: the cell's own."""
    if leak_conductance is None:
        return _own_slope(cell, v)
    if get_dimensions(leak_conductance) == get_dimensions(siemens):
        leak_conductance = leak_conductance / cell.area
    check_dimensions(leak_conductance, _SIEMENS_DENSITY, f"{cell.name}: leak_conductance (per area or per cell)")
    return np.asarray(leak_conductance, dtype=float)


def _ms_cm2(g) -> str:
    """Format a conductance density (SI) as text in mS/cm^2."""
    return f"{float(g) * 0.1:.4g} mS/cm^2"


def _requested_leak(
    cell: Cell, v: np.ndarray, bounds: _Balance, leak_conductance: Quantity | None, input_resistance: Quantity | None
) -> np.ndarray:
    """Return the Na+ plus K+ leak density (SI) asked for: given, from an input resistance, or the cell's own.

    An input resistance R sets the total steady-state slope conductance 1/(R area), of
    which the leaks supply what the other mechanisms (``bounds.slope``) do not.
    """
    if input_resistance is None:
        return _leak_density(cell, leak_conductance, v)
    r = np.asarray(check_dimensions(input_resistance, ohm, f"{cell.name}: input_resistance"), dtype=float)
    if not np.all((r > 0) & np.isfinite(r)):
        raise ModelError(f"{cell.name}: input_resistance must be positive and finite, got {input_resistance!r}")
    return 1 / (r * float(cell.area)) - bounds.slope


def _feasible(cell: Cell, sol: _Balance) -> np.ndarray:
    """Mark where the balance exists: E_K < v < E_Na and no leak or pump negative."""
    e_k, e_na = (float(cell.reversal_potentials[ion]) for ion in ("K", "Na"))
    return (sol.v > e_k) & (sol.v < e_na) & (sol.x_na >= 0) & (sol.x_k >= 0) & (sol.i_pump >= 0)


def _check_range(cell: Cell, v: np.ndarray) -> None:
    """Refuse potentials outside (E_K, E_Na)."""
    e_k, e_na = (cell.reversal_potentials[ion] for ion in ("K", "Na"))
    bad = ~((v > float(e_k)) & (v < float(e_na)))
    if np.any(bad):
        raise ModelError(
            f"{cell.name}: v_rest = {np.asarray(v)[bad][0] * 1e3:.2f} mV is outside (E_K, E_Na) = "
            f"({float(e_k / mV):.2f}, {float(e_na / mV):.2f}) mV: a leak conductance or the pump "
            "would have to be negative"
        )


def _scale_values(tpl: _Template, sol: _Balance) -> dict[str, np.ndarray]:
    """Return the template's three scale constants (SI arrays) at the solution: leaks' g or P, pump I_max."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return dict(zip(tpl.scales, (sol.x_na, sol.x_k, sol.i_pump / sol.pump_unit)))


def _balanced_cell(cell: Cell, sol: _Balance) -> Cell:
    """Build the cell balanced at ``sol`` (one point): its leaks and pump resized, resting at that v."""
    tpl = _template(cell)
    values = {k: float(np.asarray(x).ravel()[0]) for k, x in _scale_values(tpl, sol).items()}
    ns = tpl.cell.namespace
    mechanisms = [
        m.with_scale(Quantity(values[m.scale], dim=get_dimensions(ns[m.scale]))) if m.scale in values else m
        for m in tpl.cell.mechanisms
    ]
    v = float(np.asarray(sol.v).ravel()[0])
    return tpl.cell.replace(
        mechanisms=mechanisms, v_rest=v * volt, description=f"{cell.description} (balanced at {v * 1e3:.2f} mV)"
    )


def balance_rest(
    cell: Cell,
    v_rest: Quantity,
    leak_conductance: Quantity | None = None,
    input_resistance: Quantity | None = None,
) -> Cell:
    """Return a cell whose Na+ and K+ leaks and pump turnover balance every ion's flux at ``v_rest``.

    Parameters
    ----------
    cell : Cell
        The cell to balance.
    v_rest : Quantity (volt)
        The resting potential to hold, between E_K and E_Na; scalar.
    leak_conductance : Quantity (siemens/meter**2 or siemens), optional
        The leaks' Na+ plus K+ slope conductance, per area or per cell (default: the cell's own);
        scalar.
    input_resistance : Quantity (ohm), optional
        Instead of ``leak_conductance``: the whole-cell input resistance to have at ``v_rest``
        (the leaks supply what the other mechanisms do not); scalar, positive.

    Returns
    -------
    Cell
        The balanced cell, its leaks and pump resized, with ``v_rest`` set (so
        :func:`~brian2energy.resting.resting_state` picks the steady state nearest it) and
        "(balanced at ... mV)" added to its description.

    Raises
    ------
    ModelError
        If ``cell`` is not a :class:`~brian2energy.cell.Cell`, lacks Na+ or K+, has
        an electroneutral pump, or has a leak carrying Na+ or K+ besides its one Na+ and one K+ leak; both
        ``leak_conductance`` and ``input_resistance`` are given, or an array; ``v_rest`` is
        outside (E_K, E_Na); or the request is impossible: the message says which quantity would
        go negative and what range is possible.

    See Also
    --------
    cost_of_rest : the cost of such a rest, vectorised, without building the cell.
    critical_rest : the most depolarized balanced rest that is stable.

    Notes
    -----
    At ``v_rest`` (gates at steady state) Na+ entry equals 3 x pump cycles and K+
    exit 2 x pump cycles, so the cell rests there with zero net Na+ and K+ flux (see
    :mod:`brian2energy.balance`). The leaks keep their kind: linear leaks get conductances, GHK
    leaks permeabilities. By default the leaks' slope conductance stays the cell's own;
    ``leak_conductance`` (per area, or per cell in siemens) or ``input_resistance`` sets the
    leakiness instead. A cell without a pump gets a fixed-turnover ``NaKPump``; a pump of
    another form keeps it with ``I_max`` scaled.

    Examples
    --------
    >>> from brian2 import mV
    >>> from brian2energy import load_model, resting_state
    >>> from brian2energy.rest import balance_rest
    >>> balanced = balance_rest(load_model("squid_axon_hh1952"), -60 * mV)
    >>> round(float(resting_state(balanced).v / mV), 2)
    -60.0
    """
    _check_cell(cell, "balance_rest")
    if leak_conductance is not None and input_resistance is not None:
        raise ModelError("balance_rest: give leak_conductance or input_resistance, not both")
    v = np.asarray(check_dimensions(v_rest, mV, "balance_rest: v_rest"), dtype=float)
    if v.ndim or np.ndim(leak_conductance) or np.ndim(input_resistance):
        raise ModelError(
            "balance_rest: v_rest, leak_conductance and input_resistance must be scalars "
            "(cost_of_rest and excitability_sweep take arrays)"
        )
    _template(cell)  # checks the cell has what a balance needs
    _check_range(cell, v)
    bounds = _balance(cell, v, None)
    g_leak = _requested_leak(cell, v, bounds, leak_conductance, input_resistance)
    if input_resistance is not None:
        r_max = 1 / (cell.area * (bounds.g_min + bounds.slope) * _SIEMENS_DENSITY)
        if g_leak < bounds.g_min:
            raise ModelError(
                f"{cell.name}: an input resistance of {input_resistance.in_best_unit()} at "
                f"{v * 1e3:.2f} mV needs less leak than the voltage-gated channels and the flux "
                f"balance allow: at most {r_max.in_best_unit()} is possible"
            )
    elif g_leak < bounds.g_min:
        raise ModelError(
            f"{cell.name}: at v_rest = {v * 1e3:.2f} mV a leak of {_ms_cm2(g_leak)} is too small: "
            f"{_negative(_balance(cell, v, np.asarray(g_leak)))} would be negative; the leak conductance must be "
            f"at least {_ms_cm2(bounds.g_min)}"
        )
    return _balanced_cell(cell, _balance(cell, v, np.asarray(g_leak)))


def _negative(sol: _Balance) -> str:
    """Name the scales that would be negative."""
    names = [
        name for name, x in (("the Na+ leak", sol.x_na), ("the K+ leak", sol.x_k), ("the pump", sol.i_pump)) if x < 0
    ]
    return " and ".join(names)


@dataclass(frozen=True)
class BalancedFamily:
    """A cell balanced at many points at once (arrays over the points, Brian2 units).

    Returned by :func:`balanced_family`.

    Attributes
    ----------
    cell : Cell
        The cell with its Na+ leak, K+ leak and pump, whose scales (``scales``) make each point's
        balanced cell: set them as per-neuron parameters of one group.
    v_rest : Quantity (volt)
        The points' resting potentials.
    leak_conductance : Quantity (siemens/meter**2)
        The points' leak slope conductance densities.
    feasible : ndarray of bool
        Where a balance exists.
    scales : dict of str to Quantity
        Each point's leak scales and pump ``I_max`` (the constants to set per neuron; NaN where
        infeasible).
    gates : dict of str to ndarray
        Each gate at each point's rest.
    atp_per_second : Quantity (1/second)
        The rest's cost per cell, ions-restored view (every priced entry at its price, as
        ``ATP_ions`` counts it; equal to the pump turnover when only Na+ is priced); NaN where
        infeasible.
    eigenvalues : Quantity (1/second)
        Of each balanced rest's Jacobian, on the last axis (infeasible points: NaN).
    stable : ndarray of bool
        Every eigenvalue's real part negative (infeasible points: not stable).
    """

    cell: Cell
    v_rest: Quantity
    leak_conductance: Quantity
    feasible: np.ndarray
    scales: dict[str, Quantity]
    gates: dict[str, np.ndarray]
    atp_per_second: Quantity
    eigenvalues: Quantity
    stable: np.ndarray

    def __repr__(self) -> str:
        """Return the number of points, how many are feasible and stable, and the cost's range."""
        n = np.size(self.feasible)
        return (
            f"BalancedFamily({self.cell.name}, {n} points: v_rest = {span(self.v_rest / mV, '.2f')} mV, "
            f"feasible {int(np.sum(self.feasible))} of {n}, stable {int(np.sum(self.stable))}, "
            f"ATP = {span(self.atp_per_second * second, '.4g')} ATP/s)"
        )

    __str__ = __repr__


def balanced_family(
    cell: Cell, v_rest: Quantity, leak_conductance: Quantity | None = None, input_resistance: Quantity | None = None
) -> BalancedFamily:
    """Balance the cell at every point of ``v_rest`` x leakiness (broadcast together), vectorised.

    Parameters
    ----------
    cell : Cell
        The cell.
    v_rest : Quantity (volt)
        The resting potentials (any shape).
    leak_conductance : Quantity (siemens/meter**2 or siemens), optional
        Leakiness per area or per cell (default the cell's own); broadcast with ``v_rest``.
    input_resistance : Quantity (ohm), optional
        Leakiness as an input resistance instead; see :func:`balance_rest`.

    Returns
    -------
    BalancedFamily
        The scales, gates, cost and stability at every point; infeasible points are NaN.

    Raises
    ------
    ModelError
        If ``cell`` is not a :class:`~brian2energy.cell.Cell`, lacks Na+ or K+, has
        an electroneutral pump, or has a leak carrying Na+ or K+ besides its one Na+ and one K+ leak, both leakiness
        arguments are given, or an argument has the wrong units.
    """
    _check_cell(cell, "balanced_family")
    if leak_conductance is not None and input_resistance is not None:
        raise ModelError("give leak_conductance or input_resistance, not both")
    v = np.asarray(check_dimensions(v_rest, mV, f"{cell.name}: v_rest"), dtype=float)
    g = _requested_leak(cell, v, _balance(cell, v, None), leak_conductance, input_resistance)
    v, g = (np.array(a, dtype=float) for a in np.broadcast_arrays(v, g))
    sol = _balance(cell, v, g)
    tpl = _template(cell)
    ok = _feasible(cell, sol)
    scales = {k: np.where(ok, x, np.nan) for k, x in _scale_values(tpl, sol).items()}
    params = [np.zeros(v.size), *(np.nan_to_num(scales[k]).ravel() for k in tpl.scales)]
    x = tpl.dyn.gates_at(v.ravel(), params)
    outputs = tpl.dyn.outputs_at(x, params)
    cost = atp(tpl.cell.counter_records(), outputs)
    n = len(tpl.dyn.states)
    eig = np.full((v.size, n), np.nan, dtype=complex)
    flat = ok.ravel()
    if flat.any():
        eig[flat] = np.linalg.eigvals(tpl.dyn.jacobian(x[flat], [p[flat] for p in params]))
    eig = eig.reshape(v.shape + (n,))
    ns = tpl.cell.namespace
    return BalancedFamily(
        cell=tpl.cell,
        v_rest=v * volt,
        leak_conductance=g * _SIEMENS_DENSITY,
        feasible=ok,
        scales={k: Quantity(s, dim=get_dimensions(ns[k])) for k, s in scales.items()},
        gates={name: np.reshape(x[:, j + 1], v.shape) for j, name in enumerate(tpl.dyn.states[1:])},
        atp_per_second=np.where(ok, np.reshape(cost, v.shape), np.nan) / second,
        eigenvalues=eig / second,
        stable=ok & np.all(eig.real < 0, axis=-1),
    )


def cost_of_rest(
    cell: Cell,
    v_rest: Quantity,
    leak_conductance: Quantity | None = None,
    input_resistance: Quantity | None = None,
) -> Quantity:
    """Compute the ATP per second per cell that holding a balanced rest at ``v_rest`` costs (vectorised).

    Parameters
    ----------
    cell : Cell
        The cell.
    v_rest : Quantity (volt)
        The resting potentials.
    leak_conductance : Quantity (siemens/meter**2 or siemens), optional
        Leakiness per area or per cell (default the cell's own).
    input_resistance : Quantity (ohm), optional
        Leakiness as an input resistance instead (see :func:`balance_rest`).

    Returns
    -------
    Quantity (1/second)
        ATP per second per cell, shaped like the broadcast arguments; NaN where no balance
        exists (a leak or the pump would be negative).

    Raises
    ------
    ModelError
        As :func:`balanced_family`.

    Notes
    -----
    The cost of the cell :func:`balance_rest` would return, without building it, in the
    ions-restored view (every priced ion's entry at its price, as its ``ATP_ions`` counter
    grows at that rest). ``v_rest``, ``leak_conductance`` and ``input_resistance`` broadcast
    together.
    """
    _check_cell(cell, "cost_of_rest")
    return balanced_family(cell, v_rest, leak_conductance, input_resistance).atp_per_second


def balanced_stability(
    cell: Cell, v_rest: Quantity, leak_conductance: Quantity | None = None
) -> tuple[np.ndarray, Quantity]:
    """Compute the stability of the cell balanced at each ``v_rest`` (broadcast with ``leak_conductance``).

    Parameters
    ----------
    cell : Cell
        The cell.
    v_rest : Quantity (volt)
        The resting potentials.
    leak_conductance : Quantity (siemens/meter**2 or siemens), optional
        Leakiness per area or per cell (default the cell's own).

    Returns
    -------
    stable : ndarray of bool
        Whether each balanced rest is stable (infeasible points: False).
    eigenvalues : Quantity (1/second)
        The Jacobian's eigenvalues, last axis; see :class:`BalancedFamily`.

    Raises
    ------
    ModelError
        As :func:`balanced_family`.
    """
    _check_cell(cell, "balanced_stability")
    family = balanced_family(cell, v_rest, leak_conductance)
    return family.stable, family.eigenvalues


@dataclass(frozen=True)
class CriticalRest:
    """The most depolarized balanced resting potential that is still stable.

    Returned by :func:`critical_rest`.

    Attributes
    ----------
    v : Quantity (volt)
        That potential (to 0.01 mV).
    injected_current : Quantity (amp/meter**2)
        The current density that holds the original (unbalanced) cell at ``v``.
    leak_conductance : Quantity (siemens/meter**2)
        The Na+ plus K+ leak slope conductance density the balance kept.
    cell : Cell
        The cell balanced at ``v``.
    atp_per_second : Quantity (1/second)
        What holding that rest costs per cell, ions-restored view.
    pump_turnover : Quantity (1/second)
        The same in the pump-turnover view (equal to ``atp_per_second`` at a balanced rest where
        only Na+ is priced).
    eigenvalues : Quantity (1/second)
        The Jacobian's at ``v``, the leading pair about to cross into the right half-plane.
    """

    v: Quantity
    injected_current: Quantity
    leak_conductance: Quantity
    cell: Cell
    atp_per_second: Quantity
    pump_turnover: Quantity
    eigenvalues: Quantity

    def __repr__(self) -> str:
        """Return the potential, the holding current, the leak and the cost."""
        current = float(self.injected_current / (amp / meter**2)) * 100  # uA/cm^2
        return (
            f"CriticalRest(v = {float(self.v / mV):.2f} mV, as if {current:.4g} uA/cm^2 were injected, leak {float(self.leak_conductance / _SIEMENS_DENSITY) * 0.1:.4g} mS/cm^2, "
            f"ATP = {float(self.atp_per_second * second):.4g} ATP/s)"
        )

    __str__ = __repr__


def critical_rest(cell: Cell, leak_conductance: Quantity | None = None) -> CriticalRest:
    """Follow :func:`balance_rest` upward until the balanced rest loses stability.

    Parameters
    ----------
    cell : Cell
        The cell.
    leak_conductance : Quantity (siemens/meter**2 or siemens), optional
        The leaks' Na+ plus K+ slope conductance, per area or per cell (default: the cell's own).

    Returns
    -------
    CriticalRest
        The critical resting potential, the holding current, the balanced cell and its cost.

    Raises
    ------
    ModelError
        If ``cell`` is not a :class:`~brian2energy.cell.Cell`, lacks Na+ or K+, has
        an electroneutral pump, or has a leak carrying Na+ or K+ besides its one Na+ and one K+ leak, no balanced rest
        between E_K and E_Na is stable, or every one up to E_Na is (no critical potential).

    Notes
    -----
    Starting from the most hyperpolarized stable balanced rest between E_K and E_Na,
    on a 0.5 mV grid, the first loss of stability is bisected to 0.01 mV. The leak is
    the cell's own (Na+ plus K+) unless ``leak_conductance`` is given (per area or per cell).
    """
    _check_cell(cell, "critical_rest")
    _template(cell)  # checks the cell has what a balance needs
    e_k, e_na = (float(cell.reversal_potentials[ion]) for ion in ("K", "Na"))
    grid = np.arange(e_k + 0.5e-3, e_na - 0.25e-3, 0.5e-3)

    def stable_at(v: np.ndarray) -> np.ndarray:
        """Whether the rest balanced at each ``v`` (SI) is stable."""
        g = _leak_density(cell, leak_conductance, v)
        return balanced_family(cell, v * volt, g * _SIEMENS_DENSITY).stable

    stable = stable_at(grid)
    if not stable.any():
        raise ModelError(
            f"{cell.name}: no balanced rest between E_K and E_Na is stable with a leak of "
            f"{_ms_cm2(np.mean(_leak_density(cell, leak_conductance, grid)))}"
        )
    first = int(np.argmax(stable))
    lost = np.flatnonzero(~stable[first:])
    if lost.size == 0:
        raise ModelError(
            f"{cell.name}: every balanced rest from {grid[first] * 1e3:.2f} mV up to E_Na is stable; "
            "there is no critical resting potential"
        )
    lo, hi = grid[first + lost[0] - 1], grid[first + lost[0]]
    while hi - lo > 1e-6:  # 0.001 mV: bisection well inside the 0.01 mV asked for
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if stable_at(np.array([mid]))[0] else (lo, mid)
    g_leak = _leak_density(cell, leak_conductance, np.asarray(lo))
    balanced = _balanced_cell(cell, _balance(cell, np.asarray(lo), np.asarray(g_leak)))
    rest = state_at(balanced, lo * volt)
    i_hold = -float(cell.C_m) * float(dynamics(cell).balance(lo, 0.0))
    return CriticalRest(
        v=lo * volt,
        injected_current=i_hold * amp / meter**2,
        leak_conductance=float(g_leak) * _SIEMENS_DENSITY,
        cell=balanced,
        atp_per_second=rest.atp_per_second,
        pump_turnover=rest.pump_turnover,
        eigenvalues=rest.eigenvalues,
    )
