"""The voltage noise at rest: channel noise of the voltage-gated mechanisms, and any current noise, through Z(f).

Everything is linear about the resting state of :func:`~brian2energy.frequency.frequency_response`.

**Channel noise.** A :class:`~brian2energy.mechanisms.Channel` of maximal conductance density ``g``
and single-channel conductance ``gamma`` has ``N = g area / gamma`` channels, each open when all
its gate subunits are (``x_j`` raised to ``a_j``: ``a_j`` independent two-state subunits with
steady state ``x_j`` and time constant ``tau_j`` at rest). For one channel the open state's
autocovariance is (Chen & Hill 1973; DeFelice 1981, Introduction to Membrane Noise, ch. 8)::

    C(t) = prod_j [x_j^2 + x_j (1 - x_j) exp(-|t|/tau_j)]^a_j - prod_j x_j^(2 a_j),

a sum of exponentials (expand the binomials: the term with k_j decaying subunits of gate j has rate
sum_j k_j/tau_j and weight prod_j C(a_j, k_j) x_j^(2 a_j - k_j) (1 - x_j)^k_j), so the
conductance noise of the N channels is a sum of Lorentzians, and the whole-cell current noise
(one-sided, A^2/Hz) is::

    S_I(f) = N gamma^2 (v - E)^2 sum_terms w 4 tau / (1 + (2 pi f tau)^2),  tau = 1/rate;

its integral over f is the binomial variance N gamma^2 (v - E)^2 p (1 - p), p = prod_j x_j^a_j.
``tau_j`` is read off the Jacobian the resting analysis uses (dx/dt is linear in x for these
gates: tau_j = -1/J_jj). Instantaneous gates (x = inf(v)) relax infinitely fast: they contribute
no noise power at any finite frequency. Mechanisms that are not gated channels (leaks, pumps, a
light conductance without gates) add no channel noise here.

**Voltage noise.** Each noise current is injected into the membrane like ``I_inj``, so the voltage
noise is ``S_v(f) = |Z(f)|^2 S_I(f)``, summed over independent sources. The channels' own gating
feedback is in Z (the linear-noise approximation, valid while the fluctuations are small enough
that the membrane stays linear: a few mV at most).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import product
from math import comb

import numpy as np
from brian2 import Hz, Quantity, amp, siemens, volt
from brian2.units.fundamentalunits import get_dimensions

from .errors import ModelError, UnmodelledNoiseWarning
from .expressions import check_dimensions
from .frequency import _checked_frequencies, _impedance, linearised
from .mechanisms import Channel
from .resting import dynamics, span

__all__ = ["MembraneNoise", "channel_noise_terms", "checked_spectrum", "log_grid_integral", "membrane_noise"]

#: The grid the variances and the corner frequency are computed on: 1 mHz to 1 MHz.
_GRID = np.logspace(-3, 6, 1801)


@dataclass(frozen=True, repr=False)
class MembraneNoise:
    """The noise at rest, per source and in total (arrays over parameter points, frequencies last).

    Returned by :func:`membrane_noise`. A channel's source is its mechanism name, a user's current
    noise the key it was given under.

    Attributes
    ----------
    frequencies : Quantity (Hz)
        The frequencies the spectra are given at.
    channels : dict of str to ndarray
        Mechanism name -> number of channels N (per cell).
    current : dict of str to Quantity (amp**2/Hz)
        Source name -> one-sided whole-cell current-noise spectrum.
    voltage : Quantity (volt**2/Hz)
        The total one-sided voltage-noise spectrum.
    voltage_by_source : dict of str to Quantity (volt**2/Hz)
        Each source's part of ``voltage``.
    variance : Quantity (volt**2)
        The voltage variance, integrated over all frequencies (see also :attr:`std`).
    variance_by_source : dict of str to Quantity (volt**2)
        Each source's part of ``variance``.
    current_variance : dict of str to Quantity (amp**2)
        Each source's current variance.
    corner_frequency : Quantity (Hz)
        Where the voltage spectrum falls to half its peak, above the peak (NaN if it does not
        below 1 MHz).
    """

    frequencies: Quantity
    channels: dict[str, np.ndarray]
    current: dict[str, Quantity]
    voltage: Quantity
    voltage_by_source: dict[str, Quantity]
    variance: Quantity
    variance_by_source: dict[str, Quantity]
    current_variance: dict[str, Quantity]
    corner_frequency: Quantity

    @property
    def std(self) -> Quantity:
        """The voltage noise's standard deviation (volt)."""
        return np.sqrt(self.variance)

    def __str__(self) -> str:
        """Return the standard deviation per source and the corner frequency."""
        parts = ", ".join(
            f"{name} {span(np.sqrt(var) / (1e-3 * volt), '.3g')}" for name, var in self.variance_by_source.items()
        )
        return (
            f"MembraneNoise(std {span(self.std / (1e-3 * volt), '.3g')} mV ({parts or 'no sources'}), "
            f"corner {span(self.corner_frequency / Hz, '.3g')} Hz)"
        )

    __repr__ = __str__


