"""Independent reference for the Hodgkin-Huxley (1952) squid axon, computed with NEURON.

The tests and the benchmark compare brian2energy's Brian2 simulations against this
module. It uses nothing from brian2energy: the model is NEURON's built-in ``hh``
mechanism (the 1952 equations with the modern sign convention, rest near -65 mV)
in one isopotential compartment, integrated either with NEURON's variable-step
CVODE solver at tight tolerances (the accurate reference) or with NEURON's fixed
step methods (to show how a conventional simulator converges with ``dt``).

Model (all per unit membrane area; NEURON's current sign convention, outward
positive):

* ``cm`` = 1 uF/cm^2, temperature 6.3 degC (rate factor q10 = 1),
* ``gnabar`` = 0.12 S/cm^2, ``gkbar`` = 0.036 S/cm^2, ``gl`` = 0.0003 S/cm^2,
* ``ena`` = 50 mV, ``ek`` = -77 mV, ``el`` = -54.387 mV (the 1952 value,
  10.613 mV above a -65 mV rest; *not* NEURON's default -54.3 mV),
* rate tables off (``usetable_hh = 0``), so the rate functions are evaluated
  exactly at every step.

The compartment is a cylinder with ``L = diam = 100/sqrt(pi)`` um, i.e. a lateral
area of 1e4 um^2 = 1e-4 cm^2 (end caps do not count in NEURON), so that 1 nA of
injected current is 10 uA/cm^2; the area actually used is read back from
``h.area`` and converted exactly. The stimulus is a constant current density
(positive depolarizes) delivered by an ``IClamp`` and switched on and off by
discrete events, which re-initialize CVODE at each discontinuity.

Initial state: every run starts at the exact resting state, the membrane
potential at which the total ionic current vanishes with all gates at their
steady-state values (``m = m_inf(V)`` etc.). :func:`resting_potential` finds it by
bisection on NEURON's own ``hh`` currents; ``h.finitialize(v_rest)`` then sets the
gates to their steady-state values at that potential. This is the same state the
Brian2 side starts from, so no settling run is needed and none is done.

Sodium entry: the lumped leak ``gl*(v - el)`` is split into a Na+ leak and a K+
leak with the same total conductance and reversal potential
(:func:`leak_na_conductance`), and the cumulative Na+ charge that entered per
unit area is ``q_na(t) = -integral_0^t (ina + g_leak_na*(v - ena)) dt``.

NEURON is imported at module level; tests should call
``pytest.importorskip("neuron")`` before importing this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from neuron import h

__all__ = [
    "CELSIUS",
    "CM",
    "EK",
    "EL",
    "ENA",
    "GK_BAR",
    "GL",
    "GNA_BAR",
    "SPIKE_THRESHOLD",
    "CableReference",
    "HHReference",
    "ghk_current",
    "leak_na_conductance",
    "resting_potential",
    "simulate_hh",
    "simulate_hh_cable",
]

# --- Model parameters (Hodgkin & Huxley 1952, shifted so that rest is near -65 mV) ---
CM: float = 1.0  # membrane capacitance, uF/cm^2
CELSIUS: float = 6.3  # temperature, degC (NEURON's hh rates have q10 = 1 at 6.3 degC)
GNA_BAR: float = 0.12  # peak Na+ conductance, S/cm^2
GK_BAR: float = 0.036  # peak K+ conductance, S/cm^2
GL: float = 0.0003  # leak conductance, S/cm^2
ENA: float = 50.0  # Na+ reversal potential, mV
EK: float = -77.0  # K+ reversal potential, mV
EL: float = -54.387  # leak reversal potential, mV
SPIKE_THRESHOLD: float = -20.0  # spikes are upward crossings of this potential, mV

# Compartment geometry: L = diam = 100/sqrt(pi) um gives a lateral area of 1e4 um^2.
_LENGTH_UM: float = 100.0 / math.sqrt(math.pi)
_UM2_TO_CM2: float = 1e-8  # 1 um^2 = 1e-8 cm^2
_UC_TO_C: float = 1e-6  # (mA/cm^2) * ms = uC/cm^2 = 1e-6 C/cm^2
# (mA/cm^2)/(cm/s) = (10 A/m^2)/(0.01 m/s) = 1e3 (A/m^2)/(m/s) = 1e3 C/m^3
_GHK_TO_SI: float = 1e3

# Default CVODE tolerances. With both at 1e-10, spike times over 200 ms are within
# about 1e-5 ms of a run at 1e-13, and a 200 ms run takes about 0.1 s.
DEFAULT_RTOL: float = 1e-10
DEFAULT_ATOL: float = 1e-10


def leak_na_conductance(gl: float = GL, el: float = EL, ena: float = ENA, ek: float = EK) -> float:
    """Na+ share of the lumped leak conductance, in the units of ``gl`` (S/cm^2).

    The HH leak current ``i_L = gl*(v - el)`` is taken to be carried by Na+ and K+
    through two ohmic leaks with the ions' own reversal potentials::

        gl*(v - el) = g_na_leak*(v - ena) + g_k_leak*(v - ek)   for every v.

    Equating the coefficients of ``v`` and the constant terms gives
    ``g_na_leak + g_k_leak = gl`` (same total conductance) and
    ``g_na_leak*ena + g_k_leak*ek = gl*el`` (same reversal potential), whose solution
    is::

        g_na_leak = gl*(el - ek)/(ena - ek),    g_k_leak = gl*(ena - el)/(ena - ek).

    Both are non-negative only if ``ek <= el <= ena``. With the defaults
    (0.0003 S/cm^2, -54.387, 50 and -77 mV) ``g_na_leak`` = 5.3417e-5 S/cm^2.

    Args:
        gl: total leak conductance, S/cm^2.
        el: leak reversal potential, mV.
        ena: Na+ reversal potential, mV.
        ek: K+ reversal potential, mV.

    Returns:
        The Na+ leak conductance, S/cm^2.

    Raises:
        ValueError: if ``el`` is not between ``ek`` and ``ena``.
    """
    if not ek <= el <= ena:
        raise ValueError(f"need ek <= el <= ena to split the leak, got ek={ek}, el={el}, ena={ena} mV")
    return gl * (el - ek) / (ena - ek)


@dataclass(frozen=True)
class HHReference:
    """Result of one reference run. Arrays are read-only.

    Attributes:
        t: sample times, ms, ``t[i] = i*record_dt`` from 0 to the run duration.
        v: membrane potential at ``t``, mV.
        spike_times: times of upward crossings of -20 mV, ms, interpolated within
            the integration step (see :func:`simulate_hh`).
        q_na: cumulative Na+ charge that entered the cell per unit membrane area
            between 0 and ``t``, C/cm^2 (positive = entry), through the Na+
            channels and the Na+ share of the leak.
        v_rest: initial (resting) membrane potential, mV.
        i_inj: injected current density, uA/cm^2.
        method: ``"cvode"`` or ``"fixed"``.
        dt: fixed time step, ms (``None`` for CVODE).
        secondorder: NEURON's ``secondorder`` for the fixed step (``None`` for CVODE).
        rtol: CVODE relative tolerance (``None`` for the fixed step).
        atol: CVODE absolute tolerance, mV for ``v`` and 1 for the gates (``None``
            for the fixed step).
    """

    t: np.ndarray
    v: np.ndarray
    spike_times: np.ndarray
    q_na: np.ndarray
    v_rest: float
    i_inj: float
    method: str
    dt: float | None
    secondorder: int | None
    rtol: float | None
    atol: float | None

    def __post_init__(self) -> None:
        for name in ("t", "v", "spike_times", "q_na"):
            array = np.array(getattr(self, name), dtype=float)
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    @property
    def n_spikes(self) -> int:
        """Number of spikes in the run."""
        return len(self.spike_times)


class _Cell:
    """The single HH compartment with its current clamp (one instance per run)."""

    def __init__(self) -> None:
        h.celsius = CELSIUS
        h.usetable_hh = 0  # evaluate the rate functions exactly, no tables
        self.section = h.Section(name="hh52")
        self.section.L = _LENGTH_UM
        self.section.diam = _LENGTH_UM
        self.section.nseg = 1
        self.section.cm = CM
        self.section.insert("hh")
        self.segment = self.section(0.5)
        mechanism = self.segment.hh
        mechanism.gnabar = GNA_BAR
        mechanism.gkbar = GK_BAR
        mechanism.gl = GL
        mechanism.el = EL
        self.segment.ena = ENA
        self.segment.ek = EK
        self.area_cm2 = h.area(0.5, sec=self.section) * _UM2_TO_CM2
        self.stim = h.IClamp(self.segment)
        self.stim.delay = 0.0
        self.stim.dur = 1e9
        self.stim.amp = 0.0

    def amp_nA(self, i_inj: float) -> float:
        """IClamp amplitude (nA) for a current density ``i_inj`` (uA/cm^2)."""
        return i_inj * self.area_cm2 * 1e3  # uA -> nA

    def ionic_current(self, v: float) -> float:
        """Total ionic current density at ``v`` (mV) with steady-state gates, mA/cm^2."""
        h.CVode().active(0)
        h.finitialize(v)  # v everywhere; INITIAL sets m, h, n to their steady state
        h.fcurrent()
        return self.segment.ina + self.segment.ik + self.segment.hh.il


@lru_cache(maxsize=1)
def resting_potential() -> float:
    """Resting potential of the model, mV (-64.99638 mV).

    The potential at which ``ina + ik + il`` vanishes with the gates at their
    steady-state values for that potential, found by bisection to 1e-12 mV on the
    currents of NEURON's ``hh`` mechanism (the current increases monotonically with
    ``v`` near rest). A 200 ms CVODE run without stimulus started at -65 mV ends
    within 1e-8 mV of it, and a run started at it stays within 1e-12 mV.
    """
    cell = _Cell()
    low, high = -70.0, -60.0
    if not cell.ionic_current(low) < 0.0 < cell.ionic_current(high):
        raise RuntimeError("resting potential is not bracketed by [-70, -60] mV")
    while high - low > 1e-12:
        middle = 0.5 * (low + high)
        if cell.ionic_current(middle) < 0.0:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


def _steps(interval: float, step: float, what: str) -> int:
    """Number of ``step``s in ``interval``; raise ValueError unless it is an integer."""
    n = int(round(interval / step))
    if n < 1 or abs(n * step - interval) > 1e-9 * interval:
        raise ValueError(f"{what}: {interval} ms is not a positive integer multiple of {step} ms")
    return n


def _to_numpy(vector: Any) -> np.ndarray:
    """A copy of a NEURON Vector as a float array (also when it is empty)."""
    return np.array(vector.as_numpy(), dtype=float, copy=True)


def _upward_crossings(t: np.ndarray, v: np.ndarray, threshold: float) -> np.ndarray:
    """Times (ms) at which ``v`` crosses ``threshold`` upwards, linearly interpolated."""
    i = np.nonzero((v[:-1] < threshold) & (v[1:] >= threshold))[0]
    return t[i] + (t[i + 1] - t[i]) * (threshold - v[i]) / (v[i + 1] - v[i])


def _cumulative_trapezoid(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Cumulative trapezoid integral of ``y`` over ``t``, starting at 0."""
    out = np.zeros_like(y)
    out[1:] = np.cumsum(0.5 * (y[1:] + y[:-1]) * np.diff(t))
    return out


