"""The mechanism contract, and gated channels as Brian2 equation blocks that declare the ions they carry.

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

A mechanism is data plus a few lines of Brian2 equations (:class:`Mechanism` states the
contract); :class:`~brian2energy.cell.Cell` sums the currents and derives per-ion totals and
energy counters (:mod:`brian2energy.accounting`) from ``carries``. Leaks live in
:mod:`brian2energy.leaks`, the Na+/K+ pump in :mod:`brian2energy.pumps`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from copy import copy
from dataclasses import dataclass

import numpy as np
from brian2 import Quantity, kelvin, meter, mV, psiemens, second, siemens
from brian2.core.namespace import DEFAULT_UNITS
from brian2.units.fundamentalunits import get_dimensions

from .errors import ModelError
from .expressions import check_dimensions, evaluate, expression_names

__all__ = [
    "VALENCE",
    "ZERO_CELSIUS",
    "Channel",
    "Conductance",
    "Gate",
    "Kdr_HD2014",
    "Kdr_HH52",
    "Mechanism",
    "NaV_HD2014",
    "NaV_HH52",
    "check_ion",
    "check_name",
    "scaled",
    "unit_string",
]

#: The ions brian2energy knows, with their valence.
VALENCE: dict[str, int] = {"Na": 1, "K": 1, "Cl": -1, "Ca": 2}
#: Celsius zero in kelvin.
ZERO_CELSIUS = 273.15 * kelvin

_CONDUCTANCE = siemens / meter**2
# Where gate kinetics are checked at load time: past any membrane potential a cell reaches, offset from
# round values so that a removable 0/0 (0.1 (v + 40)/(1 - exp(-(v + 40)/10))) is not hit exactly.
VOLTAGE_GRID = (np.linspace(-150, 100, 501) + 0.0137) * mV


def unit_string(value: Quantity) -> str:
    """Write a Brian2 equation unit string (base SI units) for the dimensions of ``value``.

    Parameters
    ----------
    value : Quantity or float
        Any quantity.

    Returns
    -------
    str
        E.g. ``"metre**-2 * kilogram**-1 * second**3 * amp**2"``; ``"1"`` if dimensionless.
    """
    dim = get_dimensions(value)
    names = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candle")
    parts = [f"{name}**{power:g}" if power != 1 else name for name, power in zip(names, dim._dims) if power]
    return " * ".join(parts) or "1"


def scaled(share: float, current: str) -> str:
    """Write ``share*current`` plainly (``i_x``, ``3*i_x``, ``0.6*i_x``): an ion's part of a current.

    Parameters
    ----------
    share : float
        The ion's share of the current.
    current : str
        The current's name.

    Returns
    -------
    str
        The Brian2 expression.
    """
    return current if share == 1 else f"{share:g}*{current}"


def check_name(name: str, what: str) -> str:
    """Check that ``name`` is letters and digits, optionally joined by single underscores.

    Parameters
    ----------
    name : str
        The name to check.
    what : str
        What it names, for the message.

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    ModelError
        If it is not such a name.
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*", name):
        raise ModelError(f"{what} {name!r} must be letters and digits, optionally joined by single underscores")
    return name


def check_ion(ion: str, what: str) -> str:
    """Check that ``ion`` is one of :data:`VALENCE`.

    Parameters
    ----------
    ion : str
        The ion's name.
    what : str
        Where it was given, for the message.

    Returns
    -------
    str
        ``ion``.

    Raises
    ------
    ModelError
        If the ion is unknown.
    """
    if not isinstance(ion, str) or ion not in VALENCE:
        raise ModelError(f"{what}: unknown ion {ion!r}, expected one of {sorted(VALENCE)}")
    return ion


