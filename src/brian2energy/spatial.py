"""Cells on a morphology: a brian2energy cell as a plain Brian2 ``SpatialNeuron``, counted in every compartment.

Brian2's cable equation for compartment k is ``Cm dv/dt = Im + (axial currents)/area + I/area``, with
``Im`` the membrane current density *into* the cell. brian2energy's mechanisms give their current
densities ``i_<name>`` outward positive (as NEURON does), summed in ``i_mem``; so the model sets
``Im = I_inj - i_mem (+ receptor currents / area)``: the same currents with Brian2's sign. ``I_inj``
(amp/meter**2) is a density in each compartment, ``I`` (amp) a point current into one, and
``extra_currents`` more point currents (for ``Synapses`` to target). ``Cm`` is the cell's ``C_m``
and ``area`` the compartment's own area, so each compartment's counters (``Q_Na_<mech>``,
``Q_Na``, ``ATP_ions``, ``ATP_pump``) count the ions entering *that* compartment: summed over
compartments they are the cell's. Gates and counters are integrated by ``method`` (the counters as
left Riemann sums, :mod:`~brian2energy.counting`), v by Brian2's cable solver.

Every compartment starts at the resting state of a uniform cell with that compartment's
parameters (its region's overrides): exact for a uniform cell; in a non-uniform one the axial
currents then move v by a little, so let it settle (a few membrane time constants) before
measuring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from brian2 import (
    Morphology,
    Quantity,
    Soma,
    SpatialNeuron,
    farad,
    meter,
    ohm,
    second,
    volt,
)
from brian2.units.fundamentalunits import get_dimensions

from .accounting import accounts_of, atp, register
from .counting import counted
from .errors import ModelError
from .expressions import check_dimensions
from .measures import spike_windows
from .resting import dynamics, resting_state

__all__ = [
    "DEFAULT_SPATIAL_METHOD",
    "RegionBudget",
    "RegionReport",
    "counter_values",
    "region_budget",
    "region_report",
    "spatial_neuron",
]

#: Brian2's own method for the gates of a SpatialNeuron (v is integrated by the cable solver).
DEFAULT_SPATIAL_METHOD = "exponential_euler"


def _region(neuron: SpatialNeuron, key) -> np.ndarray:
    """Return the compartment indices of a region.

    A region is a section's name (``"axon"``, ``"axon.node"``: that section and every section
    beyond it, as Brian2's ``neuron.axon``), a condition on the compartments' variables
    (``"distance > 100*um"``) or the indices themselves.
    """
    if not isinstance(key, str):
        idx = np.asarray(key)
        if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer) or np.any((idx < 0) | (idx >= len(neuron))):
            raise ModelError(
                f"spatial_neuron: a region given as indices must be integers in [0, {len(neuron)}), got {key!r:.80}"
            )
        return idx
    if all(part.isidentifier() for part in key.split(".")):
        section = neuron
        for part in key.split("."):
            section = getattr(section, part, None)
        if section is not None and hasattr(section, "start") and hasattr(section, "stop"):
            return np.arange(section.start, section.stop)
    try:
        return np.asarray(neuron.indices[key]).astype(int)
    except Exception:  # noqa: BLE001 - Brian2 raises several kinds here; the message names the key
        raise ModelError(
            f"spatial_neuron(regions=...): {key!r} is neither a section of the morphology nor a "
            "condition on its compartments (e.g. 'distance > 100*um')"
        ) from None


def spatial_neuron(
    cell,
    morphology: Morphology,
    Ri: Quantity,
    *,
    regions: Mapping[str, Mapping] | None = None,
    values: Mapping[str, Quantity] | None = None,
    extra_currents: Iterable[str] = (),
    synapses: Sequence = (),
    counters: bool | str = True,
    method: str = DEFAULT_SPATIAL_METHOD,
    v_init: Quantity | None = None,
    **kwargs,
) -> SpatialNeuron:
    """Put the cell on ``morphology`` as a plain Brian2 ``SpatialNeuron``.

    Parameters
    ----------
    cell : Cell
        The cell (without moving concentrations).
    morphology : brian2.Morphology
        The morphology (``Soma``, ``Cylinder``, ``Section``, ``Morphology.from_file``).
    Ri : Quantity (ohm*meter)
        The axial resistivity; positive.
    regions : dict, optional
        Maps a section's name, a condition on the compartments or an array of their indices to
        overrides of the cell's constants there, e.g.
        ``{"axon": {"g_NaV": 500*mS/cm**2}, "myelin": {"C_m": 0.02*uF/cm**2, "g_NaV": 0*mS/cm**2}}``
        (applied after ``values``; later entries win where regions overlap); ``C_m`` sets
        Brian2's ``Cm``.
    values : dict of str to Quantity, optional
        Maps constants of the cell (and ``C_m``) to one value per compartment (a channel density
        that varies with distance, read from a compartment table).
    extra_currents : str or iterable of str, optional
        Point currents (amp, into their compartment) for ``Synapses`` to target.
    synapses : sequence of Receptor, optional
        Receptor types (see :meth:`~brian2energy.cell.Cell.equations`).
    counters : bool or str, optional
        The counter mode (see :meth:`~brian2energy.cell.Cell.equations`).
    method : str, optional
        Integrates the gates (default ``"exponential_euler"``, :data:`DEFAULT_SPATIAL_METHOD`);
        v is integrated by Brian2's cable solver, the counters as left Riemann sums.
    v_init : Quantity (volt), optional
        Start every compartment at this potential with its gates at their steady state there
        (as NEURON's ``finitialize(v_init)``); default: each compartment at the rest of a
        uniform cell with its own parameters. Either way let a non-uniform cell settle.
    **kwargs
        Passed to ``SpatialNeuron`` (``threshold_location``, ``dt``, ``name``, ...).

    Returns
    -------
    brian2.SpatialNeuron
        The neuron, counters per compartment, recorded for
        :func:`~brian2energy.accounting.accounts_of`.

    Raises
    ------
    ModelError
        If ``morphology`` is not a Brian2 ``Morphology``, ``Ri`` is not a positive resistivity,
        the cell has moving concentrations (not supported on a morphology yet), a name in
        ``values`` or ``regions`` is not a constant of the cell or has the wrong units, a
        ``values`` entry does not have one finite value per compartment, or a region is neither
        a section, a condition nor valid indices.

    Notes
    -----
    Spikes are upward crossings of ``spike_threshold`` at ``threshold_location`` (default:
    compartment 0, the soma of a morphology that has one). The membrane current is
    ``Im = I_inj - i_mem (+ receptor currents / area)``; each compartment's counters count the
    ions entering that compartment (see :mod:`brian2energy.spatial`).
    """
    if not isinstance(morphology, Morphology):
        raise ModelError(
            f"{cell.name}: spatial_neuron: expected a Brian2 Morphology (Soma, Cylinder, Section, "
            f"Morphology.from_file), got {morphology!r}"
        )
    check_dimensions(Ri, ohm * meter, f"{cell.name}: spatial_neuron: Ri")
    if not float(Ri) > 0:
        raise ModelError(f"{cell.name}: spatial_neuron: Ri must be positive, got {Ri!r}")
    if cell.concentrations is not None:
        raise ModelError(
            f"{cell.name}: spatial_neuron: moving ion concentrations are not supported on a morphology "
            "yet (their volumes are per cell, not per compartment)"
        )
    regions = dict(regions or {})
    values = dict(values or {})
    names = set(cell.namespace) - {"area", "C_m"}
    size = morphology.total_compartments
    for name, value in values.items():
        if name != "C_m" and name not in names:
            raise ModelError(
                f"{cell.name}: spatial_neuron(values={{{name!r}: ...}}): {name!r} is not a constant of "
                f"this cell; choose from {sorted(names | {'C_m'})}"
            )
        check_dimensions(value, cell.namespace[name], f"{cell.name}: values[{name!r}]")
        array = np.asarray(value, dtype=float)
        if array.shape != (size,) or not np.all(np.isfinite(array)):
            raise ModelError(
                f"{cell.name}: spatial_neuron: values[{name!r}] must have one finite value per compartment "
                f"({size}), got shape {array.shape}"
            )
    for key, overrides in regions.items():
        if not isinstance(overrides, Mapping):
            raise ModelError(
                f"{cell.name}: spatial_neuron(regions={{{key!r}: ...}}): expected a dict of constants, "
                f"got {overrides!r}"
            )
        for name, value in overrides.items():
            if name != "C_m" and name not in names:
                raise ModelError(
                    f"{cell.name}: spatial_neuron(regions={{{key!r}: ...}}): {name!r} is not a constant "
                    f"of this cell; choose from {sorted(names | {'C_m'})}"
                )
            check_dimensions(value, cell.namespace[name], f"{cell.name}: regions[{key!r}][{name!r}]")
    per_compartment = sorted(({n for o in regions.values() for n in o} | set(values)) - {"C_m"})
    records = cell.counter_records(synapses, counters)
    equations = cell._equations(extra_currents, synapses, per_compartment, counters, spatial=True)
    namespace = {k: v for k, v in cell.namespace.items() if k not in {*per_compartment, "area", "C_m"}}
    kwargs.setdefault("threshold_location", 0)
    neuron = SpatialNeuron(
        morphology,
        equations,
        Cm=cell.C_m,
        Ri=Ri,
        threshold="v > spike_threshold",
        refractory="v > spike_threshold",
        method=counted(method, [c.name for c in records]),
        namespace=namespace,
        **kwargs,
    )
    given = values
    values = {
        name: np.array(given[name], dtype=float) if name in given else np.full(len(neuron), float(cell.namespace[name]))
        for name in per_compartment
    }
    cm = np.array(given["C_m"], dtype=float) if "C_m" in given else np.full(len(neuron), float(cell.C_m))
    for key, overrides in regions.items():
        where = _region(neuron, key)
        for name, value in overrides.items():
            (cm if name == "C_m" else values[name])[where] = float(value)
    for name, value in values.items():
        setattr(neuron, name, Quantity(value, dim=get_dimensions(cell.namespace[name])))
    neuron.Cm = Quantity(cm, dim=get_dimensions(cell.C_m))
    if v_init is not None:  # every compartment at v_init, its gates at their steady state there
        v0 = float(check_dimensions(v_init, volt, f"{cell.name}: spatial_neuron: v_init"))
        dyn = dynamics(cell, per_compartment)
        free = [np.full(len(neuron), float(default)) for default in cell.analysis_parameters.values()]
        x = dyn.gates_at(np.full(len(neuron), v0), free + [values[n] for n in per_compartment])
        neuron.v = v0 * volt
        for k, name in enumerate(dyn.states[1:]):
            setattr(neuron, name, x[:, k + 1])
    else:
        # each compartment at the rest of a uniform cell with its own parameters
        points, index = np.unique(
            np.column_stack([values[n] for n in per_compartment]) if per_compartment else np.zeros((len(neuron), 0)),
            axis=0,
            return_inverse=True,
        )
        rest = resting_state(
            cell,
            **{n: Quantity(points[:, k], dim=get_dimensions(cell.namespace[n])) for k, n in enumerate(per_compartment)},
        )
        index = index.ravel()
        neuron.v = Quantity(np.atleast_1d(np.asarray(rest.v, dtype=float))[index], dim=get_dimensions(rest.v))
        for name, gate in rest.gates.items():
            setattr(neuron, name, np.atleast_1d(np.asarray(gate, dtype=float))[index])
    register(neuron, cell, records)
    return neuron


def _sections(neuron: SpatialNeuron) -> dict[str, np.ndarray]:
    """Return each section's own compartments (not those of the sections beyond it), by its path of names.

    The root is ``"soma"`` when it is a Soma, else ``"root"``.
    """
    out = {}

    def walk(section, path, group):
        beyond = set()
        for child in section.children:
            name = section.children.name(child)
            sub = getattr(group, name)
            beyond |= set(range(sub.start, sub.stop))
            walk(child, f"{path}.{name}" if path else name, sub)
        start, stop = (group.start, group.stop) if hasattr(group, "start") else (0, len(neuron))
        out[path or ("soma" if isinstance(section, Soma) else "root")] = np.array(
            sorted(set(range(start, stop)) - beyond), dtype=int
        )

    walk(neuron.morphology, "", neuron)
    return dict(sorted(out.items(), key=lambda item: item[1][0] if item[1].size else len(neuron)))


def counter_values(neuron) -> dict[str, np.ndarray]:
    """Copy every energy counter of a group made by brian2energy, and the time.

    Parameters
    ----------
    neuron : brian2.SpatialNeuron or brian2.NeuronGroup
        A group made by brian2energy.

    Returns
    -------
    dict of str to ndarray
        Each counter per compartment or neuron, in SI units (coulomb; ATP in molecules), and the
        time ``"t"`` (seconds, a float): the start of an interval for :func:`region_budget`.

    Raises
    ------
    ModelError
        If the group was not made by brian2energy.

    Notes
    -----
    Before the group's first run (every counter still zero) the time is 0, where its first
    network starts: its clock may still show another network's time then.
    """
    accounts = accounts_of(neuron)
    if accounts is None:
        raise ModelError(
            f"{getattr(neuron, 'name', neuron)!r} was not made by brian2energy (Cell.spatial_neuron or "
            "neuron_group): it has no counters to read"
        )
    values = {c.name: np.array(getattr(neuron, c.name)[:], dtype=float) for c in accounts.counters}
    started = any(np.any(v != 0) for v in values.values())
    return {**values, "t": float(neuron.t / second) if started else 0.0}


@dataclass(frozen=True, repr=False)
class RegionBudget:
    """The ATP a ``SpatialNeuron`` spent over an interval, per compartment and per region.

    Ions-restored view: every priced ion entry at its price, as ``ATP_ions`` counts it. Returned
    by :func:`region_budget` (and in :class:`RegionReport`). Regions may overlap (a condition and a
    section); the default regions are the sections, which do not. The region's ATP over the
    interval's duration is :attr:`atp_per_second`.

    Attributes
    ----------
    per_compartment : ndarray
        ATP per compartment.
    na_entry : ndarray
        Coulomb of Na+ that entered, per compartment.
    area : Quantity (meter**2)
        Each compartment's membrane area.
    capacitance : ndarray
        Each compartment's capacitance (farad).
    distance : Quantity (meter)
        Each compartment's path distance from the root.
    regions : dict of str to ndarray
        Name -> compartment indices.
    atp : dict of str to float
        Name -> ATP of the region.
    atp_per_um2 : dict of str to float
        Name -> ATP per um^2 of its membrane.
    total : float
        ATP of the whole cell.
    duration : Quantity (second)
        The interval.
    """

    per_compartment: np.ndarray
    na_entry: np.ndarray
    area: Quantity
    capacitance: np.ndarray
    distance: Quantity
    regions: dict[str, np.ndarray]
    atp: dict[str, float]
    atp_per_um2: dict[str, float]
    total: float
    duration: Quantity

    @property
    def atp_per_second(self) -> dict[str, float]:
        """ATP per second of each region over the interval (its cost of rest, for an interval at rest).

        Raises
        ------
        ModelError
            If the interval's duration is not positive (pass ``region_budget(..., duration=...)``).
        """
        seconds = float(self.duration / second)
        if not seconds > 0:
            raise ModelError(
                f"RegionBudget: the interval's duration is {self.duration!r}, so it has no rate; pass "
                "region_budget(..., duration=...)"
            )
        return {name: value / seconds for name, value in self.atp.items()}

    def __sub__(self, other: RegionBudget) -> RegionBudget:
        """Return the difference of two budgets of the same cell and regions.

        E.g. an action potential's window minus a window of rest of the same length.

        Raises
        ------
        ModelError
            If the budgets are not of the same cell and regions.
        """
        if set(self.regions) != set(other.regions) or self.per_compartment.shape != other.per_compartment.shape:
            raise ModelError("RegionBudget: subtract budgets of the same cell and regions")
        return _budget(
            self.per_compartment - other.per_compartment,
            self.na_entry - other.na_entry,
            self.area,
            self.capacitance,
            self.distance,
            self.regions,
            self.duration,
        )

    def na_load_ratio(self, delta_v: Quantity) -> dict[str, float]:
        """Compute per region the Na+ that entered over the least that could have charged its membrane.

        Parameters
        ----------
        delta_v : Quantity (volt)
            The change of v, per compartment or one for all (e.g. a spike's peak minus the
            potential before it).

        Returns
        -------
        dict of str to float
            Region -> sum Q_Na / sum C dV: the load ratio of Carter & Bean (2009) for a budget of
            one spike above rest (dimensionless).
        """
        dv = np.broadcast_to(
            np.asarray(check_dimensions(delta_v, volt, "na_load_ratio: delta_v"), dtype=float), self.na_entry.shape
        )
        return {
            name: float(np.sum(self.na_entry[idx]) / np.sum(self.capacitance[idx] * dv[idx]))
            for name, idx in self.regions.items()
        }

    def __repr__(self) -> str:
        """Return the total and each region's ATP, absolute and per um^2."""
        parts = ", ".join(f"{name} {self.atp[name]:.3g} ({self.atp_per_um2[name]:.3g}/um^2)" for name in self.regions)
        return f"RegionBudget(total {self.total:.4g} ATP: {parts})"

    __str__ = __repr__


def _budget(per_compartment, na_entry, area, capacitance, distance, regions, duration) -> RegionBudget:
    """Sum the per-compartment figures into a :class:`RegionBudget`."""
    a_um2 = np.asarray(area / meter**2, dtype=float) * 1e12
    atp = {name: float(np.sum(per_compartment[idx])) for name, idx in regions.items()}
    per_um2 = {
        name: atp[name] / float(np.sum(a_um2[idx])) if idx.size else float("nan") for name, idx in regions.items()
    }
    return RegionBudget(
        per_compartment,
        na_entry,
        area,
        capacitance,
        distance,
        regions,
        atp,
        per_um2,
        float(np.sum(per_compartment)),
        duration,
    )


def region_budget(
    neuron: SpatialNeuron,
    since: Mapping[str, np.ndarray] | None = None,
    regions: Mapping[str, str] | Iterable[str] | None = None,
    duration: Quantity | None = None,
) -> RegionBudget:
    """Compute the ATP ``neuron`` spent since a snapshot, per compartment and per region.

    Parameters
    ----------
    neuron : brian2.SpatialNeuron
        A neuron made by :meth:`~brian2energy.cell.Cell.spatial_neuron`.
    since : dict, optional
        A :func:`counter_values` snapshot (None: since the start).
    regions : iterable of str or dict, optional
        Names of sections or conditions (as in :func:`spatial_neuron`), or a dict of label ->
        section or condition (or of label -> compartment indices); default: every section's own
        compartments, by name (the root is ``"soma"`` for a Soma).
    duration : Quantity (second), optional
        The interval's length, for ``atp_per_second``; default: the time between the snapshot
        and now (give it where the group joined a network that had run before).

    Returns
    -------
    RegionBudget
        ATP per compartment and region (ions-restored view), Na+ entry and geometry.

    Raises
    ------
    ModelError
        If ``neuron`` is not a ``SpatialNeuron`` made by brian2energy, the snapshot lacks
        counters, or a region is not valid.
    """
    accounts = accounts_of(neuron)
    if accounts is None or not isinstance(neuron, SpatialNeuron):
        raise ModelError(f"region_budget: expected a SpatialNeuron made by Cell.spatial_neuron, got {neuron!r}")
    now = counter_values(neuron)
    if since is not None:
        missing = sorted(set(now) - set(since))
        if missing:
            raise ModelError(
                f"region_budget(since=...): the snapshot lacks {missing}; take it with counter_values(neuron)"
            )
        now = {k: v - np.asarray(since[k], dtype=float) for k, v in now.items()}
    elapsed = now.pop("t") * second
    duration = elapsed if duration is None else check_dimensions(duration, second, "region_budget: duration")
    chosen = _chosen(neuron, regions)
    per_compartment = np.asarray(atp(accounts.counters, now), dtype=float)
    na_entry = sum((now[c.name] for c in accounts.counters if c.ion == "Na"), np.zeros(len(neuron)))
    capacitance = np.asarray(neuron.Cm[:] * neuron.area[:] / farad, dtype=float)
    return _budget(per_compartment, na_entry, neuron.area[:], capacitance, neuron.distance[:], chosen, duration)


def _chosen(neuron: SpatialNeuron, regions) -> dict[str, np.ndarray]:
    """Map labels to compartment indices.

    Each section's own compartments by default, else the given sections, conditions or index
    arrays (a list of keys labels each by itself).
    """
    if regions is None:
        return _sections(neuron)
    labels = dict(regions) if isinstance(regions, Mapping) else {key: key for key in regions}
    return {label: _region(neuron, key) for label, key in labels.items()}


@dataclass(frozen=True, repr=False)
class RegionReport:
    """What :func:`region_report` found.

    Attributes
    ----------
    spike : RegionBudget
        The mean ATP of an isolated action potential above rest per compartment and region (a
        :class:`RegionBudget` over the spike window).
    rest : RegionBudget
        The budget of the stretch of rest before the first spike (its ``atp_per_second`` is the
        cost of rest per region).
    n_spikes : int
        The isolated spikes averaged.
    load_ratio : dict of str to float
        Each region's Na+ load ratio (Na+ that entered above rest over C times the spike's rise
        of v there, Carter & Bean 2009).
    """

    spike: RegionBudget
    rest: RegionBudget
    n_spikes: int
    load_ratio: dict[str, float]

    def __repr__(self) -> str:
        """Return the spikes averaged, each region's ATP per um^2 and load ratio, and the rest's cost."""
        regions = ", ".join(
            f"{name} {self.spike.atp_per_um2[name]:.3g}/um^2 (load {self.load_ratio[name]:.2f})"
            for name in self.spike.regions
        )
        rest = sum(self.rest.atp_per_second.values()) if len(self.spike.regions) else float("nan")
        return (
            f"RegionReport({self.n_spikes} isolated spike(s), {self.spike.total:.4g} ATP each above rest: {regions};"
            f" rest {rest:.4g} ATP/s over these regions)"
        )

    __str__ = __repr__


def region_report(
    monitor, window: tuple[Quantity, Quantity] = (2e-3 * second, 10e-3 * second), regions=None
) -> RegionReport:
    """Compute per compartment and region an action potential's ATP, its Na+ load ratio and the cost of rest.

    From an :class:`~brian2energy.energy.EnergyMonitor` on a ``SpatialNeuron`` (every compartment
    recorded) after a run: the spatial counterpart of :func:`~brian2energy.energy.energy_report`.

    Parameters
    ----------
    monitor : EnergyMonitor
        The monitor, on a ``SpatialNeuron``, recording every compartment, after a run that
        starts with a stretch of rest.
    window : tuple of Quantity (second), optional
        (before, after) each threshold crossing: a spike's window (default 2 ms, 10 ms); before
        >= 0, after > 0.
    regions : iterable of str or dict, optional
        As in :func:`region_budget`.

    Returns
    -------
    RegionReport
        The mean isolated spike's budget above rest, the rest's budget, the spikes averaged and
        each region's load ratio.

    Raises
    ------
    ModelError
        If the monitor is not on a ``SpatialNeuron`` or does not record every compartment, the
        window is not valid, no spike has its whole window inside the recording, or no rest was
        recorded before the first spike's window.

    Notes
    -----
    Spikes are the neuron's (upward crossings at its ``threshold_location``); ``window`` = (before, after)
    each crossing is a spike's window, and only spikes alone in theirs count. Rest is the stretch from the
    start of the recording to the first window: its ATP per second per compartment is the rest booked
    inside each window, so the spike's figures are above rest (the ions-restored view, every priced ion).
    """
    neuron = monitor.group
    if not isinstance(neuron, SpatialNeuron):
        raise ModelError(
            f"region_report: expected an EnergyMonitor on a SpatialNeuron, got one on {neuron.name!r}; "
            "for a NeuronGroup use energy_report"
        )
    pre = check_dimensions(window[0], second, "region_report: window")
    post = check_dimensions(window[1], second, "region_report: window")
    if not (float(pre) >= 0 and float(post) > 0):
        raise ModelError(f"region_report: window = (before, after) the crossing must be >= 0 and > 0, got {window!r}")
    states = monitor.states
    if not np.array_equal(np.asarray(states.record, dtype=int), np.arange(len(neuron))):
        raise ModelError("region_report: the EnergyMonitor must record every compartment (record=True)")
    t = np.asarray(states.t / second)
    spikes = np.asarray(monitor.spikes.t / second)
    spikes = spikes[(spikes - float(pre) >= t[0]) & (spikes + float(post) <= t[-1])] if t.size else spikes
    if not spikes.size:
        raise ModelError(
            "region_report: no spike with its whole window inside the recording; trigger one after a stretch of rest"
        )
    alone = np.ones(spikes.size, dtype=bool)
    gaps = np.diff(spikes) > float(pre + post)
    alone[1:] &= gaps
    alone[:-1] &= gaps
    starts, ends = spike_windows(t * second, spikes * second, pre, post)
    if not t[starts[0]] > t[0]:
        raise ModelError(
            f"region_report: no rest recorded before the first spike's window (it starts at "
            f"{t[starts[0]] * 1e3:.3g} ms): record a stretch of rest first"
        )
    counters = monitor.counters
    q = {c.name: np.asarray(getattr(states, c.name)) for c in counters}
    cumulative = np.asarray(atp(counters, q), dtype=float)
    q_na = sum((q[c.name] for c in counters if c.ion == "Na"), np.zeros_like(cumulative))
    v = np.asarray(states.v / volt)
    rest_end, rest_length = starts[0], t[starts[0]] - t[0]
    rest_atp, rest_na = cumulative[:, rest_end] - cumulative[:, 0], q_na[:, rest_end] - q_na[:, 0]
    spike_atp, spike_na, rise = (np.zeros(len(neuron)) for _ in range(3))
    for s, e in zip(starts[alone], ends[alone]):
        span = t[e] - t[s]
        spike_atp += cumulative[:, e] - cumulative[:, s] - rest_atp / rest_length * span
        spike_na += q_na[:, e] - q_na[:, s] - rest_na / rest_length * span
        rise += np.max(v[:, s : e + 1], axis=1) - v[:, s]
    n = int(alone.sum())
    chosen = _chosen(neuron, regions)
    capacitance = np.asarray(neuron.Cm[:] * neuron.area[:] / farad, dtype=float)
    spike = _budget(spike_atp / n, spike_na / n, neuron.area[:], capacitance, neuron.distance[:], chosen, pre + post)
    rest = _budget(rest_atp, rest_na, neuron.area[:], capacitance, neuron.distance[:], chosen, rest_length * second)
    return RegionReport(spike, rest, n, spike.na_load_ratio(rise / n * volt))
