"""The examples in the docstrings run: every ``>>>`` example of every brian2energy module, as doctests.

Docstrings are shown to users (help(), the API reference), so their examples are tested like the
README's and the documentation's snippets (tests/test_snippets.py).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import brian2energy

MODULES = sorted(m.name for m in pkgutil.iter_modules(brian2energy.__path__, "brian2energy."))


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples of {name} failed"


def test_the_main_entry_points_have_examples():
    # a docstring example that is never collected tests nothing: these modules' examples must be found
    finder = doctest.DocTestFinder()
    for name in ["cell", "frequency", "information", "modelfile", "noise", "resting", "usermodel"]:
        tests = finder.find(importlib.import_module(f"brian2energy.{name}"))
        assert sum(len(t.examples) for t in tests) > 0, name