def simulate_hh(
    duration: float,
    i_inj: float = 0.0,
    *,
    t_on: float = 0.0,
    t_off: float | None = None,
    method: Literal["cvode", "fixed"] = "cvode",
    dt: float = 0.025,
    secondorder: Literal[0, 1, 2] = 0,
    record_dt: float | None = None,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    v_init: float | None = None,
) -> HHReference:
    """Simulate the HH52 compartment in NEURON and return the sampled response.

    Args:
        duration: length of the run, ms; an integer multiple of ``record_dt``.
        i_inj: injected current density, uA/cm^2 (positive depolarizes).
        t_on: stimulus onset, ms.
        t_off: stimulus end, ms (``None``: on until the end of the run). The current
            is on for ``t_on <= t < t_off``.
        method: ``"cvode"``: NEURON's variable-step CVODE (BDF, orders 1-5) with
            tolerances ``rtol`` and ``atol``, the accurate reference. ``"fixed"``:
            NEURON's fixed step ``dt`` with ``secondorder`` (0: backward Euler,
            NEURON's default; 2: Crank-Nicolson; gates are updated by the
            staggered exponential step of hh.mod's ``cnexp`` in both cases).
        dt: fixed time step, ms (``method="fixed"`` only); ``record_dt`` and
            ``duration`` must be integer multiples of it.
        secondorder: NEURON's ``secondorder`` (``method="fixed"`` only).
        record_dt: sampling interval of the returned ``t``, ``v`` and ``q_na``, ms;
            default 0.01 ms under CVODE and ``dt`` under the fixed step.
        rtol: CVODE relative tolerance.
        atol: CVODE absolute tolerance (mV for ``v``, dimensionless for the gates).
        v_init: initial potential, mV, with all gates at their steady state there;
            default :func:`resting_potential`.

    Returns:
        An :class:`HHReference`. Under CVODE, ``v`` and ``ina`` are recorded at
        exactly the sample times (CVODE's own interpolating polynomial, with the
        currents re-evaluated from the interpolated states), spike times come from
        a ``NetCon`` with second-order (within-step) threshold detection, and
        ``q_na`` is the trapezoid rule on the ``record_dt`` grid. At the default
        0.01 ms its error, checked against a Richardson-extrapolated 0.5 us grid
        at 10 uA/cm^2 over 200 ms, stays below 1e-6 of the final charge at every
        sample (the integrand is smooth, and the trapezoid errors of the rising
        and falling phases of each spike cancel). Under the fixed step, ``v`` and
        ``ina`` are recorded after every step; spike times are linear
        interpolations between steps and ``q_na`` is the trapezoid rule over the
        steps, then both are sampled every ``record_dt``.

    Raises:
        ValueError: on an unknown method or inconsistent times.
    """
    if method not in ("cvode", "fixed"):
        raise ValueError(f"method must be 'cvode' or 'fixed', got {method!r}")
    if record_dt is None:
        record_dt = 0.01 if method == "cvode" else dt
    if record_dt <= 0.0:
        raise ValueError(f"record_dt must be positive, got {record_dt} ms")
    n_samples = _steps(duration, record_dt, "duration") + 1
    t_off = duration if t_off is None else t_off
    if not 0.0 <= t_on <= t_off:
        raise ValueError(f"need 0 <= t_on <= t_off, got t_on={t_on}, t_off={t_off} ms")
    if v_init is None:
        v_init = resting_potential()

    cell = _Cell()
    amp = cell.amp_nA(i_inj)
    g_leak_na = leak_na_conductance()
    cvode = h.CVode()
    t_grid = np.arange(n_samples) * record_dt

    if method == "cvode":
        cvode.active(1)
        cvode.rtol(rtol)
        cvode.atol(atol)
        cvode.condition_order(2)  # interpolate threshold crossings within the step
        t_record = h.Vector(t_grid)
        v_record = h.Vector().record(cell.segment._ref_v, t_record)
        ina_record = h.Vector().record(cell.segment._ref_ina, t_record)
        detector = h.NetCon(cell.segment._ref_v, None, sec=cell.section)
        detector.threshold = SPIKE_THRESHOLD
        spikes = h.Vector()
        detector.record(spikes)
    else:
        steps_per_sample = _steps(record_dt, dt, "record_dt")
        n_steps = _steps(duration, dt, "duration")
        cvode.active(0)
        h.dt = dt
        h.secondorder = secondorder
        v_record = h.Vector().record(cell.segment._ref_v)  # after every step
        ina_record = h.Vector().record(cell.segment._ref_ina)

    def switch(amplitude: float) -> None:
        cell.stim.amp = amplitude
        if method == "cvode":
            cvode.re_init()  # a discontinuity: restart the multistep method

    h.finitialize(v_init)  # t = 0, gates at steady state at v_init, event queue cleared
    if i_inj != 0.0 and t_on < t_off and t_on < duration:
        if t_on <= 0.0:
            switch(amp)
        else:
            cvode.event(t_on, lambda: switch(amp))
        if t_off < duration:
            cvode.event(t_off, lambda: switch(0.0))
    # Under the fixed step, events are delivered at the step whose midpoint is
    # past the event time, so the current is on for the steps whose midpoint lies
    # in [t_on, t_off), the same rule IClamp uses.

    if method == "cvode":
        # Integrate a little past the end so that the sample at t = duration is taken.
        cvode.solve(duration + 0.5 * record_dt)
        t = t_grid
        v = _to_numpy(v_record)[:n_samples]
        ina = _to_numpy(ina_record)[:n_samples]
        spike_times = _to_numpy(spikes)
        spike_times = spike_times[spike_times <= duration]
    else:
        parallel = h.ParallelContext()
        parallel.set_maxstep(10)
        parallel.psolve(duration)  # steps while t < duration - dt/2: n_steps steps
        t = np.arange(n_steps + 1) * dt
        v = _to_numpy(v_record)
        ina = _to_numpy(ina_record)
        if len(v) != n_steps + 1:
            raise RuntimeError(f"expected {n_steps + 1} fixed-step samples, got {len(v)}")

    entry_current = -(ina + g_leak_na * (v - ENA))  # mA/cm^2, positive = Na+ entry
    q_na = _cumulative_trapezoid(t, entry_current) * _UC_TO_C  # C/cm^2
    if method == "fixed":
        spike_times = _upward_crossings(t, v, SPIKE_THRESHOLD)
        v = v[::steps_per_sample]
        q_na = q_na[::steps_per_sample]
        t = t_grid
    cvode.active(0)

    return HHReference(
        t=t,
        v=v,
        spike_times=spike_times,
        q_na=q_na,
        v_rest=float(v_init),
        i_inj=float(i_inj),
        method=method,
        dt=None if method == "cvode" else dt,
        secondorder=None if method == "cvode" else int(secondorder),
        rtol=rtol if method == "cvode" else None,
        atol=atol if method == "cvode" else None,
    )


