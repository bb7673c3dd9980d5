"""Safe reading of quantities ("120 mS/cm^2") and rate expressions.

Model files are data: nothing in them is executed. Quantities and rate
expressions are parsed with :mod:`ast` and evaluated by walking the tree, with
only arithmetic, a fixed set of functions and known names allowed, so a bad or
hostile string gets a :class:`~brian2energy.errors.ModelError` naming where it
came from instead of a traceback from deep inside Brian2.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping

import numpy as np
from brian2 import Quantity, kelvin, molar, msiemens, psiemens, siemens, usiemens
from brian2.core.namespace import DEFAULT_UNITS
from brian2.units.fundamentalunits import DimensionMismatchError, get_dimensions

from .errors import ModelError

__all__ = [
    "FUNCTIONS",
    "MAX_LENGTH",
    "QUANTITY_UNITS",
    "check_dimensions",
    "evaluate",
    "expression_names",
    "exprel",
    "parse_quantity",
]


def _power(base, exponent):
    """Compute ``base**exponent``, the exponent a plain number.

    Brian2 recurses without end on a dimensioned exponent and fails on a dimensionless Unit
    (``mV/mV``).
    """
    if not get_dimensions(exponent).is_dimensionless:
        raise DimensionMismatchError("an exponent must be dimensionless", get_dimensions(exponent))
    exponent = np.asarray(exponent, dtype=float)
    return base ** (float(exponent) if exponent.ndim == 0 else exponent)


def exprel(x):
    """Compute (exp(x) - 1)/x, equal to 1 at x = 0 and accurate near it (Brian2's ``exprel``).

    Parameters
    ----------
    x : float or array_like
        Dimensionless.

    Returns
    -------
    float or ndarray
        ``expm1(x)/x``, 1 where x = 0.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 1.0, np.expm1(x) / np.where(x == 0, 1.0, x))


def _dimensionless(func: Callable) -> Callable:
    """Wrap a numpy function so a dimensioned argument is an error, as in Brian2."""

    def wrapped(x):
        if isinstance(x, Quantity) and not x.is_dimensionless:
            raise DimensionMismatchError(f"{func.__name__} needs a dimensionless argument", x.dim)
        return func(np.asarray(x, dtype=float))

    wrapped.__name__ = func.__name__
    return wrapped


#: Functions a rate expression may call (all are Brian2 default functions too).
FUNCTIONS: dict[str, Callable] = {
    name: _dimensionless(f)
    for name, f in {
        "exp": np.exp,
        "exprel": exprel,
        "log": np.log,
        "log10": np.log10,
        "sinh": np.sinh,
        "cosh": np.cosh,
        "tanh": np.tanh,
    }.items()
}
FUNCTIONS["sqrt"] = np.sqrt
FUNCTIONS["abs"] = np.abs

#: Unit names a quantity string may use: Brian2's, plus the usual S and M spellings.
QUANTITY_UNITS: dict[str, Quantity] = {
    **DEFAULT_UNITS,
    "S": siemens,
    "mS": msiemens,
    "uS": usiemens,
    "pS": psiemens,
    "M": molar,
}

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: _power,
}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: +a}
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")

#: The longest expression or quantity string read (characters); longer ones are errors.
MAX_LENGTH = 10_000


def _short(text: str) -> str:
    """Return ``repr(text)``, cut to its first 60 characters if longer."""
    return repr(text) if len(text) <= 60 else f"{text[:60]!r}... ({len(text)} characters)"


def _check_length(text: str, *, source: str | None, key: str | None) -> None:
    if len(text) > MAX_LENGTH:
        raise ModelError(
            f"{_short(text)} is too long: expected at most {MAX_LENGTH} characters", source=source, key=key
        )


