"""What the cost of a rest buys: the membrane's small-signal frequency response at that rest.

Everything is derived from the model's own equations, linearised at the resting state that
:func:`~brian2energy.resting.resting_state` finds (the same Jacobian its stability analysis
uses): a small whole-cell current ``I(t) = Re(I0 exp(i 2 pi f t))`` injected into ``dv/dt``
gives ``v = Re(Z(f) I0 exp(i 2 pi f t))`` with

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
from .resting import CAPACITANCE, _parameters, dynamics, resting_state

__all__ = ["FrequencyResponse", "frequency_response"]

#: Default frequencies: 0.1 Hz to 10 kHz, 25 points per decade.
DEFAULT_FREQUENCIES = np.logspace(-1, 4, 126)

#: The grid the peak and the bandwidth are searched on (then refined): 1 mHz to 1 MHz.
_SEARCH = np.logspace(-3, 6, 1801)


@dataclass(frozen=True, repr=False)
class FrequencyResponse:
    """The small-signal input impedance of a model at its resting state (arrays over parameter points).

    * ``frequencies`` (Hz) and ``impedance`` (complex, ohm per cell; last axis over frequencies):
      Z(f) = dv/dI for a whole-cell current, every gate following;
    * ``input_resistance``: |Z(0)| (equal to ``resting_state(...).input_resistance``);
    * ``peak``: the largest |Z| (ohm) and ``peak_frequency`` where it is (0 Hz for a low-pass cell);
    * ``bandwidth``: the frequency above the peak where |Z| falls to peak/sqrt(2) (the definition
      of Heras, Anderson, Laughlin & Niven 2017, J R Soc Interface 14:20160938);
    * ``gain_bandwidth``: peak |Z| x bandwidth (ohm Hz);
    * ``time_constant``: the membrane's dominant relaxation time at rest, 1/|Re lambda| of the
      Jacobian's slowest-decaying eigenvalue; ``passive_time_constant``: C/g with g the membrane's
      chord conductance with every gate frozen (-1/J_vv).
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
        def one(q, unit, name):
            value = np.asarray(q / unit)
            return f"{name} {float(value):.4g}" if value.size == 1 else f"{name} {value.min():.4g}-{value.max():.4g}"

        return ("FrequencyResponse(" + ", ".join([
            one(self.input_resistance, ohm * 1e6, "R_in (MOhm)"),
            one(self.peak_frequency, Hz, "peak at (Hz)"),
            one(self.bandwidth, Hz, "bandwidth (Hz)"),
            one(self.time_constant, second * 1e-3, "tau (ms)"),
            one(self.passive_time_constant, second * 1e-3, "tau passive (ms)")]) + ")")

    __repr__ = __str__


