"""brian2energy: energy accounting for Brian2 neurons.

Mechanisms that declare the ions they carry, cells built from them with
ATP counters in their equations, and the resting state's cost and stability
(``rest``); energy per spike and network budgets (``energy``); synaptic receptors
whose ions are counted (``synapses``); moving ion concentrations and pump block
(``ions``); E/I networks (``network``) and plots (``plot``).
"""

from .cell import Cell, Ion
from .compiler import enable_vector_math
from .errors import ModelError
from .mechanisms import Channel, Gate, Kdr_HH52, Leak, Mechanism, NaKPump, NaV_HH52
from .modelfile import list_models, load_model
from .rest import RestingState, resting_state

__all__ = [
    "Cell",
    "Channel",
    "Gate",
    "Ion",
    "Kdr_HH52",
    "Leak",
    "Mechanism",
    "ModelError",
    "NaKPump",
    "NaV_HH52",
    "RestingState",
    "enable_vector_math",
    "list_models",
    "load_model",
    "resting_state",
]
