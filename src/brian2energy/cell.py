"""A single-compartment cell: mechanisms summed into Brian2 equations with energy counters.

The membrane equation is written per unit area, as in NEURON::

    C_m dv/dt = I_inj - i_mem + (I_syn + ...)/area

with ``i_mem`` the explicit sum of the mechanisms' current densities (outward
positive), ``I_inj`` a per-neuron injected current density (positive
depolarizes) and extra currents (``I_syn``) whole-cell currents in amp, positive
depolarizing, as a user's conductance-based ``Synapses`` produce them with
``(summed)``.

Energy counters (whole-cell, per neuron, integrated by Brian2 with ``v``) are
described, priced and written by :mod:`brian2energy.accounting`: ``Q_<ion>_<source>``
for each mechanism and receptor, ``Q_Na`` (and ``Q_Ca``), ``ATP_ions`` (ions-restored
view) and ``ATP_pump`` (pump-turnover view, cells with a pump).

The path from data to a simulation: a model file (:mod:`brian2energy.modelfile`) or
Python builds a :class:`Cell` from mechanism specifications; ``Cell.equations()`` and
``Cell.namespace`` are the Brian2 ``Equations`` and namespace; ``Cell.neuron_group``
makes a plain ``NeuronGroup`` at rest and records its counters
(:func:`~brian2energy.accounting.accounts_of`) for the monitors and reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from brian2 import (
    Equations,
    NeuronGroup,
    Quantity,
    amp,
    farad,
    kelvin,
    log,
    meter,
    mmolar,
    mV,
)
from brian2.units import second
from brian2.units.constants import elementary_charge, faraday_constant, gas_constant

from .accounting import (
    Counter,
    counter_equations,
    counter_set,
    mechanism_counters,
    pump_counter,
    receptor_counters,
    register,
)
from .counting import Crossings, counted
from .errors import ModelError
from .expressions import check_dimensions
from .ions import Concentrations
from .leaks import GHKLeak, LeakSplit
from .mechanisms import VALENCE, Mechanism, scaled, unit_string
from .resting import CAPACITANCE, FLUX, resting_values
from .spatial import spatial_neuron
from .step import StepCheck, check_step, derived_steps
from .synapses import Receptor

__all__ = ["DEFAULT_METHOD", "Cell", "Ion"]

#: The default integration method, chosen for spike-time accuracy (see docs/guide/performance.md: rk4
#: keeps spike times within 0.1 ms over 200 ms at dt = 0.01 ms; exponential Euler does not).
DEFAULT_METHOD = "rk4"

#: The spike counter :meth:`Cell.neuron_group` adds with ``count_spikes_from``, and the constant holding that time.
SPIKE_COUNT, SPIKE_COUNT_START = "spike_count", "spike_count_start"


@dataclass(frozen=True)
class Ion:
    """An ion's concentrations and/or reversal potential.

    Give ``inside`` and ``outside`` (the reversal potential then follows from the
    Nernst equation at the cell's temperature), or ``E`` directly, or all three
    (``E`` then wins, and the concentrations are used by concentration-dependent
    mechanisms such as a Hill pump).

    Attributes
    ----------
    inside : Quantity (mmolar) or None
        The intracellular concentration.
    outside : Quantity (mmolar) or None
        The extracellular concentration.
    E : Quantity (volt) or None
        The reversal potential, if fixed.

    Examples
    --------
    >>> from brian2 import mV, mmolar
    >>> from brian2energy import Ion
    >>> Na = Ion(inside=10 * mmolar, outside=145 * mmolar)
    >>> K = Ion(E=-77 * mV)
    """

    inside: Quantity | None = None
    outside: Quantity | None = None
    E: Quantity | None = None

    def check(self, name: str) -> None:
        """Check that the values are physical.

        Parameters
        ----------
        name : str
            The ion's name (``"Na"``, ``"K"``, ``"Ca"``, ``"Cl"``, ...), for its valence and the message.

        Raises
        ------
        ModelError
            If the ion is unknown, a concentration is not a positive concentration, ``E`` is not a
            voltage, or neither ``E`` nor both concentrations are given.
        """
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
        """Return the reversal potential: ``E`` if given, else the Nernst potential.

        Parameters
        ----------
        name : str
            The ion's name, for its valence z.
        temperature : Quantity (kelvin)
            The cell's temperature T.

        Returns
        -------
        Quantity (volt)
            ``E`` if given, else the Nernst potential RT/(zF) ln(outside/inside).
        """
        if self.E is not None:
            return self.E
        z = VALENCE[name]
        return gas_constant * temperature / (z * faraday_constant) * log(self.outside / self.inside)


class Cell:
    """A single-compartment cell built from mechanisms.

    Parameters
    ----------
    mechanisms : sequence of Mechanism or LeakSplit
        The membrane mechanisms, or specifications that stand for some (``Leak.split``
        is split into per-ion leaks at the cell's reversal potentials). The cell keeps them as
        given (``specifications``) and resolved (``mechanisms``), so :meth:`replace` with other
        ions or another temperature resolves them again.
    C_m : Quantity (farad/meter**2)
        Specific membrane capacitance; positive.
    area : Quantity (meter**2)
        Membrane area; positive. Whole-cell figures are densities times area.
    ions : dict of str to Ion
        Ion name -> :class:`Ion`.
    temperature : Quantity (kelvin)
        The temperature (scales gate kinetics by Q10 and sets Nernst potentials); at least 200 K.
    spike_threshold : Quantity (volt), optional
        Upward crossings of this potential are spikes (default -20 mV).
    name : str, optional
        The cell's name, used in messages and reports (default ``"cell"``).
    description : str, optional
        A one-line description (a model file's ``description``).
    reference : str, optional
        The publication the model comes from.
    v_rest : Quantity (volt), optional
        The steady state the cell is meant to rest at, where it has several (set by
        ``balance_rest``); :func:`~brian2energy.rest.resting_state` then picks the one nearest.
    concentrations : Concentrations, optional
        Which ion concentrations move (:class:`~brian2energy.ions.Concentrations`);
        they start at the ``ions`` values. Without it every concentration is fixed.
    dt : Quantity (second), optional
        The measured time step for the default method (see :attr:`dt`).
    dt_stable : Quantity (second), optional
        The measured largest stable step for the default method (see :attr:`dt_stable`).
    dt_source : str, optional
        Where ``dt`` and ``dt_stable`` come from (a model file's ``[cell]`` keys, from
        ``benchmarks/step_ladder.py``). Without ``dt`` and ``dt_stable`` both steps are derived
        from the cell's dynamics (:func:`~brian2energy.step.derived_steps`).

    Attributes
    ----------
    mechanisms : tuple of Mechanism
        The resolved mechanisms.
    specifications : tuple
        The mechanisms as given.
    reversal_potentials : dict of str to Quantity (volt)
        Each ion's reversal potential at the cell's temperature.

    Raises
    ------
    ModelError
        If a quantity has the wrong units or is not positive, the temperature is below 200 K
        (degrees Celsius given as kelvin), an ion is not an :class:`Ion` or not physical, the
        steps are not positive or ``dt`` exceeds ``dt_stable``, mechanism names repeat, a
        mechanism needs a name the cell does not define (a reversal potential or a
        concentration), or a moving concentration lacks the ion's inside and outside
        concentrations (or has a fixed ``E``).

    Notes
    -----
    The membrane equation is written per unit area, as in NEURON (see :mod:`brian2energy.cell`):
    ``C_m dv/dt = I_inj - i_mem + (I_syn + ...)/area``, with ``i_mem`` the sum of the mechanisms'
    current densities, outward positive.

    Examples
    --------
    The Hodgkin & Huxley (1952) squid axon, its leak split into Na+ and K+ leaks:

    >>> from brian2 import cm, kelvin, mS, mV, uF, um
    >>> from brian2energy import Cell, Ion, Kdr_HH52, Leak, NaV_HH52, resting_state
    >>> cell = Cell([NaV_HH52(120 * mS / cm**2), Kdr_HH52(36 * mS / cm**2),
    ...              Leak.split(0.3 * mS / cm**2, -54.387 * mV)],
    ...             C_m=1 * uF / cm**2, area=1000 * um**2,
    ...             ions={"Na": Ion(E=50 * mV), "K": Ion(E=-77 * mV)}, temperature=279.45 * kelvin)
    >>> [m.name for m in cell.mechanisms]
    ['NaV', 'Kdr', 'leak_Na', 'leak_K']
    >>> round(float(resting_state(cell).v / mV), 1)
    -65.0
    >>> group = cell.neuron_group(10)
    >>> len(group), float(group.ATP_ions[0])
    (10, 0.0)
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
        dt: Quantity | None = None,
        dt_stable: Quantity | None = None,
        dt_source: str = "",
    ) -> None:
        self.C_m = check_dimensions(C_m, farad / meter**2, "Cell: C_m")
        self.area = check_dimensions(area, meter**2, "Cell: area")
        self.temperature = check_dimensions(temperature, kelvin, "Cell: temperature")
        self.spike_threshold = check_dimensions(spike_threshold, mV, "Cell: spike_threshold")
        for value, what in ((C_m, "C_m"), (area, "area"), (temperature, "temperature")):
            if not float(value) > 0:
                raise ModelError(f"Cell: {what} must be positive, got {value!r}")
        if float(self.temperature) < 200:
            raise ModelError(
                f"Cell: temperature {temperature!r} is below 200 K: give kelvin (e.g. 279.45*kelvin) "
                'or, in a model file, degrees Celsius as "6.3 degC"'
            )
        self.ions = dict(ions)
        for ion_name, ion in self.ions.items():
            if not isinstance(ion, Ion):
                raise ModelError(f"Cell: ions.{ion_name} must be an Ion(inside=..., outside=..., E=...), got {ion!r}")
            ion.check(ion_name)
        self.reversal_potentials = {n: ion.reversal(n, self.temperature) for n, ion in self.ions.items()}
        self.specifications: tuple = tuple(mechanisms)
        self.mechanisms: tuple[Mechanism, ...] = tuple(
            m for spec in self.specifications for m in spec.resolve(self.reversal_potentials)
        )
        self.name, self.description, self.reference = name, description, reference
        self.v_rest = None if v_rest is None else check_dimensions(v_rest, mV, "Cell: v_rest")
        self.concentrations = concentrations
        self._steps = _check_steps(dt, dt_stable, dt_source)
        #: What the analysis built from this cell's equations (engine functions, balance templates),
        #: keyed by what was asked; a cell's equations never change, so entries stay valid.
        self.cache: dict = {}
        self._check_concentrations()
        self._check_mechanisms()

    def _check_concentrations(self) -> None:
        conc = self.concentrations
        if conc is None:
            return
        for ion, side in [(ion, "inside") for ion in conc.inside] + [(ion, "outside") for ion in conc.outside]:
            spec = self.ions.get(ion)
            if spec is None or spec.inside is None or spec.outside is None or spec.E is not None:
                raise ModelError(
                    f"Cell: the {side} concentration of {ion} moves, so ions.{ion} needs inside and "
                    f"outside concentrations and no fixed E (its reversal follows by Nernst)"
                )

    @property
    def dynamic_concentrations(self) -> tuple[str, ...]:
        """The concentration state variables (``Na_i``, ``K_o``, ...), empty if none move."""
        return self.concentrations.states if self.concentrations is not None else ()

    def moving_ions(self) -> set[str]:
        """Return the ions with at least one moving concentration.

        Returns
        -------
        set of str
            Ions whose reversal potential is a variable (empty without ``concentrations``).
        """
        conc = self.concentrations
        return set() if conc is None else set(conc.inside) | set(conc.outside)

    def _check_mechanisms(self) -> None:
        names = [m.name for m in self.mechanisms]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ModelError(f"Cell: mechanism names must be unique, {duplicates} appear more than once")
        available = (
            set(self.namespace)
            | {s for m in self.mechanisms for s in m.states}
            | set(self.dynamic_concentrations)
            | {f"E_{ion}" for ion in self.moving_ions()}
        )
        for mech in self.mechanisms:
            missing = [name for name in mech.requires if name not in available]
            if missing:
                raise ModelError(
                    f"Cell: mechanism {mech.name!r} ({type(mech).__name__}) needs {missing}, which "
                    f"the cell does not define{_hint(missing)}"
                )

    def replace(self, **changes) -> Cell:
        """Return a copy with some constructor arguments changed.

        The mechanisms are the specifications this cell was given, resolved again for the copy's
        ions and temperature (a ``Leak.split`` keeps its total conductance and reversal). The copy
        keeps the measured steps (``dt``, ``dt_stable``); pass ``dt=None, dt_stable=None`` to have
        them derived from the copy's own dynamics.

        Parameters
        ----------
        **changes
            Constructor arguments of :class:`Cell` (``area=...``, ``mechanisms=...``, ``ions=...``).

        Returns
        -------
        Cell
            The new cell.

        Raises
        ------
        ModelError
            If an argument is not one of the constructor's, or the new cell is invalid.
        """
        args = dict(
            mechanisms=self.specifications,
            C_m=self.C_m,
            area=self.area,
            ions=self.ions,
            temperature=self.temperature,
            spike_threshold=self.spike_threshold,
            name=self.name,
            description=self.description,
            reference=self.reference,
            v_rest=self.v_rest,
            concentrations=self.concentrations,
            dt=self._steps[0],
            dt_stable=self._steps[1],
            dt_source=self._steps[2],
        )
        unknown = sorted(set(changes) - set(args))
        if unknown:
            raise ModelError(f"Cell.replace: unknown argument(s) {unknown}, expected some of {sorted(args)}")
        args.update(changes)
        mechanisms, C_m, area, ions, temperature = (
            args.pop(k) for k in ("mechanisms", "C_m", "area", "ions", "temperature")
        )
        return Cell(mechanisms, C_m, area, ions, temperature, **args)

    def with_mechanisms(self, mechanisms: Sequence[Mechanism | LeakSplit], description: str | None = None) -> Cell:
        """Return the same cell (capacitance, area, ions, temperature) with other mechanisms.

        Parameters
        ----------
        mechanisms : sequence of Mechanism or LeakSplit
            The new mechanisms.
        description : str, optional
            The new description (default: this cell's).

        Returns
        -------
        Cell
            The new cell (see :meth:`replace`).
        """
        return self.replace(mechanisms=mechanisms, description=self.description if description is None else description)

    @property
    def dt(self) -> Quantity:
        """The largest step at which rk4 keeps spike times within 0.1 ms of a reference (second).

        The largest time step at which the default method (rk4) keeps this cell's spike times
        within 0.1 ms of an accurate reference; use it as ``defaultclock.dt = cell.dt``.

        A shipped model's is measured (``benchmarks/step_ladder.py``: the largest of 0.005, 0.01,
        0.02, 0.025, 0.05 ms keeping spike times within 0.1 ms of NEURON CVODE or a tight scipy
        solution over 1 s of tonic firing at several currents; for cells that do not fire, ``v``
        within 0.1 mV under current steps) and stored in its file with that provenance
        (:attr:`dt_source`). A cell built in Python without one gets a conservative step derived
        from the eigenvalues of its Jacobian over the states a spike passes through
        (:func:`~brian2energy.step.derived_steps`), or 0.01 ms if its dynamics cannot be analysed.
        """
        return self._step_values()[0]

    @property
    def dt_stable(self) -> Quantity | None:
        """The largest step known to integrate this cell stably with rk4 (second), or None.

        The largest step (of the ladder and 0.1 ms) known to integrate this cell stably with rk4;
        :meth:`neuron_group` refuses larger ones. Measured for a shipped model, derived otherwise
        (rk4's linear stability limit at the steady states); None if unknown (not checked).
        """
        return self._step_values()[1]

    @property
    def dt_source(self) -> str:
        """Where :attr:`dt` and :attr:`dt_stable` come from (script, reference, date, error)."""
        return self._step_values()[2]

    def _step_values(self) -> tuple[Quantity, Quantity | None, str]:
        dt, dt_stable, source = self._steps
        if dt is not None and dt_stable is not None:
            return dt, dt_stable, source or "given"
        if "steps" not in self.cache:
            self.cache["steps"] = derived_steps(self)
        derived = self.cache["steps"]
        if dt is None and dt_stable is None:  # a source without its steps describes nothing here
            return derived
        return (
            dt if dt is not None else derived[0],
            dt_stable if dt_stable is not None else derived[1],
            "; ".join(x for x in (source, derived[2]) if x),
        )

    @property
    def pump(self) -> Mechanism | None:
        """The cell's pump (a :class:`~brian2energy.mechanisms.Mechanism`), or None without one."""
        return next((m for m in self.mechanisms if m.is_pump), None)

    def leak(self, ion: str) -> Mechanism | None:
        """Return the cell's passive leak of ``ion`` (linear or GHK), if it has one.

        Parameters
        ----------
        ion : str
            The ion's name (``"Na"``, ``"K"``, ...).

        Returns
        -------
        Mechanism or None
            The leak carrying only that ion, or None.
        """
        return next((m for m in self.mechanisms if m.is_leak and set(m.carries) == {ion}), None)

    def permeabilities(self) -> dict[str, str]:
        """Return the permeability constant of each of the cell's GHK leaks.

        Returns
        -------
        dict of str to str
            Ion -> the name of its permeability constant (``P_leak_Na``) in :attr:`namespace`.
        """
        return {ion: m.scale for m in self.mechanisms if isinstance(m, GHKLeak) for ion in m.carries}

    @property
    def states(self) -> tuple[str, ...]:
        """The dynamical state variables: ``v`` and the gates (no counters, no concentrations)."""
        return ("v",) + tuple(s for m in self.mechanisms for s in m.states)

    @property
    def capacitance(self) -> Quantity:
        """The whole-cell membrane capacitance, C_m x area (farad)."""
        return self.C_m * self.area

    #: Per-neuron parameters of the equations that the resting analysis takes as arguments, with
    #: their resting values.
    analysis_parameters = {"I_inj": 0 * amp / meter**2}
    #: The membrane potential's name (the first of :attr:`states`).
    potential = "v"
    #: The injected current (a per-neuron parameter) the monitors record; rest is where it is zero.
    stimulus = "I_inj"

    def counter_records(self, synapses: Sequence[Receptor] = (), counters: bool | str = True) -> tuple[Counter, ...]:
        """Return the energy counters :meth:`equations` adds for these receptors and counter mode.

        Parameters
        ----------
        synapses : sequence of Receptor, optional
            Receptor types joining the cell (see :meth:`equations`).
        counters : bool or str, optional
            The counter mode: True, ``"totals"`` or False (see :meth:`equations`).

        Returns
        -------
        tuple of Counter
            One :class:`~brian2energy.accounting.Counter` record per integrated counter.
        """
        entries = mechanism_counters(self.mechanisms) + receptor_counters(synapses)
        return counter_set(entries, pump_counter(self.pump) if self.pump else None, counters, self.name)

    @property
    def counters(self) -> tuple[str, ...]:
        """Names of the energy counters :meth:`equations` adds, with ``Q_Na`` and ``ATP_ions``.

        Without synapses, in the default counter mode.
        """
        return tuple(c.name for c in self.counter_records()) + ("Q_Na", "ATP_ions")

    @property
    def namespace(self) -> dict[str, object]:
        """Every constant the equations use.

        For ``NeuronGroup(..., namespace=cell.namespace)``: ``C_m``, ``area``, ``spike_threshold``,
        the physical constants, fixed reversal potentials ``E_<ion>``, fixed concentrations
        ``<ion>_i``/``<ion>_o`` and every mechanism's constants.
        """
        ns: dict[str, object] = {
            "C_m": self.C_m,
            "area": self.area,
            "spike_threshold": self.spike_threshold,
            "elementary_charge": elementary_charge,
            "faraday_constant": faraday_constant,
            "RT_F": gas_constant * self.temperature / faraday_constant,
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
        return ns

    def equations(
        self,
        extra_currents: Iterable[str] = (),
        *,
        synapses: Sequence[Receptor] = (),
        parameters: Iterable[str] = (),
        counters: bool | str = True,
    ) -> Equations:
        """Return the cell's Brian2 equations.

        Parameters
        ----------
        extra_currents : str or iterable of str, optional
            Names of whole-cell currents in amp (positive depolarizes), declared as parameters
            so ``Synapses`` can target them with ``(summed)``; their ions are not counted.
        synapses : sequence of Receptor, optional
            :class:`~brian2energy.synapses.Receptor` types whose conductances, currents and ion
            counters join the cell.
        parameters : str or iterable of str, optional
            Names of namespace constants (e.g. ``"g_leak_Na"``) to turn into per-neuron
            parameters, so they can differ between neurons of one group.
        counters : bool or str, optional
            True (default): every counter. False leaves the energy counters out; ``"totals"``
            keeps only what network budgets need, at a third of the cost: one counter per priced
            ion for the cell's own mechanisms (``Q_Na_cell``) and one for its receptors
            (``Q_Na_synapses``, ``Q_Ca_synapses``), with ``Q_Na``, ``ATP_ions``, and no
            ``ATP_pump`` or Cl- counter.

        Returns
        -------
        brian2.Equations
            ``dv/dt`` (volt), ``i_mem`` and each ion's ``i_<ion>`` (amp/meter**2, outward
            positive), ``I_inj`` (amp/meter**2, positive depolarizing), the mechanisms' equations,
            the receptors' and the counters (coulomb; ATP in molecules).

        Raises
        ------
        ModelError
            If an extra current or a parameter is not a name, an extra current clashes with a
            name the cell uses, a parameter is not a constant of the cell, or the receptors are
            not :class:`~brian2energy.synapses.Receptor` objects with unique names.
        """
        return self._equations(extra_currents, synapses, parameters, counters, spatial=False)

    def _equations(self, extra_currents, synapses, parameters, counters, *, spatial: bool) -> Equations:
        """Write :meth:`equations`, or with ``spatial`` those of a Brian2 ``SpatialNeuron``.

        With ``spatial``: the membrane current density ``Im`` (inward positive, no dv/dt: Brian2
        solves the cable) with the extra currents as point currents (amp, into their compartment)
        and a point current ``I`` for injection.
        """
        extra = _names(extra_currents, "extra_currents")
        taken = (
            set(self.namespace)
            | set(self.states)
            | {"v", "I_inj", "i_mem", *(("I", "Im") if spatial else ())}
            | set(self.counters)
        )
        clash = sorted(set(extra) & taken)
        if clash:
            raise ModelError(f"{self.name}: extra_currents {clash} clash with names the cell already uses")
        receptors = _check_synapses(synapses, self)
        per_neuron = self._per_neuron(parameters)
        records = self.counter_records(receptors, counters)
        # a pump published as electroneutral (Cressman 2009) moves ions but is left out of dv/dt
        currents = " + ".join(m.current for m in self.mechanisms if m.electrogenic) or "0*amp/meter**2"
        if spatial:  # Brian2 adds point currents to Im itself
            synaptic = "".join(f" + {r.current}/area" for r in receptors)
            lines = [f"Im = I_inj - i_mem{synaptic} : amp/meter**2", "I : amp (point current)"]
            lines += [f"{name} : amp (point current)" for name in extra]
        else:
            synaptic = "".join(f" + {name}/area" for name in (*extra, *(r.current for r in receptors)))
            lines = [f"dv/dt = (I_inj - i_mem{synaptic})/C_m : volt"]
            lines += [f"{name} : amp" for name in extra]
        lines += [f"i_mem = {currents} : amp/meter**2", "I_inj : amp/meter**2"]
        for ion, terms in self.ion_currents().items():
            lines.append(f"i_{ion} = {terms} : amp/meter**2")
        lines += [m.equations() for m in self.mechanisms]
        if self.pump:
            lines.append("pump_block : 1")
        if self.concentrations is not None:
            lines.append(self.concentrations.equations(sorted(self.ion_currents())))
        lines += [r.equations(self.reversal_potentials) for r in receptors]
        if counters:
            lines.append(counter_equations(records))
        ns = self.namespace
        lines += [f"{name} : {unit_string(ns[name])} (constant)" for name in per_neuron]
        return Equations("\n".join(lines))

    def ion_currents(self) -> dict[str, str]:
        """Return each carried ion's total current density as the sum of its mechanisms' shares.

        Returns
        -------
        dict of str to str
            Ion -> the expression of ``i_<ion>`` (amp/meter**2, outward positive).
        """
        ions = sorted({ion for m in self.mechanisms for ion in m.carries})
        return {
            ion: " + ".join(scaled(m.carries[ion], m.current) for m in self.mechanisms if m.carries.get(ion))
            for ion in ions
        }

    def _held(self) -> Cell:
        """Return this cell with its concentrations held at their values (moving concentrations are slow)."""
        if self.concentrations is None:
            return self
        if "held" not in self.cache:
            self.cache["held"] = self.replace(concentrations=None)
        return self.cache["held"]

    def analysis_equations(self) -> Equations:
        """Return the equations the resting analysis works on.

        Returns
        -------
        brian2.Equations
            :meth:`equations` without counters, concentrations held at their values.
        """
        return self._held().equations(counters=False)

    @property
    def analysis_namespace(self) -> dict[str, object]:
        """The constants of :meth:`analysis_equations` (concentrations held)."""
        return self._held().namespace

    def analysis_outputs(self) -> dict[str, str]:
        """Return what the resting analysis reports besides the states.

        Returns
        -------
        dict of str to str
            Name -> expression: every current density, and the integrand of every counter of the
            cell's own mechanisms and pump (by counter name), the whole-cell capacitance and each
            ion's inward current (:data:`~brian2energy.resting.CAPACITANCE`,
            :data:`~brian2energy.resting.FLUX`).
        """
        currents = ("i_mem", *(m.current for m in self.mechanisms), *(f"i_{ion}" for ion in self.ion_currents()))
        return {
            **{c: c for c in currents},
            **{c.name: c.integrand for c in self.counter_records()},
            CAPACITANCE: "C_m*area",
            **{f"{FLUX}{ion}": f"-i_{ion}*area" for ion in self.ion_currents()},
        }

    def _per_neuron(self, parameters: Iterable[str] | str) -> tuple[str, ...]:
        names = _names(parameters, "parameters")
        unknown = sorted(set(names) - set(self.namespace))
        if unknown:
            raise ModelError(
                f"Cell.equations: parameters {unknown} are not constants of this cell; "
                f"choose from {sorted(self.namespace)}"
            )
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
        count_spikes_from: Quantity | None = None,
        **kwargs,
    ) -> NeuronGroup:
        """Return a plain ``NeuronGroup`` of ``N`` of these cells, each at the resting state.

        Parameters
        ----------
        N : int
            The number of neurons; positive.
        extra_currents : str or iterable of str, optional
            Whole-cell currents (amp, positive depolarizing) for ``Synapses`` to target (see
            :meth:`equations`).
        parameters : str or iterable of str, optional
            Constants to make per-neuron parameters (see :meth:`equations`); they start at the
            cell's values.
        synapses : sequence of Receptor, optional
            Receptor types (see :meth:`equations`).
        counters : bool or str, optional
            The counter mode (see :meth:`equations`).
        method : str, optional
            Integrates the dynamics (default ``"rk4"``, :data:`DEFAULT_METHOD`).
        count_spikes_from : Quantity (second), optional
            Count spikes in a ``spike_count`` variable from this time on, instead of spike
            events (see Notes).
        **kwargs
            Passed to ``NeuronGroup`` (``dt``, ``clock``, ``name``, ...).

        Returns
        -------
        brian2.NeuronGroup
            The group, every neuron at the analytical resting state, its counters recorded for
            :func:`~brian2energy.accounting.accounts_of`, which the monitors read.

        Raises
        ------
        ModelError
            If ``N`` is not a positive whole number, an argument is invalid (see
            :meth:`equations`), ``count_spikes_from`` is not a time or its names clash with the
            model's, or the step is above :attr:`dt_stable` (see Notes).

        Warns
        -----
        CoarseStepWarning
            If the step is above :attr:`dt` (spike times may be off by more than 0.1 ms).

        Notes
        -----
        Spikes are upward crossings of ``spike_threshold`` (refractory while above
        it). Per-neuron parameters start at the cell's values; ``I_inj`` and synaptic
        conductances start at 0. The group's counters are
        recorded for :func:`~brian2energy.accounting.accounts_of`, which the monitors read.
        ``method`` integrates the dynamics; the counters are summed once per step, at the state
        the step starts from (:class:`~brian2energy.counting.CountedMethod`: the same charge to an
        endpoint term of dt/2 times the current, at a quarter of rk4's cost).

        The step is checked (for rk4, :func:`~brian2energy.step.check_step`): a ``dt`` above
        :attr:`dt_stable` raises :class:`~brian2energy.errors.ModelError` naming the model, the step,
        the method and the largest step that works, one above :attr:`dt` warns
        (:class:`~brian2energy.errors.CoarseStepWarning`). An explicit ``dt=`` (or ``clock=``) is
        checked here; and at the start of each run, the clock's step then, if it is not the one
        checked already (``defaultclock.dt`` may be set after the group is built).

        ``count_spikes_from`` (a time) is for runs that need spike counts only: the group then has no
        spike events (no threshold or refractoriness, so no ``SpikeMonitor`` or ``Synapses`` on it);
        its per-neuron ``spike_count`` counts, in the state update, the steps that take ``v`` from at
        or below ``spike_threshold`` to above it and start at ``t >= count_spikes_from``: the count of
        the spikes a ``SpikeMonitor`` of the default group records from that time on
        (:class:`~brian2energy.counting.Crossings`; for a group that starts below the threshold).
        That leaves three code objects out (the thresholder, its end-of-run code and the monitor)
        and the refractoriness out of the state update, which for these models makes a compiled
        target's build several times cheaper.
        """
        if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 1:
            raise ModelError(f"{self.name}: neuron_group(N): N must be a positive whole number of neurons, got {N!r}")
        per_neuron = self._per_neuron(parameters)
        explicit = kwargs.get("dt")
        if explicit is None and kwargs.get("clock") is not None:
            explicit = kwargs["clock"].dt
        if explicit is not None:
            check_step(self, check_dimensions(explicit, second, f"{self.name}: neuron_group(dt=...)"), method)
        ns = {k: v for k, v in self.namespace.items() if k not in per_neuron}
        records = self.counter_records(_check_synapses(synapses, self), counters)
        equations = self.equations(extra_currents, synapses=synapses, parameters=per_neuron, counters=counters)
        if count_spikes_from is None:
            events = {"threshold": "v > spike_threshold", "refractory": "v > spike_threshold"}
            crossings = None
        else:
            for name in (SPIKE_COUNT, SPIKE_COUNT_START):
                if name in equations.names or name in ns:
                    raise ModelError(
                        f"{self.name}: neuron_group(count_spikes_from=...) adds {name!r}, which the model already uses"
                    )
            events = {}
            ns[SPIKE_COUNT_START] = check_dimensions(
                count_spikes_from, second, f"{self.name}: neuron_group(count_spikes_from=...)"
            )
            equations += Equations(f"{SPIKE_COUNT} : 1")
            crossings = Crossings(SPIKE_COUNT, "v", "spike_threshold", SPIKE_COUNT_START)
        group = NeuronGroup(
            N,
            equations,
            method=counted(method, [c.name for c in records], crossings),
            namespace=ns,
            **events,
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
        register(group, self, records)
        check = StepCheck(self, group, method)
        check.checked = None if explicit is None else float(explicit)
        group.contained_objects.append(check)
        return group

    def spatial_neuron(self, morphology, Ri: Quantity, *, regions=None, values=None, **kwargs):
        """Return this cell on a Brian2 ``Morphology`` as a plain ``SpatialNeuron``.

        The counters are in every compartment; see :func:`~brian2energy.spatial.spatial_neuron`,
        where the arguments, the result and the errors are described.

        Parameters
        ----------
        morphology : brian2.Morphology
            The cell's morphology.
        Ri : Quantity (ohm*meter)
            The axial resistivity; positive.
        regions : dict, optional
            Section name, condition or indices -> overrides of the cell's constants there.
        values : dict of str to Quantity, optional
            Constant -> one value per compartment.
        **kwargs
            ``extra_currents``, ``synapses``, ``counters``, ``method``, ``v_init``, and arguments of
            ``SpatialNeuron``.

        Returns
        -------
        brian2.SpatialNeuron
            The neuron, every compartment at rest, its counters recorded.
        """
        return spatial_neuron(self, morphology, Ri, regions=regions, values=values, **kwargs)

    def __repr__(self) -> str:
        """Return the cell's name and its mechanisms."""
        mechs = ", ".join(repr(m) for m in self.mechanisms)
        return f"Cell({self.name!r}: {mechs})"


def _check_steps(dt, dt_stable, source) -> tuple[Quantity | None, Quantity | None, str]:
    """Check the measured steps given to a cell: positive times, ``dt`` not above ``dt_stable``."""
    for value, what in ((dt, "dt"), (dt_stable, "dt_stable")):
        if value is not None:
            check_dimensions(value, second, f"Cell: {what}")
            if not float(value) > 0:
                raise ModelError(f"Cell: {what} must be a positive time step, got {value!r}")
    if dt is not None and dt_stable is not None and float(dt) > float(dt_stable) * (1 + 1e-9):
        raise ModelError(f"Cell: dt = {dt!r} is larger than dt_stable = {dt_stable!r}, the largest stable step")
    if not isinstance(source, str):
        raise ModelError(f"Cell: dt_source must be a string, got {source!r}")
    return dt, dt_stable, source


def _names(names: Iterable[str] | str, what: str) -> tuple[str, ...]:
    """Names given as one string or as an iterable of strings, each an identifier."""
    out = (names,) if isinstance(names, str) else tuple(names)
    bad = [n for n in out if not isinstance(n, str) or not n.isidentifier()]
    if bad:
        raise ModelError(f"{what}: {bad} are not names (give a name or a tuple of names such as ('I_syn',))")
    return out


def _hint(missing: Sequence[str]) -> str:
    """Say what to give the cell for missing reversal potentials or concentrations."""
    for name in missing:
        if name.startswith("E_") and name[2:] in VALENCE:
            return f": give the cell ions.{name[2:]} (its reversal potential E, or its concentrations)"
        ion, _, side = name.rpartition("_")
        if side in ("i", "o") and ion in VALENCE:
            return f": give ions.{ion} its inside and outside concentrations"
    return ""


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
