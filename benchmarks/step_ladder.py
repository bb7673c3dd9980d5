"""The step ladder: the largest time step at which each shipped model keeps its spike times.

For every model in ``models/*.toml`` (``list_models()``) this measures, on a fixed ladder of
steps (0.005, 0.01, 0.02, 0.025, 0.05 ms, and 0.1 ms for stability only), how far Brian2's
default method (``rk4``, ``cell.DEFAULT_METHOD``) strays from an accurate reference over 1 s:

* **tonic** models (they fire repetitively under a constant current): the currents of
  ``PROTOCOLS`` (from just above the current that makes them fire repetitively to strong, plus
  no current, for stability at rest), all as neurons of one group, started at the analytical
  rest with the current switched on at t = 0. The error is the largest distance between a
  reference spike and the nearest Brian2 spike, and back (every spike of either train has a
  partner within it; spikes in the last 0.2 ms are not counted, a crossing there may fall on
  either side of the end). Brian2's spike times are as a ``SpikeMonitor`` records them, the
  start of the step in which ``v`` crossed the threshold, so the error contains up to one step
  of that reporting offset: this is the figure a user gets.
* **passive** models (no repetitive firing: the blowfly photoreceptor has no Na+ channel, the
  undifferentiated cell is passive): current steps of either sign from rest, and the error is
  the largest ``|v - v_ref|`` at every step's sample over 1 s; the contract there is 0.1 mV.

A step is **stable** if every neuron's ``v`` stays finite and within [-200, +200] mV for the
whole second. ``dt`` is the largest ladder step (up to 0.05 ms) that is stable and within the
contract (0.1 ms, or 0.1 mV); ``dt_stable`` the largest stable one (up to 0.1 ms).

References (independent integrators, adaptive, error-controlled):

* ``squid_axon_hh1952``: NEURON's own ``hh`` under CVODE at rtol = atol = 1e-10
  (``tests/neuron_reference.py``, which uses nothing from brian2energy; spike times within
  1e-5 ms of a run at 1e-13).
* every other model: ``scipy.integrate.solve_ivp`` (LSODA, rtol = 1e-10, atol = 1e-13 V for
  ``v`` and 1e-11 for the gates; threshold crossings located by its event root finder) on the
  model's right-hand side ``brian2energy.resting.dynamics(cell).rhs``, a vectorised numpy function
  compiled with sympy from the same Brian2 equations; Brian2's integrator plays no part in it.
  Its own convergence is checked in the same run against a second solve at rtol = 1e-11
  (column ``ref conv``).
* moving concentrations (``hubel_dahlem_2014``, ``squid_axon_dynamic_ions``): measured with the
  concentrations held at the file's values, in both the reference and the Brian2 run (over 1 s
  they move little; the step is set by the fast gating, not by the slow concentrations).

Usage::

    python benchmarks/step_ladder.py                  # every model, table (about 10 minutes, numpy)
    python benchmarks/step_ladder.py squid_axon_hh1952 --all   # every ladder step, not just down to dt
    python benchmarks/step_ladder.py --write          # also write dt, dt_stable, dt_source into models/*.toml

Without ``--all`` the ladder is walked from the top down and stops at the first step within the
contract (the steps below it are not run). ``--write`` replaces the ``dt``, ``dt_stable`` and
``dt_source`` lines of each file's ``[cell]`` table (and prints them in any case).
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from brian2 import (
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    cm,
    ms,
    prefs,
    second,
    start_scope,
    uA,
)
from scipy.integrate import solve_ivp

from brian2energy import list_models, load_model
from brian2energy.cell import DEFAULT_METHOD
from brian2energy.errors import SeveralSteadyStatesWarning
from brian2energy.resting import dynamics, resting_values

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

#: The steps tried for accuracy (ms), and the one more tried for stability only.
LADDER = (0.005, 0.01, 0.02, 0.025, 0.05)
STABILITY_LADDER = (*LADDER, 0.1)
DURATION_MS = 1000.0
SPIKE_TOLERANCE_MS = 0.1
V_TOLERANCE_MV = 0.1
END_MARGIN_MS = 0.2
V_BOUND_MV = 200.0

#: kind and injected current densities (uA/cm^2) per model. Tonic: from just above repetitive
#: firing to strong, and 0 (rest). Passive: steps of either sign.
PROTOCOLS = {
    # HH 1952: repetitive firing from rest from ~6.3 uA/cm^2 (Rinzel & Miller 1980), 0-20 as bench_core
    "squid_axon_hh1952": ("tonic", (0.0, 7.0, 10.0, 20.0)),
    # the same membrane balanced at -65 mV by a Kager pump, concentrations held
    "squid_axon_dynamic_ions": ("tonic", (0.0, 7.0, 10.0, 20.0)),
    # Pospischil RS: saddle-node at 0.627 uA/cm^2 (SOURCES.md); 4.22 is the OSB step
    "cortical_pyramidal_rs": ("tonic", (0.0, 1.0, 4.22, 10.0)),
    # Wang-Buzsaki: onset at 0.16 uA/cm^2; 1, 5, 20 span 60-400 Hz (Fig. 1A)
    "fast_spiking_interneuron": ("tonic", (0.0, 1.0, 5.0, 20.0)),
    # Hubel & Dahlem, concentrations held: repetitive firing from about 2.5 uA/cm^2 here
    "hubel_dahlem_2014": ("tonic", (0.0, 3.0, 6.0, 15.0)),
    # graded photoreceptor: +/-0.5 nA on 1.45e-4 cm^2 (SOURCES.md) is 3.45 uA/cm^2; also 4x that
    "blowfly_photoreceptor": ("passive", (-3.45, 3.45, 13.8)),
    # passive iPSC cell: +/-10 pA on 1360 um^2 is 0.735 uA/cm^2
    "undifferentiated_cell": ("passive", (-0.735, 0.735)),
}
UA_CM2 = 1e-2  # 1 uA/cm^2 in A/m^2


@dataclass
class Rung:
    dt: float
    stable: bool
    error: float  # ms (tonic) or mV (passive); inf if unstable or a spike has no partner
    spikes: int
    seconds: float


@dataclass
class Result:
    model: str
    kind: str
    currents: tuple
    reference: str
    convergence: float
    rungs: list

    @property
    def tolerance(self) -> float:
        return SPIKE_TOLERANCE_MS if self.kind == "tonic" else V_TOLERANCE_MV

    @property
    def dt(self) -> float | None:
        ok = [r.dt for r in self.rungs if r.stable and r.error <= self.tolerance and r.dt in LADDER]
        return max(ok) if ok else None

    @property
    def dt_stable(self) -> float | None:
        ok = [r.dt for r in self.rungs if r.stable]
        return max(ok) if ok else None

    def rung(self, dt):
        return next(r for r in self.rungs if r.dt == dt)


def analysed(name: str):
    """The model, with its concentrations held if they move (what is measured)."""
    cell = load_model(name)
    return cell.replace(concentrations=None) if cell.concentrations is not None else cell


def spike_distance(ref: np.ndarray, got: np.ndarray) -> float:
    """Largest distance from any spike of either train to the nearest spike of the other (ms)."""
    cut = DURATION_MS - END_MARGIN_MS
    ref, got = ref[ref < cut], got[got < cut]
    if ref.size == 0 and got.size == 0:
        return 0.0
    if ref.size == 0 or got.size == 0:
        return float("inf")
    # a spike of one train just past the cut may partner one just before it in the other
    ref_all, got_all = np.sort(ref), np.sort(got)
    one = np.abs(ref[:, None] - got_all[None, :]).min(axis=1).max()
    two = np.abs(got[:, None] - ref_all[None, :]).min(axis=1).max()
    return float(max(one, two))


# --- references ---------------------------------------------------------------------------------


def neuron_reference(currents) -> tuple[list, float]:
    """NEURON CVODE spike trains (ms), and their change from rtol = atol = 1e-10 to 1e-11."""
    import neuron_reference as nr

    trains = [nr.simulate_hh(DURATION_MS, i).spike_times for i in currents]
    finer = [nr.simulate_hh(DURATION_MS, i, rtol=1e-11, atol=1e-11).spike_times for i in currents]
    return trains, max(spike_distance(a, b) for a, b in zip(trains, finer))


def _scipy_solve(cell, currents, rtol, *, kind, threshold_v, sample_t=None):
    dyn = dynamics(cell)
    n = len(dyn.states)
    N = len(currents)
    rest = resting_values(cell)
    x0 = np.concatenate([np.full(N, float(np.asarray(rest[s]))) for s in dyn.states])
    current = np.asarray(currents, dtype=float) * UA_CM2

    def f(t, y):
        d = dyn.rhs(*y.reshape(n, N), current)
        return np.concatenate([np.broadcast_to(np.asarray(di, dtype=float), (N,)) for di in d])

    atol = np.concatenate([np.full(N, 1e-13)] + [np.full(N, 1e-11)] * (n - 1))
    events = []
    if kind == "tonic":
        for j in range(N):

            def crossing(t, y, j=j):
                return y[j] - threshold_v

            crossing.direction = 1
            events.append(crossing)
    sol = solve_ivp(
        f,
        (0.0, DURATION_MS * 1e-3),
        x0,
        method="LSODA",
        rtol=rtol,
        atol=atol,
        events=events or None,
        dense_output=kind == "passive",
    )
    if not sol.success:
        raise RuntimeError(f"{cell.name}: reference solve failed: {sol.message}")
    if kind == "tonic":
        return [np.asarray(te) * 1e3 for te in sol.t_events]
    return sol.sol


def scipy_reference(cell, kind, currents):
    """Spike trains (ms) or the dense solution, and the change from rtol 1e-10 to 1e-11."""
    thr = float(cell.spike_threshold)
    ref = _scipy_solve(cell, currents, 1e-10, kind=kind, threshold_v=thr)
    finer = _scipy_solve(cell, currents, 1e-11, kind=kind, threshold_v=thr)
    if kind == "tonic":
        return ref, max(spike_distance(a, b) for a, b in zip(ref, finer))
    t = np.linspace(0.0, DURATION_MS * 1e-3, 20001)
    N = len(currents)
    return ref, float(np.abs(ref(t)[:N] - finer(t)[:N]).max() * 1e3)


# --- the Brian2 side ----------------------------------------------------------------------------


def brian_run(cell, kind, currents, dt_ms):
    """rk4 at ``dt_ms`` (numpy target, counters off): spike trains (ms), v samples, stability."""
    start_scope()
    N = len(currents)
    # built as neuron_group builds it, without its step check (this script measures what the check uses)
    group = NeuronGroup(
        N,
        cell.equations(counters=False),
        threshold="v > spike_threshold",
        refractory="v > spike_threshold",
        method=DEFAULT_METHOD,
        namespace=cell.namespace,
        dt=dt_ms * ms,
    )
    for name, value in resting_values(cell).items():
        setattr(group, name, value)
    group.I_inj = np.asarray(currents) * uA / cm**2
    spikes = SpikeMonitor(group)
    # v every step for passive cells; for tonic ones only a coarse record, to see blow-ups
    trace = StateMonitor(group, "v", record=True, dt=dt_ms * ms if kind == "passive" else 1 * ms)
    net = Network(group, spikes, trace)
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        net.run(DURATION_MS * ms)
    elapsed = time.perf_counter() - t0
    v = np.asarray(trace.v)  # volt, (N, samples)
    final = np.asarray(group.v[:])
    stable = bool(
        np.isfinite(v).all()
        and np.isfinite(final).all()
        and np.abs(v).max() < V_BOUND_MV * 1e-3
        and np.abs(final).max() < V_BOUND_MV * 1e-3
    )
    trains = spikes.spike_trains()
    return [np.asarray(trains[j] / ms) for j in range(N)], np.asarray(trace.t / second), v, stable, elapsed


def measure(name: str, *, every: bool = False) -> Result:
    kind, currents = PROTOCOLS[name]
    cell = analysed(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeveralSteadyStatesWarning)
        if name == "squid_axon_hh1952":
            ref, conv = neuron_reference(currents)
            source = "NEURON hh, CVODE rtol=atol=1e-10"
        else:
            ref, conv = scipy_reference(cell, kind, currents)
            source = "scipy LSODA rtol=1e-10 on dynamics(cell).rhs"
    result = Result(name, kind, currents, source, conv, [])
    found = False
    for dt in sorted(STABILITY_LADDER, reverse=True):
        trains, t, v, stable, elapsed = brian_run(cell, kind, currents, dt)
        if not stable:
            error = float("inf")
        elif kind == "tonic":
            error = max(spike_distance(r, g) for r, g in zip(ref, trains))
        else:
            error = float(np.abs(v - ref(t)[: len(currents)]).max() * 1e3)
        result.rungs.append(Rung(dt, stable, error, sum(len(s) for s in trains), elapsed))
        found = found or (stable and error <= result.tolerance and dt in LADDER)
        print(
            f"  {name} dt={dt:g} ms: stable={stable} error={error:.4g} "
            f"{'ms' if kind == 'tonic' else 'mV'} spikes={result.rungs[-1].spikes} ({elapsed:.1f} s)",
            flush=True,
        )
        if found and not every:
            break
    return result


# --- output -------------------------------------------------------------------------------------


def toml_lines(result: Result, date: str) -> list[str]:
    unit = "ms" if result.kind == "tonic" else "mV"
    what = ("spike times" if result.kind == "tonic" else "v") + f" within {result.tolerance:g} {unit}"
    held = ", concentrations held" if load_model(result.model).concentrations is not None else ""
    currents = ", ".join(f"{c:g}" for c in result.currents)
    err = result.rung(result.dt).error
    unstable = [r.dt for r in result.rungs if not r.stable]
    source = (
        f"benchmarks/step_ladder.py {date}: {DEFAULT_METHOD}, {what} of {result.reference}{held} "
        f"(converged to {result.convergence:.1g} {unit}) over 1 s at {currents} uA/cm^2; "
        f"max error {err:.2g} {unit} at {result.dt:g} ms"
        + (
            f"; {min(unstable):g} ms unstable"
            if unstable
            else f"; stable at {result.dt_stable:g} ms, the largest step tried"
        )
    )
    return [f'dt = "{result.dt:g} ms"', f'dt_stable = "{result.dt_stable:g} ms"', f'dt_source = "{source}"']


def write(result: Result, lines: list[str]) -> None:
    """Replace the dt lines of the model file's [cell] table (or add them at its end)."""
    path = ROOT / "models" / f"{result.model}.toml"
    text = path.read_text()
    head, sep, rest = text.partition("\n[cell]\n")
    if not sep:
        raise RuntimeError(f"{path}: no [cell] table")
    end = re.search(r"^\[", rest, flags=re.MULTILINE)
    body, tail = (rest[: end.start()], rest[end.start() :]) if end else (rest, "")
    kept = [ln for ln in body.rstrip("\n").split("\n") if not re.match(r"(dt|dt_stable|dt_source)\s*=", ln)]
    new_body = "\n".join(kept + lines) + "\n" + ("\n" if tail else "")
    path.write_text(head + sep + new_body + tail)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="*", help="model names (default: every shipped model)")
    parser.add_argument("--all", action="store_true", help="run every ladder step, not just down to dt")
    parser.add_argument("--write", action="store_true", help="write dt, dt_stable, dt_source into models/*.toml")
    args = parser.parse_args(argv)
    prefs.codegen.target = "numpy"
    names = args.models or list(list_models())
    unknown = sorted(set(names) - set(PROTOCOLS))
    if unknown:
        parser.error(f"no protocol for {unknown}")
    date = datetime.date.today().isoformat()
    results = [measure(name, every=args.all) for name in names]
    print(f"\n{'model':26} {'kind':8} {'dt':>6} {'stable':>6} {'error at dt':>12} {'ref conv':>9}  per step: error")
    for r in results:
        unit = "ms" if r.kind == "tonic" else "mV"
        steps = "  ".join(
            f"{x.dt:g}:{'unstable' if not x.stable else f'{x.error:.3f}'}" for x in sorted(r.rungs, key=lambda x: x.dt)
        )
        print(
            f"{r.model:26} {r.kind:8} {r.dt:>6g} {r.dt_stable:>6g} {r.rung(r.dt).error:>9.3f} {unit} "
            f"{r.convergence:>9.1g}  {steps}"
        )
    print()
    for r in results:
        lines = toml_lines(r, date)
        print(f"# {r.model}.toml, [cell]:\n" + "\n".join(lines))
        if args.write:
            write(r, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
