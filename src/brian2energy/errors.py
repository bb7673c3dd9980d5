"""The exception brian2energy raises for bad models and bad input, and its named warnings."""

from __future__ import annotations

__all__ = [
    "CoarseStepWarning",
    "ModelError",
    "OutsideReversalsWarning",
    "SeveralSteadyStatesWarning",
    "UnattributedCurrentWarning",
    "UnmodelledNoiseWarning",
    "VectorMathUnavailableWarning",
]


class ModelError(ValueError):
    """A model, a model file or a parameter is not what was expected.

    The message names where the problem is (file, key or parameter), the value
    given and what was expected, so that it can be fixed without a traceback
    from inside Brian2's code generation.

    Parameters
    ----------
    message : str
        What is wrong: the value given and what was expected.
    source : str, optional
        Where the problem is, e.g. a model file's path; prefixed to the message.
    key : str, optional
        The key or parameter at fault (e.g. ``"cell.area"``); prefixed to the message after
        ``source``.

    Attributes
    ----------
    source : str or None
        The ``source`` given.
    key : str or None
        The ``key`` given.

    Notes
    -----
    A subclass of :class:`ValueError`, so ``except ValueError`` catches it too. The message
    reads ``"<source>: <key>: <message>"``, leaving out the parts not given.
    """

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None):
        self.source = source
        self.key = key
        where = ": ".join(part for part in (source, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class SeveralSteadyStatesWarning(UserWarning):
    """A model has several steady states at the parameters asked for.

    The message says which one was taken (see :func:`~brian2energy.resting.resting_state`).

    Notes
    -----
    Filter it by class where that is expected:
    ``warnings.simplefilter("ignore", SeveralSteadyStatesWarning)``.
    """


class UnattributedCurrentWarning(UserWarning):
    """A membrane current looks conductance-based but its ions were not named: it is not counted.

    A user's membrane equation has a term that looks like a conductance-based current (linear in a
    volt-valued constant) whose ions :func:`~brian2energy.usermodel.from_equations` was not told: it is
    not counted.

    Notes
    -----
    Name its reversal potential in ``ions``, or filter the warning by class.
    """


class UnmodelledNoiseWarning(UserWarning):
    """A gated channel has no single-channel conductance, so its channel noise is left out.

    Without a single-channel conductance :func:`~brian2energy.noise.membrane_noise` cannot count
    its channels, and leaves its channel noise out.

    Notes
    -----
    Give the channel a ``single_channel_conductance`` (or pass one to ``membrane_noise``), or
    filter the warning by class.
    """


class CoarseStepWarning(UserWarning):
    """A group's time step is stable for its method but larger than the model's ``cell.dt``.

    ``cell.dt`` is the largest step measured to keep spike times within 0.1 ms of an accurate
    reference: the run will not be wrong by a blow-up, but its spike times may be off by more
    than that (see :meth:`~brian2energy.cell.Cell.neuron_group`).

    Notes
    -----
    Filter it by class where a coarse step is meant (rates, not spike times):
    ``warnings.simplefilter("ignore", CoarseStepWarning)``.
    """


class VectorMathUnavailableWarning(UserWarning):
    """The vectorised maths brian2energy turns on by default cannot apply on this platform.

    The vectorised maths (:mod:`brian2energy.compiler`) needs gcc and glibc's vector maths
    library on Linux x86_64; without them compiled runs are correct but slower.

    Notes
    -----
    Said once per session; filter it by class:
    ``warnings.simplefilter("ignore", VectorMathUnavailableWarning)``.
    """


class OutsideReversalsWarning(UserWarning):
    """A simulated point went outside the range of its channels' reversal potentials.

    The range is [E_K, E_Na] for a Na+/K+ cell, which no set of open or closed channels can take
    the membrane beyond: a fixed-turnover pump (or an injected current) is acting as a current
    source there. The numbers measured at such a point (mean v, rate, ATP) are not those of a
    cell; :attr:`SweepTable.outside_reversals <brian2energy.sweep.SweepTable.outside_reversals>`
    says which points.

    Notes
    -----
    Filter it by class where such points are expected and handled:
    ``warnings.simplefilter("ignore", OutsideReversalsWarning)``.
    """