def ghk_current(v_mV: float | np.ndarray, ci_mM: float, co_mM: float, z: float, celsius: float) -> float | np.ndarray:
    """GHK current per unit permeability as computed by NEURON's ``h.ghk``, in SI.

    NEURON 9's ``ghk(v, ci, co, z)`` (``nrn_ghk`` in ``src/nrnoc/eion.cpp``) takes
    ``v`` in mV, ``ci`` and ``co`` in mM and the valence ``z``, reads the temperature
    from the global ``celsius`` and returns, in (mA/cm^2)/(cm/s)::

        ktf = 1000*R*(celsius + 273.15)/F             # RT/F in mV
        x = z*v/ktf                                   # zFv/(RT)
        ghk = 1e-3*z*F*(ci*efun(-x) - co*efun(x))
            = 1e-3*z*F*x*(ci - co*exp(-x))/(1 - exp(-x))

    with ``efun(x) = x/(exp(x) - 1)``, replaced by ``1 - x/2`` for ``|x| < 1e-4``
    (relative truncation error up to x^2/12, about 8e-10 just inside the switch,
    i.e. for ``|v|`` just under 1e-4*ktf/z, about 2.4e-3/z mV at 6.3 degC). At
    ``v = 0`` this gives the finite limit ``1e-3*z*F*(ci - co)``. Constants: NEURON 9
    supports only its modern units, the exact CODATA 2018 values
    F = e*N_A = 96485.33212331001 C/mol and R = k*N_A = 8.31446261815324 J/(mol K)
    (``h.FARADAY``, ``h.R``); 0 degC = 273.15 K. Sign: outward current positive
    (positive when ions of positive ``z`` leave the cell). Multiplying by a
    permeability in cm/s gives mA/cm^2; the factor 1e-3 converts
    F*c*P = (C/mol)*(1e-6 mol/cm^3)*(cm/s) = 1e-6 A/cm^2 to mA/cm^2.

    This function returns that value times 1e3, since
    (mA/cm^2)/(cm/s) = (10 A/m^2)/(0.01 m/s) = 1e3 (A/m^2)/(m/s): the result is in
    A/m^2 per m/s of permeability (= C/m^3), i.e. the SI form
    ``z^2 F^2 v/(R T) * (ci - co*exp(-z F v/(R T)))/(1 - exp(-z F v/(R T)))`` with
    ``v`` in V and concentrations in mol/m^3 (= mM).

    Args:
        v_mV: membrane potential(s), mV (scalar or array; evaluated one by one).
        ci_mM: intracellular concentration, mM.
        co_mM: extracellular concentration, mM.
        z: valence of the ion.
        celsius: temperature, degC. ``h.celsius`` is set to it for the call and
            restored afterwards.

    Returns:
        NEURON's GHK current per unit permeability, A/m^2 per m/s (C/m^3),
        outward positive: a float for a scalar ``v_mV``, otherwise an array of
        the same shape.
    """
    v = np.asarray(v_mV, dtype=float)
    previous_celsius = h.celsius
    h.celsius = celsius
    try:
        values = np.array(
            [h.ghk(float(x), float(ci_mM), float(co_mM), float(z)) for x in v.ravel()],
            dtype=float,
        )
    finally:
        h.celsius = previous_celsius
    out = values.reshape(v.shape) * _GHK_TO_SI
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class CableReference:
    """A propagated action potential along an HH cable: threshold (-20 mV) crossing times (ms) at the
    recording points, the conduction velocity between the first and last (m/s), the peak v at the first
    point and at the middle segment (mV), and the Na+ charge that entered per unit area at the middle
    segment over the whole run (C/cm^2).
    """

    crossings: np.ndarray
    velocity: float
    peak: float
    peak_middle: float
    q_na_middle: float


