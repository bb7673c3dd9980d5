"""Inputs that can never hang or crash: every bad expression, quantity or model file is a ModelError, quickly."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from brian2 import cm, mS, ms, mV
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brian2energy import Channel, Leak, ModelError, load_model
from brian2energy.expressions import (
    FUNCTIONS,
    MAX_LENGTH,
    QUANTITY_UNITS,
    evaluate,
    parse_quantity,
)

SQUID = (Path(__file__).parent.parent / "models" / "squid_axon_hh1952.toml").read_text()
CHANNEL = (
    SQUID
    + """
[[mechanisms]]
type = "Channel"
name = "M"
ion = "K"
g = "0.07 mS/cm^2"
[[mechanisms.gates]]
name = "p"
alpha = "ALPHA"
beta = "0.1/ms*exp(-(v + 35*mV)/(20*mV))"
"""
)
VALUES = {**QUANTITY_UNITS, "v": -60 * mV}
SECONDS = 2.0  # the most any one call may take


def timed(call, *args):
    """``call(*args)``, failing the test if it took longer than SECONDS."""
    start = time.perf_counter()
    try:
        return call(*args)
    finally:
        assert time.perf_counter() - start < SECONDS, f"{call.__name__} took too long on {args!r:.200}"


def load_error(path) -> str:
    """The message of the ModelError that loading ``path`` raises (within SECONDS)."""
    with pytest.raises(ModelError) as info:
        timed(load_model, path)
    return str(info.value)


def write(tmp_path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("alpha", ["10**10**10/ms", "(9**9**9)/ms", "2**2**2**2**2**2/ms", "1e400/ms"])
def test_huge_rate_expressions_are_errors_not_hangs(tmp_path, alpha):
    message = load_error(write(tmp_path, CHANNEL.replace("ALPHA", alpha)))
    for word in ["bad.toml", "M.p.alpha", alpha[:6]]:
        assert word in message, message
    assert "overflows" in message or "finite" in message, message


@pytest.mark.parametrize(
    ("g", "words"),
    [
        ("1 mS/cm^2*10**10**10", ["overflows", "1.8e308"]),
        ("1e400 mS/cm^2", ["finite", "inf"]),
        ("1 mS/cm^2*1e200*1e200", ["finite", "inf"]),
    ],
)
def test_huge_quantities_are_errors_not_hangs(tmp_path, g, words):
    message = load_error(write(tmp_path, SQUID.replace('g = "120 mS/cm^2"', f'g = "{g}"')))
    for word in ["bad.toml", "mechanisms[0].g", g[:9], *words]:
        assert word in message, message


def test_non_finite_rate_at_the_check_point_is_an_error(tmp_path):
    message = load_error(write(tmp_path, CHANNEL.replace("ALPHA", "mV/(v + 60*mV)/ms")))
    assert all(word in message for word in ["bad.toml", "M.p.alpha", "finite"]), message
    message = load_error(write(tmp_path, CHANNEL.replace("ALPHA", "(v + 60*mV)/(v + 60*mV)/ms")))
    assert "exprel" in message, message
    with pytest.raises(ModelError, match="finite real number"):
        evaluate("sqrt(v/mV)", VALUES)  # nan
    with pytest.raises(ModelError, match="finite real number"):
        evaluate("(-8)**(1/3)", VALUES)  # complex


@pytest.mark.parametrize(
    "alpha, beta, where",
    [
        ("1/ms", "-1/ms", "0/ms at v = -150.0 mV"),  # alpha + beta = 0: sympy's ComplexInfinity at analysis time
        ("0.01/ms*(v/mV)", "0.01/ms", "at v = -150.0 mV"),  # negative below -1 mV
        ("0.1/ms", "0.1/ms*exp(-(v - 50*mV)/mV)", None),  # alpha + beta > 0 everywhere: loads
    ],
)
def test_gates_must_relax_at_every_voltage(tmp_path, alpha, beta, where):
    # dx/dt = alpha (1 - x) - beta x relaxes at the rate alpha + beta, which must be positive (else there is
    # no steady state x_inf = alpha/(alpha + beta)); checked on a voltage grid at load time
    text = CHANNEL.replace("ALPHA", alpha).replace('"0.1/ms*exp(-(v + 35*mV)/(20*mV))"', repr(beta).replace("'", '"'))
    if where is None:
        load_model(write(tmp_path, text))
        return
    message = load_error(write(tmp_path, text))
    for word in ["bad.toml", "M.p", "alpha + beta", where, "expected alpha + beta > 0 at every v from -150 to 100 mV"]:
        assert word in message, message


def test_a_time_constant_must_be_positive_at_every_voltage(tmp_path):
    gate = 'inf = "1/(1 + exp(-v/(10*mV)))"\ntau = "v/mV*ms"\n'
    text = CHANNEL.replace('alpha = "ALPHA"\nbeta = "0.1/ms*exp(-(v + 35*mV)/(20*mV))"\n', gate)
    message = load_error(write(tmp_path, text))
    assert "M.p" in message and "tau = 'v/mV*ms' is -150 ms at v = -150.0 mV" in message, message


@pytest.mark.parametrize("text", ["exp", "exp + 1", "v*log/mV", "abs"])
def test_uncalled_functions_are_errors(text):
    with pytest.raises(ModelError, match="without calling it"):
        evaluate(text, VALUES)


def test_numbers_are_floats_and_good_expressions_still_work():
    assert float(evaluate("2**10", VALUES)) == 1024
    assert float(evaluate("1 + 2*3", VALUES)) == 7
    assert float(parse_quantity("1 mS/cm^2", mS / cm**2) / (mS / cm**2)) == pytest.approx(1)
    rates = evaluate("0.1/ms*exp(-v/(20*mV))", {**VALUES, "v": np.linspace(-100, 50, 7) * mV})
    assert rates.shape == (7,) and np.all(np.isfinite(np.asarray(rates)))


@pytest.mark.parametrize(
    "text",
    ["-" * 111_999 + "1", "(" * 56_000 + "1" + ")" * 56_000, "1+" * 56_000 + "1", "x" * (MAX_LENGTH + 1)],
)
def test_overlong_expressions_say_the_limit(tmp_path, text):
    for call in (lambda: evaluate(text, VALUES), lambda: parse_quantity("1 " + text, None)):
        with pytest.raises(ModelError) as info:
            timed(call)
        assert f"at most {MAX_LENGTH} characters" in str(info.value)
        assert len(str(info.value)) < 300  # the value is shown, cut short
    message = load_error(write(tmp_path, CHANNEL.replace("ALPHA", text)))
    assert all(word in message for word in ["bad.toml", "M.p.alpha", str(MAX_LENGTH)]), message


@pytest.mark.parametrize(
    "text",
    [
        "(" * 300 + "1" + ")" * 300,
        "-" * 9_000 + "1",
        "1+" * 4_999 + "1",
        "2**" * 3_000 + "2",
        "exp(" * 2_000 + "0" + ")" * 2_000,
        "1+" * 600 + "1",
        "2.0**mV",
        "--v**mV**0",
    ],
)
def test_deep_nesting_is_an_error_or_a_value(tmp_path, text):
    for call in (lambda: evaluate(text, VALUES), lambda: parse_quantity("1 " + text, None)):
        try:
            timed(call)
        except ModelError:
            pass
    path = write(tmp_path, CHANNEL.replace("ALPHA", text))
    try:
        timed(load_model, path)
    except ModelError as exc:
        assert "bad.toml" in str(exc)


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00\x00binary\x00\x01", b'description = "caf\xe9"\n', bytes(range(256))],
)
def test_binary_and_non_utf8_files_name_the_file(tmp_path, data):
    path = tmp_path / "bad.toml"
    path.write_bytes(data)
    message = load_error(path)
    assert "bad.toml" in message and "UTF-8" in message, message


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SQUID.encode("utf-8"))
    assert load_model(path).name == "bom"


@pytest.mark.parametrize(
    "text",
    ["description = " + "[" * 3_000 + "]" * 3_000, "description = " + "1" * 5_000, "x = {" * 3_000],
)
def test_pathological_toml_is_malformed_toml(tmp_path, text):
    message = load_error(write(tmp_path, text))
    assert "bad.toml" in message and "malformed TOML" in message, message


# --- property-based: random input either gives a value or a ModelError, quickly ---------------------

NAMES = [
    "v",
    "mV",
    "ms",
    "cm",
    "mS",
    "second",
    "meter",
    "volt",
    "1",
    "2",
    "0",
    "10",
    "9",
    "0.5",
    "1e308",
    "1e-308",
    "60",
    "nan",
    "inf",
    "x",
    "__import__",
]
ATOMS = st.sampled_from(NAMES) | st.integers(-(10**6), 10**30).map(str) | st.floats().map(repr)
CALLS = sorted(FUNCTIONS) + ["open", "eval"]


def _combine(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "^"]), children).map(
            lambda t: f"({t[0]}{t[1]}{t[2]})"
        ),
        st.tuples(children, st.sampled_from(["*", "**", "^", "/"]), children).map("".join),
        st.tuples(st.sampled_from(CALLS), children).map(lambda t: f"{t[0]}({t[1]})"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"{c}.real"),
    )


EXPRESSIONS = st.one_of(
    st.recursive(ATOMS, _combine, max_leaves=40),
    st.text(alphabet="0123456789.eE+-*/^() vmsVxp,[]{}'\"\\_:;", max_size=200),
    st.text(max_size=100),
)
QUANTITIES = st.one_of(
    st.tuples(st.sampled_from(["1", "-3.5", "1e400", "0", "1e-400", "12", ".5", "2e308"]), EXPRESSIONS).map(" ".join),
    st.text(max_size=60),
    st.integers(),
    st.floats(),
    st.none(),
)
FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(EXPRESSIONS, st.booleans())
def test_random_expressions_give_a_value_or_a_model_error(text, array):
    values = {**VALUES, "v": np.linspace(-100, 50, 4) * mV if array else -60 * mV}
    try:
        result = evaluate(text, values)
    except ModelError:
        return
    assert np.all(np.isfinite(np.asarray(result)))


@FAST
@given(QUANTITIES, st.sampled_from([None, mV, mS / cm**2, ms]))
def test_random_quantities_give_a_value_or_a_model_error(text, unit):
    try:
        result = parse_quantity(text, unit)
    except ModelError:
        return
    assert np.all(np.isfinite(np.asarray(result)))


def _toml(value) -> str:
    """``value`` written as a TOML value (strings escaped as JSON, which TOML accepts but for DEL)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value).replace("\x7f", "\\u007f")


