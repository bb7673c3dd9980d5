"""An excitatory/inhibitory network of brian2energy cells, the same on every Brian2 target.

Connectivity is drawn with numpy from a seed (fixed in-degree: every neuron receives
``round(p * N_E)`` excitatory and ``round(p * N_I)`` inhibitory synapses from random
sources, multapses allowed) and handed to ``Synapses.connect(i=, j=)``, so numpy,
cython and cpp_standalone build the identical network. Excitatory synapses drive AMPA
and NMDA receptors, inhibitory ones GABA_A (:mod:`brian2energy.synapses`), with one
weight per receptor and pathway. Everything is a plain Brian2 object: add
``net.objects`` to your ``Network`` or run the ``net.network`` made here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import (
    Network,
    NeuronGroup,
    Quantity,
    SpikeMonitor,
    Synapses,
    ms,
    mV,
    nS,
    siemens,
    volt,
)

from .cell import DEFAULT_METHOD, Cell
from .energy import BudgetMonitor
from .errors import ModelError
from .expressions import check_dimensions
from .resting import resting_values
from .synapses import AMPA, GABA_A, NMDA

__all__ = ["DEFAULT_WEIGHTS", "EINetwork", "ei_network"]

#: Peak conductance per spike (siemens), by (source population, receptor).
DEFAULT_WEIGHTS = {("E", "ampa"): 1.5 * nS, ("E", "nmda"): 0.15 * nS, ("I", "gaba"): 6 * nS}


@dataclass
class EINetwork:
    """An E/I network built by `ei_network`: plain Brian2 objects and a ``Network`` of them.

    Run ``network``, or add ``objects`` to a ``Network`` of your own (with other networks).

    Attributes
    ----------
    groups : dict of str to NeuronGroup
        The populations, ``"E"`` and ``"I"``.
    synapses : dict of str to Synapses
        The pathways by source and target population: ``"EE"``, ``"EI"``, ``"IE"``, ``"II"``.
    spikes : dict of str to SpikeMonitor
        A spike monitor per population.
    budget : dict of str to BudgetMonitor
        A budget monitor per population (empty with ``counters=False``).
    objects : list
        Every object above.
    network : Network
        A ``Network`` of ``objects``.
    """

    groups: dict[str, NeuronGroup]
    synapses: dict[str, Synapses]
    spikes: dict[str, SpikeMonitor]
    budget: dict[str, BudgetMonitor]
    objects: list
    network: Network


def ei_network(
    e_cell: Cell,
    i_cell: Cell,
    n_e: int = 3200,
    n_i: int = 800,
    *,
    p: float = 0.02,
    weights: dict[tuple[str, str], Quantity] | None = None,
    seed: int = 1,
    v_spread: Quantity = 1 * mV,
    counters: bool = True,
    budget_dt: Quantity = 1 * ms,
    method: str = DEFAULT_METHOD,
    name: str = "",
) -> EINetwork:
    """Build an E/I network of two cells with fixed in-degree (see the module docstring).

    Parameters
    ----------
    e_cell, i_cell : Cell
        The excitatory and the inhibitory cell.
    n_e, n_i : int, optional
        The number of excitatory and inhibitory neurons (default 3200 and 800); positive.
    p : float, optional
        Connection probability (default 0.02), in (0, 1]: every neuron receives ``round(p * n_e)``
        excitatory and ``round(p * n_i)`` inhibitory synapses, so ``p * n_e`` and
        ``p * n_i`` must both be above 0.5 (else a population would send no synapse).
    weights : dict of (str, str) to Quantity (siemens), optional
        Peak conductances (siemens), >= 0, by (source population, receptor), overriding
        `DEFAULT_WEIGHTS`.
    seed : int, optional
        Seed of the numpy generator drawing the connectivity and the initial potentials.
    v_spread : Quantity (volt), optional
        Each neuron starts at its rest plus a Gaussian offset of this SD (volt), so that
        identical cells do not start in lockstep (default 1 mV).
    counters : bool, optional
        ``False`` leaves out every energy counter and budget monitor (to measure what
        accounting costs).
    budget_dt : Quantity (second), optional
        Sampling interval of the budget monitors (default 1 ms).
    method : str, optional
        Brian2 integration method of both groups (default ``"rk4"``).
    name : str, optional
        Prefix of every object's name, so that several networks can run in one ``Network``.

    Returns
    -------
    EINetwork
        The groups, synapses and monitors, and a ``Network`` of them.

    Raises
    ------
    ModelError
        If ``p``, the sizes, the weights or ``v_spread`` are out of range or of the wrong
        units, or if ``round(p * n)`` is 0 for a population.
    """
    if not 0 < p <= 1:
        raise ModelError(f"ei_network: connection probability p must be in (0, 1], got {p!r}")
    if n_e < 1 or n_i < 1:
        raise ModelError(f"ei_network: n_e and n_i must be positive, got {n_e}, {n_i}")
    for label, size_name, size in (("E", "n_e", n_e), ("I", "n_i", n_i)):
        if round(p * size) == 0:  # a pathway with no synapse: refused rather than built empty
            raise ModelError(
                f"ei_network: every neuron receives round(p * {size_name}) synapses from the {label} population, "
                f"and p = {p!r} with {size_name} = {size} gives round({p * size:g}) = 0, so the {label} "
                f"population would send no synapse; make p * {size_name} > 0.5 (p > {0.5 / size:g}, or "
                f"{size_name} > {0.5 / p:g})"
            )
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    for key, value in w.items():
        check_dimensions(value, siemens, f"ei_network: weight {key}")
        if float(value) < 0:
            raise ModelError(f"ei_network: weight {key} must be >= 0, got {value!r}")
    spread = float(check_dimensions(v_spread, mV, "ei_network: v_spread"))  # volt
    ampa, nmda, gaba = AMPA(), NMDA(), GABA_A()
    receptors = [ampa, nmda, gaba]
    rng = np.random.default_rng(seed)
    sizes = {"E": n_e, "I": n_i}
    groups = {}
    for label, cell in (("E", e_cell), ("I", i_cell)):
        groups[label] = cell.neuron_group(
            sizes[label], synapses=receptors, counters=counters, method=method, name=f"{name}{label}"
        )
        groups[label].v = resting_values(cell)["v"] + spread * rng.standard_normal(sizes[label]) * volt
    on_pre = {"E": f"{ampa.increment('w_ampa')}; {nmda.increment('w_nmda')}", "I": gaba.increment("w_gaba")}
    namespace = {**nmda.namespace, "w_ampa": w[("E", "ampa")], "w_nmda": w[("E", "nmda")], "w_gaba": w[("I", "gaba")]}
    synapses = {}
    for source in ("E", "I"):
        k = int(round(p * sizes[source]))
        for target in ("E", "I"):
            pathway = Synapses(
                groups[source],
                groups[target],
                on_pre=on_pre[source],
                namespace=namespace,
                name=f"{name}{source}{target}",
            )
            j = np.repeat(np.arange(sizes[target]), k)
            pathway.connect(i=rng.integers(0, sizes[source], size=j.size), j=j)
            synapses[source + target] = pathway
    spikes = {label: SpikeMonitor(g, name=f"{name}{label}_spikes") for label, g in groups.items()}
    budget = (
        {label: BudgetMonitor(g, dt=budget_dt, name=f"{name}{label}_budget") for label, g in groups.items()}
        if counters
        else {}
    )
    objects = [*groups.values(), *synapses.values(), *spikes.values(), *budget.values()]
    return EINetwork(
        groups=groups,
        synapses=synapses,
        spikes=spikes,
        budget=budget,
        objects=objects,
        network=Network(objects, name=f"{name}network*"),
    )
