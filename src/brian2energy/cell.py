"""A single-compartment cell: mechanisms summed into Brian2 equations with energy counters.

The membrane equation is written per unit area, as in NEURON::

    C_m dv/dt = I_inj - i_mem + (I_syn + ...)/area

with ``i_mem`` the explicit sum of the mechanisms' current densities (outward
positive), ``I_inj`` a per-neuron injected current density (positive
depolarizes) and extra currents (``I_syn``) whole-cell currents in amp, positive
depolarizing, as a user's conductance-based ``Synapses`` produce them with
``(summed)``.

Energy counters (whole-cell, per neuron, integrated by Brian2 with ``v``):

* ``Q_Na_<mech>`` (coulomb): Na+ charge that entered through one mechanism,
  the time integral of ``-share_Na * i_<mech> * area``; ``Q_Na`` is their sum
  over every Na+-carrying mechanism except the pump (the pump exports Na+), and
  over the cell's synaptic receptors (``Q_Na_ampa``, ...); likewise ``Q_Ca_<source>``
  (summed in ``Q_Ca``) and ``Q_Cl_<source>``. Ions entered = Q / (z e);
* ``ATP_ions`` (molecules) = ``Q_Na / (3 e)`` (``+ Q_Ca / (2 e)`` when Ca2+ enters):
  the *ions-restored* view, the ATP the pumps must spend to export what entered;
* ``ATP_pump`` (molecules, only with a pump): the *pump-turnover* view, the time
  integral of ``i_pump * area / e``, one ATP per cycle.

The two views agree over a long run of a cell whose pump balances its Na+
entry at rest; they differ over transients (the pump lags the entry it must
restore) and in cells without a pump, where only ``ATP_ions`` exists.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from brian2 import (
    Equations,
    NeuronGroup,
    Quantity,
    farad,
    kelvin,
    log,
    meter,
    mmolar,
    mV,
)
from brian2.units.constants import elementary_charge, faraday_constant, gas_constant

from .errors import ModelError
from .expressions import check_dimensions
from .ions import Concentrations
from .mechanisms import VALENCE, LeakSplit, Mechanism, unit_string
from .synapses import Receptor

#: Ions whose entry is counted (``Q_<ion>_<source>``). K+ is not: the pump takes it
#: back with the Na+ it exports (2 K+ per 3 Na+), so Na+ entry prices both.
COUNTED_IONS = ("Na", "Ca", "Cl")
#: ATP per unit of inward charge, ions-restored view: the Na+/K+ pump exports 3 Na+ per
#: ATP; each Ca2+ costs one ATP to extrude (the plasma-membrane Ca2+-ATPase moves one Ca2+
#: per ATP; Na+/Ca2+ exchange brings in 3 Na+ per Ca2+, again one ATP at the pump).
#: Cl- entry is counted but not priced (its cost is indirect, see the README).
ATP_PER_ION = {"Na": 1 / (3 * elementary_charge), "Ca": 1 / (2 * elementary_charge)}

#: The cell each group made by Cell.neuron_group was made from (see cell_of).
_CELLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: The default integration method, chosen for spike-time accuracy (see README: rk4
#: keeps spike times within 0.1 ms over 200 ms at dt = 0.01 ms; exponential Euler does not).
DEFAULT_METHOD = "rk4"


@dataclass(frozen=True)
class Ion:
    """An ion's concentrations and/or reversal potential.

    Give ``inside`` and ``outside`` (the reversal potential then follows from the
    Nernst equation at the cell's temperature), or ``E`` directly, or all three
    (``E`` then wins, and the concentrations are used by concentration-dependent
    mechanisms such as a Hill pump).
    """

    inside: Quantity | None = None
    outside: Quantity | None = None
    E: Quantity | None = None

    def check(self, name: str) -> None:
        """Raise ModelError unless the values are physical."""
        where = f"ion {name}"
        if name not in VALENCE:
            raise ModelError(f"unknown ion {name!r}, expected one of {sorted(VALENCE)}")
        for side in ("inside", "outside"):
            value = getattr(self, side)
            if value is not None:
                check_dimensions(value, mmolar, f"{where}: {side} concentration")
                if not float(value) > 0:
                    raise ModelError(f"{where}: {side} concentration must be positive, got {value!r}")
        if self.E is None and (self.inside is None or self.outside is None):
            raise ModelError(f"{where}: give E, or both the inside and outside concentrations")
        if self.E is not None:
            check_dimensions(self.E, mV, f"{where}: reversal potential E")

    def reversal(self, name: str, temperature: Quantity) -> Quantity:
        """E if given, else the Nernst potential RT/(zF) ln(outside/inside)."""
        if self.E is not None:
            return self.E
        z = VALENCE[name]
        return gas_constant * temperature / (z * faraday_constant) * log(self.outside / self.inside)


class Cell:
    """A single-compartment cell built from mechanisms.

    Parameters
    ----------
    mechanisms : the membrane mechanisms (``Leak.split`` entries are split into per-ion leaks here).
    C_m : specific membrane capacitance (farad/meter**2).
    area : membrane area (meter**2); whole-cell figures are densities times area.
    ions : ion name -> :class:`Ion`.
    temperature : in kelvin (scales gate kinetics by Q10 and sets Nernst potentials).
    spike_threshold : upward crossings of this potential are spikes.
    v_rest : the steady state the cell is meant to rest at, where it has several (set by
        ``balance_rest``); :func:`~brian2energy.rest.resting_state` then picks the one nearest.
    concentrations : which ion concentrations move (:class:`~brian2energy.ions.Concentrations`);
        they start at the ``ions`` values. Without it every concentration is fixed.
    """

    def __init__(
        self,
        mechanisms: Sequence[Mechanism | LeakSplit],
        C_m: Quantity,
        area: Quantity,
        ions: Mapping[str, Ion],
        temperature: Quantity,
        *,
        spike_threshold: Quantity = -20 * mV,
        name: str = "cell",
        description: str = "",
        reference: str = "",
        v_rest: Quantity | None = None,
        concentrations: Concentrations | None = None,
    ) -> None:
        self.C_m = check_dimensions(C_m, farad / meter**2, "Cell: C_m")
        self.area = check_dimensions(area, meter**2, "Cell: area")
        self.temperature = check_dimensions(temperature, kelvin, "Cell: temperature")
        self.spike_threshold = check_dimensions(spike_threshold, mV, "Cell: spike_threshold")
        for value, what in ((C_m, "C_m"), (area, "area"), (temperature, "temperature")):
            if not float(value) > 0:
                raise ModelError(f"Cell: {what} must be positive, got {value!r}")
        self.ions = dict(ions)
        for ion_name, ion in self.ions.items():
            ion.check(ion_name)
        self.reversal_potentials = {n: ion.reversal(n, self.temperature) for n, ion in self.ions.items()}
        self.mechanisms: tuple[Mechanism, ...] = tuple(
            m for spec in mechanisms for m in spec.resolve(self.reversal_potentials)
        )
        self.name, self.description, self.reference = name, description, reference
        self.v_rest = None if v_rest is None else check_dimensions(v_rest, mV, "Cell: v_rest")
        self.concentrations = concentrations
        self._check_concentrations()
        self._check_mechanisms()

    def _check_concentrations(self) -> None:
        conc = self.concentrations
        if conc is None:
            return
        for ion, side in [(ion, "inside") for ion in conc.inside] + [(ion, "outside") for ion in conc.outside]:
            spec = self.ions.get(ion)
            if spec is None or spec.inside is None or spec.outside is None or spec.E is not None:
                raise ModelError(f"Cell: the {side} concentration of {ion} moves, so ions.{ion} needs inside and "
                                 f"outside concentrations and no fixed E (its reversal follows by Nernst)")

    @property
    def dynamic_concentrations(self) -> tuple[str, ...]:
        """The concentration state variables (``Na_i``, ``K_o``, ...), empty if none move."""
        return self.concentrations.states if self.concentrations is not None else ()

    def moving_ions(self) -> set[str]:
        """Ions with at least one moving concentration (their reversal potential is a variable)."""
        conc = self.concentrations
        return set() if conc is None else set(conc.inside) | set(conc.outside)

    def _check_mechanisms(self) -> None:
        names = [m.name for m in self.mechanisms]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ModelError(f"Cell: mechanism names must be unique, {duplicates} appear more than once")
        for mech in self.mechanisms:
            needed = [ion for ion in mech.carries if ion not in self.ions]
            if needed and getattr(mech, "E", None) is None:
                raise ModelError(f"Cell: mechanism {mech.name!r} carries {needed} but the cell defines no such ion")
        ns = self.namespace
        states = {s for m in self.mechanisms for s in m.states} | set(self.dynamic_concentrations)
        for mech in self.mechanisms:
            missing = [name for name in mech.needs if name not in ns and name not in states]
            if missing:
                raise ModelError(f"Cell: mechanism {mech.name!r} needs {missing} (give the ion's concentrations)")

    def replace(self, **changes) -> Cell:
        """A copy with some constructor arguments changed (``area=...``, ``mechanisms=...``, ``ions=...``)."""
        args = dict(mechanisms=self.mechanisms, C_m=self.C_m, area=self.area, ions=self.ions,
                    temperature=self.temperature, spike_threshold=self.spike_threshold, name=self.name,
                    description=self.description, reference=self.reference, v_rest=self.v_rest,
                    concentrations=self.concentrations)
        unknown = sorted(set(changes) - set(args))
        if unknown:
            raise ModelError(f"Cell.replace: unknown argument(s) {unknown}, expected some of {sorted(args)}")
        args.update(changes)
        mechanisms, C_m, area, ions, temperature = (args.pop(k) for k in ("mechanisms", "C_m", "area", "ions",
                                                                        "temperature"))
        return Cell(mechanisms, C_m, area, ions, temperature, **args)

    def with_mechanisms(self, mechanisms: Sequence[Mechanism | LeakSplit], description: str | None = None) -> Cell:
        """The same cell (capacitance, area, ions, temperature) with other mechanisms."""
        return self.replace(mechanisms=mechanisms,
                            description=self.description if description is None else description)

    @property
    def pump(self) -> Mechanism | None:
        """The cell's pump, if it has one."""
        return next((m for m in self.mechanisms if m.is_pump), None)

    @property
    def states(self) -> tuple[str, ...]:
        """The dynamical state variables (without counters): ``v`` and the gates."""
        return ("v",) + tuple(s for m in self.mechanisms for s in m.states)

    def na_mechanisms(self) -> tuple[Mechanism, ...]:
        """The mechanisms through which Na+ enters (every Na+-carrier but the pump)."""
        return tuple(m for m in self.mechanisms if m.carries.get("Na") and not m.is_pump)

    def counter_currents(self, synapses: Sequence[Receptor] = ()) -> dict[str, str]:
        """Each ion-entry counter ``Q_<ion>_<source>`` and the inward current it integrates.

        Every mechanism but the pump, for Na+, Ca2+ and Cl- (``COUNTED_IONS``); then
        every receptor in ``synapses``. Mechanism currents are densities (outward
        positive), so their counters integrate ``-share * i * area``; receptor currents
        are whole-cell and inward positive already.
        """
        out = {}
        for m in self.mechanisms:
            for ion in COUNTED_IONS:
                if m.carries.get(ion) and not m.is_pump:
                    out[f"Q_{ion}_{m.name}"] = f"-{_scaled(m.carries[ion], m.current)}*area"
        for receptor in synapses:
            out.update(receptor.counters())
        return out

    @property
    def counters(self) -> tuple[str, ...]:
        """Names of the energy counters :meth:`equations` adds (without synapses)."""
        names = tuple(self.counter_currents()) + ("Q_Na", "ATP_ions")
        return names + (("ATP_pump",) if self.pump else ())

    @property
    def namespace(self) -> dict[str, object]:
        """Every constant the equations use, for ``NeuronGroup(..., namespace=cell.namespace)``."""
        ns: dict[str, object] = {
            "C_m": self.C_m,
            "area": self.area,
            "spike_threshold": self.spike_threshold,
            "elementary_charge": elementary_charge,
        }
        moving = set(self.dynamic_concentrations)
        for ion_name, ion in self.ions.items():
            if ion_name not in self.moving_ions():
                ns[f"E_{ion_name}"] = self.reversal_potentials[ion_name]
            for side, value in (("i", ion.inside), ("o", ion.outside)):
                if value is not None and f"{ion_name}_{side}" not in moving:
                    ns[f"{ion_name}_{side}"] = value
        for mech in self.mechanisms:
            ns.update(mech.namespace(self.temperature))
        if self.concentrations is not None:
            ns.update(self.concentrations.namespace())
            ns.update(RT_F=gas_constant * self.temperature / faraday_constant, faraday_constant=faraday_constant)
        return ns

    def equations(
        self,
        extra_currents: Iterable[str] = (),
        *,
        synapses: Sequence[Receptor] = (),
        parameters: Iterable[str] = (),
        counters: bool | str = True,
    ) -> Equations:
        """The cell's Brian2 equations.

        ``extra_currents`` are whole-cell currents in amp (positive depolarizes),
        declared as parameters so ``Synapses`` can target them with ``(summed)``; their
        ions are not counted. ``synapses`` are :class:`~brian2energy.synapses.Receptor`
        types whose conductances, currents and ion counters join the cell.
        ``parameters`` names namespace constants (e.g. ``"g_leak_Na"``) to turn into
        per-neuron parameters, so they can differ between neurons of one group.
        ``counters=False`` leaves the energy counters out; ``counters="totals"`` keeps only
        what network budgets need, at a third of the cost: one counter per priced ion for the
        cell's own mechanisms (``Q_Na_cell``) and one for its receptors (``Q_Na_synapses``,
        ``Q_Ca_synapses``), with ``Q_Na``, ``ATP_ions``, and no ``ATP_pump`` or Cl- counter.
        """
        extra = tuple(extra_currents)
        receptors = _check_synapses(synapses, self)
        per_neuron = self._per_neuron(parameters)
        # a pump published as electroneutral (Cressman 2009) moves ions but is left out of dv/dt
        currents = " + ".join(m.current for m in self.mechanisms if getattr(m, "electrogenic", True)) or "0*amp/meter**2"
        synaptic = "".join(f" + {name}/area" for name in (*extra, *(r.current for r in receptors)))
        lines = [
            f"dv/dt = (I_inj - i_mem{synaptic})/C_m : volt",
            f"i_mem = {currents} : amp/meter**2",
            "I_inj : amp/meter**2",
        ]
        lines += [f"{name} : amp" for name in extra]
        for ion in sorted({ion for m in self.mechanisms for ion in m.carries}):
            terms = " + ".join(_scaled(m.carries[ion], m.current) for m in self.mechanisms if m.carries.get(ion))
            lines.append(f"i_{ion} = {terms} : amp/meter**2")
        lines += [m.equations() for m in self.mechanisms]
        if self.pump:
            lines.append("pump_block : 1")
        if self.concentrations is not None:
            lines.append(self.concentrations.equations(
                sorted({ion for m in self.mechanisms for ion in m.carries})))
        lines += [r.equations(self.reversal_potentials) for r in receptors]
        if counters not in (True, False, "totals"):
            raise ModelError(f"{self.name}: counters must be True, False or 'totals', got {counters!r}")
        if counters:
            entries = self.counter_currents(receptors)
            if counters == "totals":
                entries = _lumped(entries, own=self.counter_currents())
            lines += [f"d{name}/dt = {current} : coulomb" for name, current in entries.items()]
            totals = {ion: [n for n in entries if n.startswith(f"Q_{ion}_")] for ion in ATP_PER_ION}
            lines.append(f"Q_Na = {' + '.join(totals['Na']) or '0*coulomb'} : coulomb")
            atp = "Q_Na/(3*elementary_charge)"
            if totals["Ca"]:
                lines.append(f"Q_Ca = {' + '.join(totals['Ca'])} : coulomb")
                atp += " + Q_Ca/(2*elementary_charge)"
            lines.append(f"ATP_ions = {atp} : 1")
            if self.pump and counters is True:
                lines.append(f"dATP_pump/dt = {self.pump.current}*area/elementary_charge : 1")
        ns = self.namespace
        lines += [f"{name} : {unit_string(ns[name])} (constant)" for name in per_neuron]
        return Equations("\n".join(lines))

    def _per_neuron(self, parameters: Iterable[str]) -> tuple[str, ...]:
        names = tuple(parameters)
        unknown = sorted(set(names) - set(self.namespace))
        if unknown:
            raise ModelError(f"Cell.equations: parameters {unknown} are not constants of this cell; "
                             f"choose from {sorted(self.namespace)}")
        return names

    def neuron_group(
        self,
        N: int,
        *,
        extra_currents: Iterable[str] = (),
        parameters: Iterable[str] = (),
        synapses: Sequence[Receptor] = (),
        counters: bool | str = True,
        method: str = DEFAULT_METHOD,
        **kwargs,
    ) -> NeuronGroup:
        """A plain ``NeuronGroup`` of ``N`` of these cells, each at the resting state.

        Spikes are upward crossings of ``spike_threshold`` (refractory while above
        it). Per-neuron parameters start at the cell's values; ``I_inj`` and synaptic
        conductances start at 0. ``synapses`` are receptor types (see :meth:`equations`).
        ``kwargs`` go to ``NeuronGroup`` (``dt``, ``name``, ...).
        """
        from .rest import resting_values

        per_neuron = self._per_neuron(parameters)
        ns = {k: v for k, v in self.namespace.items() if k not in per_neuron}
        group = NeuronGroup(
            N,
            self.equations(extra_currents, synapses=synapses, parameters=per_neuron, counters=counters),
            threshold="v > spike_threshold",
            refractory="v > spike_threshold",
            method=method,
            namespace=ns,
            **kwargs,
        )
        for name in per_neuron:
            setattr(group, name, self.namespace[name])
        for name, value in resting_values(self).items():
            setattr(group, name, value)
        for name in self.dynamic_concentrations:
            ion, side = name.split("_", 1)
            if name != "K_o_exchange":
                setattr(group, name, getattr(self.ions[ion], "inside" if side == "i" else "outside"))
        _CELLS[group] = self
        return group

    def __repr__(self) -> str:
        mechs = ", ".join(repr(m) for m in self.mechanisms)
        return f"Cell({self.name!r}: {mechs})"


def counter_atp(name: str) -> float:
    """ATP per coulomb of the ion-entry counter ``name`` (``Q_<ion>_<source>``), ions-restored view."""
    ion = name.split("_")[1]
    return float(ATP_PER_ION[ion]) if ion in ATP_PER_ION else 0.0


def priced_counters(group) -> tuple[str, ...]:
    """The group's ion-entry counters that cost ATP (``Q_Na_<source>``, ``Q_Ca_<source>``), sorted."""
    return tuple(sorted(name for name in group.variables
                        if name.startswith("Q_") and name.count("_") > 1 and counter_atp(name)))


def cell_of(group) -> Cell | None:
    """The :class:`Cell` a group (or a subgroup of it) was made from by ``Cell.neuron_group``."""
    return _CELLS.get(getattr(group, "source", group))


def _lumped(entries: dict[str, str], own: dict[str, str]) -> dict[str, str]:
    """Priced counters summed by ion into ``Q_<ion>_cell`` (own mechanisms) and ``Q_<ion>_synapses``."""
    out: dict[str, list[str]] = {}
    for name, current in entries.items():
        ion = name.split("_")[1]
        if ion in ATP_PER_ION:
            out.setdefault(f"Q_{ion}_{'cell' if name in own else 'synapses'}", []).append(current)
    return {name: " + ".join(f"({c})" for c in terms) for name, terms in out.items()}


def _check_synapses(synapses: Sequence[Receptor], cell: Cell) -> tuple[Receptor, ...]:
    receptors = tuple(synapses)
    for r in receptors:
        if not isinstance(r, Receptor):
            raise ModelError(f"{cell.name}: synapses must be brian2energy.synapses.Receptor objects, got {r!r}")
    names = [r.name for r in receptors]
    clash = sorted({n for n in names if names.count(n) > 1} | (set(names) & {m.name for m in cell.mechanisms}))
    if clash:
        raise ModelError(f"{cell.name}: receptor names {clash} are used twice (or by a mechanism)")
    return receptors


def _scaled(share: float, current: str) -> str:
    """``share*current`` written plainly (``i_x``, ``3*i_x``, ``0.6*i_x``)."""
    return current if share == 1 else f"{share:g}*{current}"
