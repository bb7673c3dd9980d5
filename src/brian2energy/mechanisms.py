"""Membrane mechanisms as Brian2 equation blocks that declare the ions they carry.

Conventions (those of NEURON and of Hodgkin & Huxley):

* every mechanism defines a current density ``i_<name>`` in amp/meter**2,
  **outward positive**;
* ``carries`` maps each ion to the share of that current it carries, so the
  ion's current is ``share * i_<name>`` (a Na+ channel: ``{"Na": 1}``; the
  Na+/K+ pump: ``{"Na": 3, "K": -2}``, one net outward charge per cycle). The
  shares sum to one: all of a mechanism's current is carried by its ions;
* states and parameters are suffixed with the mechanism's name (``m_NaV``,
  ``g_NaV``), so any combination composes without clashes;
* rate expressions are Brian2 strings with units, in the membrane potential ``v``.

A mechanism is data plus a few lines of Brian2 equations; :class:`~brian2energy.cell.Cell`
sums the currents and derives per-ion totals and energy counters from ``carries``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from brian2 import Quantity, amp, kelvin, meter, mmolar, mV, second, siemens
from brian2.core.namespace import DEFAULT_UNITS
from brian2.units.constants import elementary_charge
from brian2.units.fundamentalunits import get_dimensions

from .errors import ModelError
from .expressions import check_dimensions, evaluate, expression_names

#: The ions brian2energy knows, with their valence.
VALENCE: dict[str, int] = {"Na": 1, "K": 1, "Cl": -1, "Ca": 2}
#: Celsius zero in kelvin.
ZERO_CELSIUS = 273.15 * kelvin

_CONDUCTANCE = siemens / meter**2
_CURRENT = amp / meter**2


def unit_string(value: Quantity) -> str:
    """A Brian2 equation unit string (base SI units) for the dimensions of ``value``; ``'1'`` if none."""
    dim = get_dimensions(value)
    names = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candle")
    parts = [f"{name}**{power:g}" if power != 1 else name for name, power in zip(names, dim._dims) if power]
    return " * ".join(parts) or "1"


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*", name):
        raise ModelError(f"{what} {name!r} must be letters and digits, optionally joined by single underscores")
    return name


def _check_ion(ion: str, what: str) -> str:
    if ion not in VALENCE:
        raise ModelError(f"{what}: unknown ion {ion!r}, expected one of {sorted(VALENCE)}")
    return ion


class Mechanism:
    """Base class: a named membrane mechanism whose current ``i_<name>`` is carried by ions."""

    name: str
    carries: dict[str, float]
    #: Pumps export what channels let in; their turnover is counted apart (``ATP_pump``).
    is_pump: bool = False
    #: Cell quantities the equations read besides ``v`` and reversal potentials (e.g. ``Na_i``).
    needs: tuple[str, ...] = ()

    @property
    def current(self) -> str:
        """The name of this mechanism's current density (amp/meter**2, outward positive)."""
        return f"i_{self.name}"

    @property
    def states(self) -> tuple[str, ...]:
        """Names of the differential state variables this mechanism adds."""
        return ()

    def equations(self) -> str:
        """Brian2 equation lines defining ``i_<name>`` and the mechanism's states."""
        raise NotImplementedError

    def namespace(self, temperature: Quantity) -> dict[str, Quantity]:
        """Parameter values (suffixed names) at the cell's temperature."""
        raise NotImplementedError

    def resolve(self, reversal: Mapping[str, Quantity]) -> list[Mechanism]:
        """The plain mechanisms this one stands for, given the cell's reversal potentials."""
        return [self]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, carries={self.carries})"


