"""How counters are integrated: the cell's method for its dynamics, a left Riemann sum for its counters.

An energy counter (``dQ/dt = integrand``, :mod:`~brian2energy.accounting`) is a pure
integrator: nothing in the dynamics reads it. Integrating it with the dynamics' own method
(rk4) evaluates its integrand, and the currents inside it, four times per step for a
quadrature of a trajectory that is only known at the steps anyway. :class:`CountedMethod`
integrates the dynamics with the method asked for and adds each counter's integrand once
per step, at the state the step starts from (``Q += dt*integrand``, a left Riemann sum of
the computed trajectory). By the Euler-Maclaurin formula, over any window [t_a, t_b] of
whole steps the sum differs from the exact integral of the computed trajectory by::

    -(dt/2) (f(t_b) - f(t_a)) + (dt**2/12) (f'(t_b) - f'(t_a)) - ...

an endpoint term, not an error that grows with the run: it vanishes for a window that starts
and ends at the same state (rest to rest, as ``energy_report``'s spike windows do) and is at
most dt/2 times the integrand anywhere else. ``tests/test_accounting.py`` checks this against
the counters integrated by rk4 itself.

A :class:`CountedMethod` can also count spikes without spike events (:class:`Crossings`): a
per-neuron variable incremented in the state update at each upward crossing of a threshold.
A group that only needs spike counts then has no threshold, refractoriness or monitor code to
generate, compile and run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from brian2 import Equations
from brian2.equations.equations import (
    DIFFERENTIAL_EQUATION,
    SUBEXPRESSION,
    SingleEquation,
)
from brian2.stateupdaters.base import StateUpdateMethod

from .errors import ModelError

__all__ = ["BRIAN2_DEFAULT_METHOD", "CountedMethod", "Crossings", "counted"]


@dataclass(frozen=True)
class Crossings:
    """Count the upward crossings of ``threshold`` by ``variable`` in the per-neuron ``counter``, from ``start`` on.

    Parameters
    ----------
    counter : str
        A float parameter of the group (``spike_count : 1``) that nothing else writes.
    variable : str
        The variable whose crossings are counted (``"v"``).
    threshold : str
        The name of a constant (or parameter) of the group: the threshold.
    start : str
        The name of a constant (or parameter) of the group: the time counting starts at.

    Notes
    -----
    A crossing is a step that starts with ``variable <= threshold`` and ends with ``variable >
    threshold``; it counts if the time ``t`` the step starts at is ``>= start``. ``threshold`` and
    ``start`` are names of constants (or parameters) of the group, ``counter`` a float parameter
    (``spike_count : 1``) that nothing else writes.

    This is the count a ``SpikeMonitor`` gives (spikes with ``t >= start``) for a group with
    ``threshold="variable > threshold"`` and ``refractory="variable > threshold"`` whose variable
    starts at or below the threshold: Brian2 fires at the step that takes the variable above the
    threshold, times the spike at the step's start, and leaves refractoriness only at a step that
    starts at or below it, so a spike is exactly such a crossing.
    """

    counter: str
    variable: str
    threshold: str
    start: str

    def statements(self) -> tuple[str, str]:
        """Return the abstract code before the step (saving the start value) and after it (counting).

        Returns
        -------
        before, after : str
            Brian2 abstract code statements.
        """
        saved = f"_{self.counter}_start_{self.variable}"
        crossed = f"{saved} <= {self.threshold} and {self.variable} > {self.threshold} and t >= {self.start}"
        return f"{saved} = {self.variable}", f"{self.counter} = {self.counter} + int({crossed})"


class CountedMethod(StateUpdateMethod):
    """A Brian2 state updater: ``method`` for every state but ``counters``, a left Riemann sum for those.

    Use it as a ``NeuronGroup``'s ``method=``; :meth:`Cell.neuron_group
    <brian2energy.cell.Cell.neuron_group>` does so for the counters it adds.

    Parameters
    ----------
    method : str or sequence of str
        A Brian2 method name or a sequence of names to try in turn (as for ``NeuronGroup``).
    counters : iterable of str
        The counters: pure integrators, states no equation but their own definition reads.
    crossings : Crossings, optional
        Also counts spikes in the state update.

    Raises
    ------
    ModelError
        When applied, if a counter is read by another equation.
    """

    def __init__(
        self, method: str | Sequence[str], counters: Iterable[str], crossings: Crossings | None = None
    ) -> None:
        self.method = method
        self.counters = tuple(counters)
        self.crossings = crossings

    def __call__(self, equations: Equations, variables=None, method_options=None) -> str:
        """Return the abstract code of one step: the counters' sums first, then ``method``'s update.

        Parameters
        ----------
        equations : brian2.Equations
            The group's equations.
        variables : dict, optional
            Brian2's variables of the group.
        method_options : dict, optional
            Passed to ``method``.

        Returns
        -------
        str
            Brian2 abstract code.

        Raises
        ------
        ModelError
            If a counter is read by another equation.
        """
        counted = [name for name in self.counters if name in equations.diff_eq_names]
        integrands = dict(equations.get_substituted_expressions(variables, include_subexpressions=False))
        for name, expression in integrands.items():
            readers = set(counted) & expression.identifiers
            if readers and name not in counted:
                raise ModelError(
                    f"counter(s) {sorted(readers)} are read by d{name}/dt: a counter must be a pure "
                    "integrator, read by nothing"
                )
        # The method gets the dynamics with the subexpressions already substituted (as it would substitute
        # them itself), not the subexpressions: Brian2's explicit methods substitute every equation name
        # into every stage of every equation, so each subexpression left in costs sympy work that changes
        # nothing (the generated code is the same).
        dynamics = Equations(
            [
                SingleEquation(DIFFERENTIAL_EQUATION, eq.varname, eq.dim, eq.var_type, integrands[eq.varname], eq.flags)
                if eq.type == DIFFERENTIAL_EQUATION
                else eq
                for eq in equations.ordered
                if eq.varname not in counted and eq.type != SUBEXPRESSION
            ]
        )
        code = StateUpdateMethod.apply_stateupdater(dynamics, variables, self.method, method_options)
        # the sums come first, so that they read the state the step starts from
        sums = [f"{name} = {name} + dt*({integrands[name].code})" for name in counted]
        if self.crossings is None:
            return "\n".join([*sums, code])
        before, after = self.crossings.statements()
        return "\n".join([before, *sums, code, after])

    def __repr__(self) -> str:
        """Return the method, the counters and the crossings."""
        crossings = "" if self.crossings is None else f", crossings={self.crossings!r}"
        return f"CountedMethod({self.method!r}, counters={self.counters}{crossings})"


#: Brian2's NeuronGroup default: the methods it tries in turn.
BRIAN2_DEFAULT_METHOD = ("exact", "euler", "heun")


def counted(method, counters: Iterable[str], crossings: Crossings | None = None):
    """Wrap ``method`` as a :class:`CountedMethod` for ``counters`` (and ``crossings``).

    Parameters
    ----------
    method : str, sequence of str or StateUpdateMethod
        The method for the dynamics.
    counters : iterable of str
        The counters to sum once per step.
    crossings : Crossings, optional
        Spike crossings to count in the state update.

    Returns
    -------
    CountedMethod or object
        The counted method; ``method`` itself without counters or crossings, or when it is a
        state updater object rather than a name (it then integrates the counters too).

    Raises
    ------
    ModelError
        If ``crossings`` are asked for with a method that is not given by name.
    """
    counters = tuple(counters)
    names = isinstance(method, str) or (isinstance(method, Sequence) and all(isinstance(m, str) for m in method))
    if not names and crossings is not None:
        raise ModelError(
            f"spike crossings are counted by brian2energy's state update, which needs the method by "
            f"name (such as 'rk4'), not {method!r}"
        )
    if (not counters and crossings is None) or not names:
        return method
    return CountedMethod(method, counters, crossings)
