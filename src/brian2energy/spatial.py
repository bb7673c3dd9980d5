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

import numpy as np
from brian2 import Morphology, Quantity, SpatialNeuron, meter, ohm
from brian2.units.fundamentalunits import get_dimensions

from .accounting import register
from .counting import counted
from .errors import ModelError
from .expressions import check_dimensions
from .resting import resting_state

__all__ = ["DEFAULT_SPATIAL_METHOD", "spatial_neuron"]

#: Brian2's own method for the gates of a SpatialNeuron (v is integrated by the cable solver).
DEFAULT_SPATIAL_METHOD = "exponential_euler"


def _region(neuron: SpatialNeuron, key: str) -> np.ndarray:
    """The compartment indices of a region: a section's name (``"axon"``, ``"axon.node"``) or a condition
    on the compartments' variables (``"distance > 100*um"``)."""
    if all(part.isidentifier() for part in key.split(".")):
        section = neuron
        for part in key.split("."):
            section = getattr(section, part, None)
        if section is not None and hasattr(section, "start") and hasattr(section, "stop"):
            return np.arange(section.start, section.stop)
    try:
        return np.asarray(neuron.indices[key]).astype(int)
    except Exception:  # noqa: BLE001 - Brian2 raises several kinds here; the message names the key
        raise ModelError(f"spatial_neuron(regions=...): {key!r} is neither a section of the morphology nor a "
                         "condition on its compartments (e.g. 'distance > 100*um')") from None


def spatial_neuron(cell, morphology: Morphology, Ri: Quantity, *, regions: Mapping[str, Mapping] | None = None,
                   extra_currents: Iterable[str] = (), synapses: Sequence = (), counters: bool | str = True,
                   method: str = DEFAULT_SPATIAL_METHOD, **kwargs) -> SpatialNeuron:
    """The cell on ``morphology`` as a plain Brian2 ``SpatialNeuron`` (see the module docstring).

    ``Ri``: the axial resistivity (ohm*meter). ``regions`` maps a section's name or a condition on
    the compartments to overrides of the cell's constants there, e.g.
    ``{"axon": {"g_NaV": 500*mS/cm**2}, "myelin": {"C_m": 0.02*uF/cm**2, "g_NaV": 0*mS/cm**2}}``
    (later entries win where regions overlap); ``C_m`` sets Brian2's ``Cm``. Spikes are upward
    crossings of ``spike_threshold`` at ``threshold_location`` (default: compartment 0, the soma
    of a morphology that has one). ``kwargs`` go to ``SpatialNeuron``.
    """
    if not isinstance(morphology, Morphology):
        raise ModelError(f"{cell.name}: spatial_neuron: expected a Brian2 Morphology (Soma, Cylinder, Section, "
                         f"Morphology.from_file), got {morphology!r}")
    check_dimensions(Ri, ohm * meter, f"{cell.name}: spatial_neuron: Ri")
    if not float(Ri) > 0:
        raise ModelError(f"{cell.name}: spatial_neuron: Ri must be positive, got {Ri!r}")
    if cell.concentrations is not None:
        raise ModelError(f"{cell.name}: spatial_neuron: moving ion concentrations are not supported on a morphology "
                         "yet (their volumes are per cell, not per compartment)")
    regions = dict(regions or {})
    names = set(cell.namespace) - {"area", "C_m"}
    for key, overrides in regions.items():
        if not isinstance(overrides, Mapping):
            raise ModelError(f"{cell.name}: spatial_neuron(regions={{{key!r}: ...}}): expected a dict of constants, "
                             f"got {overrides!r}")
        for name, value in overrides.items():
            if name != "C_m" and name not in names:
                raise ModelError(f"{cell.name}: spatial_neuron(regions={{{key!r}: ...}}): {name!r} is not a constant "
                                 f"of this cell; choose from {sorted(names | {'C_m'})}")
            check_dimensions(value, cell.namespace[name], f"{cell.name}: regions[{key!r}][{name!r}]")
    per_compartment = sorted({n for o in regions.values() for n in o} - {"C_m"})
    records = cell.counter_records(synapses, counters)
    equations = cell._equations(extra_currents, synapses, per_compartment, counters, spatial=True)
    namespace = {k: v for k, v in cell.namespace.items() if k not in {*per_compartment, "area", "C_m"}}
    kwargs.setdefault("threshold_location", 0)
    neuron = SpatialNeuron(morphology, equations, Cm=cell.C_m, Ri=Ri, threshold="v > spike_threshold",
                           refractory="v > spike_threshold", method=counted(method, [c.name for c in records]),
                           namespace=namespace, **kwargs)
    values = {name: np.full(len(neuron), float(cell.namespace[name])) for name in per_compartment}
    cm = np.full(len(neuron), float(cell.C_m))
    for key, overrides in regions.items():
        where = _region(neuron, key)
        for name, value in overrides.items():
            (cm if name == "C_m" else values[name])[where] = float(value)
    for name, value in values.items():
        setattr(neuron, name, Quantity(value, dim=get_dimensions(cell.namespace[name])))
    neuron.Cm = Quantity(cm, dim=get_dimensions(cell.C_m))
    # each compartment at the rest of a uniform cell with its own parameters
    points, index = np.unique(np.column_stack([values[n] for n in per_compartment]) if per_compartment
                              else np.zeros((len(neuron), 0)), axis=0, return_inverse=True)
    rest = resting_state(cell, **{n: Quantity(points[:, k], dim=get_dimensions(cell.namespace[n]))
                                  for k, n in enumerate(per_compartment)})
    index = index.ravel()
    neuron.v = Quantity(np.atleast_1d(np.asarray(rest.v, dtype=float))[index], dim=get_dimensions(rest.v))
    for name, gate in rest.gates.items():
        setattr(neuron, name, np.atleast_1d(np.asarray(gate, dtype=float))[index])
    register(neuron, cell, records)
    return neuron