def _parse(text: str, *, source: str | None, key: str | None) -> ast.Expression:
    if not isinstance(text, str):
        raise ModelError(f"expected a string, got {text!r}", source=source, key=key)
    _check_length(text, source=source, key=key)
    try:
        return ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise ModelError(f"{text!r} is not a valid expression ({exc.msg})", source=source, key=key) from None
    except ValueError as exc:  # null bytes, before Python 3.12
        raise ModelError(f"{_short(text)} is not a valid expression ({exc})", source=source, key=key) from None
    except (RecursionError, MemoryError):  # the parser's answers to deep nesting
        raise ModelError(f"{_short(text)} is nested too deeply to read", source=source, key=key) from None


def _check_finite(text: str, value, *, source: str | None, key: str | None):
    """Return ``value`` if it is real and finite, with finite unit exponents; raise ModelError otherwise."""
    numbers = np.asarray(value)
    if numbers.dtype.kind not in "biuf" or not np.all(np.isfinite(numbers)):
        hint = "; a 0/0 that has a limit can be written with exprel" if np.any(np.isnan(numbers)) else ""
        raise ModelError(f"{_short(text)} gives {value!r}: expected a finite real number{hint}", source=source, key=key)
    if not np.all(np.isfinite(get_dimensions(value)._dims)):
        raise ModelError(f"{_short(text)} gives a unit raised to an infinite power", source=source, key=key)
    return value


def expression_names(text: str, *, source: str | None = None, key: str | None = None) -> set[str]:
    """Return the variable names an expression uses, after checking it is plain arithmetic.

    Parameters
    ----------
    text : str
        The expression.
    source : str, optional
        Where the text came from (a model file), for the message.
    key : str, optional
        The key it was given under, for the message.

    Returns
    -------
    set of str
        The names, without the functions (:data:`FUNCTIONS`) it calls.

    Raises
    ------
    ModelError
        If the text is too long, does not parse, or is not plain arithmetic (numbers, names,
        ``+ - * / **``, unary ``+`` and ``-``, and one-argument calls of :data:`FUNCTIONS`).
    """
    tree = _parse(text, source=source, key=key)
    names: set[str] = set()
    called: set[int] = set()  # the ast.Name nodes that are called (ast.walk reaches a call before its name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                raise ModelError(
                    f"{text!r} calls something other than {sorted(FUNCTIONS)} with plain arguments",
                    source=source,
                    key=key,
                )
            if len(node.args) != 1:
                raise ModelError(f"{text!r}: {node.func.id} takes one argument", source=source, key=key)
            called.add(id(node.func))
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS and id(node) not in called:
                raise ModelError(
                    f"{text!r} uses the function {node.id} without calling it, as in {node.id}(x)",
                    source=source,
                    key=key,
                )
            names.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ModelError(f"{text!r} contains {node.value!r}, only numbers are allowed", source=source, key=key)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                raise ModelError(f"{text!r} uses an operator other than + - * / **", source=source, key=key)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise ModelError(f"{text!r} uses an operator other than unary + and -", source=source, key=key)
        elif not isinstance(node, (ast.Expression, ast.Load, ast.operator, ast.unaryop)):
            raise ModelError(f"{text!r} is not plain arithmetic (found {type(node).__name__})", source=source, key=key)
    return names - set(FUNCTIONS)


def evaluate(
    text: str,
    values: Mapping[str, object],
    *,
    source: str | None = None,
    key: str | None = None,
):
    """Evaluate an arithmetic expression with the given name values (Quantities or arrays).

    Parameters
    ----------
    text : str
        The expression.
    values : dict of str to object
        Name -> value (Quantities or arrays).
    source : str, optional
        Where the text came from (a model file), for the message.
    key : str, optional
        The key it was given under, for the message.

    Returns
    -------
    Quantity or ndarray
        The value, real and finite.

    Raises
    ------
    ModelError
        For unknown names, non-arithmetic syntax, inconsistent units, nesting too deep to
        evaluate and results that are not finite (inf, nan).

    Notes
    -----
    Numbers are floats (so ``10**10**10`` overflows rather than being computed exactly).
    """
    names = expression_names(text, source=source, key=key)
    unknown = sorted(names - set(values))
    if unknown:
        raise ModelError(
            f"{text!r} uses unknown name(s) {unknown}; allowed: {sorted(values)[:40]}", source=source, key=key
        )

    def walk(node):
        """Evaluate one node of the checked tree."""
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.BinOp):
            return _BINOPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](walk(node.operand))
        return FUNCTIONS[node.func.id](walk(node.args[0]))  # ast.Call, checked above

    try:
        with np.errstate(all="ignore"):
            result = walk(_parse(text, source=source, key=key))
    except DimensionMismatchError as exc:
        raise ModelError(f"{text!r} has inconsistent units ({exc})", source=source, key=key) from None
    except OverflowError:
        raise ModelError(f"{_short(text)} overflows: expected numbers below 1.8e308", source=source, key=key) from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ModelError(f"{text!r} cannot be evaluated ({exc})", source=source, key=key) from None
    except RecursionError:
        raise ModelError(f"{_short(text)} is nested too deeply to evaluate", source=source, key=key) from None
    return _check_finite(text, result, source=source, key=key)


