"""Synaptic receptors whose ions are counted: AMPA, NMDA and GABA_A, and your own.

A receptor's conductance lives in the postsynaptic cell, as in Brian2's COBA
example: a receptor type's conductances sum linearly, so one state per neuron
(``g_<name>``, whole-cell siemens) carries every synapse of that type, and a
presynaptic spike only adds its weight (``on_pre``). The cell turns the
conductance into the receptor's whole-cell current ``I_<name>`` (amp, **positive
depolarizing**, i.e. inward positive, like the cell's other extra currents) and
into one current per permeant ion, ``I_<name>_<ion>``, which the energy counters
integrate:

* ``Q_<ion>_<name>`` (coulomb): the ion's charge that entered the cell through the
  receptor, the time integral of ``I_<name>_<ion>``; ions entered = Q/(z e);
* ``Q_Na_<name>`` joins ``Q_Na`` (and so ``ATP_ions``, one ATP per 3 Na+), and
  ``Q_Ca_<name>`` joins ``Q_Ca`` (one ATP per Ca2+ extruded: :data:`brian2energy.accounting.PRICES`).

How a mixed cation channel's current splits between ions: as parallel
conductances, one per ion, driven by that ion's Nernst potential (the split of
:func:`~brian2energy.leaks.two_ion_shares`, as in ``Leak.split``). For Na+ and K+ with reversal E:
g_Na/g = (E - E_K)/(E_Na - E_K), g_K/g = (E_Na - E)/(E_Na - E_K), which makes
their sum exactly g (E - v) at every v; at v = E the net current is zero while
Na+ still enters and K+ leaves, which is why a synapse costs ATP even there.

Using a shipped receptor (its own ``model``, ``on_pre`` and ``namespace`` strings for your
``Synapses``), and counting the ions of a ``Synapses`` you wrote yourself (declare its
:class:`Receptor` on the cell and sum your synapse's conductance into ``g_<name>_post``
instead of writing its current): the user guide's synapses page, ``docs/guide/synapses.md``,
shows both as snippets that run in the test suite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from brian2 import Quantity, mmolar, ms, mV, second

from .errors import ModelError
from .expressions import check_dimensions
from .leaks import two_ion_shares
from .mechanisms import check_ion, check_name

__all__ = ["AMPA", "GABA_A", "NMDA", "Receptor"]


class Receptor:
    """A postsynaptic receptor type: which ions it passes, its reversal, its kinetics.

    Parameters
    ----------
    name : str
        The receptor's name (suffix of ``g_<name>``, ``I_<name>``, ``Q_<ion>_<name>``).
    ions : str or sequence of str
        One ion (the receptor reverses at that ion's Nernst potential) or two (split into
        parallel conductances that reverse together at ``E``); three only in a subclass that
        fixes one share (:class:`NMDA`).
    E : Quantity (volt), optional
        The reversal potential; required for two ions.
    tau_decay : Quantity (second), optional
        The conductance after one presynaptic spike of weight ``w`` is ``w exp(-t/tau_decay)``.
        Without it the conductance ``g_<name>`` is a plain parameter for your own ``Synapses``
        to sum into.
    tau_rise : Quantity (second), optional
        With a rise time, the conductance is a difference of exponentials normalised to peak at
        ``w``; shorter than ``tau_decay``.
    reference : str, optional
        Where the receptor's numbers come from.

    Raises
    ------
    ModelError
        If the name or an ion is invalid, the ions are not one to three different ions, two
        ions come without ``E``, a time is not positive, or ``tau_rise`` lacks a longer
        ``tau_decay``.

    Notes
    -----
    The cell turns the conductance into the whole-cell current ``I_<name>`` (amp, positive
    depolarizing) and one current per ion ``I_<name>_<ion>``, which the counters
    ``Q_<ion>_<name>`` integrate (see :mod:`brian2energy.synapses`).
    """

    def __init__(
        self,
        name: str,
        ions: str | Sequence[str],
        *,
        E: Quantity | None = None,
        tau_decay: Quantity | None = None,
        tau_rise: Quantity | None = None,
        reference: str = "",
    ) -> None:
        self.name = check_name(name, "receptor name")
        where = f"receptor {name!r}"
        self.ions = (ions,) if isinstance(ions, str) else tuple(ions)
        for ion in self.ions:
            check_ion(ion, where)
        if len(set(self.ions)) != len(self.ions) or not 1 <= len(self.ions) <= 3:
            raise ModelError(f"{where}: ions must be one to three different ions, got {self.ions!r}")
        if len(self.ions) == 2 and E is None:
            raise ModelError(f"{where}: a receptor passing two ions needs its reversal potential E")
        self.E = None if E is None else check_dimensions(E, mV, f"{where}: reversal E")
        self.tau_decay = _positive_time(tau_decay, f"{where}: tau_decay")
        self.tau_rise = _positive_time(tau_rise, f"{where}: tau_rise")
        if self.tau_rise is not None and (self.tau_decay is None or not self.tau_rise < self.tau_decay):
            raise ModelError(f"{where}: tau_rise needs a longer tau_decay, got {tau_rise!r} and {tau_decay!r}")
        self.reference = reference

    # --- what the Synapses object uses -------------------------------------------------
    @property
    def model(self) -> str:
        """The ``Synapses`` model string: a weight ``w`` (siemens, the peak conductance of one spike)."""
        return "w : siemens"

    @property
    def on_pre(self) -> str:
        """The ``Synapses`` ``on_pre`` statement: add the weight ``w`` to the postsynaptic conductance."""
        return self.increment("w")

    def increment(self, weight: str) -> str:
        """Return the statement adding ``weight`` to the postsynaptic conductance.

        Join several with ``;`` to let one ``Synapses`` drive several receptors (AMPA and NMDA).

        Parameters
        ----------
        weight : str
            A Brian2 expression in siemens.

        Returns
        -------
        str
            An ``on_pre`` statement.

        Raises
        ------
        ModelError
            If the receptor has no kinetics (sum your conductance into ``g_<name>_post`` instead).
        """
        if self.tau_decay is None:
            raise ModelError(
                f"receptor {self.name!r} has no kinetics: sum your synapses' conductance into "
                f"g_{self.name}_post with (summed)"
            )
        if self.tau_rise is None:
            return f"g_{self.name}_post += {weight}"
        return f"x_{self.name}_post += norm_{self.name}*{weight}"

    @property
    def namespace(self) -> dict[str, object]:
        """Constants the ``on_pre`` statement uses (for ``Synapses(..., namespace=)``); empty without a rise time."""
        return {f"norm_{self.name}": self._peak_norm()} if self.tau_rise is not None else {}

    # --- what the postsynaptic cell uses -----------------------------------------------
    @property
    def current(self) -> str:
        """The name of the whole-cell current (amp, positive depolarizing) the cell adds to dv/dt."""
        return f"I_{self.name}"

    def shares(self, reversal: Mapping[str, Quantity]) -> dict[str, float]:
        """Return each ion's share of the conductance, given the cell's reversal potentials.

        Parameters
        ----------
        reversal : dict of str to Quantity (volt)
            Ion -> the cell's reversal potential.

        Returns
        -------
        dict of str to float
            Ion -> share (they sum to 1).

        Raises
        ------
        ModelError
            If the cell defines no reversal for an ion the receptor passes, or ``E`` lies outside
            the two ions' reversals.
        """
        missing = [ion for ion in self.ions if ion not in reversal]
        if missing:
            raise ModelError(
                f"receptor {self.name!r} passes {missing}, for which the cell defines no ion "
                f"(give it [ions.{missing[0]}])"
            )
        return self._shares(reversal)

    def _shares(self, reversal: Mapping[str, Quantity]) -> dict[str, float]:
        """Split the conductance between the ions (one: all; two: :func:`~brian2energy.leaks.two_ion_shares`)."""
        if len(self.ions) == 1:
            return {self.ions[0]: 1.0}
        if len(self.ions) == 3:
            raise ModelError(f"receptor {self.name!r}: a three-ion split needs a subclass fixing one share (see NMDA)")
        return two_ion_shares(self.ions, self.E, reversal, f"receptor {self.name!r}: reversal")

    def gating(self) -> str:
        """Return a factor multiplying the conductance (voltage dependence, e.g. a Mg2+ block).

        Returns
        -------
        str
            A dimensionless Brian2 expression in ``v``; ``""`` if none.
        """
        return ""

    def equations(self, reversal: Mapping[str, Quantity]) -> str:
        """Return the cell's equation lines: conductance, whole-cell current and per-ion currents (amp).

        Shares and time constants are written into the lines as numbers, so the cell's
        own namespace (its reversal potentials) is all they need.

        Parameters
        ----------
        reversal : dict of str to Quantity (volt)
            Ion -> the cell's reversal potential.

        Returns
        -------
        str
            ``I_<name>``, ``I_<name>_<ion>`` (amp, inward positive) and ``g_<name>`` (siemens).

        Raises
        ------
        ModelError
            As :meth:`shares`.
        """
        n = self.name
        gate = self.gating()
        factor = f"*B_{n}" if gate else ""
        lines = [f"{self.current} = {' + '.join(f'I_{n}_{ion}' for ion in self.ions)} : amp"]
        lines += [
            f"I_{n}_{ion} = {share!r}*g_{n}{factor}*(E_{ion} - v) : amp" for ion, share in self.shares(reversal).items()
        ]
        if gate:
            lines.append(f"B_{n} = {gate} : 1")
        if self.tau_decay is None:
            lines.append(f"g_{n} : siemens")
        elif self.tau_rise is None:
            lines.append(f"dg_{n}/dt = -g_{n}/({_ms(self.tau_decay)}) : siemens")
        else:
            lines += [
                f"dg_{n}/dt = (x_{n} - g_{n})/({_ms(self.tau_decay)}) : siemens",
                f"dx_{n}/dt = -x_{n}/({_ms(self.tau_rise)}) : siemens",
            ]
        return "\n".join(lines)

    def _peak_norm(self) -> float:
        """Return 1 / the peak of (exp(-t/tau_d) - exp(-t/tau_r)) tau_r/(tau_d - tau_r), so one spike peaks at w."""
        d, r = float(self.tau_decay / second), float(self.tau_rise / second)
        t_peak = d * r / (d - r) * np.log(d / r)
        return 1.0 / (r / (d - r) * (np.exp(-t_peak / d) - np.exp(-t_peak / r)))

    def __repr__(self) -> str:
        """Return the receptor's type, name and ions."""
        return f"{type(self).__name__}({self.name!r}, ions={self.ions})"


