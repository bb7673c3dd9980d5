"""Compiler settings under which Brian2's generated C++ for these models vectorises, on by default.

Measured on the HH 1952 squid axon (rk4, 10,000 neurons, cpp_standalone, 1 thread):
5.6 times faster, spike trains identical and v within 4e-11 mV (rounding). Two things
stop gcc from vectorising the state update with Brian2's default flags:

* ``-fno-finite-math-only`` leaves ``__FAST_MATH__`` undefined, so glibc's ``math.h``
  does not declare its vector ``exp``/``expm1`` (libmvec); defining the macro again
  restores them while keeping IEEE inf/NaN handling (the macro changes nothing else in
  glibc's headers: ``__FINITE_MATH_ONLY__``, which would drop inf/NaN checks, stays unset);
* the loop needs more run-time pointer-overlap checks than gcc's default limit of 10.

``import brian2energy`` adds :data:`VECTOR_MATH_FLAGS` to Brian2's gcc flags
(``prefs.codegen.cpp.extra_compile_args_gcc``, used by the cython and cpp_standalone
targets; numpy is unaffected), where they apply: Linux on x86_64, glibc's ``libmvec``
present, a gcc compiler. They change the results only by rounding (libmvec's ``exp`` is
within 4 ulp; ``tests/test_targets.py`` checks numpy, cython and cpp_standalone agree).
Elsewhere nothing is changed and :class:`~brian2energy.errors.VectorMathUnavailableWarning`
says so once. To switch them off: set the environment variable
``BRIAN2ENERGY_VECTOR_MATH=0`` before importing brian2energy, or call
:func:`disable_vector_math` before the first run (Brian2 compiles at the run).
"""

from __future__ import annotations

import ctypes.util
import os
import platform
import warnings

from brian2 import prefs

from .errors import VectorMathUnavailableWarning

__all__ = ["VECTOR_MATH_FLAGS", "disable_vector_math", "enable_vector_math"]

#: The flags added to ``prefs.codegen.cpp.extra_compile_args_gcc``.
VECTOR_MATH_FLAGS = ("-D__FAST_MATH__", "--param=vect-max-version-for-alias-checks=200")

#: The environment variable that, set to ``0`` before the import, keeps Brian2's flags as they are.
ENVIRONMENT_SWITCH = "BRIAN2ENERGY_VECTOR_MATH"

_said = False


def _unavailable() -> str | None:
    """Say why the flags cannot apply here, or None if they can."""
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        return f"it needs Linux on x86_64, this is {platform.system()} on {platform.machine()}"
    if ctypes.util.find_library("mvec") is None:
        return "glibc's vector maths library (libmvec, glibc >= 2.22) was not found"
    cc = os.environ.get("CC", "").strip()
    compiler = os.path.basename(cc.split()[0]) if cc else "gcc"
    if "clang" in compiler or "icc" in compiler or "icx" in compiler:
        return f"the C compiler is {compiler!r} (CC), not gcc"
    return None


def enable_vector_math() -> bool:
    """Add :data:`VECTOR_MATH_FLAGS` to Brian2's gcc flags where they apply (idempotent).

    Called by ``import brian2energy`` unless ``BRIAN2ENERGY_VECTOR_MATH=0``.

    Returns
    -------
    bool
        Whether the flags are in effect; where they cannot apply, nothing is changed.

    Warns
    -----
    VectorMathUnavailableWarning
        Once per session, where the flags cannot apply (not Linux x86_64, no libmvec, not gcc).
    """
    global _said
    reason = _unavailable()
    if reason is not None:
        if not _said:
            _said = True
            warnings.warn(
                f"brian2energy: vectorised maths is off ({reason}); compiled runs are correct but slower",
                VectorMathUnavailableWarning,
                stacklevel=2,
            )
        return False
    flags = list(prefs.codegen.cpp.extra_compile_args_gcc)
    prefs.codegen.cpp.extra_compile_args_gcc = flags + [f for f in VECTOR_MATH_FLAGS if f not in flags]
    return True


def disable_vector_math() -> None:
    """Take :data:`VECTOR_MATH_FLAGS` out of Brian2's gcc flags again.

    Call it before the first run (Brian2 compiles at the run); or set
    ``BRIAN2ENERGY_VECTOR_MATH=0`` before importing brian2energy.
    """
    prefs.codegen.cpp.extra_compile_args_gcc = [
        f for f in prefs.codegen.cpp.extra_compile_args_gcc if f not in VECTOR_MATH_FLAGS
    ]


if os.environ.get(ENVIRONMENT_SWITCH, "1").strip() != "0":
    enable_vector_math()