@dataclass(frozen=True)
class Gate:
    """One gating variable ``x`` raised to ``power`` in its channel's conductance.

    Give either ``alpha`` and ``beta`` (1/time; dx/dt = phi (alpha (1 - x) - beta x)),
    or ``inf`` (dimensionless) with ``tau`` (time; dx/dt = phi (inf - x)/tau),
    or ``inf`` alone for an instantaneous gate (x = inf). Expressions are Brian2
    strings in ``v`` and the channel's parameters, with units.
    """

    name: str
    power: int = 1
    alpha: str | None = None
    beta: str | None = None
    inf: str | None = None
    tau: str | None = None

    def __post_init__(self) -> None:
        _check_name(self.name, "gate name")
        if not isinstance(self.power, int) or isinstance(self.power, bool) or self.power < 1:
            raise ModelError(f"gate {self.name!r}: power must be a positive integer, got {self.power!r}")
        rates = self.alpha is not None or self.beta is not None
        if rates and (self.alpha is None or self.beta is None or self.inf or self.tau):
            raise ModelError(f"gate {self.name!r}: give alpha and beta, or inf (with tau unless instantaneous)")
        if not rates and self.inf is None:
            raise ModelError(f"gate {self.name!r}: give alpha and beta, or inf (with tau unless instantaneous)")

    def expressions(self) -> dict[str, tuple[str, Quantity]]:
        """Each given expression with the unit it must have."""
        units = {"alpha": 1 / second, "beta": 1 / second, "inf": Quantity(1), "tau": second}
        return {k: (getattr(self, k), u) for k, u in units.items() if getattr(self, k) is not None}


class Channel(Mechanism):
    """A gated channel: ``i = g * prod(x**power) * (v - E)``, the gates given as rate expressions.

    ``ion`` is one ion (``"K"``) or a mix with the shares of the current each
    carries (``{"Na": 0.5, "K": 0.5}``; a mix needs its own reversal ``E``).
    ``parameters`` are names the gate expressions use (Quantities). Gate kinetics
    are scaled by ``q10 ** ((T - T_ref)/10 K)``. This is how users add channels
    without editing the library; the HH 1952 channels below are two of them.
    """

    def __init__(
        self,
        name: str,
        ion: str | Mapping[str, float],
        g: Quantity,
        gates: Sequence[Gate] = (),
        *,
        E: Quantity | None = None,
        parameters: Mapping[str, Quantity] | None = None,
        q10: float = 1.0,
        T_ref: Quantity | None = None,
        phi: float | None = None,
    ) -> None:
        self.name = _check_name(name, "mechanism name")
        where = f"mechanism {name!r}"
        carries = {ion: 1.0} if isinstance(ion, str) else {k: float(s) for k, s in dict(ion).items()}
        for key in carries:
            _check_ion(key, where)
        if abs(sum(carries.values()) - 1) > 1e-12 or min(carries.values()) < 0:
            raise ModelError(f"{where}: ion shares {carries} must be non-negative and sum to 1")
        if len(carries) > 1 and E is None:
            raise ModelError(f"{where}: a channel carrying several ions needs its reversal potential E")
        self.carries = carries
        self.g = check_dimensions(g, _CONDUCTANCE, f"{where}: conductance g")
        if float(g) < 0:
            raise ModelError(f"{where}: conductance g must be >= 0, got {g!r}")
        self.E = None if E is None else check_dimensions(E, mV, f"{where}: reversal E")
        self.parameters = dict(parameters or {})
        for pname in self.parameters:
            _check_name(pname, f"{where}: parameter")
        self.gates = tuple(gates)
        if len({gate.name for gate in self.gates}) != len(self.gates):
            raise ModelError(f"{where}: gate names must be unique")
        self.q10 = float(q10)
        if self.q10 <= 0:
            raise ModelError(f"{where}: q10 must be positive, got {q10!r}")
        self.T_ref = T_ref
        self.phi = None if phi is None else float(phi)
        if self.phi is not None and (self.phi <= 0 or self.q10 != 1.0):
            raise ModelError(f"{where}: phi must be positive and excludes q10, got phi={phi!r}, q10={q10!r}")
        if T_ref is not None:
            check_dimensions(T_ref, kelvin, f"{where}: T_ref")
        elif self.q10 != 1.0:
            raise ModelError(f"{where}: q10 needs the reference temperature T_ref")
        self._check_gates()

    def _check_gates(self) -> None:
        """Every gate expression is arithmetic in v and the parameters, with the right units."""
        values = {**DEFAULT_UNITS, **self.parameters, "v": -60 * mV}
        allowed = set(self.parameters) | {"v"}
        for gate in self.gates:
            for kind, (text, unit) in gate.expressions().items():
                key = f"{self.name}.{gate.name}.{kind}"
                names = expression_names(text, key=key)
                unknown = sorted(n for n in names if n not in allowed and n not in DEFAULT_UNITS)
                if unknown:
                    raise ModelError(
                        f"{text!r} uses unknown name(s) {unknown}: expected v, the channel's parameters "
                        f"{sorted(self.parameters)} and Brian2 units",
                        key=key,
                    )
                result = evaluate(text, values, key=key)
                if get_dimensions(result) != get_dimensions(unit):
                    expected = "be dimensionless" if unit_string(unit) == "1" else f"have units of {unit_string(unit)}"
                    raise ModelError(f"{text!r} must {expected} (a gate's {kind}), got {result!r} at v = -60 mV",
                                     key=key)

    @property
    def reversal(self) -> str:
        """Name of the reversal potential this channel's current is driven by."""
        return f"E_{self.name}" if self.E is not None else f"E_{next(iter(self.carries))}"

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(f"{g.name}_{self.name}" for g in self.gates if g.alpha is not None or g.tau is not None)

    def _local(self, text: str) -> str:
        """Suffix the channel's parameter names in an expression with the channel's name."""
        for pname in self.parameters:
            text = re.sub(rf"\b{pname}\b", f"{pname}_{self.name}", text)
        return text

    def equations(self) -> str:
        n = self.name
        open_prob = "".join(f"*{g.name}_{n}" + (f"**{g.power}" if g.power != 1 else "") for g in self.gates)
        lines = [f"i_{n} = g_{n}{open_prob}*(v - {self.reversal}) : amp/meter**2"]
        for gate in self.gates:
            x = f"{gate.name}_{n}"
            if gate.alpha is not None:
                lines += [
                    f"d{x}/dt = phi_{n}*(alpha_{x}*(1 - {x}) - beta_{x}*{x}) : 1",
                    f"alpha_{x} = {self._local(gate.alpha)} : Hz",
                    f"beta_{x} = {self._local(gate.beta)} : Hz",
                ]
            elif gate.tau is not None:
                lines += [
                    f"d{x}/dt = phi_{n}*({x}_inf - {x})/tau_{x} : 1",
                    f"{x}_inf = {self._local(gate.inf)} : 1",
                    f"tau_{x} = {self._local(gate.tau)} : second",
                ]
            else:
                lines.append(f"{x} = {self._local(gate.inf)} : 1")
        return "\n".join(lines)

    def namespace(self, temperature: Quantity) -> dict[str, Quantity]:
        n = self.name
        ns = {f"g_{n}": self.g, **{f"{p}_{n}": value for p, value in self.parameters.items()}}
        if self.gates:
            if self.phi is not None:
                ns[f"phi_{n}"] = self.phi
            else:
                ns[f"phi_{n}"] = self.q10 ** float((temperature - self.T_ref) / (10 * kelvin)) if self.T_ref else 1.0
        if self.E is not None:
            ns[f"E_{n}"] = self.E
        return ns