class AMPA(Receptor):
    """AMPA receptor: a cation channel passing Na+ and K+, reversing at 0 mV.

    AMPA currents reverse near 0 mV (Jonas & Sakmann 1992, J Physiol 455:143), i.e.
    P_K/P_Na close to 1 (Mayer & Westbrook 1987, Prog Neurobiol 28:197). GluA2-containing
    receptors pass negligible Ca2+ (fractional Ca2+ current ~0.5%, Dingledine et al. 1999,
    Pharmacol Rev 51:7, Table 7), so none is counted.
    The split follows from E (module docstring): with E_Na = 50 mV, E_K = -90 mV,
    64% of the conductance is Na+. Kinetics: single exponential, 5 ms decay, as in the
    COBA benchmark (Vogels & Abbott 2005, J Neurosci 25:10786; Brette et al. 2007).

    Parameters
    ----------
    name : str, optional
        Default ``"ampa"``.
    E : Quantity (volt), optional
        The reversal potential (default 0 mV).
    tau_decay : Quantity (second), optional
        Default 5 ms.
    tau_rise : Quantity (second), optional
        Default None (a single exponential).
    """

    def __init__(
        self,
        name: str = "ampa",
        *,
        E: Quantity = 0 * mV,
        tau_decay: Quantity = 5 * ms,
        tau_rise: Quantity | None = None,
    ) -> None:
        super().__init__(
            name,
            ("Na", "K"),
            E=E,
            tau_decay=tau_decay,
            tau_rise=tau_rise,
            reference="Jonas & Sakmann 1992; Mayer & Westbrook 1987; Vogels & Abbott 2005",
        )