def simulate_hh_cable(
    length_um: float,
    diam_um: float,
    ra: float,
    nseg: int,
    dt: float,
    celsius: float,
    stim_nA: float,
    t_on: float,
    dur: float,
    tstop: float,
    points: tuple[float, float] = (0.3, 0.7),
) -> CableReference:
    """NEURON's ``hh`` on one sealed cable (``nseg`` segments, backward Euler at ``dt`` ms, rest at the
    model's resting potential), an ``IClamp`` of ``stim_nA`` at its start from ``t_on`` for ``dur`` ms.
    """
    cable = h.Section(name="hh52_cable")
    cable.L, cable.diam, cable.Ra, cable.nseg, cable.cm = length_um, diam_um, ra, nseg, CM
    cable.insert("hh")
    h.usetable_hh = 0
    for segment in cable:
        segment.hh.gnabar, segment.hh.gkbar, segment.hh.gl, segment.hh.el = GNA_BAR, GK_BAR, GL, EL
        segment.ena, segment.ek = ENA, EK
    stim = h.IClamp(cable(0.5 / nseg))
    stim.delay, stim.dur, stim.amp = t_on, dur, stim_nA
    middle = cable(0.5)
    t = h.Vector().record(h._ref_t)
    v = [h.Vector().record(cable(x)._ref_v) for x in points]
    v_mid, ina_mid = h.Vector().record(middle._ref_v), h.Vector().record(middle._ref_ina)
    rest = resting_potential()
    h.celsius = celsius
    h.CVode().active(0)
    h.secondorder = 0
    h.dt = dt
    h.finitialize(rest)
    while h.t < tstop - 0.5 * dt:
        h.fadvance()
    t = _to_numpy(t)
    crossings = np.array([_upward_crossings(t, _to_numpy(trace), SPIKE_THRESHOLD)[0] for trace in v])
    g_leak_na = leak_na_conductance()
    inward = -(_to_numpy(ina_mid) + g_leak_na * (_to_numpy(v_mid) - ENA))  # mA/cm^2
    q_na = float(_cumulative_trapezoid(t, inward)[-1]) * 1e-6  # mA ms / cm^2 = uC/cm^2 -> C/cm^2
    distance = (points[-1] - points[0]) * length_um * 1e-6  # m
    return CableReference(
        crossings,
        distance / ((crossings[-1] - crossings[0]) * 1e-3),
        float(_to_numpy(v[0]).max()),
        float(_to_numpy(v_mid).max()),
        q_na,
    )
