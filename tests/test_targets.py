"""The same model under Brian2's numpy, cython and cpp_standalone targets.

Each target runs in its own process (a standalone device cannot be unset
cleanly within one). The three must give the same spikes, counters and energy report: they
integrate the same equations with the same method, so they differ only by
floating-point rounding (compiled code may reorder arithmetic, and cython and cpp_standalone
use the vectorised exp that ``import brian2energy`` turns on by default, libmvec's, within
4 ulp), far below the rel = 1e-6 allowed here.
"""

from __future__ import annotations

import pytest

from brian2energy.compiler import VECTOR_MATH_FLAGS
from script_runner import run_script

SCRIPT = """
import json, sys
from brian2 import *
from brian2energy import load_model
from brian2energy.energy import EnergyMonitor, energy_report
target, out = sys.argv[1], sys.argv[2]
if target == "cpp_standalone":
    set_device("cpp_standalone", directory=out)
else:
    prefs.codegen.target = target
cell = load_model("squid_axon_hh1952")
group = cell.neuron_group(3, dt=0.01 * ms)
group.I_inj = [0, 6.5, 10] * uA / cm**2
spikes = SpikeMonitor(group)
energy = EnergyMonitor(group)
run(60 * ms)
report = energy_report(energy)
print(json.dumps({"count": [int(c) for c in spikes.count[:]],
                  "t": [float(x) for x in spikes.t[:] / ms],
                  "Q_Na": [float(x) for x in group.Q_Na[:]],
                  "ATP_ions": [float(x) for x in group.ATP_ions[:]],
                  "v": [float(x) for x in group.v[:] / mV],
                  "report_atp": [float(x) for x in report.atp_total],
                  "report_load": [float(x) for x in report.na_load_ratio[1:]],
                  "flags": list(prefs.codegen.cpp.extra_compile_args_gcc)}))
"""


def run_target(target: str, tmp_path) -> dict:
    return run_script(SCRIPT, target, tmp_path / target)


@pytest.fixture(scope="module")
def numpy_run(tmp_path_factory):
    return run_target("numpy", tmp_path_factory.mktemp("numpy"))


@pytest.mark.parametrize("target", ["cython", "cpp_standalone"])
def test_targets_agree(target, numpy_run, tmp_path):
    other = run_target(target, tmp_path)
    assert set(VECTOR_MATH_FLAGS) <= set(other["flags"])  # compiled with the default vectorised maths
    # 0 uA/cm^2: silent; 10 uA/cm^2: tonic firing (HH 1952 fires repetitively above ~6.3 uA/cm^2)
    assert numpy_run["count"][0] == 0 and numpy_run["count"][2] >= 3
    assert other["count"] == numpy_run["count"]
    assert other["t"] == pytest.approx(numpy_run["t"], abs=1e-9)
    for key in ("Q_Na", "ATP_ions", "v", "report_atp", "report_load"):
        assert other[key] == pytest.approx(numpy_run[key], rel=1e-6)