class NMDA(Receptor):
    """NMDA receptor: Na+, K+ and Ca2+, reversing at 0 mV, blocked by extracellular Mg2+.

    Mg2+ block (Jahr & Stevens 1990, J Neurosci 10:3178):
    B(v) = 1/(1 + [Mg]o/3.57 mM exp(-0.062 v/mV)), [Mg]o = 1 mM by default.
    Ca2+: the fractional Ca2+ current P_f = 10.7% at -60 mV (Burnashev et al. 1995,
    J Physiol 485:403, NR1-NR2A, 1.8 mM Ca2+) fixes the Ca2+ conductance share,
    f_Ca = P_f (v_ref - E)/(v_ref - E_Ca); Na+ and K+ share the rest so that the total
    reverses at E. The cell needs a Ca ion. Kinetics: rise 2 ms, decay 100 ms
    (Brunel & Wang 2001, J Comput Neurosci 11:63), as a difference of exponentials.

    Parameters
    ----------
    name : str, optional
        Default ``"nmda"``.
    E : Quantity (volt), optional
        The reversal potential (default 0 mV).
    tau_rise : Quantity (second), optional
        Default 2 ms.
    tau_decay : Quantity (second), optional
        Default 100 ms.
    Mg_o : Quantity (mmolar), optional
        Extracellular Mg2+ (default 1 mM), >= 0.
    fractional_ca_current : float, optional
        P_f at ``at`` (default 0.107), in [0, 1).
    at : Quantity (volt), optional
        The potential v_ref where P_f is given (default -60 mV).

    Raises
    ------
    ModelError
        If a value is out of range or of the wrong units.
    """

    def __init__(
        self,
        name: str = "nmda",
        *,
        E: Quantity = 0 * mV,
        tau_rise: Quantity = 2 * ms,
        tau_decay: Quantity = 100 * ms,
        Mg_o: Quantity = 1 * mmolar,
        fractional_ca_current: float = 0.107,
        at: Quantity = -60 * mV,
    ) -> None:
        super().__init__(
            name,
            ("Na", "K", "Ca"),
            E=E,
            tau_decay=tau_decay,
            tau_rise=tau_rise,
            reference="Jahr & Stevens 1990; Burnashev et al. 1995; Brunel & Wang 2001",
        )
        self.Mg_o = check_dimensions(Mg_o, mmolar, f"receptor {name!r}: Mg_o")
        if float(Mg_o) < 0:
            raise ModelError(f"receptor {name!r}: Mg_o must be >= 0, got {Mg_o!r}")
        if not 0 <= fractional_ca_current < 1:
            raise ModelError(
                f"receptor {name!r}: fractional_ca_current must be in [0, 1), got {fractional_ca_current!r}"
            )
        self.fractional_ca_current = float(fractional_ca_current)
        self.at = check_dimensions(at, mV, f"receptor {name!r}: at")

    def _shares(self, reversal: Mapping[str, Quantity]) -> dict[str, float]:
        """Fix the Ca2+ share from P_f, and split the rest between Na+ and K+ to reverse at E."""
        f_ca = self.fractional_ca_current * float((self.at - self.E) / (self.at - reversal["Ca"]))
        # Na+ and K+ carry the rest, reversing where the Ca2+ share leaves the total at E
        e_rest = (self.E - f_ca * reversal["Ca"]) / (1 - f_ca)
        split = two_ion_shares(("Na", "K"), e_rest, reversal, f"receptor {self.name!r}: Na+/K+ reversal")
        return {"Na": split["Na"] * (1 - f_ca), "K": split["K"] * (1 - f_ca), "Ca": f_ca}

    def gating(self) -> str:
        """Return the Mg2+ block as a Brian2 expression.

        Returns
        -------
        str
            B(v) = 1/(1 + [Mg]o/3.57 mM exp(-0.062 v/mV)) (dimensionless).
        """
        return f"1/(1 + {float(self.Mg_o / (3.57 * mmolar))!r}*exp(-0.062*v/mV))"


