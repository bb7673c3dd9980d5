"""What the cost of a rest buys: the membrane's small-signal frequency response at that rest.

Everything is derived from the model's own equations, linearised at the resting state that
:func:`~brian2energy.resting.resting_state` finds (the same Jacobian its stability analysis
uses): a small whole-cell current ``I(t) = Re(I0 exp(i 2 pi f t))`` injected into ``dv/dt``
gives ``v = Re(Z(f) I0 exp(i 2 pi f t))`` with::

    Z(f) = [(i 2 pi f - J)^-1]_vv / C

where ``J`` is the Jacobian of the model's states (v first, every gate and moving
concentration following) and ``C`` its whole-cell capacitance. Every gate follows, so a
resonant cell (the squid axon) or a band-pass one (a photoreceptor) shows its peak; a
passive cell is the RC circuit ``R / (1 + i 2 pi f R C)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Quantity, ohm, second
from brian2.units.fundamentalunits import get_dimensions

from .errors import ModelError
from .resting import CAPACITANCE, _parameters, dynamics, resting_state, span

__all__ = ["FrequencyResponse", "frequency_response", "linearised"]

#: Default frequencies: 0.1 Hz to 10 kHz, 25 points per decade.
DEFAULT_FREQUENCIES = np.logspace(-1, 4, 126)

#: The grid the peak and the bandwidth are searched on (then refined): 1 mHz to 1 MHz.
_SEARCH = np.logspace(-3, 6, 1801)


@dataclass(frozen=True, repr=False)
class FrequencyResponse:
    """The small-signal input impedance of a model at its resting state (arrays over parameter points).

    Returned by :func:`frequency_response`. Every field but ``frequencies`` has the parameters'
    broadcast shape, ``impedance`` with frequencies on its last axis.

    Attributes
    ----------
    frequencies : Quantity (Hz)
        The frequencies ``impedance`` is given at.
    impedance : Quantity (ohm)
        Complex, per cell, last axis over frequencies: Z(f) = dv/dI for a whole-cell current,
        every gate following.
    input_resistance : Quantity (ohm)
        ``abs(Z(0))`` (equal to ``resting_state(...).input_resistance``).
    peak : Quantity (ohm)
        The largest ``abs(Z)``.
    peak_frequency : Quantity (Hz)
        Where the peak is (0 Hz for a low-pass cell).
    bandwidth : Quantity (Hz)
        The frequency above the peak where ``abs(Z)`` falls to peak/sqrt(2) (the definition of
        Heras, Anderson, Laughlin & Niven 2017, J R Soc Interface 14:20160938); NaN if it does
        not between 1 mHz and 1 MHz.
    gain_bandwidth : Quantity (ohm*Hz)
        Peak ``abs(Z)`` x bandwidth.
    time_constant : Quantity (second)
        The membrane's dominant relaxation time at rest, ``1/abs(Re(lambda))`` of the Jacobian's
        slowest-decaying eigenvalue (infinite at a steady state that is not stable).
    passive_time_constant : Quantity (second)
        C/g with g the membrane's chord conductance with every gate frozen (-1/J_vv).
    """

    frequencies: Quantity
    impedance: Quantity
    input_resistance: Quantity
    peak: Quantity
    peak_frequency: Quantity
    bandwidth: Quantity
    gain_bandwidth: Quantity
    time_constant: Quantity
    passive_time_constant: Quantity

    def __str__(self) -> str:
        """Return the headline figures: input resistance, peak frequency, bandwidth, time constants."""
        return (
            "FrequencyResponse("
            + ", ".join(
                f"{name} {span(q / unit, '.4g')}"
                for q, unit, name in [
                    (self.input_resistance, ohm * 1e6, "R_in (MOhm)"),
                    (self.peak_frequency, Hz, "peak at (Hz)"),
                    (self.bandwidth, Hz, "bandwidth (Hz)"),
                    (self.time_constant, second * 1e-3, "tau (ms)"),
                    (self.passive_time_constant, second * 1e-3, "tau passive (ms)"),
                ]
            )
            + ")"
        )

    __repr__ = __str__


def _impedance(jac: np.ndarray, capacitance: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Compute Z (ohm) for Jacobians ``jac`` (R, n, n) at frequencies ``f`` (Hz).

    ``f`` has shape (m,) for all rows, or (R, m) per row; returns shape (R, m).
    """
    n = jac.shape[-1]
    s = 2j * np.pi * np.broadcast_to(f, (jac.shape[0], np.shape(f)[-1]))
    a = s[:, :, None, None] * np.eye(n) - jac[:, None, :, :]
    e = np.zeros(n)
    e[0] = 1.0
    solved = np.linalg.solve(a, np.broadcast_to(e, a.shape[:-1])[..., None])[..., 0, 0]
    return solved / capacitance[:, None]