class Leak(Channel):
    """A passive leak for one ion: ``i_leak_<ion> = g (v - E_ion)``."""

    def __init__(self, ion: str, g: Quantity) -> None:
        super().__init__(f"leak_{_check_ion(ion, 'Leak')}", ion, g)

    @staticmethod
    def split(g_total: Quantity, E_L: Quantity, ions: Sequence[str] = ("Na", "K")) -> LeakSplit:
        """Per-ion leaks with the same total conductance and reversal as a lumped leak.

        For two ions a, b with reversal potentials E_a, E_b (the cell's), the
        conditions g_a + g_b = g_total and g_a (E_L - E_a) + g_b (E_L - E_b) = 0
        give g_a = g_total (E_L - E_b)/(E_a - E_b). E_L must lie between E_a and E_b.
        """
        return LeakSplit(g_total, E_L, tuple(ions))


def two_ion_shares(ions: Sequence[str], E: Quantity, reversal: Mapping[str, Quantity], where: str) -> dict[str, float]:
    """The conductance shares of two parallel per-ion conductances whose sum reverses at ``E``.

    For ions a, b with reversal potentials E_a, E_b: g_a (E - E_a) + g_b (E - E_b) = 0 with
    g_a + g_b = g gives g_a/g = (E - E_b)/(E_a - E_b). ``E`` must lie between E_a and E_b.
    """
    a, b = ions
    E_a, E_b = reversal[a], reversal[b]
    lo, hi = min(E_a, E_b), max(E_a, E_b)
    if not lo <= E <= hi:
        raise ModelError(f"{where} = {E!r} is outside the reversal range of {a} and {b} [{lo!r}, {hi!r}], "
                         f"so one of them would need a negative conductance")
    share_a = float((E - E_b) / (E_a - E_b))
    return {a: share_a, b: 1.0 - share_a}


