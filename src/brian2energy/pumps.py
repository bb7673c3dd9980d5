"""The Na+/K+-ATPase: each cycle hydrolyses one ATP, exports 3 Na+ and imports 2 K+."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from brian2 import Quantity, amp, meter, mmolar, second
from brian2.core.namespace import DEFAULT_UNITS
from brian2.units.constants import elementary_charge
from brian2.units.fundamentalunits import get_dimensions

from .errors import ModelError
from .expressions import check_dimensions, expression_names
from .mechanisms import Mechanism

__all__ = ["NaKPump"]

_CURRENT = amp / meter**2


@dataclass(frozen=True, eq=False)
class NaKPump(Mechanism):
    """The Na+/K+-ATPase, an immutable value: each cycle hydrolyses one ATP, exports 3 Na+ and imports 2 K+.

    Parameters
    ----------
    I_max : Quantity (amp/meter**2 or 1/(second*meter**2))
        The maximal (for the fixed form: the) turnover, a current density or cycles per second
        per area (stored as a current density); finite and >= 0. The constant ``I_max_pump``.
    form : str, optional
        The form's name (``"fixed"``; the class methods set the others).
    factor : str, optional
        The rate factor, a Brian2 expression in concentrations and the parameters (suffixed
        ``_pump``); empty for the fixed form.
    parameters : dict of str to Quantity or float, optional
        The factor's constants (concentrations in mmolar, or numbers), positive.
    needs : tuple of str, optional
        The cell quantities the factor reads (``"Na_i"``, ``"K_o"``).
    reference : str, optional
        The publication of the form.
    electrogenic : bool, optional
        False for a pump whose current the published model leaves out of dv/dt (Cressman 2009).

    Raises
    ------
    ModelError
        If ``I_max`` is not a finite current density (or cycle rate per area) >= 0, a parameter is
        not positive or not a concentration, or the factor depends on ``v`` or uses names that are
        neither its parameters nor its needs.

    Notes
    -----
    The pump current ``i_pump`` (outward positive) is one elementary charge per
    cycle, so the turnover is ``i_pump * area / e`` cycles (ATP) per second; it
    adds ``+3 i_pump`` to the Na+ current (outward Na+) and ``-2 i_pump`` to the
    K+ current (inward K+). Every form is ``I_max`` times a rate factor, times
    ``(1 - pump_block)``, a per-neuron parameter (0 by default) that models ouabain
    (see :func:`brian2energy.ions.pump_block`):

    * ``NaKPump(rate)``: fixed turnover, ``rate`` a current density (amp/meter**2)
      or cycles per second per area (1/(second*meter**2));
    * ``NaKPump.hill(I_max, K_half, n)``: ``1/(1 + (K_half/Na_i)**n)``;
    * ``NaKPump.hubel_dahlem(...)``, ``NaKPump.kager(...)``, ``NaKPump.cressman(...)``:
      the published forms, depending on Na_i and K_o (see each).

    The rate factor may depend on concentrations, never on the membrane potential ``v``
    (refused): :func:`~brian2energy.rest.balance_rest` sets ``I_max`` so that the pump
    balances the leaks at one potential, which needs a turnover that v does not change.
    A Na+ load raises Na_i and so the turnover of every form but the fixed one.
    Published forms are made by the class methods; :meth:`with_scale` gives a copy with
    another ``I_max``.
    """

    I_max: Quantity
    form: str = "fixed"
    factor: str = ""
    parameters: Mapping[str, Quantity | float] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    reference: str = ""
    #: False for a pump whose current the published model leaves out of dv/dt (Cressman 2009).
    electrogenic: bool = True

    name = "pump"
    carries = {"Na": 3.0, "K": -2.0}
    is_pump = True
    scale = "I_max_pump"

    def __post_init__(self) -> None:
        """Check the values and store ``I_max`` as a current density (see Raises)."""
        rate = self.I_max
        if get_dimensions(rate) == get_dimensions(1 / (second * meter**2)):
            rate = rate * elementary_charge
        check_dimensions(rate, _CURRENT, "NaKPump: rate (a current density or cycles/(second*meter**2))")
        if not 0 <= float(rate) < float("inf"):
            raise ModelError(f"NaKPump: rate must be finite and >= 0, got {self.I_max!r}")
        object.__setattr__(self, "I_max", rate)
        object.__setattr__(self, "parameters", dict(self.parameters))
        object.__setattr__(self, "needs", tuple(self.needs))
        for key, value in self.parameters.items():
            if isinstance(value, Quantity):
                check_dimensions(value, mmolar, f"NaKPump.{self.form}: {key}")
            if not float(value) > 0:
                raise ModelError(f"NaKPump.{self.form}: {key} must be positive, got {value!r}")
        if self.factor:
            names = expression_names(self.factor, key=f"NaKPump.{self.form}: factor")
            if "v" in names:
                raise ModelError(
                    f"NaKPump.{self.form}: the rate factor {self.factor!r} depends on the membrane "
                    "potential v; a pump's turnover may depend on concentrations only (balance_rest "
                    "scales I_max to balance one potential)"
                )
            known = {f"{k}_pump" for k in self.parameters} | set(self.needs) | set(DEFAULT_UNITS)
            unknown = sorted(names - known)
            if unknown:
                raise ModelError(
                    f"NaKPump.{self.form}: the rate factor {self.factor!r} uses {unknown}, which are "
                    f"neither its parameters (suffixed _pump) nor its needs {list(self.needs)}"
                )

    @classmethod
    def hill(cls, I_max: Quantity, K_half: Quantity, n: float = 3.0) -> NaKPump:
        """Make a pump whose turnover rises with intracellular Na+ as a Hill function.

        Parameters
        ----------
        I_max : Quantity (amp/meter**2)
            The maximal turnover as a current density.
        K_half : Quantity (mmolar)
            The intracellular Na+ of half-maximal turnover.
        n : float, optional
            The Hill coefficient (default 3).

        Returns
        -------
        NaKPump
            Rate factor ``1/(1 + (K_half/Na_i)**n)``; needs ``Na_i``.
        """
        return cls(I_max, "hill", "1/(1 + (K_half_pump/Na_i)**n_pump)", {"K_half": K_half, "n": float(n)}, ("Na_i",))

    @classmethod
    def hubel_dahlem(
        cls,
        I_max: Quantity = 6.8e-2 * amp / meter**2,
        Na_half: Quantity = 25 * mmolar,
        Na_slope: Quantity = 3 * mmolar,
        K_half: Quantity = 5.5 * mmolar,
        K_slope: Quantity = 1 * mmolar,
    ) -> NaKPump:
        """Make the pump of Hubel & Dahlem 2014 (PLoS Comput Biol 10:e1003941; ModelDB 167714), electrogenic.

        Parameters
        ----------
        I_max : Quantity (amp/meter**2), optional
            Default 6.8 uA/cm^2.
        Na_half, Na_slope : Quantity (mmolar), optional
            The Na_i dependence's midpoint and slope (default 25 mM, 3 mM).
        K_half, K_slope : Quantity (mmolar), optional
            The K_o dependence's midpoint and slope (default 5.5 mM, 1 mM).

        Returns
        -------
        NaKPump
            ``I_max / ((1 + exp((Na_half - Na_i)/Na_slope)) (1 + exp((K_half - K_o)/K_slope)))``
            (the logistic form of Cressman et al. 2009, as a current); needs ``Na_i`` and ``K_o``.
        """
        params = {"Na_half": Na_half, "Na_slope": Na_slope, "K_half": K_half, "K_slope": K_slope}
        factor = "1/((1 + exp((Na_half_pump - Na_i)/Na_slope_pump))*(1 + exp((K_half_pump - K_o)/K_slope_pump)))"
        return cls(I_max, "hubel_dahlem", factor, params, ("Na_i", "K_o"), "Hubel & Dahlem 2014")

    @classmethod
    def kager(cls, I_max: Quantity, K_m_K: Quantity = 2 * mmolar, K_m_Na: Quantity = 10 * mmolar) -> NaKPump:
        """Make the pump of Kager, Wadman & Somjen 2000 (J Neurophysiol 84:495), electrogenic.

        Parameters
        ----------
        I_max : Quantity (amp/meter**2)
            The maximal turnover. Their I_max is set so that the pump balances the resting Na+
            leak: use ``balance_rest`` for that.
        K_m_K : Quantity (mmolar), optional
            Default 2 mM.
        K_m_Na : Quantity (mmolar), optional
            Default 10 mM.

        Returns
        -------
        NaKPump
            ``I_max (1 + K_m_K/K_o)**-2 (1 + K_m_Na/Na_i)**-3`` (as in the nakpump.mod of
            ModelDB 113446, Somjen, Kager & Wadman 2008); needs ``Na_i`` and ``K_o``.
        """
        return cls(
            I_max,
            "kager",
            "1/((1 + K_m_K_pump/K_o)**2*(1 + K_m_Na_pump/Na_i)**3)",
            {"K_m_K": K_m_K, "K_m_Na": K_m_Na},
            ("Na_i", "K_o"),
            "Kager, Wadman & Somjen 2000",
        )

    @classmethod
    def cressman(cls, I_max: Quantity = 1.25 / 0.044494542 * 1e-2 * amp / meter**2) -> NaKPump:
        """Make the pump of Cressman, Ullah, Ziburkus, Schiff & Barreto 2009 (J Comput Neurosci 26:159), electroneutral.

        The Hubel & Dahlem logistic form with rho = 1.25 mM/s (28.1 uA/cm^2 through their
        gamma = 0.0445 mM/s per uA/cm^2), but its current is left out of dv/dt, as published
        (**electroneutral**).

        Parameters
        ----------
        I_max : Quantity (amp/meter**2), optional
            Default 28.1 uA/cm^2 (rho / gamma).

        Returns
        -------
        NaKPump
            With ``electrogenic=False``.

        Notes
        -----
        Beware: that reduced model also has no Na+ exchange with a bath, so as published
        it does not depolarize when its pump is blocked (the leaks cannot run the
        gradients down against an electroneutral, voltage-blind pump). Do not use it to
        show what a pump block does; use ``hubel_dahlem`` or ``kager``.
        """
        return replace(cls.hubel_dahlem(I_max), form="cressman", reference="Cressman et al. 2009", electrogenic=False)

    def with_scale(self, value: Quantity) -> NaKPump:
        """Return the same pump with maximal current density ``I_max = value``.

        Parameters
        ----------
        value : Quantity (amp/meter**2)
            The new ``I_max``.

        Returns
        -------
        NaKPump
            The copy.
        """
        return replace(self, I_max=value)

    def equations(self) -> str:
        """Return the pump current as a Brian2 line.

        Returns
        -------
        str
            ``i_pump = (1 - pump_block)*I_max_pump*factor`` (amp/meter**2, outward positive).
        """
        factor = f"*{self.factor}" if self.factor else ""
        return f"i_pump = (1 - pump_block)*I_max_pump{factor} : amp/meter**2"

    def namespace(self, temperature: Quantity) -> dict[str, Quantity]:
        """Return the pump's constants.

        Parameters
        ----------
        temperature : Quantity (kelvin)
            The cell's temperature (unused).

        Returns
        -------
        dict of str to Quantity
            ``I_max_pump`` (amp/meter**2) and the factor's parameters (suffixed ``_pump``).
        """
        return {"I_max_pump": self.I_max, **{f"{k}_pump": v for k, v in self.parameters.items()}}

    def __repr__(self) -> str:
        """Return the call that makes this pump."""
        if self.form == "fixed":
            return f"NaKPump({self.I_max!r})"
        params = "".join(f", {k}={v!r}" for k, v in self.parameters.items())
        return f"NaKPump.{self.form}({self.I_max!r}{params})"