class Mechanism:
    """The contract every membrane mechanism fulfils; subclass it to add one.

    What a mechanism declares are class or instance attributes (below); what it provides:
    :meth:`equations` (Brian2 lines defining ``i_<name>`` and its states), :meth:`namespace`
    (its constants at the cell's temperature) and, for specifications that stand for other
    mechanisms (``Leak.split``), :meth:`resolve`.

    Attributes
    ----------
    name : str
        Suffix of its current ``i_<name>``, states and parameters.
    carries : dict of str to float
        Ion -> share of the current (shares sum to 1; the pump's are 3 and -2).
    reversal : str or None
        The name of the reversal potential its current is driven by (``"E_K"``), or None when
        its current needs none (a GHK leak, a pump).
    needs : tuple of str
        Other cell quantities its equations read besides ``v`` and ``reversal``: concentrations
        (``"Na_i"``), constants the cell provides (``"RT_F"``, ``"faraday_constant"``), another
        mechanism's state (``"n_Kdr"``).
    electrogenic : bool
        Whether its current enters dv/dt (False only for a pump published as electroneutral).
    is_pump : bool
        A Na+/K+ pump: it exports what the channels let in, so its ions are not counted as entry
        and its turnover is counted apart (``ATP_pump``).
    is_leak : bool
        A passive leak of one ion, which ``balance_rest`` may resize.
    scale : str or None
        The namespace constant its current is proportional to (``g_leak_Na``, ``P_leak_K``,
        ``I_max_pump``), with :meth:`with_scale` returning a copy with another value.

    Notes
    -----
    Every mechanism defines a current density ``i_<name>`` in amp/meter**2, **outward
    positive**; an ion's current is ``share * i_<name>`` (see :mod:`brian2energy.mechanisms`).
    To use a new mechanism in model files, add one line to
    :data:`~brian2energy.modelfile.MECHANISM_TYPES`.
    """

    name: str
    carries: dict[str, float]
    reversal: str | None = None
    needs: tuple[str, ...] = ()
    electrogenic: bool = True
    is_pump: bool = False
    is_leak: bool = False
    scale: str | None = None

    @property
    def current(self) -> str:
        """The name of this mechanism's current density (amp/meter**2, outward positive)."""
        return f"i_{self.name}"

    @property
    def states(self) -> tuple[str, ...]:
        """Names of the differential state variables this mechanism adds (none by default)."""
        return ()

    @property
    def requires(self) -> tuple[str, ...]:
        """Everything the mechanism reads from the cell: its reversal potential (if any) and ``needs``."""
        return ((self.reversal,) if self.reversal else ()) + tuple(self.needs)

    def equations(self) -> str:
        """Return the Brian2 equation lines defining ``i_<name>`` and the mechanism's states.

        Returns
        -------
        str
            Brian2 equation lines, ``i_<name>`` in amp/meter**2, outward positive.

        Raises
        ------
        NotImplementedError
            Unless a subclass defines it.
        """
        raise NotImplementedError(f"{type(self).__name__} must define equations()")

    def namespace(self, temperature: Quantity) -> dict[str, Quantity]:
        """Return the parameter values (suffixed names) at the cell's temperature.

        Parameters
        ----------
        temperature : Quantity (kelvin)
            The cell's temperature.

        Returns
        -------
        dict of str to Quantity
            Constant name (``g_<name>``, ...) -> value.

        Raises
        ------
        NotImplementedError
            Unless a subclass defines it.
        """
        raise NotImplementedError(f"{type(self).__name__} must define namespace()")

    def resolve(self, reversal: Mapping[str, Quantity]) -> list[Mechanism]:
        """Return the plain mechanisms this one stands for, given the cell's reversal potentials.

        Parameters
        ----------
        reversal : dict of str to Quantity (volt)
            Ion -> the cell's reversal potential.

        Returns
        -------
        list of Mechanism
            ``[self]`` for a plain mechanism.
        """
        return [self]

    def with_scale(self, value: Quantity) -> Mechanism:
        """Return a copy whose ``scale`` constant is ``value``.

        Parameters
        ----------
        value : Quantity
            The new value, in the scale constant's units.

        Returns
        -------
        Mechanism
            The copy.

        Raises
        ------
        ModelError
            If the mechanism has no scale constant (the default).
        """
        raise ModelError(f"mechanism {self.name!r} ({type(self).__name__}) has no scale constant to change")

    def __repr__(self) -> str:
        """Return the mechanism's type, name and the ions it carries."""
        return f"{type(self).__name__}({self.name!r}, carries={self.carries})"


