"""Shared fixtures: Brian2 on its numpy target, a fresh scope per test, the squid model."""

from __future__ import annotations

import pytest
from brian2 import prefs, start_scope

from brian2energy import load_model


@pytest.fixture(autouse=True)
def _numpy_target():
    """Most tests run on Brian2's numpy target (no compilation); each starts a fresh scope."""
    prefs.codegen.target = "numpy"
    start_scope()
    yield


@pytest.fixture(scope="session")
def squid():
    """The HH 1952 squid axon model file."""
    return load_model("squid_axon_hh1952")