TOML_VALUES = st.recursive(
    st.one_of(
        QUANTITIES.filter(lambda v: v is not None),
        EXPRESSIONS,
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.sampled_from(["Na", "K", "Cl", "Ca", "NaV_HH52", "Leak"]),
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(["E", "g", "x"]), children, max_size=3)
    ),
    max_leaves=8,
)
_VALUE_LINE = re.compile(r'^(\w+) = (".*?"|\[.*?\])', re.MULTILINE)


@FAST
@given(st.sampled_from([SQUID, CHANNEL.replace("ALPHA", "0.01/ms")]), st.data(), TOML_VALUES)
def test_random_model_file_values_give_a_cell_or_a_model_error(tmp_path, base, data, value):
    lines = list(_VALUE_LINE.finditer(base))
    line = data.draw(st.sampled_from(lines), label="replaced")
    text = base[: line.start(2)] + _toml(value) + base[line.end(2) :]
    path = write(tmp_path, text, "random.toml")
    try:
        load_model(path)
    except ModelError as exc:
        assert "random.toml" in str(exc)


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ('ion = "K"', 'ion = {K = ""}', "mechanisms[3].ion.K", ["expected an int or float", "got ''"]),
        ('ion = "K"', "ion = {K = []}", "mechanisms[3].ion.K", ["expected an int or float", "got []"]),
        ('ion = "K"', "ion = {K = true}", "mechanisms[3].ion.K", ["expected an int or float", "got True"]),
        ('ion = "K"', 'ion = {K = "1"}', "mechanisms[3].ion.K", ["expected an int or float", "got '1'"]),
        ('ion = "K"', 'ion = ["K"]', "mechanisms[3].ion", ["expected a str or dict", "got ['K']"]),
        ('ions = ["Na", "K"]', 'ions = [[], "K"]', "mechanisms[2].ions[0]", ["expected a str", "got []"]),
        ('ions = ["Na", "K"]', 'ions = ["Na", 3]', "mechanisms[2].ions[1]", ["expected a str", "got 3"]),
    ],
)
def test_ions_that_are_not_names_or_shares(tmp_path, old, new, key, words):
    message = load_error(write(tmp_path, CHANNEL.replace("ALPHA", "0.01/ms").replace(old, new)))
    for word in ["bad.toml", key, *words]:
        assert word in message, message