@dataclass(frozen=True)
class Gate:
    """One gating variable ``x`` raised to ``power`` in its channel's conductance.

    Parameters
    ----------
    name : str
        The gate's name (``"m"``); its state is ``<name>_<channel>``.
    power : int, optional
        The power in the conductance, a positive integer (default 1; 1 for a chain).
    alpha, beta : str, optional
        Opening and closing rates (1/time), Brian2 expressions.
    inf : str, optional
        The steady state (dimensionless), Brian2 expression.
    tau : str, optional
        The time constant (time), Brian2 expression.
    chain : sequence of (str, str), optional
        A linear kinetic scheme's ``(forward, backward)`` rates (1/time), one pair per
        transition.

    Raises
    ------
    ModelError
        If the name is not a name, the power not a positive integer, or the expressions given
        are not one of the forms below.

    Notes
    -----
    Give either ``alpha`` and ``beta`` (1/time; dx/dt = phi (alpha (1 - x) - beta x)),
    or ``inf`` (dimensionless) with ``tau`` (time; dx/dt = phi (inf - x)/tau),
    or ``inf`` alone for an instantaneous gate (x = inf),
    or ``chain``: a linear kinetic scheme c0 <-> c1 <-> ... <-> cN, one ``(forward, backward)`` pair of
    rates (1/time) per transition, whose last state cN is the open one (power 1). Its states are
    ``x1_<channel>`` ... ``xN_<channel>``, xk = ck + ... + cN the fraction in state k or beyond (xN the
    open fraction; ck = xk - x(k+1)): dxk/dt = phi (forward_k (x(k-1) - xk) - backward_k (xk - x(k+1))),
    x0 = 1, x(N+1) = 0, a form any step of exponential Euler keeps within [0, 1]. A Markov
    scheme that factorises into independent parts (an activation chain times an inactivation gate,
    as the 8-state Na+ channel of Schmidt-Hieber & Bischofberger 2010) is a chain gate times an
    alpha/beta gate. Expressions are Brian2 strings in ``v`` and the channel's parameters, with units.
    """

    name: str
    power: int = 1
    alpha: str | None = None
    beta: str | None = None
    inf: str | None = None
    tau: str | None = None
    chain: Sequence[Sequence[str]] | None = None

    def __post_init__(self) -> None:
        """Check the gate's form (see Raises)."""
        check_name(self.name, "gate name")
        if not isinstance(self.power, int) or isinstance(self.power, bool) or self.power < 1:
            raise ModelError(f"gate {self.name!r}: power must be a positive integer, got {self.power!r}")
        rates = self.alpha is not None or self.beta is not None
        if self.chain is not None:
            if rates or self.inf is not None or self.tau is not None or self.power != 1:
                raise ModelError(
                    f"gate {self.name!r}: a chain gate gives only its chain of (forward, backward) rates, with power 1"
                )
            pairs = [self.chain] if isinstance(self.chain, str) else list(self.chain)
            if not pairs or not all(
                not isinstance(p, str) and len(p) == 2 and all(isinstance(r, str) for r in p) for p in pairs
            ):
                raise ModelError(
                    f"gate {self.name!r}: chain must be a list of (forward, backward) rate expressions, "
                    f"one pair per transition, got {self.chain!r}"
                )
            object.__setattr__(self, "chain", tuple(tuple(p) for p in pairs))
            return
        if rates and (self.alpha is None or self.beta is None or self.inf or self.tau):
            raise ModelError(
                f"gate {self.name!r}: give alpha and beta, or inf (with tau unless instantaneous), or a chain"
            )
        if not rates and self.inf is None:
            raise ModelError(
                f"gate {self.name!r}: give alpha and beta, or inf (with tau unless instantaneous), or a chain"
            )

    @property
    def dynamic(self) -> bool:
        """Whether the gate has states of its own (not an instantaneous x = inf(v))."""
        return self.alpha is not None or self.tau is not None or self.chain is not None

    def expressions(self) -> dict[str, tuple[str, Quantity]]:
        """Return each given expression with the unit it must have.

        Returns
        -------
        dict of str to tuple of (str, Quantity)
            Kind (``"alpha"``, ``"tau"``, a chain's ``forward1``, ``backward1``, ...) -> (expression,
            unit).
        """
        if self.chain is not None:
            return {
                f"{kind}{k}": (text, 1 / second)
                for k, pair in enumerate(self.chain, 1)
                for kind, text in zip(("forward", "backward"), pair)
            }
        units = {"alpha": 1 / second, "beta": 1 / second, "inf": Quantity(1), "tau": second}
        return {k: (getattr(self, k), u) for k, u in units.items() if getattr(self, k) is not None}


