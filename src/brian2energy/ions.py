"""Ion concentrations that move: the resting potential as an actively maintained equilibrium.

A :class:`Concentrations` given to a :class:`~brian2energy.cell.Cell` makes chosen
concentrations state variables. Each changes with the net flux of its ion through every
mechanism, pump included (the cell's per-ion current ``i_<ion>``, outward positive)::

    d<ion>_i/dt = -i_<ion> * area / (z F vol_i)        d<ion>_o/dt = +i_<ion> * area / (z F vol_o)

and the reversal potentials follow by Nernst, ``E_<ion> = RT/(zF) ln(<ion>_o/<ion>_i)``.
Extracellular K+ in a restricted space may also exchange with a reservoir, tracked in
``K_o_exchange`` (mM of extracellular volume that came from the reservoir, negative
when the reservoir holds K+): a glial buffer (:class:`GlialBuffer`) or diffusion to a
bath (:class:`Bath`). What is conserved, exactly in the equations and to rounding in a
run (Runge-Kutta methods preserve linear invariants): ``vol_i <ion>_i + vol_o <ion>_o``
for every ion whose both sides move, minus ``vol_o K_o_exchange`` for K+
(:func:`ion_totals`).

Integration: the default rk4. The concentration equations are nonlinear in the states
(pump saturation, Nernst logarithms), which Brian2's exponential Euler cannot handle
unless they are flagged ``(constant over dt)``; rk4 integrates them as they are, and its
error is measured against an independent scipy (Radau, rtol 1e-10) solution of the
Hubel & Dahlem 2014 model in the tests.

Charge: the membrane equation and the concentrations are driven by the same ion
currents, so v stays equal to its charge-difference form (Hubel & Dahlem 2014) except
for injected current ``I_inj`` and synaptic currents of receptors, which carry no
tracked ions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from brian2 import Quantity, meter, mmolar, second

from .errors import ModelError
from .expressions import check_dimensions
from .mechanisms import VALENCE

__all__ = ["Bath", "Concentrations", "GlialBuffer", "ion_totals", "pump_block"]


class GlialBuffer:
    """Glial K+ buffering (Kager et al. 2000, with the constants of Hubel & Dahlem 2014).

    Parameters
    ----------
    B0 : Quantity (mmolar), optional
        The buffer's capacity (default 500 mM).
    k1 : Quantity (1/second), optional
        The unbinding rate (default 5e-5/s).
    K_cr : Quantity (mmolar), optional
        The K_o of half-maximal binding (default 15 mM).
    slope : Quantity (mmolar), optional
        The binding's slope (default 1.09 mM).

    Raises
    ------
    ModelError
        If a value has the wrong units.

    Notes
    -----
    ``dK_o_exchange/dt = -k1 K_o_exchange - k2 K_o (B0 + K_o_exchange)``,
    ``k2 = k1 / (1 mM) / (1 + exp((K_cr - K_o)/slope))`` (the code's k2 has the number of k1,
    per mM: a second-order binding rate).
    """

    def __init__(
        self,
        B0: Quantity = 500 * mmolar,
        k1: Quantity = 5e-5 / second,
        K_cr: Quantity = 15 * mmolar,
        slope: Quantity = 1.09 * mmolar,
    ) -> None:
        self.B0, self.k1, self.K_cr, self.slope = B0, k1, K_cr, slope
        self.namespace()  # checks the units

    def flux(self) -> str:
        """Return ``dK_o_exchange/dt`` as a Brian2 expression.

        Returns
        -------
        str
            The exchange's rate (mmolar/second), in ``K_o`` and ``K_o_exchange``.
        """
        k2 = "k1_buffer/mmolar/(1 + exp((K_cr_buffer - K_o)/slope_buffer))"
        return f"-k1_buffer*K_o_exchange - {k2}*K_o*(B0_buffer + K_o_exchange)"

    def namespace(self) -> dict[str, Quantity]:
        """Return the buffer's constants, checking their units.

        Returns
        -------
        dict of str to Quantity
            ``B0_buffer``, ``k1_buffer``, ``K_cr_buffer``, ``slope_buffer``.

        Raises
        ------
        ModelError
            If a value has the wrong units.
        """
        check_dimensions(self.k1, 1 / second, "GlialBuffer: k1")
        for key in ("B0", "K_cr", "slope"):
            check_dimensions(getattr(self, key), mmolar, f"GlialBuffer: {key}")
        return {f"{k}_buffer": getattr(self, k) for k in ("B0", "k1", "K_cr", "slope")}


class Bath:
    """Diffusion of extracellular K+ to a bath at ``K_bath``: ``dK_o_exchange/dt = rate (K_bath - K_o)``.

    Parameters
    ----------
    rate : Quantity (1/second), optional
        The exchange rate (default 0.03/s, Hubel & Dahlem 2014).
    K_bath : Quantity (mmolar), optional
        The bath's K+ (default 4 mM, Hubel & Dahlem 2014).

    Raises
    ------
    ModelError
        If a value has the wrong units.
    """

    def __init__(self, rate: Quantity = 0.03 / second, K_bath: Quantity = 4 * mmolar) -> None:
        self.rate, self.K_bath = rate, K_bath
        self.namespace()  # checks the units

    def flux(self) -> str:
        """Return ``dK_o_exchange/dt`` as a Brian2 expression.

        Returns
        -------
        str
            ``rate_bath*(K_bath - K_o)`` (mmolar/second).
        """
        return "rate_bath*(K_bath - K_o)"

    def namespace(self) -> dict[str, Quantity]:
        """Return the bath's constants, checking their units.

        Returns
        -------
        dict of str to Quantity
            ``rate_bath`` (1/second) and ``K_bath`` (mmolar).

        Raises
        ------
        ModelError
            If a value has the wrong units.
        """
        check_dimensions(self.rate, 1 / second, "Bath: rate")
        check_dimensions(self.K_bath, mmolar, "Bath: K_bath")
        return {"rate_bath": self.rate, "K_bath": self.K_bath}


class Concentrations:
    """Which concentrations move, in which volumes, and where extracellular K+ can go.

    Parameters
    ----------
    volume_inside : Quantity (meter**3)
        The cell's volume; positive.
    volume_outside : Quantity (meter**3), optional
        The restricted extracellular space around the cell; positive; needed by outside ions
        and a reservoir.
    inside : sequence of str, optional
        Ions whose intracellular concentration is a state (default ``("Na", "K")``); their
        starting values are the cell's :class:`~brian2energy.cell.Ion` concentrations.
    outside : sequence of str, optional
        Ions whose extracellular concentration is a state (default none).
    reservoir : GlialBuffer or Bath, optional
        Where extracellular K+ can go (needs ``"K"`` in ``outside``), or None.

    Raises
    ------
    ModelError
        If a volume is not a positive volume, an ion is unknown, ``volume_outside`` is missing
        where needed, or a reservoir is given without ``"K"`` in ``outside``.
    """

    def __init__(
        self,
        volume_inside: Quantity,
        volume_outside: Quantity | None = None,
        *,
        inside: Sequence[str] = ("Na", "K"),
        outside: Sequence[str] = (),
        reservoir: GlialBuffer | Bath | None = None,
    ) -> None:
        self.volume_inside = check_dimensions(volume_inside, meter**3, "Concentrations: volume_inside")
        if not float(volume_inside) > 0:
            raise ModelError(f"Concentrations: volume_inside must be positive, got {volume_inside!r}")
        self.inside, self.outside = tuple(inside), tuple(outside)
        for ion in (*self.inside, *self.outside):
            if ion not in VALENCE:
                raise ModelError(f"Concentrations: unknown ion {ion!r}, expected one of {sorted(VALENCE)}")
        self.volume_outside = volume_outside
        if self.outside or reservoir is not None:
            if volume_outside is None:
                raise ModelError("Concentrations: moving extracellular concentrations need volume_outside")
            check_dimensions(volume_outside, meter**3, "Concentrations: volume_outside")
            if not float(volume_outside) > 0:
                raise ModelError(f"Concentrations: volume_outside must be positive, got {volume_outside!r}")
        if reservoir is not None and "K" not in self.outside:
            raise ModelError(
                "Concentrations: a K+ reservoir needs K in outside (the restricted space it exchanges with)"
            )
        self.reservoir = reservoir

    @property
    def states(self) -> tuple[str, ...]:
        """The concentration state variables (``Na_i``, ``K_o``, and ``K_o_exchange`` with a reservoir)."""
        names = tuple(f"{ion}_i" for ion in self.inside) + tuple(f"{ion}_o" for ion in self.outside)
        return names + (("K_o_exchange",) if self.reservoir is not None else ())

    def equations(self, ions_with_current: Sequence[str]) -> str:
        """Return the concentration and Nernst lines as Brian2 equations.

        Parameters
        ----------
        ions_with_current : sequence of str
            The ions some mechanism carries (``i_<ion>`` of the others is zero).

        Returns
        -------
        str
            ``d<ion>_i/dt``, ``d<ion>_o/dt`` (mmolar/second), the reservoir's exchange and
            ``E_<ion>`` (volt) by Nernst.
        """
        lines = []
        for side, volume, ions in (("i", "vol_i", self.inside), ("o", "vol_o", self.outside)):
            for ion in ions:
                current = f"i_{ion}" if ion in ions_with_current else "0*amp/meter**2"
                z = VALENCE[ion]
                # outward current empties the inside of cations (fills it with anions)
                sign = "-" if (side == "i") == (z > 0) else ""
                extra = " + dK_o_exchange_dt" if (ion, side) == ("K", "o") and self.reservoir is not None else ""
                lines.append(
                    f"d{ion}_{side}/dt = {sign}{current}*area/({_times(abs(z))}faraday_constant*{volume})"
                    f"{extra} : mmolar"
                )
        if self.reservoir is not None:
            lines += [
                "dK_o_exchange/dt = dK_o_exchange_dt : mmolar",
                f"dK_o_exchange_dt = {self.reservoir.flux()} : mmolar/second",
            ]
        for ion in sorted(set(self.inside) | set(self.outside)):
            z = VALENCE[ion]
            prefix = ("-" if z < 0 else "") + "RT_F" + (f"/{abs(z)}" if abs(z) != 1 else "")
            lines.append(f"E_{ion} = {prefix}*log({ion}_o/{ion}_i) : volt")
        return "\n".join(lines)

    def namespace(self) -> dict[str, object]:
        """Return the constants of :meth:`equations`.

        Returns
        -------
        dict of str to object
            The volumes ``vol_i``, ``vol_o`` (meter**3) and the reservoir's constants.
        """
        ns: dict[str, object] = {"vol_i": self.volume_inside}
        if self.volume_outside is not None:
            ns["vol_o"] = self.volume_outside
        if self.reservoir is not None:
            ns.update(self.reservoir.namespace())
        return ns

    def __repr__(self) -> str:
        """Return the call that makes these concentrations."""
        return (
            f"Concentrations(inside={self.inside}, outside={self.outside}, volume_inside={self.volume_inside!r}, "
            f"volume_outside={self.volume_outside!r}, reservoir={self.reservoir!r})"
        )


def _times(n: int) -> str:
    """Write a factor ``n*`` (nothing for 1)."""
    return "" if n == 1 else f"{n}*"


def pump_block(group, fraction) -> None:
    """Block ``fraction`` of the Na+/K+ pumps of ``group``, as ouabain does.

    Parameters
    ----------
    group : brian2.NeuronGroup
        A group of cells with a pump.
    fraction : float or array_like
        0 to 1, scalar or one per neuron (1: every pump blocked; 0 restores the pump).

    Raises
    ------
    ModelError
        If the group has no pump, or ``fraction`` is not a plain number in [0, 1].

    Notes
    -----
    Sets the group's ``pump_block`` parameter, which scales every pump form's current by
    ``1 - fraction``; 0 restores the pump. Call it between runs (works under
    cpp_standalone too), e.g. ``run(20*second); pump_block(group, 1); run(10*second);
    pump_block(group, 0); run(60*second)``.
    """
    if "pump_block" not in group.variables:
        raise ModelError("pump_block: this group has no Na+/K+ pump (no pump_block parameter)")
    if isinstance(fraction, Quantity) and not fraction.is_dimensionless:
        raise ModelError(f"pump_block: fraction must be a plain number from 0 to 1, got {fraction!r}")
    values = np.asarray(fraction, dtype=float)
    if not np.all((values >= 0) & (values <= 1)):
        raise ModelError(f"pump_block: fraction must lie in [0, 1] (1 = every pump blocked), got {fraction!r}")
    group.pump_block = values


def ion_totals(group, cell) -> dict[str, Quantity]:
    """Return the amount of each moving ion: inside + restricted outside, minus what the K+ reservoir gave.

    Parameters
    ----------
    group : brian2.NeuronGroup
        The group.
    cell : Cell
        The cell it was made from, with moving concentrations.

    Returns
    -------
    dict of str to Quantity (mole)
        Ion -> amount per neuron. Constant in time for a cell whose concentrations all move (no
        bath-like fixed side).

    Raises
    ------
    ModelError
        If the cell has no moving concentrations.
    """
    conc = cell.concentrations
    if conc is None:
        raise ModelError("ion_totals: the cell has no moving concentrations")
    totals = {}
    for ion in sorted(set(conc.inside) | set(conc.outside)):
        amount = 0 * mmolar * meter**3
        if ion in conc.inside:
            amount = amount + getattr(group, f"{ion}_i")[:] * conc.volume_inside
        if ion in conc.outside:
            outside = getattr(group, f"{ion}_o")[:]
            if ion == "K" and conc.reservoir is not None:
                outside = outside - group.K_o_exchange[:]
            amount = amount + outside * conc.volume_outside
        totals[ion] = amount
    return totals
