"""brian2energy: energy accounting for Brian2 neurons.

Mechanisms that declare the ions they carry (``mechanisms``, ``leaks``, ``pumps``), cells
built from them with energy counters in their equations (``cell``; on a morphology,
``spatial``, and published cells on theirs, ``compartments``; what is counted and
priced: ``accounting``), the resting state's cost and stability (``rest``), energy per
spike and network budgets (``energy``, on the measures of ``measures``), the small-signal
frequency response, voltage noise and information per ATP at rest (``frequency``, ``noise``,
``information``, with light as quantum bumps in ``light``), synaptic
receptors whose ions are counted (``synapses``), moving ion concentrations and pump block
(``ions``), E/I networks (``network``) and plots (``plot``).
"""

#: The package version, the one place it is written (pyproject.toml reads it from here).
__version__ = "0.1.0"

from .cell import Cell, Ion
from .compartments import SpatialModel, load_spatial_model
from .compiler import disable_vector_math, enable_vector_math
from .errors import (
    CoarseStepWarning,
    ModelError,
    OutsideReversalsWarning,
    SeveralSteadyStatesWarning,
    UnmodelledNoiseWarning,
    VectorMathUnavailableWarning,
)
from .frequency import FrequencyResponse, frequency_response
from .information import InformationRate, information_rate
from .leaks import GHKLeak, Leak
from .light import QuantumBumps, light_levels
from .mechanisms import Channel, Gate, Kdr_HH52, Mechanism, NaV_HH52
from .modelfile import list_models, load_model
from .noise import MembraneNoise, membrane_noise
from .pumps import NaKPump
from .resting import RestingState, resting_state, steady_states
from .usermodel import EquationModel, from_equations

__all__ = [
    "Cell",
    "Channel",
    "CoarseStepWarning",
    "EquationModel",
    "FrequencyResponse",
    "GHKLeak",
    "Gate",
    "InformationRate",
    "Ion",
    "Kdr_HH52",
    "Leak",
    "Mechanism",
    "MembraneNoise",
    "ModelError",
    "NaKPump",
    "NaV_HH52",
    "OutsideReversalsWarning",
    "QuantumBumps",
    "RestingState",
    "SeveralSteadyStatesWarning",
    "SpatialModel",
    "UnmodelledNoiseWarning",
    "VectorMathUnavailableWarning",
    "disable_vector_math",
    "enable_vector_math",
    "frequency_response",
    "from_equations",
    "information_rate",
    "light_levels",
    "list_models",
    "load_model",
    "load_spatial_model",
    "membrane_noise",
    "resting_state",
    "steady_states",
]