def channel_noise_terms(gates: list[tuple[int, np.ndarray, np.ndarray]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Expand one channel's open-state autocovariance into exponential terms.

    Parameters
    ----------
    gates : list of tuple of (int, ndarray, ndarray)
        (power a_j, steady state x_j, time constant tau_j in seconds) per gate, arrays over
        parameter points.

    Returns
    -------
    list of tuple of (ndarray, ndarray)
        The terms (weight, time constant in seconds) of C(t). The weights sum to p (1 - p),
        p = prod x_j^a_j (see :mod:`brian2energy.noise`).
    """
    terms = []
    for ks in product(*(range(a + 1) for a, _, _ in gates)):
        if not any(ks):
            continue
        weight, rate = 1.0, 0.0
        for k, (a, x, tau) in zip(ks, gates):
            weight = weight * comb(a, k) * x ** (2 * a - k) * (1 - x) ** k
            rate = rate + k / tau
        terms.append((weight, 1 / rate))
    return terms


def _lorentzians(terms, f: np.ndarray) -> np.ndarray:
    """Sum the Lorentzians w 4 tau / (1 + (2 pi f tau)^2) of the terms: rows (R, m) for terms of (R,) arrays."""
    out = 0.0
    for w, tau in terms:
        out = out + (w * 4 * tau)[:, None] / (1 + (2 * np.pi * f[None, :] * tau[:, None]) ** 2)
    return out


def membrane_noise(
    model,
    frequencies: Quantity | None = None,
    *,
    single_channel_conductance: Mapping[str, Quantity] | None = None,
    current_noise: Mapping[str, Callable[[Quantity], Quantity]] | None = None,
    channel_noise: bool = True,
    **params,
) -> MembraneNoise:
    """Compute the voltage noise of ``model`` at its resting state.

    Parameters
    ----------
    model : Cell or EquationModel
        The model.
    frequencies : Quantity (Hz), optional
        Non-negative (default 0.1 Hz to 10 kHz, as
        :func:`~brian2energy.frequency.frequency_response`).
    single_channel_conductance : dict of str to Quantity (siemens), optional
        Mechanism name -> single-channel conductance, overriding the mechanism's own
        ``single_channel_conductance``; a gated channel with neither adds no channel noise.
    current_noise : dict of str to callable, optional
        Name -> function of frequency (a Brian2 quantity in Hz) returning a one-sided whole-cell
        current-noise spectrum (amp**2/Hz), e.g. a photon shot noise or a synaptic background;
        it is injected like ``I_inj``.
    channel_noise : bool, optional
        False leaves every channel's noise out (default True).
    **params : Quantity
        Overrides of the model's constants as in :func:`~brian2energy.resting.resting_state`.

    Returns
    -------
    MembraneNoise
        The current and voltage spectra per source and in total, the variances and the corner
        frequency.

    Raises
    ------
    ModelError
        If a ``single_channel_conductance`` key is not a gated channel of the model or its value
        not a positive, finite conductance; a ``current_noise`` name is already a source, or its
        function does not return a finite, non-negative spectrum in amp**2/Hz; a channel with an
        instantaneous gate has a reversal that moves with the concentrations; or the frequencies
        or the resting state are invalid (see :func:`~brian2energy.frequency.frequency_response`).

    Warns
    -----
    UnmodelledNoiseWarning
        For gated channels without a single-channel conductance, and for channels gated through
        a kinetic scheme (a chain gate), whose noise is not modelled: both are left out.

    Notes
    -----
    Channel noise is a sum of Lorentzians from each channel's open-state autocovariance (Chen &
    Hill 1973; DeFelice 1981), the voltage noise ``|Z(f)|^2 S_I(f)`` summed over independent sources
    (the linear-noise approximation); see :mod:`brian2energy.noise` for the derivation.

    Examples
    --------
    >>> from brian2 import mV
    >>> from brian2energy import load_model, membrane_noise
    >>> noise = membrane_noise(load_model("squid_axon_hh1952"))
    >>> sorted(noise.variance_by_source)
    ['Kdr', 'NaV']
    >>> 0 < float(noise.std / mV) < 5
    True
    """
    f = _checked_frequencies(model, frequencies, "membrane_noise")
    rest, jac, capacitance, shape, constants = linearised(model, params, "membrane_noise")
    rows = jac.shape[0]
    gammas = dict(single_channel_conductance or {})
    mechanisms = {m.name: m for m in getattr(model, "mechanisms", ())}
    for name, gamma in gammas.items():
        if name not in mechanisms or not isinstance(mechanisms[name], Channel) or not mechanisms[name].gates:
            raise ModelError(
                f"{model.name}: membrane_noise(single_channel_conductance=...): {name!r} is not a "
                f"gated channel of this model; its channels: "
                f"{sorted(n for n, m in mechanisms.items() if isinstance(m, Channel) and m.gates)}"
            )
        check_dimensions(gamma, siemens, f"{model.name}: single_channel_conductance[{name!r}]")
        if not float(gamma) > 0 or not np.isfinite(float(gamma)):
            raise ModelError(
                f"{model.name}: single_channel_conductance[{name!r}] must be positive and finite, got {gamma!r}"
            )
    states = list(dynamics(model).states)
    v = np.asarray(rest.v, dtype=float).ravel()
    area = float(model.area)
    grid = np.concatenate([f, _GRID])
    sources, channels, missing, schemes = {}, {}, [], []
    for name, mech in mechanisms.items():
        dynamic = [g for g in getattr(mech, "gates", ()) if g.dynamic]
        if not channel_noise or not isinstance(mech, Channel) or not dynamic:
            continue
        if any(g.chain is not None for g in dynamic):
            schemes.append(name)
            continue
        gamma = gammas.get(name, mech.single_channel_conductance)
        if gamma is None:
            missing.append(name)
            continue
        g = np.broadcast_to(constants.get(f"g_{name}", float(model.namespace[f"g_{name}"])), (rows,))
        n_channels = g * area / float(gamma)
        gates = []
        for gate in dynamic:  # an instantaneous gate's fluctuations have no power at finite frequencies
            k = states.index(f"{gate.name}_{name}")
            x = np.asarray(rest.gates[f"{gate.name}_{name}"], dtype=float).ravel()
            gates.append((gate.power, x, -1 / jac[:, k, k]))
        drive, scale = _open_scale(model, mech, gates, rest, v, g, constants)
        spectrum = (
            n_channels[:, None]
            * float(gamma) ** 2
            * (drive * scale)[:, None] ** 2
            * _lorentzians(channel_noise_terms(gates), grid)
        )
        sources[name] = spectrum
        channels[name] = n_channels.reshape(shape)
    if missing:
        warnings.warn(
            UnmodelledNoiseWarning(
                f"{model.name}: no single-channel conductance for {missing}: their channel noise is left out; give "
                f"one with membrane_noise(..., single_channel_conductance={{{missing[0]!r}: 20*psiemens}})"
            ),
            stacklevel=2,
        )
    if schemes:
        warnings.warn(
            UnmodelledNoiseWarning(
                f"{model.name}: {schemes} gate through a kinetic scheme (a chain gate): the channel noise of multi-state "
                "schemes is not modelled and is left out"
            ),
            stacklevel=2,
        )
    for name, spectrum_of in (current_noise or {}).items():
        if name in sources:
            raise ModelError(f"{model.name}: membrane_noise(current_noise=...): {name!r} is already a noise source")
        value = checked_spectrum(
            model, "membrane_noise", f"current_noise[{name!r}]", spectrum_of, grid, amp**2 / Hz, rows
        )
        sources[name] = value
    z2 = np.abs(_impedance(jac, capacitance, grid)) ** 2
    m = f.size
    total = sum((z2 * s for s in sources.values()), np.zeros((rows, grid.size)))

    def integral(spectrum):  # over [0, inf)
        return log_grid_integral(spectrum[:, m:], _GRID)

    def out(a, unit):
        return np.asarray(a).reshape(shape + np.asarray(a).shape[1:]) * unit

    return MembraneNoise(
        frequencies=f * Hz,
        channels=channels,
        current={k: out(s[:, :m], amp**2 / Hz) for k, s in sources.items()},
        voltage=out(total[:, :m], volt**2 / Hz),
        voltage_by_source={k: out(z2[:, :m] * s[:, :m], volt**2 / Hz) for k, s in sources.items()},
        variance=out(integral(total), volt**2),
        variance_by_source={k: out(integral(z2 * s), volt**2) for k, s in sources.items()},
        current_variance={k: out(integral(s), amp**2) for k, s in sources.items()},
        corner_frequency=out(_corner(total[:, m:]), Hz),
    )


def log_grid_integral(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Integrate each row of a spectrum sampled on a logarithmic grid over [0, inf).

    Parameters
    ----------
    values : ndarray
        Shape (R, m): the spectra, in SI units per Hz.
    grid : ndarray
        Shape (m,): the logarithmic frequency grid (Hz).

    Returns
    -------
    ndarray
        Shape (R,): the trapezoidal rule in log f (df = f dlog f) plus the piece below ``grid[0]``
        at the first value.
    """
    y = values * grid
    return values[:, 0] * grid[0] + np.sum(0.5 * (y[:, 1:] + y[:, :-1]) * np.diff(np.log(grid)), axis=1)


def checked_spectrum(
    model, caller: str, what: str, function, grid: np.ndarray, unit: Quantity, rows: int
) -> np.ndarray:
    """Evaluate a user's spectrum on a grid, checked to be a finite, non-negative one-sided spectrum.

    Parameters
    ----------
    model : Cell or EquationModel
        The model, for messages.
    caller : str
        The public function's name, for messages.
    what : str
        The argument's name, for messages.
    function : callable
        Function of frequency (a Brian2 quantity in Hz) returning the spectrum.
    grid : ndarray
        The frequencies (Hz).
    unit : Quantity
        The spectrum's unit: amp**2/Hz or volt**2/Hz.
    rows : int
        The number of parameter points.

    Returns
    -------
    ndarray
        ``function(grid*Hz)`` in SI units, shape (rows, m).

    Raises
    ------
    ModelError
        If ``function`` is not callable or does not return a finite, non-negative quantity in
        ``unit``.
    """
    label = "amp**2/Hz" if get_dimensions(unit) == get_dimensions(amp**2 / Hz) else "volt**2/Hz"
    if not callable(function):
        raise ModelError(
            f"{model.name}: {caller}: {what} must be a function of frequency (Hz) returning {label}, got {function!r}"
        )
    value = function(grid * Hz)
    if not isinstance(value, Quantity) or get_dimensions(value) != get_dimensions(unit):
        raise ModelError(
            f"{model.name}: {caller}: {what} must return a one-sided spectrum in {label} "
            f"(whole cell), got {value!r:.60}"
        )
    value = np.asarray(value, dtype=float)
    value = np.broadcast_to(value, (rows, grid.size)) if value.ndim < 2 else value.reshape(rows, grid.size)
    if not np.all(np.isfinite(value)) or np.any(value < 0):
        raise ModelError(f"{model.name}: {caller}: {what} must be finite and non-negative")
    return value


def _open_scale(model, mech: Channel, gates, rest, v: np.ndarray, g: np.ndarray, constants: dict):
    """Return (v - E, the product of the instantaneous gates' x**power) per point, from the current at rest.

    i = g prod(x**power) (v - E): with E fixed (its own E, or its ion's reversal, overridable) the
    instantaneous gates' product is what remains of i / (g (v - E) prod over the dynamic gates); a
    channel without instantaneous gates gives v - E = i / (g prod(x**power)) even where E moves.
    """
    current = np.asarray(rest.currents[f"i_{mech.name}"], dtype=float).ravel()
    dynamic = np.prod([x**a for a, x, _ in gates], axis=0)
    name = mech.reversal
    fixed = constants.get(name, model.namespace.get(name))
    instantaneous = len(gates) < len(mech.gates)
    if fixed is None:
        if instantaneous:
            raise ModelError(
                f"{model.name}: membrane_noise: the reversal {name} of {mech.name!r} moves with the "
                "concentrations and the channel has an instantaneous gate: give it a fixed reversal E"
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(g * dynamic > 0, current / (g * dynamic), 0.0), np.ones_like(v)
    drive = v - np.asarray(fixed, dtype=float)
    if not instantaneous:
        return drive, np.ones_like(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        return drive, np.where(g * dynamic * drive != 0, current / (g * dynamic * drive), 0.0)


def _corner(spectrum: np.ndarray) -> np.ndarray:
    """Find per row the frequency above the peak where the spectrum falls to half the peak (log-interpolated)."""
    rows = np.arange(spectrum.shape[0])
    k = np.argmax(spectrum, axis=1)
    half = spectrum[rows, k] / 2
    below = (spectrum < half[:, None]) & (np.arange(_GRID.size)[None, :] > k[:, None])
    found = below.any(axis=1) & (half > 0)
    j = np.maximum(np.argmax(below, axis=1), 1)
    f0, f1 = np.log(_GRID[j - 1]), np.log(_GRID[j])
    with np.errstate(invalid="ignore", divide="ignore"):
        s0, s1 = np.log(spectrum[rows, j - 1]), np.log(np.maximum(spectrum[rows, j], 1e-300))
        corner = np.exp(f0 + (np.log(half) - s0) * (f1 - f0) / (s1 - s0))
    return np.where(found, corner, np.nan)
