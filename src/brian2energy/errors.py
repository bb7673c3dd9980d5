"""The exception brian2energy raises for bad models and bad input, and its named warnings."""

from __future__ import annotations

__all__ = ["ModelError", "SeveralSteadyStatesWarning"]


class ModelError(ValueError):
    """A model, a model file or a parameter is not what was expected.

    The message names where the problem is (file, key or parameter), the value
    given and what was expected, so that it can be fixed without a traceback
    from inside Brian2's code generation.
    """

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None):
        self.source = source
        self.key = key
        where = ": ".join(part for part in (source, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class SeveralSteadyStatesWarning(UserWarning):
    """A model has several steady states at the parameters asked for; the message says which one was taken.

    Filter it by class where that is expected:
    ``warnings.simplefilter("ignore", SeveralSteadyStatesWarning)``.
    """
