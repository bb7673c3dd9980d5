"""The vectorised maths is on by default where it applies, and can be switched off.

What it does to results (nothing beyond rounding) is tested in ``test_targets.py``, which
runs the same model under numpy and, with these flags, under cython and cpp_standalone.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import warnings

import pytest
from brian2 import prefs

import brian2energy
from brian2energy import compiler
from brian2energy.compiler import VECTOR_MATH_FLAGS
from brian2energy.errors import VectorMathUnavailableWarning

FLAGS = "from brian2 import prefs; import brian2energy; print(prefs.codegen.cpp.extra_compile_args_gcc)"
HERE = platform.system() == "Linux" and platform.machine() == "x86_64"


def flags_after_import(**env) -> str:
    out = subprocess.run(
        [sys.executable, "-c", FLAGS], capture_output=True, text=True, check=True, env={**os.environ, **env}
    )
    return out.stdout


@pytest.mark.skipif(not HERE, reason="the flags apply on Linux x86_64 only")
def test_import_turns_the_flags_on():
    assert all(flag in flags_after_import() for flag in VECTOR_MATH_FLAGS)


def test_the_environment_switch_keeps_brian2s_flags():
    printed = flags_after_import(BRIAN2ENERGY_VECTOR_MATH="0")
    assert not any(flag in printed for flag in VECTOR_MATH_FLAGS)
    assert "-ffast-math" in printed  # Brian2's own flags untouched


def test_disable_and_enable_are_idempotent():
    before = list(prefs.codegen.cpp.extra_compile_args_gcc)
    try:
        brian2energy.disable_vector_math()
        brian2energy.disable_vector_math()
        assert not set(VECTOR_MATH_FLAGS) & set(prefs.codegen.cpp.extra_compile_args_gcc)
        if HERE:
            assert brian2energy.enable_vector_math() and brian2energy.enable_vector_math()
            flags = list(prefs.codegen.cpp.extra_compile_args_gcc)
            assert all(flags.count(flag) == 1 for flag in VECTOR_MATH_FLAGS)
    finally:
        prefs.codegen.cpp.extra_compile_args_gcc = before


def test_where_it_cannot_apply_it_says_so_once(monkeypatch):
    before = list(prefs.codegen.cpp.extra_compile_args_gcc)
    monkeypatch.setattr(compiler.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(compiler, "_said", False)
    try:
        brian2energy.disable_vector_math()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert compiler.enable_vector_math() is False
            assert compiler.enable_vector_math() is False
        said = [w for w in caught if issubclass(w.category, VectorMathUnavailableWarning)]
        assert len(said) == 1 and "Darwin" in str(said[0].message)
        assert not set(VECTOR_MATH_FLAGS) & set(prefs.codegen.cpp.extra_compile_args_gcc)
    finally:
        prefs.codegen.cpp.extra_compile_args_gcc = before


def test_a_clang_compiler_is_not_given_gcc_flags(monkeypatch):
    monkeypatch.setenv("CC", "/usr/bin/clang-17")
    assert "clang" in (compiler._unavailable() or "")
