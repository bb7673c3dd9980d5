"""Passive leaks, one ion each: linear (``Leak``) and Goldman-Hodgkin-Katz (``GHKLeak``), and the lumped-leak split.

A linear leak is a conductance driven by the ion's Nernst potential,
``i = g (v - E_ion)``. A GHK leak is a permeability ``P`` (meter/second) with the
Goldman-Hodgkin-Katz current equation (Goldman 1943; Hodgkin & Katz 1949), written with
``u = z F v / (R T)``::

    i = P z^2 F^2 v / (R T) (c_i - c_o exp(-u)) / (1 - exp(-u))
      = P z F (c_i - c_o exp(-u)) / exprel(-u)

(outward positive), the second form finite and exact at the removable singularity v = 0,
where it is ``P z F (c_i - c_o)``. Passive cells of GHK leaks rest at the GHK voltage
equation's potential, ``v = RT/F ln((P_K K_o + P_Na Na_o + P_Cl Cl_i)/(P_K K_i + P_Na Na_i + P_Cl Cl_o))``.
Both kinds are leaks (``is_leak``) that :func:`~brian2energy.rest.balance_rest` may resize.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from brian2 import Quantity, meter, mV, second, siemens

from .errors import ModelError
from .expressions import check_dimensions
from .mechanisms import VALENCE, Channel, Mechanism, check_ion

__all__ = ["GHKLeak", "Leak", "LeakSplit", "two_ion_shares"]

_CONDUCTANCE = siemens / meter**2
_PERMEABILITY = meter / second


class Leak(Channel):
    """A passive linear leak for one ion: ``i_leak_<ion> = g (v - E_ion)``.

    Parameters
    ----------
    ion : str
        The ion (``"Na"``, ``"K"``, ``"Cl"``, ``"Ca"``); the mechanism is named ``leak_<ion>``.
    g : Quantity (siemens/meter**2)
        The conductance density, >= 0 (the constant ``g_leak_<ion>``).

    Raises
    ------
    ModelError
        If the ion is unknown or ``g`` is not a conductance density >= 0.

    Notes
    -----
    Driven by the ion's Nernst potential ``E_<ion>``; a leak (``is_leak``) that
    :func:`~brian2energy.rest.balance_rest` may resize.
    """

    is_leak = True

    def __init__(self, ion: str, g: Quantity) -> None:
        super().__init__(f"leak_{check_ion(ion, 'Leak')}", ion, g)

    @staticmethod
    def split(g_total: Quantity, E_L: Quantity, ions: Sequence[str] = ("Na", "K")) -> LeakSplit:
        """Specify per-ion leaks with the same total conductance and reversal as a lumped leak.

        Parameters
        ----------
        g_total : Quantity (siemens/meter**2)
            The lumped leak's conductance density, >= 0.
        E_L : Quantity (volt)
            The lumped leak's reversal potential, between the two ions' reversal potentials.
        ions : sequence of str, optional
            The two ions (default ``("Na", "K")``).

        Returns
        -------
        LeakSplit
            A specification a :class:`~brian2energy.cell.Cell` resolves into two :class:`Leak`
            at its own reversal potentials.

        Raises
        ------
        ModelError
            If the ions are not two different known ions or a quantity is invalid (here), or,
            when the cell resolves it, ``E_L`` lies outside the two reversal potentials.

        Notes
        -----
        For two ions a, b with reversal potentials E_a, E_b (the cell's), the
        conditions g_a + g_b = g_total and g_a (E_L - E_a) + g_b (E_L - E_b) = 0
        give g_a = g_total (E_L - E_b)/(E_a - E_b). E_L must lie between E_a and E_b.
        """
        return LeakSplit(g_total, E_L, tuple(ions))


def two_ion_shares(ions: Sequence[str], E: Quantity, reversal: Mapping[str, Quantity], where: str) -> dict[str, float]:
    """Compute the conductance shares of two parallel per-ion conductances whose sum reverses at ``E``.

    Parameters
    ----------
    ions : sequence of str
        The two ions a, b.
    E : Quantity (volt)
        The reversal potential of the sum.
    reversal : dict of str to Quantity (volt)
        Ion -> reversal potential (E_a, E_b).
    where : str
        What ``E`` is, for the message.

    Returns
    -------
    dict of str to float
        Ion -> its share of the total conductance (they sum to 1).

    Raises
    ------
    ModelError
        If ``E`` is outside [E_a, E_b] (one of them would need a negative conductance).

    Notes
    -----
    For ions a, b with reversal potentials E_a, E_b: g_a (E - E_a) + g_b (E - E_b) = 0 with
    g_a + g_b = g gives g_a/g = (E - E_b)/(E_a - E_b). ``E`` must lie between E_a and E_b.
    """
    a, b = ions
    E_a, E_b = reversal[a], reversal[b]
    lo, hi = min(E_a, E_b), max(E_a, E_b)
    if not lo <= E <= hi:
        raise ModelError(
            f"{where} = {E!r} is outside the reversal range of {a} and {b} [{lo!r}, {hi!r}], "
            f"so one of them would need a negative conductance"
        )
    share_a = float((E - E_b) / (E_a - E_b))
    return {a: share_a, b: 1.0 - share_a}


class LeakSplit:
    """A lumped leak (one conductance, one reversal) that the cell splits into per-ion leaks.

    Made by :meth:`Leak.split`, whose parameters it takes.

    Parameters
    ----------
    g_total : Quantity (siemens/meter**2)
        The lumped conductance density, >= 0.
    E_L : Quantity (volt)
        The lumped reversal potential.
    ions : tuple of str
        Two different ions.

    Raises
    ------
    ModelError
        If the ions are not two different known ions, or a quantity is invalid.
    """

    def __init__(self, g_total: Quantity, E_L: Quantity, ions: tuple[str, ...]) -> None:
        if len(ions) != 2 or ions[0] == ions[1]:
            raise ModelError(f"Leak.split: ions must be two different ions, got {ions!r}")
        for ion in ions:
            check_ion(ion, "Leak.split")
        self.g_total = check_dimensions(g_total, _CONDUCTANCE, "Leak.split: g_total")
        if float(g_total) < 0:
            raise ModelError(f"Leak.split: g_total must be >= 0, got {g_total!r}")
        self.E_L = check_dimensions(E_L, mV, "Leak.split: E_L")
        self.ions = ions

    def resolve(self, reversal: Mapping[str, Quantity]) -> list[Leak]:
        """Return the two per-ion leaks, at the cell's reversal potentials.

        Parameters
        ----------
        reversal : dict of str to Quantity (volt)
            Ion -> the cell's reversal potential.

        Returns
        -------
        list of Leak
            The two leaks, with the same total conductance and reversal as the lumped one.

        Raises
        ------
        ModelError
            If the cell has no reversal potential for an ion, or ``E_L`` is outside the two.
        """
        missing = [ion for ion in self.ions if ion not in reversal]
        if missing:
            raise ModelError(f"Leak.split: the cell has no reversal potential for {missing}")
        shares = two_ion_shares(self.ions, self.E_L, reversal, "Leak.split: E_L")
        return [Leak(ion, self.g_total * share) for ion, share in shares.items()]

    def __repr__(self) -> str:
        """Return the call that makes this split."""
        return f"Leak.split({self.g_total!r}, {self.E_L!r}, ions={self.ions})"


class GHKLeak(Mechanism):
    """A passive Goldman-Hodgkin-Katz leak for one ion: permeability ``P`` (meter/second).

    Parameters
    ----------
    ion : str
        The ion; the mechanism is named ``leak_<ion>``.
    P : Quantity (meter/second)
        The permeability (the constant ``P_leak_<ion>``), finite and >= 0.

    Raises
    ------
    ModelError
        If the ion is unknown or ``P`` is not a finite permeability >= 0.

    Notes
    -----
    ``i_leak_<ion> = P_leak_<ion> z F (<ion>_i - <ion>_o exp(-u)) / exprel(-u)``, u = z v / RT_F
    (see :mod:`brian2energy.leaks`): finite and exact at v = 0 and at any concentration. It reads
    the ion's inside and outside concentrations (fixed or moving) and RT/F from the cell, so the
    cell's ion needs both concentrations.
    """

    is_leak = True

    def __init__(self, ion: str, P: Quantity) -> None:
        self.ion = check_ion(ion, "GHKLeak")
        self.name = f"leak_{ion}"
        self.carries = {ion: 1.0}
        self.P = self._checked(P)
        self.needs = (f"{ion}_i", f"{ion}_o", "RT_F", "faraday_constant")

    def _checked(self, P: Quantity) -> Quantity:
        """Check the permeability (see Raises)."""
        check_dimensions(P, _PERMEABILITY, f"GHKLeak({self.ion!r}): permeability P (meter/second)")
        if not 0 <= float(P) < float("inf"):
            raise ModelError(f"GHKLeak({self.ion!r}): permeability P must be finite and >= 0, got {P!r}")
        return P

    @property
    def scale(self) -> str:
        """The permeability ``P_leak_<ion>``: the current is proportional to it."""
        return f"P_{self.name}"

    def with_scale(self, value: Quantity) -> GHKLeak:
        """Return the same leak with permeability ``value``.

        Parameters
        ----------
        value : Quantity (meter/second)
            The new permeability.

        Returns
        -------
        GHKLeak
            The copy.
        """
        return GHKLeak(self.ion, value)

    def equations(self) -> str:
        """Return the GHK current as a Brian2 line.

        Returns
        -------
        str
            ``i_leak_<ion>`` (amp/meter**2, outward positive).
        """
        z, ion = VALENCE[self.ion], self.ion
        u = f"({z}*v/RT_F)"
        return (
            f"i_{self.name} = P_{self.name}*{z}*faraday_constant*({ion}_i - {ion}_o*exp(-{u}))/exprel(-{u})"
            " : amp/meter**2"
        )

    def namespace(self, temperature: Quantity) -> dict[str, Quantity]:
        """Return the leak's permeability constant.

        Parameters
        ----------
        temperature : Quantity (kelvin)
            The cell's temperature (unused).

        Returns
        -------
        dict of str to Quantity
            ``{"P_leak_<ion>": P}`` (meter/second).
        """
        return {f"P_{self.name}": self.P}

    def __repr__(self) -> str:
        """Return the call that makes this leak."""
        return f"GHKLeak({self.ion!r}, {self.P!r})"
