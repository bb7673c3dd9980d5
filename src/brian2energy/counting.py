"""How counters are integrated: the cell's method for its dynamics, a left Riemann sum for its counters.

An energy counter (``dQ/dt = integrand``, :mod:`~brian2energy.accounting`) is a pure
integrator: nothing in the dynamics reads it. Integrating it with the dynamics' own method
(rk4) evaluates its integrand, and the currents inside it, four times per step for a
quadrature of a trajectory that is only known at the steps anyway. :class:`CountedMethod`
integrates the dynamics with the method asked for and adds each counter's integrand once
per step, at the state the step starts from (``Q += dt*integrand``, a left Riemann sum of
the computed trajectory). By the Euler-Maclaurin formula, over any window [t_a, t_b] of
whole steps the sum differs from the exact integral of the computed trajectory by

    -(dt/2) (f(t_b) - f(t_a)) + (dt**2/12) (f'(t_b) - f'(t_a)) - ...

an endpoint term, not an error that grows with the run: it vanishes for a window that starts
and ends at the same state (rest to rest, as ``energy_report``'s spike windows do) and is at
most dt/2 times the integrand anywhere else. ``tests/test_accounting.py`` checks this against
the counters integrated by rk4 itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from brian2 import Equations
from brian2.stateupdaters.base import StateUpdateMethod

from .errors import ModelError

__all__ = ["BRIAN2_DEFAULT_METHOD", "CountedMethod", "counted"]


class CountedMethod(StateUpdateMethod):
    """A Brian2 state updater: ``method`` for every state but ``counters``, a left Riemann sum for those.

    ``method`` is a Brian2 method name or a sequence of names to try in turn (as for ``NeuronGroup``).

    Use it as a ``NeuronGroup``'s ``method=``; :meth:`Cell.neuron_group
    <brian2energy.cell.Cell.neuron_group>` does so for the counters it adds. ``counters``
    must be pure integrators: states no equation but their own definition reads.
    """

    def __init__(self, method: str | Sequence[str], counters: Iterable[str]) -> None:
        self.method = method
        self.counters = tuple(counters)

    def __call__(self, equations: Equations, variables=None, method_options=None) -> str:
        counted = [name for name in self.counters if name in equations.diff_eq_names]
        integrands = dict(equations.get_substituted_expressions(variables, include_subexpressions=False))
        for name, expression in integrands.items():
            readers = set(counted) & expression.identifiers
            if readers and name not in counted:
                raise ModelError(f"counter(s) {sorted(readers)} are read by d{name}/dt: a counter must be a pure "
                                 "integrator, read by nothing")
        dynamics = Equations([eq for eq in equations.ordered if eq.varname not in counted])
        code = StateUpdateMethod.apply_stateupdater(dynamics, variables, self.method, method_options)
        # the sums come first, so that they read the state the step starts from
        sums = [f"{name} = {name} + dt*({integrands[name].code})" for name in counted]
        return "\n".join([*sums, code])

    def __repr__(self) -> str:
        return f"CountedMethod({self.method!r}, counters={self.counters})"


#: Brian2's NeuronGroup default: the methods it tries in turn.
BRIAN2_DEFAULT_METHOD = ("exact", "euler", "heun")


def counted(method, counters: Iterable[str]):
    """``method`` as a :class:`CountedMethod` for ``counters``.

    A method given as a state updater object rather than by name is kept as given (it then
    integrates the counters too).
    """
    counters = tuple(counters)
    names = isinstance(method, str) or (isinstance(method, Sequence) and all(isinstance(m, str) for m in method))
    if not counters or not names:
        return method
    return CountedMethod(method, counters)
