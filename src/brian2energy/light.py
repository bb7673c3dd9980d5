"""Light as a signal and as noise: a photoreceptor's light current made of quantum bumps.

Each effectively absorbed photon opens a burst of light-gated channels, a quantum bump, whose
conductance has the gamma-function shape of Wong & Knight (1980), Juusola et al. (1994) and
Juusola & Hardie (2001, J Gen Physiol 117:3), normalised to unit area:

    b(t) = t^n exp(-t/tau) / (n! tau^(n+1)),    |B(f)|^2 = (1 + (2 pi f tau)^2)^-(n+1).

At an effective photon rate ``lambda`` the light conductance of the model's light channel
(``channel``, a conductance without gates) is the sum of the bumps, so its mean is the model's
``g_<channel>`` and each bump carries the charge q = I_L / lambda of the mean light current I_L
(whole cell, at the resting state). By Campbell's theorem the light current's shot noise is

    S_shot(f) = 2 lambda q^2 |B(f)|^2 = 2 I_L^2 |B(f)|^2 / lambda      (amp**2/Hz, one-sided),

and a contrast c(t) modulating the photon rate, lambda (1 + c), gives the signal current
I_L (b * c)(t), with spectrum I_L^2 |B(f)|^2 S_c(f); for a Gaussian white contrast of r.m.s.
``contrast`` up to ``bandwidth``, S_c = contrast^2 / bandwidth below it and 0 above. Both enter the
membrane as currents at the light channel's driving force at rest, like ``I_inj`` (bump amplitudes
are taken as fixed: their variability would multiply the shot noise by 1 + CV^2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import factorial

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
    """A light current of quantum bumps: ``photon_rate`` (Hz; may be an array over parameter points),
    gamma-function bumps of order ``n`` (an integer >= 0) and time constant ``tau``, carried by the
    model's light channel ``channel`` (see the module docstring)."""

    photon_rate: Quantity
    n: int
    tau: Quantity
    channel: str = "light"

    def __post_init__(self) -> None:
        rate = check_dimensions(self.photon_rate, Hz, "QuantumBumps: photon_rate")
        if not np.all(np.asarray(rate) > 0) or not np.all(np.isfinite(np.asarray(rate))):
            raise ModelError(f"QuantumBumps: photon_rate must be positive and finite, got {self.photon_rate!r}")
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 0:
            raise ModelError(f"QuantumBumps: n (the bump's gamma order) must be an integer >= 0, got {self.n!r}")
        tau = check_dimensions(self.tau, second, "QuantumBumps: tau")
        if not 0 < float(tau) < np.inf:
            raise ModelError(f"QuantumBumps: tau must be positive and finite, got {self.tau!r}")

    @property
    def duration(self) -> Quantity:
        """The effective bump duration: the length of a square pulse of the same energy,
        (n!)^2 2^(2n+1) tau / (2n)! (Juusola et al. 1994)."""
        return factorial(self.n) ** 2 * 2 ** (2 * self.n + 1) * self.tau / factorial(2 * self.n)

    def filter(self, f: Quantity) -> np.ndarray:
        """|B(f)|^2 of the unit-area bump."""
        return (1 + (2 * np.pi * np.asarray(f / Hz) * float(self.tau)) ** 2) ** -(self.n + 1)

    def light_current(self, model, **params) -> np.ndarray:
        """The mean light current I_L (amp, whole cell, inward negative) at rest, per parameter point."""
        rest = resting_state(model, **params)
        key = f"i_{self.channel}"
        if key not in rest.currents:
            raise ModelError(f"{model.name}: QuantumBumps: the model has no light channel {self.channel!r} (no "
                             f"current {key}); name it with QuantumBumps(..., channel=...)")
        return np.asarray(rest.currents[key] * model.area / amp, dtype=float).reshape(-1)

    def shot_noise(self, model, **params) -> Callable[[Quantity], Quantity]:
        """The light current's shot-noise spectrum, a function of frequency for ``current_noise``."""
        i_l = self.light_current(model, **params)
        rate = np.broadcast_to(np.asarray(self.photon_rate / Hz, dtype=float).reshape(-1), i_l.shape)

        def spectrum(f: Quantity) -> Quantity:
            return (2 * i_l**2 / rate)[:, None] * self.filter(f)[None, :] * amp**2 / Hz

        return spectrum

    def contrast_signal(self, model, contrast: float, bandwidth: Quantity, **params) -> Callable[[Quantity], Quantity]:
        """The signal current of a Gaussian white contrast (r.m.s. ``contrast``, flat up to ``bandwidth``)."""
        if not 0 < float(contrast) < np.inf:
            raise ModelError(f"QuantumBumps.contrast_signal: contrast (r.m.s., dimensionless) must be positive, "
                             f"got {contrast!r}")
        band = float(check_dimensions(bandwidth, Hz, "QuantumBumps.contrast_signal: bandwidth") / Hz)
        if not 0 < band < np.inf:
            raise ModelError(f"QuantumBumps.contrast_signal: bandwidth must be positive, got {bandwidth!r}")
        i_l = self.light_current(model, **params)

        def spectrum(f: Quantity) -> Quantity:
            flat = np.where(np.asarray(f / Hz) <= band, float(contrast) ** 2 / band, 0.0)
            return i_l[:, None] ** 2 * (self.filter(f) * flat)[None, :] * amp**2 / Hz

        return spectrum


def light_levels(cell, v_rest: Quantity, channel: str = "light") -> dict[str, Quantity]:
    """The light that depolarises ``cell`` to each ``v_rest``, as overrides for the analysis functions.

    Heras, Anderson, Laughlin & Niven's protocol (2017, their code's ``depolarise_with_light``): every
    other mechanism is kept (the K+ leak, the dark Na+ leak, the voltage-gated channels at their steady
    state); the light conductance ``g_<channel>`` (a Na+-booked conductance without gates) and the pump
    turnover are solved so that at ``v_rest`` the K+ efflux is 2 x and the Na+ influx 3 x the pump
    cycles. Returns ``{"g_<channel>": ..., "<pump scale>": ...}`` (arrays shaped like ``v_rest``), to pass
    as ``**params`` to :func:`~brian2energy.resting.resting_state`, :func:`~brian2energy.frequency_response`,
    :func:`~brian2energy.noise.membrane_noise` or :func:`~brian2energy.information.information_rate`.
    Potentials below the dark rest would need a negative light conductance: a ModelError names them.
    """
    mech = next((m for m in getattr(cell, "mechanisms", ()) if m.name == channel), None)
    if not isinstance(mech, Channel) or mech.gates or mech.carries != {"Na": 1.0}:
        raise ModelError(f"{cell.name}: light_levels: expected a Na+-booked conductance without gates named "
                         f"{channel!r} (the light channel), got {mech!r}")
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
        what = "a negative pump turnover" if not i_pump[bad][0] > 0 else \
            "a negative light conductance (the cell rests below it in the dark)"
        raise ModelError(f"{cell.name}: light_levels: at v_rest = {flat[bad][0] * 1e3:.2f} mV the balance needs "
                         f"{what}; expected potentials between the dark rest and {mech.reversal} = "
                         f"{e_light * 1e3:.1f} mV")
    pump_scale = Quantity((i_pump / unit).reshape(v.shape), dim=get_dimensions(cell.namespace[p_name]))
    return {g_name: np.maximum(g_light, 0).reshape(v.shape) * siemens / meter**2, p_name: pump_scale}