def _peak_and_bandwidth(jac: np.ndarray, capacitance: np.ndarray, z0: np.ndarray) -> tuple[np.ndarray, ...]:
    """Find per row the peak ``abs(Z)``, its frequency and the bandwidth.

    Per row: peak ``abs(Z)``, its frequency (0 for a low-pass row), and the frequency above it where
    ``abs(Z)`` falls to peak/sqrt(2) (NaN if it does not within the search grid). All rows at once:
    the grid, then 60 golden-section steps (peak) and 60 bisections (bandwidth) in log frequency.
    """
    rows = np.arange(jac.shape[0])
    magnitude = np.abs(_impedance(jac, capacitance, _SEARCH))

    def at(log_f):
        return np.abs(_impedance(jac, capacitance, np.exp(log_f)[:, None]))[:, 0]

    k = np.argmax(magnitude, axis=1)
    resonant = magnitude[rows, k] > z0
    log_grid = np.log(_SEARCH)
    lo, hi = log_grid[np.maximum(k - 1, 0)], log_grid[np.minimum(k + 1, len(_SEARCH) - 1)]
    for _ in range(60):
        a, b = lo + 0.382 * (hi - lo), lo + 0.618 * (hi - lo)
        rising = at(a) < at(b)
        lo, hi = np.where(rising, a, lo), np.where(rising, hi, b)
    f_peak = np.where(resonant, np.exp(0.5 * (lo + hi)), 0.0)
    peak = np.where(resonant, at(np.log(np.where(resonant, f_peak, 1.0))), z0)
    k = np.where(resonant, k, 0)
    # the first grid point above the peak where |Z| is below the level
    level = peak / np.sqrt(2)
    below = (
        (magnitude < level[:, None]) & (_SEARCH[None, :] > f_peak[:, None]) & (np.arange(len(_SEARCH)) >= k[:, None])
    )
    found = below.any(axis=1)
    j = np.argmax(below, axis=1)
    lo = np.where(j > 0, log_grid[np.maximum(j - 1, 0)], log_grid[0])
    lo = np.where(resonant, np.maximum(lo, np.log(np.where(resonant, f_peak, 1.0))), lo)
    hi = log_grid[j]
    for _ in range(60):  # bisection: |Z| crosses the level once between lo and hi
        mid = 0.5 * (lo + hi)
        above = at(mid) > level
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    bandwidth = np.where(found, np.exp(0.5 * (lo + hi)), np.nan)
    return peak, f_peak, bandwidth


def _checked_frequencies(model, frequencies: Quantity | None, caller: str) -> np.ndarray:
    """Check frequencies and return them in Hz as a flat float array (the default grid if None)."""
    if frequencies is None:
        return DEFAULT_FREQUENCIES.copy()
    if not isinstance(frequencies, Quantity) or get_dimensions(frequencies) != get_dimensions(Hz):
        raise ModelError(
            f"{model.name}: {caller}(frequencies=...): expected frequencies in Hz "
            f"(a Brian2 quantity, e.g. np.logspace(0, 3, 50)*Hz), got {frequencies!r}"
        )
    f = np.atleast_1d(np.asarray(frequencies / Hz, dtype=float)).ravel()
    if f.size == 0 or not np.all(np.isfinite(f)) or np.any(f < 0):
        raise ModelError(
            f"{model.name}: {caller}(frequencies=...): frequencies must be finite and non-negative, got {frequencies!r}"
        )
    return f


