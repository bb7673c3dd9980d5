"""Information per ATP at rest: the Shannon rate of a Gaussian signal through the linearised membrane.

A signal current with one-sided spectrum S_s(f) (amp**2/Hz, whole cell, injected like ``I_inj``)
reaches v as ``|Z(f)|^2 S_s(f)``; the noise there is the channel noise and any current noise of
:func:`~brian2energy.noise.membrane_noise`, ``|Z|^2 S_n(f)``, plus an optional ``readout_noise``
S_r(f) (volt**2/Hz) added after the membrane (the noise of whatever reads v: a synapse, a
postsynaptic cell, an electrode). For Gaussian signal and noise the information rate is
(Shannon 1949; the form Laughlin, de Ruyter van Steveninck & Anderson 1998 used for photoreceptors)::

    H = integral over f of log2(1 + |Z|^2 S_s / (|Z|^2 S_n + S_r)) df    (bits per second).

Where every noise enters as a current, Z cancels: the membrane's bandwidth then limits nothing
and only the spectra of signal and noise currents matter. The membrane's speed buys information
only against noise that enters after it (``readout_noise``); say which you assume.

The cost beside it is the resting cost of the same state (:func:`~brian2energy.resting.resting_state`),
in both accounting views: ``atp_per_second`` (ions restored: every priced ion entry at its price)
and ``pump_turnover`` (pump cycles per second), and their ratios to H, ATP per bit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Quantity, amp, ohm, second, volt

from .errors import ModelError
from .frequency import frequency_response
from .noise import checked_spectrum, log_grid_integral, membrane_noise
from .resting import resting_state, span

__all__ = ["InformationRate", "information_rate"]

#: The frequencies the rate is integrated over: 10 mHz to 100 kHz, 200 points per decade.
GRID = np.logspace(-2, 5, 1401)


@dataclass(frozen=True, repr=False)
class InformationRate:
    """The information rate at rest and its cost (arrays over parameter points; frequencies last).

    Returned by :func:`information_rate`.

    Attributes
    ----------
    frequencies : Quantity (Hz)
        The frequencies of ``snr`` (``brian2energy.information.GRID``).
    snr : ndarray
        The signal-to-noise ratio of v at each frequency (dimensionless).
    bits_per_second : Quantity (1/second)
        H, bits per second (a Brian2 rate: 1/second per bit).
    atp_per_second : Quantity (1/second)
        The resting cost of the state per cell, ions-restored view (ATP per second).
    pump_turnover : Quantity (1/second) or None
        The resting cost in the pump-turnover view (pump cycles per second); None without a pump.
    atp_per_bit : ndarray
        ``atp_per_second`` divided by H (ATP per bit).
    atp_per_bit_pump : ndarray or None
        ``pump_turnover`` divided by H (pump cycles per bit); None without a pump.
    """

    frequencies: Quantity
    snr: np.ndarray
    bits_per_second: Quantity
    atp_per_second: Quantity
    pump_turnover: Quantity | None
    atp_per_bit: np.ndarray
    atp_per_bit_pump: np.ndarray | None

    def __str__(self) -> str:
        """Return bits per second, ATP per second and ATP per bit."""
        pump = "" if self.atp_per_bit_pump is None else f", {span(self.atp_per_bit_pump, '.3g')} pump cycles/bit"
        return (
            f"InformationRate({span(self.bits_per_second * second, '.4g')} bits/s, "
            f"{span(self.atp_per_second * second, '.3g')} ATP/s, {span(self.atp_per_bit, '.3g')} ATP/bit{pump})"
        )

    __repr__ = __str__


def information_rate(
    model,
    signal: Callable[[Quantity], Quantity],
    *,
    current_noise: Mapping[str, Callable[[Quantity], Quantity]] | None = None,
    readout_noise: Callable[[Quantity], Quantity] | None = None,
    single_channel_conductance: Mapping[str, Quantity] | None = None,
    channel_noise: bool = True,
    **params,
) -> InformationRate:
    """Compute the Shannon information rate of ``signal`` at the model's resting state, and ATP per bit.

    Parameters
    ----------
    model : Cell or EquationModel
        The model.
    signal : callable
        A function of frequency (a Brian2 quantity in Hz) returning the signal current's one-sided
        spectrum (amp**2/Hz, whole cell), injected like ``I_inj``.
    current_noise : dict of str to callable, optional
        Current-noise spectra (amp**2/Hz), as in :func:`~brian2energy.noise.membrane_noise`.
    readout_noise : callable, optional
        A function of frequency returning a voltage-noise spectrum (volt**2/Hz) added after the
        membrane.
    single_channel_conductance : dict of str to Quantity (siemens), optional
        As in :func:`~brian2energy.noise.membrane_noise`.
    channel_noise : bool, optional
        Channel noise of every gated channel with a single-channel conductance is included unless
        False (default True).
    **params : Quantity
        Overrides of the model's constants (arrays broadcast), as in
        :func:`~brian2energy.resting.resting_state`.

    Returns
    -------
    InformationRate
        H (bits per second), the signal-to-noise ratio per frequency, the resting cost in both
        accounting views and ATP per bit.

    Raises
    ------
    ModelError
        If a spectrum is not a function returning a finite, non-negative quantity in its unit;
        the signal has power where there is no noise (the rate would be unbounded); the
        signal-to-noise ratio has not fallen off by 100 kHz (more than 1% of the rate would lie
        beyond the grid); or as :func:`~brian2energy.noise.membrane_noise` raises.

    Warns
    -----
    UnmodelledNoiseWarning
        As :func:`~brian2energy.noise.membrane_noise`.

    Notes
    -----
    The integral runs over ``brian2energy.information.GRID`` (10 mHz to 100 kHz); a signal whose signal-to-noise ratio
    has not fallen off by then (more than 1% of the rate would lie beyond) is refused. See
    :mod:`brian2energy.information` for what is assumed: where every noise enters as a current,
    Z cancels, and the membrane's speed buys information only against ``readout_noise``.

    Examples
    --------
    A white signal current up to 100 Hz against the squid axon's channel noise:

    >>> import numpy as np
    >>> from brian2 import Hz, pA
    >>> from brian2energy import information_rate, load_model
    >>> rate = information_rate(load_model("squid_axon_hh1952"),
    ...                         lambda f: np.where(f < 100 * Hz, 1e-2, 0) * pA**2 / Hz)
    >>> float(rate.bits_per_second) > 0
    True
    """
    z2 = np.abs(np.asarray(frequency_response(model, GRID * Hz, **params).impedance / ohm)) ** 2
    shape = z2.shape[:-1]
    z2 = z2.reshape(-1, GRID.size)
    rows = z2.shape[0]
    noise = membrane_noise(
        model,
        GRID * Hz,
        single_channel_conductance=single_channel_conductance,
        current_noise=current_noise,
        channel_noise=channel_noise,
        **params,
    )
    noise_v = np.asarray(noise.voltage / (volt**2 / Hz), dtype=float).reshape(rows, GRID.size)
    if readout_noise is not None:
        noise_v = noise_v + checked_spectrum(
            model, "information_rate", "readout_noise", readout_noise, GRID, volt**2 / Hz, rows
        )
    signal_v = z2 * checked_spectrum(model, "information_rate", "signal", signal, GRID, amp**2 / Hz, rows)
    if np.any((noise_v <= 0) & (signal_v > 0)):
        raise ModelError(
            f"{model.name}: information_rate: the signal has power where there is no noise, so the "
            "rate is unbounded; give a noise source (current_noise, readout_noise or channels with a "
            "single-channel conductance)"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        snr = np.where(signal_v > 0, signal_v / noise_v, 0.0)
    bits = log_grid_integral(np.log2(1 + snr), GRID)
    tail = np.log2(1 + snr[:, -1]) * GRID[-1]  # what lies beyond the grid if the SNR falls off as 1/f^2 there
    if np.any(tail > 0.01 * bits):
        raise ModelError(
            f"{model.name}: information_rate: the signal-to-noise ratio is still "
            f"{float(np.max(snr[:, -1])):.3g} at {GRID[-1]:.0f} Hz, so the rate depends on where the "
            "integral stops: band-limit the signal (or give the noise that bounds it)"
        )
    rest = resting_state(model, **params)
    atp = np.asarray(rest.atp_per_second * second, dtype=float).reshape(-1)
    pump = None if rest.pump_turnover is None else np.asarray(rest.pump_turnover * second, dtype=float).reshape(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_bit = np.broadcast_to(atp, bits.shape) / bits
        per_bit_pump = None if pump is None else np.broadcast_to(pump, bits.shape) / bits

    def out(a):
        return np.asarray(a).reshape(shape + np.asarray(a).shape[1:])

    return InformationRate(
        frequencies=GRID * Hz,
        snr=out(snr),
        bits_per_second=out(bits) / second,
        atp_per_second=rest.atp_per_second,
        pump_turnover=rest.pump_turnover,
        atp_per_bit=out(per_bit),
        atp_per_bit_pump=None if per_bit_pump is None else out(per_bit_pump),
    )