@pytest.mark.parametrize(
    ("ion", "words"),
    [
        ("{K = nan}", ["'K': nan", "sum to 1"]),
        ("{K = inf}", ["'K': inf", "sum to 1"]),
        ("{K = 2, Na = -1}", ["non-negative"]),
        ("{}", ["{}", "sum to 1"]),
        ("{X = 1}", ["unknown ion 'X'", "'Na'"]),
    ],
)
def test_ion_shares_that_are_numbers_but_not_shares(tmp_path, ion, words):
    message = load_error(write(tmp_path, CHANNEL.replace("ALPHA", "0.01/ms").replace('ion = "K"', f"ion = {ion}")))
    for word in ["bad.toml", "mechanisms[3]", *words]:
        assert word in message, message


def test_concentration_ions_must_be_names(tmp_path):
    text = (Path(__file__).parent.parent / "models" / "squid_axon_dynamic_ions.toml").read_text()
    assert 'inside = ["Na", "K"]' in text
    message = load_error(write(tmp_path, text.replace('inside = ["Na", "K"]', 'inside = ["Na", {K = 1}]')))
    assert all(word in message for word in ["bad.toml", "concentrations.inside[1]", "expected a str"]), message


def test_a_mixed_channel_still_loads(tmp_path):
    text = CHANNEL.replace("ALPHA", "0.01/ms").replace('ion = "K"', 'ion = {Na = 0.25, K = 3}\nE = "-30 mV"')
    assert "mechanisms[3]" in load_error(write(tmp_path, text))  # shares sum to 3.25
    cell = load_model(write(tmp_path, text.replace("K = 3}", "K = 0.75}"), "mixed.toml"))
    assert [m.carries for m in cell.mechanisms if m.name == "M"] == [{"Na": 0.25, "K": 0.75}]


@FAST
@given(EXPRESSIONS, st.sampled_from(["alpha", "beta", "g"]))
def test_random_rate_expressions_in_a_file_give_a_cell_or_a_model_error(tmp_path, text, key):
    base = CHANNEL.replace("ALPHA", "0.01/ms")
    old = {"alpha": '"0.01/ms"', "beta": '"0.1/ms*exp(-(v + 35*mV)/(20*mV))"', "g": '"0.07 mS/cm^2"'}[key]
    path = write(tmp_path, base.replace(old, _toml(text if key != "g" else "1 mS/cm^2*" + text)), "random.toml")
    try:
        load_model(path)
    except ModelError as exc:
        assert "random.toml" in str(exc)


def test_ion_declarations_from_python_are_model_errors_too():
    with pytest.raises(ModelError, match=r"unknown ion \[\]"):
        Leak.split(0.3 * mS / cm**2, -54 * mV, ([], "K"))
    with pytest.raises(ModelError, match="'K': nan.*sum to 1"):
        Channel("x", {"K": float("nan")}, 1 * mS / cm**2)