def linearised(model, params: dict, caller: str) -> tuple:
    """Linearise the model at its resting state.

    Parameters
    ----------
    model : Cell or EquationModel
        The model.
    params : dict of str to Quantity
        Overrides of the model's constants, as in :func:`~brian2energy.resting.resting_state`.
    caller : str
        The public function's name, for messages.

    Returns
    -------
    tuple
        (rest, Jacobian (R, n, n) in SI with v first, whole-cell capacitance (R,) in farad, the
        parameters' broadcast shape, name -> SI array (R,) of each overridden constant): the
        :class:`~brian2energy.resting.RestingState`, then plain arrays over the R parameter points.

    Raises
    ------
    ModelError
        If the resting state cannot be found (see :func:`~brian2energy.resting.resting_state`)
        or the Jacobian at rest is not finite.

    Notes
    -----
    The states' order is ``dynamics(model).states``: v, then every gate and moving concentration.
    """
    rest = resting_state(model, **params)
    overrides, values, shape, constants = _parameters(model, params)
    dyn = dynamics(model, overrides)
    x = np.column_stack(
        [
            np.asarray(rest.v, dtype=float).ravel(),
            *(np.asarray(rest.gates[name], dtype=float).ravel() for name in dyn.states[1:]),
        ]
    )
    points = list(values)
    jac = dyn.jacobian(x, points)
    capacitance = np.broadcast_to(np.asarray(dyn.outputs_at(x, points)[CAPACITANCE], dtype=float), (x.shape[0],)).copy()
    if not np.all(np.isfinite(jac)):
        raise ModelError(f"{model.name}: {caller}: the Jacobian at rest is not finite")
    return rest, jac, capacitance, shape, constants


def frequency_response(model, frequencies: Quantity | None = None, **params) -> FrequencyResponse:
    """Compute the small-signal input impedance of ``model`` at its resting state.

    Parameters
    ----------
    model : Cell or EquationModel
        The model.
    frequencies : Quantity (Hz), optional
        Non-negative, finite (default 0.1 Hz to 10 kHz, 126 points, logarithmic).
    **params : Quantity
        Overrides of the model's constants as in :func:`~brian2energy.resting.resting_state`
        (arrays broadcast; the results then carry their shape, frequencies on the last axis).

    Returns
    -------
    FrequencyResponse
        The impedance Z(f) (ohm per cell), its peak and bandwidth, and the membrane's time
        constants.

    Raises
    ------
    ModelError
        If ``frequencies`` is not a quantity in Hz, is empty, not finite or negative, the resting
        state cannot be found, or the Jacobian at rest is not finite.

    Warns
    -----
    SeveralSteadyStatesWarning
        As :func:`~brian2energy.resting.resting_state`, whose rest is linearised.

    Notes
    -----
    A small whole-cell current ``I(t) = Re(I0 exp(i 2 pi f t))`` injected into ``dv/dt`` gives
    ``v = Re(Z(f) I0 exp(i 2 pi f t))`` with ``Z(f) = [(i 2 pi f - J)^-1]_vv / C``, ``J`` the
    Jacobian at rest (the same as the stability analysis uses) and ``C`` the whole-cell
    capacitance; every gate follows (see :mod:`brian2energy.frequency`).

    Examples
    --------
    >>> from brian2energy import frequency_response, load_model
    >>> response = frequency_response(load_model("squid_axon_hh1952"))
    >>> float(response.peak_frequency) > 0   # the squid axon resonates
    True
    """
    f = _checked_frequencies(model, frequencies, "frequency_response")
    _, jac, capacitance, shape, _ = linearised(model, params, "frequency_response")
    z = _impedance(jac, capacitance, f)
    z0 = np.abs(_impedance(jac, capacitance, np.zeros(1))[:, 0])
    peak, f_peak, bandwidth = _peak_and_bandwidth(jac, capacitance, z0)
    slowest = np.max(np.linalg.eigvals(jac).real, axis=-1)
    tau = np.full(slowest.shape, np.inf)  # no decay at a steady state that is not stable
    tau[slowest < 0] = -1 / slowest[slowest < 0]
    tau_passive = -1 / jac[:, 0, 0]

    def out(a, unit):
        return np.asarray(a).reshape(shape + np.asarray(a).shape[1:]) * unit

    return FrequencyResponse(
        frequencies=f * Hz,
        impedance=out(z, ohm),
        input_resistance=out(z0, ohm),
        peak=out(peak, ohm),
        peak_frequency=out(f_peak, Hz),
        bandwidth=out(bandwidth, Hz),
        gain_bandwidth=out(peak * bandwidth, ohm * Hz),
        time_constant=out(tau, second),
        passive_time_constant=out(tau_passive, second),
    )