class LeakSplit:
    """A lumped leak (one conductance, one reversal) that the cell splits into per-ion leaks."""

    def __init__(self, g_total: Quantity, E_L: Quantity, ions: tuple[str, ...]) -> None:
        if len(ions) != 2 or ions[0] == ions[1]:
            raise ModelError(f"Leak.split: ions must be two different ions, got {ions!r}")
        for ion in ions:
            _check_ion(ion, "Leak.split")
        self.g_total = check_dimensions(g_total, _CONDUCTANCE, "Leak.split: g_total")
        if float(g_total) < 0:
            raise ModelError(f"Leak.split: g_total must be >= 0, got {g_total!r}")
        self.E_L = check_dimensions(E_L, mV, "Leak.split: E_L")
        self.ions = ions

    def resolve(self, reversal: Mapping[str, Quantity]) -> list[Leak]:
        """The two per-ion leaks, at the cell's reversal potentials."""
        missing = [ion for ion in self.ions if ion not in reversal]
        if missing:
            raise ModelError(f"Leak.split: the cell has no reversal potential for {missing}")
        shares = two_ion_shares(self.ions, self.E_L, reversal, "Leak.split: E_L")
        return [Leak(ion, self.g_total * share) for ion, share in shares.items()]

    def __repr__(self) -> str:
        return f"Leak.split({self.g_total!r}, {self.E_L!r}, ions={self.ions})"


_HH52_T = ZERO_CELSIUS + 6.3 * kelvin


class NaV_HH52(Channel):
    """Hodgkin & Huxley (1952) squid Na+ channel, g m^3 h (v - E_Na); Q10 = 3 from 6.3 C.

    Rates as in NEURON's ``hh.mod`` (v in mV, rest near -65 mV):
    alpha_m = 0.1 (v+40)/(1 - exp(-(v+40)/10)) = 1/exprel(-(v+40)/10), beta_m = 4 exp(-(v+65)/18),
    alpha_h = 0.07 exp(-(v+65)/20), beta_h = 1/(1 + exp(-(v+35)/10)), all per ms.
    """

    GATES = (
        Gate("m", 3, alpha="1/exprel(-(v + 40*mV)/(10*mV))/ms", beta="4*exp(-(v + 65*mV)/(18*mV))/ms"),
        Gate("h", 1, alpha="0.07*exp(-(v + 65*mV)/(20*mV))/ms", beta="1/(1 + exp(-(v + 35*mV)/(10*mV)))/ms"),
    )

    def __init__(self, g: Quantity, name: str = "NaV") -> None:
        super().__init__(name, "Na", g, self.GATES, q10=3.0, T_ref=_HH52_T)


class Kdr_HH52(Channel):
    """Hodgkin & Huxley (1952) squid delayed-rectifier K+ channel, g n^4 (v - E_K); Q10 = 3 from 6.3 C.

    alpha_n = 0.01 (v+55)/(1 - exp(-(v+55)/10)) = 0.1/exprel(-(v+55)/10), beta_n = 0.125 exp(-(v+65)/80), per ms.
    """

    GATES = (
        Gate("n", 4, alpha="0.1/exprel(-(v + 55*mV)/(10*mV))/ms", beta="0.125*exp(-(v + 65*mV)/(80*mV))/ms"),
    )

    def __init__(self, g: Quantity, name: str = "Kdr") -> None:
        super().__init__(name, "K", g, self.GATES, q10=3.0, T_ref=_HH52_T)


class Kdr_HD2014(Channel):
    """Delayed-rectifier K+ channel of Hubel & Dahlem 2014 (and Cressman et al. 2009), g n^4 (v - E_K):
    alpha_n = 0.01 (v+34)/(1 - exp(-(v+34)/10)), beta_n = 0.125 exp(-(v+44)/80), per ms, times phi = 3."""

    GATES = (Gate("n", 4, alpha="0.1/exprel(-(v + 34*mV)/(10*mV))/ms", beta="0.125*exp(-(v + 44*mV)/(80*mV))/ms"),)

    def __init__(self, g: Quantity, name: str = "Kdr") -> None:
        super().__init__(name, "K", g, self.GATES, phi=3.0)


