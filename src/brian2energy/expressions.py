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
from brian2 import Quantity, kelvin, molar, msiemens, siemens, usiemens
from brian2.core.namespace import DEFAULT_UNITS
from brian2.units.fundamentalunits import DimensionMismatchError, get_dimensions

from .errors import ModelError


def exprel(x):
    """(exp(x) - 1)/x, equal to 1 at x = 0 and accurate near it (Brian2's ``exprel``)."""
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
    "M": molar,
}

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: +a}
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")


def _parse(text: str, *, source: str | None, key: str | None) -> ast.Expression:
    if not isinstance(text, str):
        raise ModelError(f"expected a string, got {text!r}", source=source, key=key)
    try:
        return ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise ModelError(f"{text!r} is not a valid expression ({exc.msg})", source=source, key=key) from None


def expression_names(text: str, *, source: str | None = None, key: str | None = None) -> set[str]:
    """The variable names an expression uses, after checking it is plain arithmetic."""
    tree = _parse(text, source=source, key=key)
    names: set[str] = set()
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
        elif isinstance(node, ast.Name):
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
            raise ModelError(
                f"{text!r} is not plain arithmetic (found {type(node).__name__})", source=source, key=key
            )
    return names - set(FUNCTIONS)


def evaluate(
    text: str,
    values: Mapping[str, object],
    *,
    source: str | None = None,
    key: str | None = None,
):
    """Evaluate an arithmetic expression with the given name values (Quantities or arrays).

    Unknown names, non-arithmetic syntax and inconsistent units raise ModelError.
    """
    names = expression_names(text, source=source, key=key)
    unknown = sorted(names - set(values))
    if unknown:
        raise ModelError(
            f"{text!r} uses unknown name(s) {unknown}; allowed: {sorted(values)[:40]}", source=source, key=key
        )

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.BinOp):
            return _BINOPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](walk(node.operand))
        return FUNCTIONS[node.func.id](walk(node.args[0]))  # ast.Call, checked above

    try:
        with np.errstate(all="ignore"):
            return walk(_parse(text, source=source, key=key))
    except DimensionMismatchError as exc:
        raise ModelError(f"{text!r} has inconsistent units ({exc})", source=source, key=key) from None
    except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
        raise ModelError(f"{text!r} cannot be evaluated ({exc})", source=source, key=key) from None


def parse_quantity(
    text: str | int | float,
    unit: Quantity | None,
    *,
    source: str | None = None,
    key: str | None = None,
) -> Quantity:
    """Read a quantity such as ``"120 mS/cm^2"`` and check it has the dimensions of ``unit``.

    A number followed by a unit expression of Brian2 unit names (plus S, mS,
    uS and M). Temperatures may be given as ``"6.3 degC"``. Plain numbers are
    accepted only for dimensionless quantities. ``unit=None`` accepts any dimensions.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = repr(text)
    if not isinstance(text, str):
        raise ModelError(f"expected a quantity string such as '1 mV', got {text!r}", source=source, key=key)
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
        value = number * evaluate(unit_text, QUANTITY_UNITS, source=source, key=key)
    else:
        value = Quantity(number)
    if unit is not None and get_dimensions(value) != get_dimensions(unit):
        raise ModelError(
            f"{text!r} has the wrong dimensions: expected a quantity in {unit!r} "
            f"(dimensions {get_dimensions(unit)}), got {get_dimensions(value)}",
            source=source,
            key=key,
        )
    return Quantity(value)


def check_dimensions(value, unit: Quantity, what: str, *, source: str | None = None, key: str | None = None):
    """Raise ModelError unless ``value`` has the dimensions of ``unit``."""
    if get_dimensions(value) != get_dimensions(unit):
        raise ModelError(
            f"{what} must have the dimensions of {unit!r}, got {value!r}", source=source, key=key
        )
    return value