class GABA_A(Receptor):
    """GABA_A receptor: a Cl- channel reversing at the cell's E_Cl.

    HCO3- (~20% of the permeability) is not modelled. Kinetics: single exponential, 10 ms
    decay, as in the COBA benchmark (Vogels & Abbott 2005). Cl- entry is counted
    (``Q_Cl_<name>``) but costs no ATP here (its cost is indirect, through KCC2's K+:
    :data:`~brian2energy.accounting.UNPRICED`).

    Parameters
    ----------
    name : str, optional
        Default ``"gaba"``.
    tau_decay : Quantity (second), optional
        Default 10 ms.
    tau_rise : Quantity (second), optional
        Default None (a single exponential).
    """

    def __init__(self, name: str = "gaba", *, tau_decay: Quantity = 10 * ms, tau_rise: Quantity | None = None) -> None:
        super().__init__(
            name,
            "Cl",
            tau_decay=tau_decay,
            tau_rise=tau_rise,
            reference="Bormann, Hamill & Sakmann 1987; Vogels & Abbott 2005",
        )


def _ms(value: Quantity) -> str:
    """Write a time as a Brian2 literal in ms."""
    return f"{float(value / ms)!r}*ms"


def _positive_time(value: Quantity | None, what: str) -> Quantity | None:
    """Check that a time, if given, is positive."""
    if value is None:
        return None
    check_dimensions(value, second, what)
    if not float(value) > 0:
        raise ModelError(f"{what} must be positive, got {value!r}")
    return value
