"""Light as a signal and as noise: a photoreceptor's light current made of quantum bumps.

Each effectively absorbed photon opens a burst of light-gated channels, a quantum bump, whose
conductance has the gamma-function shape of Wong & Knight (1980), Juusola et al. (1994) and
Juusola & Hardie (2001, J Gen Physiol 117:3), normalised to unit area::

    b(t) = t^n exp(-t/tau) / (Gamma(n+1) tau^(n+1)),    |B(f)|^2 = (1 + (2 pi f tau)^2)^-(n+1),

with n >= 0 real (fitted orders need not be integers: n = 1.24, tau = 0.577 ms for the
light-adapted housefly (Musca) conductance bump of the Juusola lab's photoreceptor model, code
JuusolaLab/High-frequency-jumping, ``model/PhotoParameters.m``). No fitted bump of the blowfly
(Calliphora) photoreceptor was found to transcribe: see ``models/SOURCES.md``.

At an effective photon rate ``lambda`` the light conductance of the model's light channel
(``channel``, a conductance without gates) is the sum of the bumps, so its mean is the model's
``g_<channel>`` and each bump carries the charge q = I_L / lambda of the mean light current I_L
(whole cell, at the resting state). By Campbell's theorem the light current's shot noise is::

    S_shot(f) = 2 lambda q^2 |B(f)|^2 = 2 I_L^2 |B(f)|^2 / lambda      (amp**2/Hz, one-sided),

and a contrast c(t) modulating the photon rate, lambda (1 + c), gives the signal current
``I_L (b * c)(t)``, with spectrum ``I_L^2 |B(f)|^2 S_c(f)``; for a Gaussian white contrast of r.m.s.
``contrast`` up to ``bandwidth``, S_c = contrast^2 / bandwidth below it and 0 above. Both enter the
membrane as currents at the light channel's driving force at rest, like ``I_inj`` (bump amplitudes
are taken as fixed: their variability would multiply the shot noise by 1 + CV^2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import gamma, isfinite

import numpy as np
from brian2 import Hz, Quantity, amp, meter, mV, second, siemens
from brian2.units.fundamentalunits import get_dimensions

from .errors import ModelError
from .expressions import check_dimensions
from .mechanisms import Channel
from .resting import dynamics, resting_state

__all__ = ["QuantumBumps", "light_levels"]


@dataclass(frozen=True)
class QuantumBumps:
    """A light current of quantum bumps, carried by the model's light channel.

    Parameters
    ----------
    photon_rate : Quantity (Hz)
        The effective photon rate lambda; positive and finite, may be an array over parameter
        points.
    n : float
        The gamma-function bump's order, a real number >= 0 (integer for the classical
        Wong & Knight form; fitted values need not be).
    tau : Quantity (second)
        The bump's time constant; positive and finite.
    channel : str, optional
        The name of the model's light channel, a conductance without gates (default ``"light"``).

    Raises
    ------
    ModelError
        If a value is not of its kind, units or range.

    Notes
    -----
    The bumps have the gamma-function shape ``b(t) = t^n exp(-t/tau) / (Gamma(n+1) tau^(n+1))``; each
    carries the charge q = I_L / lambda of the mean light current I_L, and by Campbell's theorem
    the shot noise is ``2 I_L^2 |B(f)|^2 / lambda`` (see :mod:`brian2energy.light`).
    """

    photon_rate: Quantity
    n: float
    tau: Quantity
    channel: str = "light"

    def __post_init__(self) -> None:
        """Check the values (see Raises)."""
        rate = check_dimensions(self.photon_rate, Hz, "QuantumBumps: photon_rate")
        if not np.all(np.asarray(rate) > 0) or not np.all(np.isfinite(np.asarray(rate))):
            raise ModelError(f"QuantumBumps: photon_rate must be positive and finite, got {self.photon_rate!r}")
        if (
            not isinstance(self.n, (int, float, np.integer, np.floating))
            or isinstance(self.n, bool)
            or not isfinite(self.n)
            or self.n < 0
        ):
            raise ModelError(f"QuantumBumps: n (the bump's gamma order) must be a finite number >= 0, got {self.n!r}")
        tau = check_dimensions(self.tau, second, "QuantumBumps: tau")
        if not 0 < float(tau) < np.inf:
            raise ModelError(f"QuantumBumps: tau must be positive and finite, got {self.tau!r}")

    @property
    def duration(self) -> Quantity:
        """The effective bump duration (second).

        The length of a square pulse of the same energy, Gamma(n+1)^2 2^(2n+1) tau / Gamma(2n+1)
        ((n!)^2 2^(2n+1) tau / (2n)! for integer n, Juusola et al. 1994).
        """
        n = float(self.n)
        return gamma(n + 1) ** 2 * 2 ** (2 * n + 1) * self.tau / gamma(2 * n + 1)

    def filter(self, f: Quantity) -> np.ndarray:
        """Return ``|B(f)|^2`` of the unit-area bump.

        Parameters
        ----------
        f : Quantity (Hz)
            Frequencies.

        Returns
        -------
        ndarray
            ``(1 + (2 pi f tau)^2)^-(n+1)``, dimensionless.
        """
        return (1 + (2 * np.pi * np.asarray(f / Hz) * float(self.tau)) ** 2) ** -(self.n + 1)

    def light_current(self, model, **params) -> np.ndarray:
        """Return the mean light current I_L at rest, per parameter point.

        Parameters
        ----------
        model : Cell
            The model with the light channel.
        **params : Quantity
            Overrides of the model's constants, as in :func:`~brian2energy.resting.resting_state`.

        Returns
        -------
        ndarray
            I_L in amp (whole cell, inward negative), flat over parameter points.

        Raises
        ------
        ModelError
            If the model has no current ``i_<channel>``.
        """
        rest = resting_state(model, **params)
        key = f"i_{self.channel}"
        if key not in rest.currents:
            raise ModelError(
                f"{model.name}: QuantumBumps: the model has no light channel {self.channel!r} (no "
                f"current {key}); name it with QuantumBumps(..., channel=...)"
            )
        return np.asarray(rest.currents[key] * model.area / amp, dtype=float).reshape(-1)

    def shot_noise(self, model, **params) -> Callable[[Quantity], Quantity]:
        """Return the light current's shot-noise spectrum, a function of frequency for ``current_noise``.

        Parameters
        ----------
        model : Cell
            The model with the light channel.
        **params : Quantity
            Overrides of the model's constants, as in :func:`~brian2energy.resting.resting_state`.

        Returns
        -------
        callable
            ``f (Hz) -> 2 I_L^2 |B(f)|^2 / lambda`` (amp**2/Hz, one-sided, whole cell), for
            :func:`~brian2energy.noise.membrane_noise`'s ``current_noise``.

        Raises
        ------
        ModelError
            If the model has no light channel ``channel``.
        """
        i_l = self.light_current(model, **params)
        rate = np.broadcast_to(np.asarray(self.photon_rate / Hz, dtype=float).reshape(-1), i_l.shape)

        def spectrum(f: Quantity) -> Quantity:
            return (2 * i_l**2 / rate)[:, None] * self.filter(f)[None, :] * amp**2 / Hz

        return spectrum

    def contrast_signal(self, model, contrast: float, bandwidth: Quantity, **params) -> Callable[[Quantity], Quantity]:
        """Return the signal current's spectrum of a Gaussian white contrast.

        Parameters
        ----------
        model : Cell
            The model with the light channel.
        contrast : float
            The contrast's r.m.s. (dimensionless); positive.
        bandwidth : Quantity (Hz)
            The contrast is flat up to this frequency, and 0 above; positive.
        **params : Quantity
            Overrides of the model's constants, as in :func:`~brian2energy.resting.resting_state`.

        Returns
        -------
        callable
            ``f (Hz) -> I_L^2 |B(f)|^2 contrast^2 / bandwidth`` below ``bandwidth`` (amp**2/Hz,
            one-sided, whole cell), for :func:`~brian2energy.information.information_rate`'s
            ``signal``.

        Raises
        ------
        ModelError
            If ``contrast`` or ``bandwidth`` is not positive, or the model has no light channel.
        """
        if not 0 < float(contrast) < np.inf:
            raise ModelError(
                f"QuantumBumps.contrast_signal: contrast (r.m.s., dimensionless) must be positive, got {contrast!r}"
            )
        band = float(check_dimensions(bandwidth, Hz, "QuantumBumps.contrast_signal: bandwidth") / Hz)
        if not 0 < band < np.inf:
            raise ModelError(f"QuantumBumps.contrast_signal: bandwidth must be positive, got {bandwidth!r}")
        i_l = self.light_current(model, **params)

        def spectrum(f: Quantity) -> Quantity:
            flat = np.where(np.asarray(f / Hz) <= band, float(contrast) ** 2 / band, 0.0)
            return i_l[:, None] ** 2 * (self.filter(f) * flat)[None, :] * amp**2 / Hz

        return spectrum


def light_levels(cell, v_rest: Quantity, channel: str = "light") -> dict[str, Quantity]:
    """Compute the light that depolarises ``cell`` to each ``v_rest``, as overrides for the analysis functions.

    Parameters
    ----------
    cell : Cell
        A cell with a Na+/K+ pump and a light channel (a Na+-booked conductance without gates).
    v_rest : Quantity (volt)
        The potential(s) to hold the cell at, between the dark rest and the light channel's
        reversal; scalar or array.
    channel : str, optional
        The light channel's name (default ``"light"``).

    Returns
    -------
    dict of str to Quantity
        ``{"g_<channel>": ..., "<pump scale>": ...}`` (the light conductance density in
        siemens/meter**2 and the pump's scale constant, arrays shaped like ``v_rest``), to pass as
        ``**params`` to :func:`~brian2energy.resting.resting_state`,
        :func:`~brian2energy.frequency.frequency_response`,
        :func:`~brian2energy.noise.membrane_noise` or
        :func:`~brian2energy.information.information_rate`.

    Raises
    ------
    ModelError
        If the cell has no such light channel or no pump, or a potential would need a negative
        pump turnover or a negative light conductance (potentials below the dark rest): the
        message names the first.

    Notes
    -----
    Heras, Anderson, Laughlin & Niven's protocol (2017, their code's ``depolarise_with_light``): every
    other mechanism is kept (the K+ leak, the dark Na+ leak, the voltage-gated channels at their steady
    state); the light conductance ``g_<channel>`` (a Na+-booked conductance without gates) and the pump
    turnover are solved so that at ``v_rest`` the K+ efflux is 2 x and the Na+ influx 3 x the pump
    cycles.
    """
    mech = next((m for m in getattr(cell, "mechanisms", ()) if m.name == channel), None)
    if not isinstance(mech, Channel) or mech.gates or mech.carries != {"Na": 1.0}:
        raise ModelError(
            f"{cell.name}: light_levels: expected a Na+-booked conductance without gates named "
            f"{channel!r} (the light channel), got {mech!r}"
        )
    pump = getattr(cell, "pump", None)
    if pump is None:
        raise ModelError(f"{cell.name}: light_levels: the cell has no Na+/K+ pump to balance the light current")
    v = np.asarray(check_dimensions(v_rest, mV, f"{cell.name}: light_levels: v_rest"), dtype=float)
    g_name, p_name = f"g_{channel}", pump.scale
    dyn = dynamics(cell, (g_name, p_name))
    flat = v.ravel()
    zero, one = np.zeros(flat.size), np.ones(flat.size)
    dark = dyn.outputs_at(dyn.gates_at(flat, [zero, zero, zero]), [zero, zero, zero])
    unit = dyn.outputs_at(dyn.gates_at(flat, [zero, zero, one]), [zero, zero, one])[pump.current]
    i_pump = dark["i_K"] / 2  # amp/m^2: the K+ efflux of the other mechanisms, 2 K+ per cycle
    e_light = float(cell.namespace[mech.reversal])
    with np.errstate(invalid="ignore", divide="ignore"):
        g_light = -(dark["i_Na"] + 3 * i_pump) / (flat - e_light)
        rounding = 1e-9 * np.abs(dark["i_Na"] / (flat - e_light))  # the dark rest itself gives g ~ 0
    bad = ~(g_light >= -rounding) | ~(i_pump > 0)
    if bad.any():
        what = (
            "a negative pump turnover"
            if not i_pump[bad][0] > 0
            else "a negative light conductance (the cell rests below it in the dark)"
        )
        raise ModelError(
            f"{cell.name}: light_levels: at v_rest = {flat[bad][0] * 1e3:.2f} mV the balance needs "
            f"{what}; expected potentials between the dark rest and {mech.reversal} = "
            f"{e_light * 1e3:.1f} mV"
        )
    pump_scale = Quantity((i_pump / unit).reshape(v.shape), dim=get_dimensions(cell.namespace[p_name]))
    return {g_name: np.maximum(g_light, 0).reshape(v.shape) * siemens / meter**2, p_name: pump_scale}