def _impedance(jac: np.ndarray, capacitance: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Z (ohm) at frequencies ``f`` (Hz) for Jacobians ``jac`` (R, n, n): shape (R, len(f))."""
    n = jac.shape[-1]
    s = 2j * np.pi * f
    a = s[None, :, None, None] * np.eye(n) - jac[:, None, :, :]
    e = np.zeros(n)
    e[0] = 1.0
    solved = np.linalg.solve(a, np.broadcast_to(e, a.shape[:-1])[..., None])[..., 0, 0]
    return solved / capacitance[:, None]


def _magnitude_at(jac, capacitance, f):
    return np.abs(_impedance(jac[None], np.atleast_1d(capacitance), np.atleast_1d(f)))[0]


def _bandwidth(jac: np.ndarray, capacitance: float) -> tuple[float, float, float]:
    """(peak |Z|, its frequency, the frequency above it where |Z| = peak/sqrt(2)) of one Jacobian."""
    magnitude = _magnitude_at(jac, capacitance, _SEARCH)
    zero = float(_magnitude_at(jac, capacitance, 0.0)[0])
    k = int(np.argmax(magnitude))
    if magnitude[k] <= zero:
        peak, f_peak, k = zero, 0.0, 0
    else:  # refine the peak by golden-section search between the neighbouring grid points
        lo, hi = np.log(_SEARCH[max(k - 1, 0)]), np.log(_SEARCH[min(k + 1, len(_SEARCH) - 1)])
        for _ in range(60):
            a, b = lo + 0.382 * (hi - lo), lo + 0.618 * (hi - lo)
            if _magnitude_at(jac, capacitance, np.exp(a))[0] < _magnitude_at(jac, capacitance, np.exp(b))[0]:
                lo = a
            else:
                hi = b
        f_peak = float(np.exp(0.5 * (lo + hi)))
        peak = float(_magnitude_at(jac, capacitance, f_peak)[0])
    level = peak / np.sqrt(2)
    below = np.flatnonzero((magnitude[k:] < level) & (_SEARCH[k:] > f_peak))
    if below.size == 0:
        return peak, f_peak, np.nan
    j = k + int(below[0])
    lo, hi = np.log(_SEARCH[j - 1]) if j > 0 else np.log(_SEARCH[0]), np.log(_SEARCH[j])
    lo = max(lo, np.log(f_peak)) if f_peak > 0 else lo
    for _ in range(60):  # bisection in log frequency: |Z| crosses the level once here
        mid = 0.5 * (lo + hi)
        if _magnitude_at(jac, capacitance, np.exp(mid))[0] > level:
            lo = mid
        else:
            hi = mid
    return peak, f_peak, float(np.exp(0.5 * (lo + hi)))


def frequency_response(model, frequencies: Quantity | None = None, **params) -> FrequencyResponse:
    """The small-signal input impedance of ``model`` at its resting state (see the module docstring).

    ``frequencies``: Hz (default 0.1 Hz to 10 kHz, 126 points, logarithmic); non-negative.
    ``params`` override the model's constants as in :func:`~brian2energy.resting.resting_state`
    (arrays broadcast; the results then carry their shape, frequencies on the last axis).
    """
    if frequencies is None:
        f = DEFAULT_FREQUENCIES.copy()
    else:
        if not isinstance(frequencies, Quantity) or get_dimensions(frequencies) != get_dimensions(Hz):
            raise ModelError(f"{model.name}: frequency_response(frequencies=...): expected frequencies in Hz "
                             f"(a Brian2 quantity, e.g. np.logspace(0, 3, 50)*Hz), got {frequencies!r}")
        f = np.atleast_1d(np.asarray(frequencies / Hz, dtype=float)).ravel()
        if f.size == 0 or not np.all(np.isfinite(f)) or np.any(f < 0):
            raise ModelError(f"{model.name}: frequency_response(frequencies=...): frequencies must be finite and "
                             f"non-negative, got {frequencies!r}")
    rest = resting_state(model, **params)
    overrides, values, shape, _ = _parameters(model, params)
    dyn = dynamics(model, overrides)
    x = np.column_stack([np.asarray(rest.v, dtype=float).ravel(),
                         *(np.asarray(rest.gates[name], dtype=float).ravel() for name in dyn.states[1:])])
    points = list(values)
    jac = dyn.jacobian(x, points)
    capacitance = np.broadcast_to(np.asarray(dyn.outputs_at(x, points)[CAPACITANCE], dtype=float),
                                  (x.shape[0],)).copy()
    if not np.all(np.isfinite(jac)):
        raise ModelError(f"{model.name}: frequency_response: the Jacobian at rest is not finite")
    z = _impedance(jac, capacitance, f)
    z0 = np.abs(_impedance(jac, capacitance, np.zeros(1))[:, 0])
    found = np.array([_bandwidth(jac[r], capacitance[r]) for r in range(x.shape[0])])
    eig = np.linalg.eigvals(jac)
    slowest = np.max(eig.real, axis=-1)
    tau = np.where(slowest < 0, -1 / np.where(slowest < 0, slowest, -1.0), np.inf)
    tau_passive = -1 / jac[:, 0, 0]

    def out(a, unit):
        return np.asarray(a).reshape(shape + np.asarray(a).shape[1:]) * unit

    return FrequencyResponse(
        frequencies=f * Hz,
        impedance=out(z, ohm),
        input_resistance=out(z0, ohm),
        peak=out(found[:, 0], ohm),
        peak_frequency=out(found[:, 1], Hz),
        bandwidth=out(found[:, 2], Hz),
        gain_bandwidth=out(found[:, 0] * found[:, 2], ohm * Hz),
        time_constant=out(tau, second),
        passive_time_constant=out(tau_passive, second),
    )