def parse_quantity(
    text: str | int | float,
    unit: Quantity | None,
    *,
    source: str | None = None,
    key: str | None = None,
) -> Quantity:
    """Read a quantity such as ``"120 mS/cm^2"`` and check it has the dimensions of ``unit``.

    Parameters
    ----------
    text : str, int or float
        A number followed by a unit expression of Brian2 unit names (plus S, mS, uS, pS and M);
        temperatures may be given as ``"6.3 degC"``. Plain numbers are accepted only for
        dimensionless quantities.
    unit : Quantity or None
        The dimensions expected; None accepts any dimensions.
    source : str, optional
        Where the text came from (a model file), for the message.
    key : str, optional
        The key it was given under, for the message.

    Returns
    -------
    Quantity
        The value, finite (``"1e400 mS/cm^2"`` is an error).

    Raises
    ------
    ModelError
        If the text is not a number with a known unit expression, has the wrong dimensions, or
        is not finite.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = repr(text)
    if not isinstance(text, str):
        raise ModelError(f"expected a quantity string such as '1 mV', got {text!r}", source=source, key=key)
    _check_length(text, source=source, key=key)
    match = _NUMBER.match(text)
    if not match:
        raise ModelError(f"{text!r} does not start with a number", source=source, key=key)
    number, unit_text = float(match.group(1)), match.group(2)
    if unit_text == "degC":
        value = (number + 273.15) * kelvin
    elif unit_text:
        names = expression_names(unit_text, source=source, key=key)
        unknown = sorted(names - set(QUANTITY_UNITS))
        if unknown:
            raise ModelError(f"{text!r} uses unknown unit(s) {unknown}", source=source, key=key)
        try:
            value = number * evaluate(unit_text, QUANTITY_UNITS)
        except ModelError as exc:
            raise ModelError(f"in {_short(text)}, {exc}", source=source, key=key) from None
    else:
        value = Quantity(number)
    if unit is not None and get_dimensions(value) != get_dimensions(unit):
        raise ModelError(
            f"{text!r} has the wrong dimensions: expected a quantity in {unit!r} "
            f"(dimensions {get_dimensions(unit)}), got {get_dimensions(value)}",
            source=source,
            key=key,
        )
    return Quantity(_check_finite(text, value, source=source, key=key))


def check_dimensions(value, unit: Quantity, what: str, *, source: str | None = None, key: str | None = None):
    """Check that ``value`` has the dimensions of ``unit``.

    Parameters
    ----------
    value : Quantity or float
        The value.
    unit : Quantity
        A value with the dimensions expected.
    what : str
        What the value is, for the message.
    source : str, optional
        Where the text came from (a model file), for the message.
    key : str, optional
        The key it was given under, for the message.

    Returns
    -------
    Quantity or float
        ``value``, unchanged.

    Raises
    ------
    ModelError
        If the dimensions differ.
    """
    if get_dimensions(value) != get_dimensions(unit):
        raise ModelError(f"{what} must have the dimensions of {unit!r}, got {value!r}", source=source, key=key)
    return value