class NaV_HD2014(Mechanism):
    """Na+ channel of Hubel & Dahlem 2014 (and Cressman et al. 2009), g m_inf^3 h (v - E_Na).

    m is instantaneous, m_inf = alpha_m/(alpha_m + beta_m) with alpha_m = 0.1 (v+30)/(1 -
    exp(-(v+30)/10)), beta_m = 4 exp(-(v+55)/18) per ms; h is slaved to the K+ gate n of
    the cell's ``Kdr_HD2014`` (named ``k_channel``): h = 1 - 1/(1 + exp(-6.5 (n - 0.35))).
    """

    carries = {"Na": 1.0}

    def __init__(self, g: Quantity, name: str = "NaV", k_channel: str = "Kdr") -> None:
        self.name = _check_name(name, "mechanism name")
        self.g = check_dimensions(g, _CONDUCTANCE, f"mechanism {name!r}: conductance g")
        if float(g) < 0:
            raise ModelError(f"mechanism {name!r}: conductance g must be >= 0, got {g!r}")
        self.k_channel = _check_name(k_channel, "k_channel")
        self.needs = (f"n_{k_channel}",)

    def equations(self) -> str:
        n = self.name
        return "\n".join([
            f"i_{n} = g_{n}*m_{n}**3*h_{n}*(v - E_Na) : amp/meter**2",
            f"m_{n} = alpha_m_{n}/(alpha_m_{n} + beta_m_{n}) : 1",
            f"alpha_m_{n} = 1/exprel(-(v + 30*mV)/(10*mV))/ms : Hz",
            f"beta_m_{n} = 4*exp(-(v + 55*mV)/(18*mV))/ms : Hz",
            f"h_{n} = 1 - 1/(1 + exp(-6.5*(n_{self.k_channel} - 0.35))) : 1",
        ])

    def namespace(self, temperature: Quantity) -> dict[str, Quantity]:
        return {f"g_{self.name}": self.g}