class Conductance(Mechanism):
    """A mechanism whose current is proportional to a conductance density ``g`` (``g_<name>``)."""

    g: Quantity

    @property
    def scale(self) -> str:
        """The conductance density ``g_<name>``: the current is proportional to it."""
        return f"g_{self.name}"

    def with_scale(self, value: Quantity) -> Conductance:
        """Return a copy with conductance density ``value``.

        Parameters
        ----------
        value : Quantity (siemens/meter**2)
            The new conductance density, >= 0.

        Returns
        -------
        Conductance
            The copy.

        Raises
        ------
        ModelError
            If ``value`` is not a conductance density >= 0.
        """
        check_dimensions(value, _CONDUCTANCE, f"mechanism {self.name!r}: conductance g")
        if not float(value) >= 0:
            raise ModelError(f"mechanism {self.name!r}: conductance g must be >= 0, got {value!r}")
        new = copy(self)
        new.g = value
        return new


class Channel(Conductance):
    """A gated channel: ``i = g * prod(x**power) * (v - E)``, the gates given as rate expressions.

    This is how users add channels without editing the library; the HH 1952 channels below are
    two of them.

    Parameters
    ----------
    name : str
        The mechanism's name (suffix of ``i_<name>``, ``g_<name>`` and its gates' states).
    ion : str or dict of str to float
        One ion (``"K"``) or a mix with the shares of the current each carries
        (``{"Na": 0.5, "K": 0.5}``; non-negative, summing to 1; a mix needs its own reversal
        ``E``).
    g : Quantity (siemens/meter**2)
        The maximal conductance density, >= 0.
    gates : sequence of Gate, optional
        The gates (none: a plain conductance).
    E : Quantity (volt), optional
        Its own reversal potential (``E_<name>``); default the ion's ``E_<ion>``.
    parameters : dict of str to Quantity, optional
        Names the gate expressions use, with their values.
    q10 : float, optional
        Gate kinetics are scaled by ``q10 ** ((T - T_ref)/10 K)`` (default 1); positive.
    T_ref : Quantity (kelvin), optional
        The reference temperature of the kinetics; required with ``q10``.
    phi : float, optional
        A fixed factor on the kinetics instead of ``q10``; positive.
    single_channel_conductance : Quantity (siemens), optional
        One open channel's conductance: it sets the number of channels, g area / gamma, and so
        the channel noise (:func:`~brian2energy.noise.membrane_noise`).

    Raises
    ------
    ModelError
        If a name, ion, share, quantity or gate is invalid; a mix lacks ``E``; ``q10`` lacks
        ``T_ref`` or is combined with ``phi``; a gate expression uses unknown names or has the
        wrong units; or a gate does not relax at every v from -150 to +100 mV (its rates not
        finite, or alpha + beta, tau, or a chain transition's forward + backward not > 0).
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
        single_channel_conductance: Quantity | None = None,
    ) -> None:
        self.name = check_name(name, "mechanism name")
        where = f"mechanism {name!r}"
        carries = {ion: 1.0} if isinstance(ion, str) else {k: float(s) for k, s in dict(ion).items()}
        for key in carries:
            check_ion(key, where)
        if not (abs(sum(carries.values()) - 1) <= 1e-12 and all(share >= 0 for share in carries.values())):  # NaN too
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
            check_name(pname, f"{where}: parameter")
        self.gates = tuple(gates)
        if len({gate.name for gate in self.gates}) != len(self.gates):
            raise ModelError(f"{where}: gate names must be unique")
        states = [state for gate in self.gates for state in self._gate_states(gate)]
        if len(set(states)) != len(states):
            raise ModelError(f"{where}: gate states {states} must be unique (a chain gate 'm' has states m1, m2, ...)")
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
        self.single_channel_conductance = None
        if single_channel_conductance is not None:
            gamma = check_dimensions(single_channel_conductance, siemens, f"{where}: single_channel_conductance")
            if not (0 < float(gamma) < np.inf):
                raise ModelError(f"{where}: single_channel_conductance must be positive and finite, got {gamma!r}")
            self.single_channel_conductance = gamma
        self._check_gates()

    def _check_gates(self) -> None:
        """Check that every gate expression is arithmetic in v and the parameters, with the right units."""
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
                    raise ModelError(
                        f"{text!r} must {expected} (a gate's {kind}), got {result!r} at v = -60 mV", key=key
                    )
            self._check_kinetics(gate, {**values, "v": VOLTAGE_GRID})

    def _check_kinetics(self, gate: Gate, values: Mapping[str, object]) -> None:
        """Check that the gate relaxes at every voltage of VOLTAGE_GRID.

        Rates finite, alpha + beta > 0 (or tau > 0; a chain's rates finite and non-negative, each
        transition's forward + backward > 0).
        """
        span = f"at every v from {VOLTAGE_GRID[0] / mV:.0f} to {VOLTAGE_GRID[-1] / mV:.0f} mV"
        key = f"{self.name}.{gate.name}"
        grid = {
            kind: np.broadcast_to(np.asarray(evaluate(text, values, key=f"{key}.{kind}")), VOLTAGE_GRID.shape)
            for kind, (text, _) in gate.expressions().items()
        }
        checks = []
        if gate.chain is not None:
            for k, (forward, backward) in enumerate(gate.chain, 1):
                f, b = grid[f"forward{k}"] * 1e-3, grid[f"backward{k}"] * 1e-3
                for rate, what, text in ((f, f"forward{k}", forward), (b, f"backward{k}", backward)):
                    bad = np.flatnonzero(~(rate >= 0) | ~np.isfinite(rate))
                    if bad.size:
                        raise ModelError(
                            f"{what} = {text!r} is {rate[bad[0]]:.3g}/ms at v = "
                            f"{VOLTAGE_GRID[bad[0]] / mV:.1f} mV: expected a finite rate >= 0 {span}",
                            key=key,
                        )
                checks.append((f + b, f"forward{k} + backward{k}", f"{forward!r} + {backward!r}", "/ms"))
        elif gate.alpha is not None:
            checks.append(
                ((grid["alpha"] + grid["beta"]) * 1e-3, "alpha + beta", f"{gate.alpha!r} + {gate.beta!r}", "/ms")
            )
        elif gate.tau is not None:
            checks.append((grid["tau"] * 1e3, "tau", repr(gate.tau), " ms"))
        for rate, what, text, unit in checks:
            bad = np.flatnonzero(~(rate > 0))
            if bad.size:
                raise ModelError(
                    f"{what} = {text} is {rate[bad[0]]:.3g}{unit} at v = {VOLTAGE_GRID[bad[0]] / mV:.1f} "
                    f"mV: expected {what} > 0 {span}, so that the gate relaxes "
                    "to a steady state",
                    key=key,
                )

    @property
    def reversal(self) -> str:
        """Name of the reversal potential this channel's current is driven by (``E_<name>`` or ``E_<ion>``)."""
        return f"E_{self.name}" if self.E is not None else f"E_{next(iter(self.carries))}"

    @property
    def states(self) -> tuple[str, ...]:
        """Names of the dynamic gates' state variables (``m_NaV``; a chain's ``m1_NaV``, ...)."""
        return tuple(state for g in self.gates if g.dynamic for state in self._gate_states(g))

    def _gate_states(self, gate: Gate) -> list[str]:
        """Name the gate's state variables."""
        if gate.chain is not None:
            return [f"{gate.name}{k}_{self.name}" for k in range(1, len(gate.chain) + 1)]
        return [f"{gate.name}_{self.name}"]

    def _open(self, gate: Gate) -> str:
        """Name the gate's open fraction: the variable itself, or a chain's last state."""
        return self._gate_states(gate)[-1]

    def _local(self, text: str) -> str:
        """Suffix the channel's parameter names in an expression with the channel's name."""
        for pname in self.parameters:
            text = re.sub(rf"\b{pname}\b", f"{pname}_{self.name}", text)
        return text

    def equations(self) -> str:
        """Return the channel's current and its gates' equations as Brian2 lines.

        Returns
        -------
        str
            ``i_<name> = g_<name>*prod(x**power)*(v - E) : amp/meter**2`` and each gate's lines.
        """
        n = self.name
        open_prob = "".join(f"*{self._open(g)}" + (f"**{g.power}" if g.power != 1 else "") for g in self.gates)
        lines = [f"i_{n} = g_{n}{open_prob}*(v - {self.reversal}) : amp/meter**2"]
        for gate in self.gates:
            x = f"{gate.name}_{n}"
            if gate.chain is not None:
                lines += self._chain_equations(gate)
            elif gate.alpha is not None:
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

    def _chain_equations(self, gate: Gate) -> list[str]:
        """Write a chain gate's equations in the states S_k = x_k + ... + x_N.

        S_k is the fraction in state k or beyond; S_N is the open state:
        dS_k/dt = phi (forward_k (S_(k-1) - S_k) - backward_k (S_k - S_(k+1))), S_0 = 1, S_(N+1) = 0. Each
        S_k relaxes towards a weighted mean of its neighbours, so Brian2's exponential Euler keeps it in
        [0, 1] at any step (the occupancies themselves, integrated explicitly, blow up at fast rates).
        """
        n, x, count = self.name, gate.name, len(gate.chain)
        beyond = ["1", *self._gate_states(gate), "0"]
        lines = []
        for k, (forward, backward) in enumerate(gate.chain, 1):
            lines += [
                f"forward{k}_{x}_{n} = {self._local(forward)} : Hz",
                f"backward{k}_{x}_{n} = {self._local(backward)} : Hz",
            ]
        for k in range(1, count + 1):
            below, here, above = beyond[k - 1], beyond[k], beyond[k + 1]
            up = f"forward{k}_{x}_{n}*({below} - {here})"
            down = f"backward{k}_{x}_{n}*{here}" if above == "0" else f"backward{k}_{x}_{n}*({here} - {above})"
            lines.append(f"d{here}/dt = phi_{n}*({up} - {down}) : 1")
        return lines

    def namespace(self, temperature: Quantity) -> dict[str, Quantity]:
        """Return the channel's constants at ``temperature``.

        Parameters
        ----------
        temperature : Quantity (kelvin)
            The cell's temperature.

        Returns
        -------
        dict of str to Quantity
            ``g_<name>``, its parameters, ``phi_<name>`` (the Q10 factor, or ``phi``) and
            ``E_<name>`` if it has its own reversal.
        """
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


_HH52_T = ZERO_CELSIUS + 6.3 * kelvin


class NaV_HH52(Channel):
    """Hodgkin & Huxley (1952) squid Na+ channel, g m^3 h (v - E_Na); Q10 = 3 from 6.3 C.

    Parameters
    ----------
    g : Quantity (siemens/meter**2)
        The maximal conductance density (120 mS/cm^2 in Hodgkin & Huxley 1952).
    name : str, optional
        The mechanism's name (default ``"NaV"``).
    single_channel_conductance : Quantity (siemens) or None, optional
        Default :attr:`SINGLE_CHANNEL_CONDUCTANCE` (20 pS); None leaves the channel noise out.

    Notes
    -----
    Rates as in NEURON's ``hh.mod`` (v in mV, rest near -65 mV):
    alpha_m = 0.1 (v+40)/(1 - exp(-(v+40)/10)) = 1/exprel(-(v+40)/10), beta_m = 4 exp(-(v+65)/18),
    alpha_h = 0.07 exp(-(v+65)/20), beta_h = 1/(1 + exp(-(v+35)/10)), all per ms.
    """

    GATES = (
        Gate("m", 3, alpha="1/exprel(-(v + 40*mV)/(10*mV))/ms", beta="4*exp(-(v + 65*mV)/(18*mV))/ms"),
        Gate("h", 1, alpha="0.07*exp(-(v + 65*mV)/(20*mV))/ms", beta="1/(1 + exp(-(v + 35*mV)/(10*mV)))/ms"),
    )

    #: The single-channel conductance of stochastic HH models (Schneidman, Freedman & Segev 1998; the code of
    #: Goldwyn & Shea-Brown 2011, ModelDB 144499: 60 channels/um^2 at 120 mS/cm^2). The squid Na+ channel
    #: measured in patches is smaller (about 4 pS, Bezanilla 1987 Biophys J 52:1087), which would give five
    #: times as many channels and a fifth of this channel-noise variance.
    SINGLE_CHANNEL_CONDUCTANCE = 20 * psiemens

    def __init__(
        self, g: Quantity, name: str = "NaV", single_channel_conductance: Quantity | None = SINGLE_CHANNEL_CONDUCTANCE
    ) -> None:
        super().__init__(
            name, "Na", g, self.GATES, q10=3.0, T_ref=_HH52_T, single_channel_conductance=single_channel_conductance
        )


class Kdr_HH52(Channel):
    """Hodgkin & Huxley (1952) squid delayed-rectifier K+ channel, g n^4 (v - E_K); Q10 = 3 from 6.3 C.

    Parameters
    ----------
    g : Quantity (siemens/meter**2)
        The maximal conductance density (36 mS/cm^2 in Hodgkin & Huxley 1952).
    name : str, optional
        The mechanism's name (default ``"Kdr"``).
    single_channel_conductance : Quantity (siemens) or None, optional
        Default :attr:`SINGLE_CHANNEL_CONDUCTANCE` (20 pS); None leaves the channel noise out.

    Notes
    -----
    alpha_n = 0.01 (v+55)/(1 - exp(-(v+55)/10)) = 0.1/exprel(-(v+55)/10), beta_n = 0.125 exp(-(v+65)/80), per ms.
    """

    GATES = (Gate("n", 4, alpha="0.1/exprel(-(v + 55*mV)/(10*mV))/ms", beta="0.125*exp(-(v + 65*mV)/(80*mV))/ms"),)

    #: The squid delayed rectifier's single-channel conductance: 20 pS, the most common of the three K+
    #: channels of Llano, Webb & Bezanilla 1988 (J Gen Physiol 92:179), "likely the predominant delayed
    #: rectifier"; also the stochastic-HH convention (18 channels/um^2 at 36 mS/cm^2).
    SINGLE_CHANNEL_CONDUCTANCE = 20 * psiemens

    def __init__(
        self, g: Quantity, name: str = "Kdr", single_channel_conductance: Quantity | None = SINGLE_CHANNEL_CONDUCTANCE
    ) -> None:
        super().__init__(
            name, "K", g, self.GATES, q10=3.0, T_ref=_HH52_T, single_channel_conductance=single_channel_conductance
        )


class Kdr_HD2014(Channel):
    """Delayed-rectifier K+ channel of Hubel & Dahlem 2014 (and Cressman et al. 2009), g n^4 (v - E_K).

    Parameters
    ----------
    g : Quantity (siemens/meter**2)
        The maximal conductance density.
    name : str, optional
        The mechanism's name (default ``"Kdr"``).
    single_channel_conductance : Quantity (siemens), optional
        For the channel noise (default None: none).

    Notes
    -----
    alpha_n = 0.01 (v+34)/(1 - exp(-(v+34)/10)), beta_n = 0.125 exp(-(v+44)/80), per ms, times phi = 3.
    """

    GATES = (Gate("n", 4, alpha="0.1/exprel(-(v + 34*mV)/(10*mV))/ms", beta="0.125*exp(-(v + 44*mV)/(80*mV))/ms"),)

    def __init__(self, g: Quantity, name: str = "Kdr", single_channel_conductance: Quantity | None = None) -> None:
        super().__init__(name, "K", g, self.GATES, phi=3.0, single_channel_conductance=single_channel_conductance)


class NaV_HD2014(Conductance):
    """Na+ channel of Hubel & Dahlem 2014 (and Cressman et al. 2009), g m_inf^3 h (v - E_Na).

    Parameters
    ----------
    g : Quantity (siemens/meter**2)
        The maximal conductance density, >= 0.
    name : str, optional
        The mechanism's name (default ``"NaV"``).
    k_channel : str, optional
        The name of the cell's ``Kdr_HD2014`` whose gate n sets h (default ``"Kdr"``).

    Raises
    ------
    ModelError
        If a name is invalid or ``g`` is not a conductance density >= 0.

    Notes
    -----
    m is instantaneous, m_inf = alpha_m/(alpha_m + beta_m) with alpha_m = 0.1 (v+30)/(1 -
    exp(-(v+30)/10)), beta_m = 4 exp(-(v+55)/18) per ms; h is slaved to the K+ gate n of
    the cell's ``Kdr_HD2014`` (named ``k_channel``): h = 1 - 1/(1 + exp(-6.5 (n - 0.35))).
    """

    carries = {"Na": 1.0}
    reversal = "E_Na"

    def __init__(self, g: Quantity, name: str = "NaV", k_channel: str = "Kdr") -> None:
        self.name = check_name(name, "mechanism name")
        self.g = check_dimensions(g, _CONDUCTANCE, f"mechanism {name!r}: conductance g")
        if float(g) < 0:
            raise ModelError(f"mechanism {name!r}: conductance g must be >= 0, got {g!r}")
        self.k_channel = check_name(k_channel, "k_channel")
        self.needs = (f"n_{k_channel}",)

    def equations(self) -> str:
        """Return the channel's current and its gates as Brian2 lines (no states of its own).

        Returns
        -------
        str
            ``i_<name>`` (amp/meter**2), ``m_<name>`` and ``h_<name>``.
        """
        n = self.name
        return "\n".join(
            [
                f"i_{n} = g_{n}*m_{n}**3*h_{n}*(v - E_Na) : amp/meter**2",
                f"m_{n} = alpha_m_{n}/(alpha_m_{n} + beta_m_{n}) : 1",
                f"alpha_m_{n} = 1/exprel(-(v + 30*mV)/(10*mV))/ms : Hz",
                f"beta_m_{n} = 4*exp(-(v + 55*mV)/(18*mV))/ms : Hz",
                f"h_{n} = 1 - 1/(1 + exp(-6.5*(n_{self.k_channel} - 0.35))) : 1",
            ]
        )

    def namespace(self, temperature: Quantity) -> dict[str, Quantity]:
        """Return ``{"g_<name>": g}`` (the kinetics do not depend on ``temperature``).

        Parameters
        ----------
        temperature : Quantity (kelvin)
            The cell's temperature (unused).

        Returns
        -------
        dict of str to Quantity
            The conductance density.
        """
        return {f"g_{self.name}": self.g}
