"""Model files: the shipped squid model, and a clear ModelError for every kind of bad file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from brian2 import cm, mS, mV

from brian2energy import ModelError, list_models, load_model

GOOD = """
description = "test cell"
[cell]
C_m = "1 uF/cm^2"
area = "1000 um^2"
temperature = "6.3 degC"
[ions.Na]
E = "50 mV"
[ions.K]
E = "-77 mV"
[[mechanisms]]
type = "NaV_HH52"
g = "120 mS/cm^2"
[[mechanisms]]
type = "Kdr_HH52"
g = "36 mS/cm^2"
[[mechanisms]]
type = "Leak.split"
g_total = "0.3 mS/cm^2"
E_L = "-54.387 mV"
"""


def write(tmp_path, text, name="bad.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_squid_model_is_listed_and_loads(squid):
    assert "squid_axon_hh1952" in list_models()
    assert "Hodgkin" in squid.reference
    # HH 1952 Table 3 values, as given in the model file
    g = {m.name: m.g for m in squid.mechanisms}
    assert float(g["NaV"] / (mS / cm**2)) == pytest.approx(120)
    assert float(g["Kdr"] / (mS / cm**2)) == pytest.approx(36)
    assert float((g["leak_Na"] + g["leak_K"]) / (mS / cm**2)) == pytest.approx(0.3)


def test_good_file_from_path(tmp_path):
    cell = load_model(write(tmp_path, GOOD, "mine.toml"))
    assert cell.name == "mine"
    assert float(cell.reversal_potentials["Na"] / mV) == pytest.approx(50)


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (('type = "Kdr_HH52"', 'type = "Kv9000"'), ["mechanisms[1].type", "unknown mechanism", "'Kv9000'", "NaV_HH52"]),
        (('C_m = "1 uF/cm^2"\n', ""), ["cell", "missing key 'C_m'"]),
        (('area = "1000 um^2"', 'area = "1000 um^2"\ncolour = "blue"'), ["cell", "unknown key(s) ['colour']"]),
        (('g = "36 mS/cm^2"', 'g = "36 mV"'), ["mechanisms[1].g", "'36 mV'", "wrong dimensions"]),
        (('g = "36 mS/cm^2"', 'g = "-36 mS/cm^2"'), ["mechanisms[1]", "must be >= 0", "-36"]),
        (('g = "36 mS/cm^2"', 'g = "36 furlongs"'), ["mechanisms[1].g", "unknown unit", "furlongs"]),
        (
            ('[ions.K]\nE = "-77 mV"', '[ions.K]\ninside = "-140 mM"\noutside = "5 mM"'),
            ["ions.K", "inside concentration must be positive", "-140"],
        ),
        (('[ions.K]\nE = "-77 mV"', '[ions.K]\ninside = "0 mM"\noutside = "5 mM"'), ["ions.K", "must be positive"]),
        (
            ('E_L = "-54.387 mV"', 'E_L = "-90 mV"'),
            ["Leak.split", "outside the reversal range", "negative conductance"],
        ),
        (('description = "test cell"', 'description = "test cell'), ["bad.toml", "malformed TOML"]),
    ],
)
def test_bad_files_name_file_key_and_value(tmp_path, edit, words):
    old, new = edit
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ModelError) as info:
        load_model(path)
    message = str(info.value)
    assert "bad.toml" in message
    for word in words:
        assert word in message


CHANNEL = (
    GOOD
    + """
[[mechanisms]]
type = "Channel"
name = "M"
ion = "K"
g = "0.07 mS/cm^2"
[mechanisms.parameters]
tau_max = "608 ms"
[[mechanisms.gates]]
name = "p"
inf = "1/(1 + exp(-(v + 35*mV)/(10*mV)))"
tau = "TAU"
"""
)


@pytest.mark.parametrize(
    ("tau", "words"),
    [
        ("tau_max/(3.3*exp((v + 35*mV)/(20*mV)) + exp(-(v + 35*mV)/(20*mV)))", None),
        ('__import__(\\"os\\").system(\\"true\\")', ["mechanisms[3]", "M.p.tau", "calls something other than"]),
        ("tau_max.real", ["M.p.tau", "not plain arithmetic", "Attribute"]),
        ("tau_max[0]", ["M.p.tau", "not plain arithmetic"]),
        ("lambda: 1", ["M.p.tau", "not plain arithmetic"]),
        ("tau_max + v", ["M.p.tau", "inconsistent units"]),
        ("tau_max*v/mV*mV", ["M.p.tau", "must have units of second"]),
        ("tau_max + tau_min", ["M.p.tau", "unknown name(s) ['tau_min']"]),
        ("tau_max +", ["M.p.tau", "not a valid expression"]),
    ],
)
def test_rate_expressions_are_checked_not_run(tmp_path, tau, words):
    path = write(tmp_path, CHANNEL.replace("TAU", tau))
    if words is None:
        cell = load_model(path)
        assert "p_M" in cell.states
        return
    with pytest.raises(ModelError) as info:
        load_model(path)
    for word in ["bad.toml", *words]:
        assert word in str(info.value)


def test_unknown_model_name_lists_the_models():
    with pytest.raises(ModelError, match="squid_axon_hh1952"):
        load_model("no_such_model")


def test_moving_concentrations_are_read_and_bad_ones_named(tmp_path):
    hd = (Path(__file__).parent.parent / "models" / "hubel_dahlem_2014.toml").read_text()
    cell = load_model(write(tmp_path, hd, "hd.toml"))
    assert set(cell.dynamic_concentrations) == {"Na_i", "K_i", "Cl_i", "Na_o", "K_o", "Cl_o", "K_o_exchange"}
    for old, new, words in [
        ('type = "GlialBuffer"', 'type = "Sponge"', ["concentrations.reservoir.type", "'Sponge'", "GlialBuffer"]),
        ('volume_inside = "2160 um^3"', 'volume_inside = "2160 um^2"', ["concentrations.volume_inside", "dimensions"]),
        ('inside = "25.231485 mM"', 'inside = "-25 mM"', ["ions.Na", "must be positive"]),
        ('type = "NaKPump.hubel_dahlem"', 'type = "NaKPump.hubble"', ["mechanisms[5].type", "NaKPump.kager"]),
    ]:
        assert old in hd
        with pytest.raises(ModelError) as info:
            load_model(write(tmp_path, hd.replace(old, new)))
        assert all(w in str(info.value) for w in ["bad.toml", *words]), str(info.value)