class NaKPump(Mechanism):
    """The Na+/K+-ATPase: each cycle hydrolyses one ATP, exports 3 Na+ and imports 2 K+.

    The pump current ``i_pump`` (outward positive) is one elementary charge per
    cycle, so the turnover is ``i_pump * area / e`` cycles (ATP) per second; it
    adds ``+3 i_pump`` to the Na+ current (outward Na+) and ``-2 i_pump`` to the
    K+ current (inward K+). Every form is ``I_max`` times a saturation factor, times
    ``(1 - pump_block)``, a per-neuron parameter (0 by default) that models ouabain
    (see :func:`brian2energy.ions.pump_block`):

    * ``NaKPump(rate)``: fixed turnover, ``rate`` a current density (amp/meter**2)
      or cycles per second per area (1/(second*meter**2));
    * ``NaKPump.hill(I_max, K_half, n)``: ``1/(1 + (K_half/Na_i)**n)``;
    * ``NaKPump.hubel_dahlem(...)``, ``NaKPump.kager(...)``, ``NaKPump.cressman(...)``:
      the published forms, depending on Na_i and K_o (see each).

    A Na+ load raises Na_i and so the turnover of every form but the fixed one.
    """

    name = "pump"
    carries = {"Na": 3.0, "K": -2.0}
    is_pump = True
    #: False for a pump whose current the published model leaves out of dv/dt (Cressman 2009).
    electrogenic = True

    def __init__(self, rate: Quantity) -> None:
        if get_dimensions(rate) == get_dimensions(1 / (second * meter**2)):
            rate = rate * elementary_charge
        self.I_max = check_dimensions(rate, _CURRENT, "NaKPump: rate (a current density or cycles/(second*meter**2))")
        if float(rate) < 0:
            raise ModelError(f"NaKPump: rate must be >= 0, got {rate!r}")
        self.form, self.factor, self.parameters, self.reference = "fixed", "", {}, ""

    def _with(self, form: str, factor: str, parameters: dict[str, Quantity | float], needs: tuple[str, ...],
              reference: str) -> NaKPump:
        """This pump in a published form: concentration parameters (mmolar) checked, all positive."""
        for key, value in parameters.items():
            if isinstance(value, Quantity):
                check_dimensions(value, mmolar, f"NaKPump.{form}: {key}")
            if not float(value) > 0:
                raise ModelError(f"NaKPump.{form}: {key} must be positive, got {value!r}")
        self.form, self.factor, self.parameters, self.needs, self.reference = form, factor, parameters, needs, reference
        return self

    @classmethod
    def hill(cls, I_max: Quantity, K_half: Quantity, n: float = 3.0) -> NaKPump:
        """A pump whose turnover rises with intracellular Na+ as a Hill function."""
        return cls(I_max)._with("hill", "1/(1 + (K_half_pump/Na_i)**n_pump)", {"K_half": K_half, "n": float(n)},
                                ("Na_i",), "")

    @classmethod
    def hubel_dahlem(cls, I_max: Quantity = 6.8e-2 * amp / meter**2, Na_half: Quantity = 25 * mmolar,
                     Na_slope: Quantity = 3 * mmolar, K_half: Quantity = 5.5 * mmolar,
                     K_slope: Quantity = 1 * mmolar) -> NaKPump:
        """Hubel & Dahlem 2014 (PLoS Comput Biol 10:e1003941; ModelDB 167714), electrogenic:
        ``I_max / ((1 + exp((Na_half - Na_i)/Na_slope)) (1 + exp((K_half - K_o)/K_slope)))``,
        I_max = 6.8 uA/cm^2 (the logistic form of Cressman et al. 2009, as a current)."""
        params = {"Na_half": Na_half, "Na_slope": Na_slope, "K_half": K_half, "K_slope": K_slope}
        factor = "1/((1 + exp((Na_half_pump - Na_i)/Na_slope_pump))*(1 + exp((K_half_pump - K_o)/K_slope_pump)))"
        return cls(I_max)._with("hubel_dahlem", factor, params, ("Na_i", "K_o"), "Hubel & Dahlem 2014")

    @classmethod
    def kager(cls, I_max: Quantity, K_m_K: Quantity = 2 * mmolar, K_m_Na: Quantity = 10 * mmolar) -> NaKPump:
        """Kager, Wadman & Somjen 2000 (J Neurophysiol 84:495), electrogenic:
        ``I_max (1 + K_m_K/K_o)**-2 (1 + K_m_Na/Na_i)**-3``, K_m_K = 2 mM, K_m_Na = 10 mM (as in
        the nakpump.mod of ModelDB 113446, Somjen, Kager & Wadman 2008). Their I_max is set so
        that the pump balances the resting Na+ leak: use ``balance_rest`` for that."""
        return cls(I_max)._with("kager", "1/((1 + K_m_K_pump/K_o)**2*(1 + K_m_Na_pump/Na_i)**3)",
                                {"K_m_K": K_m_K, "K_m_Na": K_m_Na},
                                ("Na_i", "K_o"), "Kager, Wadman & Somjen 2000")

    @classmethod
    def cressman(cls, I_max: Quantity = 1.25 / 0.044494542 * 1e-2 * amp / meter**2) -> NaKPump:
        """Cressman, Ullah, Ziburkus, Schiff & Barreto 2009 (J Comput Neurosci 26:159), **electroneutral**:
        the Hubel & Dahlem logistic form with rho = 1.25 mM/s (28.1 uA/cm^2 through their
        gamma = 0.0445 mM/s per uA/cm^2), but its current is left out of dv/dt, as published.

        Beware: that reduced model also has no Na+ exchange with a bath, so as published
        it does not depolarize when its pump is blocked (the leaks cannot run the
        gradients down against an electroneutral, voltage-blind pump). Do not use it to
        show what a pump block does; use ``hubel_dahlem`` or ``kager``.
        """
        pump = cls.hubel_dahlem(I_max)
        pump.form, pump.reference, pump.electrogenic = "cressman", "Cressman et al. 2009", False
        return pump

    def equations(self) -> str:
        factor = f"*{self.factor}" if self.factor else ""
        return f"i_pump = (1 - pump_block)*I_max_pump{factor} : amp/meter**2"

    def namespace(self, temperature: Quantity) -> dict[str, Quantity]:
        return {"I_max_pump": self.I_max, **{f"{k}_pump": v for k, v in self.parameters.items()}}

    def __repr__(self) -> str:
        if self.form == "fixed":
            return f"NaKPump({self.I_max!r})"
        params = "".join(f", {k}={v!r}" for k, v in self.parameters.items())
        return f"NaKPump.{self.form}({self.I_max!r}{params})"
