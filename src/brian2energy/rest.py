"""The resting state and its analyses, in one namespace.

* :mod:`brian2energy.resting`: steady states and the resting state (``resting_state``,
  ``steady_states``, ``state_at``, ``RestingState``);
* :mod:`brian2energy.balance`: balanced rests (``balance_rest``, ``cost_of_rest``,
  ``critical_rest``, ``balanced_stability``, ``balanced_family``);
* :mod:`brian2energy.sweep`: the simulating sweep (``excitability_sweep``, ``SweepTable``);

all computed by :mod:`brian2energy.engine` from the model's own Brian2 equations.
"""

from __future__ import annotations

from .balance import (
    BalancedFamily,
    CriticalRest,
    balance_rest,
    balanced_family,
    balanced_stability,
    cost_of_rest,
    critical_rest,
    own_leak_conductance,
)
from .resting import RestingState, dynamics, resting_rates, resting_state, resting_values, state_at, steady_states
from .sweep import SweepTable, excitability_sweep

__all__ = [
    "BalancedFamily",
    "CriticalRest",
    "RestingState",
    "SweepTable",
    "balance_rest",
    "balanced_family",
    "balanced_stability",
    "cost_of_rest",
    "critical_rest",
    "dynamics",
    "excitability_sweep",
    "own_leak_conductance",
    "resting_rates",
    "resting_state",
    "resting_values",
    "state_at",
    "steady_states",
]
