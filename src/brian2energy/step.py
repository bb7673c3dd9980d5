"""The time step: the ladder of steps, a cell's step derived from its dynamics, and the step check.

Every shipped model stores two steps in its file (``[cell]`` ``dt``, ``dt_stable``, with their
provenance in ``dt_source``), measured by ``benchmarks/step_ladder.py`` for the default method
(rk4) against an accurate reference (NEURON CVODE for the squid axon, a tight scipy solution of
the same equations for the others):

* ``dt``: the largest step of :data:`LADDER` at which spike times stay within 0.1 ms of the
  reference over 1 s of tonic firing across the model's firing range (for models that do not
  fire, ``v`` within 0.1 mV under current steps);
* ``dt_stable``: the largest step of :data:`STABILITY_LADDER` at which the run stays finite and
  bounded (a larger step blows up to NaN).

A cell built in Python without them gets both from :func:`derived_steps`. :func:`check_step`
refuses a step above ``dt_stable`` (:class:`~brian2energy.errors.ModelError`) and warns about
one above ``dt`` (:class:`~brian2energy.errors.CoarseStepWarning`); :class:`StepCheck` runs
that check at the start of every run of a group, with the step its clock has then.
"""

from __future__ import annotations

import warnings
import weakref

import numpy as np
from brian2 import BrianObject, Quantity, ms, second

from .errors import CoarseStepWarning, ModelError

__all__ = [
    "CHECKED_METHODS",
    "FALLBACK_DT",
    "LADDER",
    "STABILITY_LADDER",
    "StepCheck",
    "check_step",
    "derived_steps",
    "snap_down",
]

#: The steps a model's ``dt`` is chosen from.
LADDER: tuple[Quantity, ...] = tuple(x * ms for x in (0.005, 0.01, 0.02, 0.025, 0.05))
#: The steps a model's ``dt_stable`` is chosen from: the ladder and 0.1 ms.
STABILITY_LADDER: tuple[Quantity, ...] = (*LADDER, 0.1 * ms)
#: The step of a cell whose dynamics cannot be analysed (:func:`derived_steps`).
FALLBACK_DT = 0.01 * ms
#: The methods the stored and derived steps are for; other methods are not checked.
CHECKED_METHODS = ("rk4",)
#: rk4's stability limit on the negative real axis: ``|lambda dt| <= 2.785``.
RK4_REAL_LIMIT = 2.785
#: Safety factor on that limit for the derived accurate step.
SAFETY = 2.0
_V_GRID = np.arange(-100.0, 60.0 + 1e-9, 2.0) * 1e-3  # volt
_RELATIVE = 1e-6  # steps within this relative distance of a ladder step are that step


def snap_down(step: Quantity, ladder=LADDER) -> Quantity:
    """Snap a step down to the largest step of ``ladder`` not above it.

    Parameters
    ----------
    step : Quantity (second)
        The step to snap.
    ladder : sequence of Quantity (second), optional
        The steps to choose from (default :data:`LADDER`).

    Returns
    -------
    Quantity (second)
        The largest step of ``ladder`` not above ``step``; below the ladder, its smallest step
        halved until it is not above ``step``.
    """
    s = float(step)
    fits = [x for x in ladder if float(x) <= s * (1 + _RELATIVE)]
    if fits:
        return max(fits, key=float)
    out = float(min(ladder, key=float))
    while out > s * (1 + _RELATIVE):
        out /= 2
    return out * second


def derived_steps(cell) -> tuple[Quantity, Quantity | None, str]:
    """Derive ``(dt, dt_stable, source)`` for a cell without measured steps, from its Jacobian.

    Parameters
    ----------
    cell : Cell
        The cell.

    Returns
    -------
    dt : Quantity (second)
        The accurate step, snapped down to :data:`LADDER` (:func:`snap_down`) and not above
        ``dt_stable``; :data:`FALLBACK_DT` if the dynamics cannot be analysed.
    dt_stable : Quantity (second) or None
        The stable step, a step of :data:`STABILITY_LADDER`; None if the dynamics cannot be
        analysed (not checked).
    source : str
        How they were derived (the largest eigenvalues and the limits).

    Notes
    -----
    The Jacobian of the cell's equations (concentrations held; :meth:`engine.Dynamics.jacobian`)
    is evaluated at the states a spike passes through when its gates lag: the membrane at every
    ``v`` of a 2 mV grid over [-100, +60] mV, each time with every gate at its steady state of
    every other ``v'`` of that grid (``v' = v`` are the steady states themselves). Then

    * ``dt_stable``: rk4 is linearly stable where ``|lambda dt| <= 2.785`` (its limit on the negative
      real axis) for every eigenvalue lambda of the Jacobian *at the steady states* (``v' = v``),
      snapped down to :data:`STABILITY_LADDER`;
    * ``dt``: half that limit for every eigenvalue over the whole grid (lagging gates included),
      snapped down to :data:`LADDER`.

    Checked against the measured steps of every shipped model (``tests/test_step.py``): this
    ``dt`` is never above the measured one (it is 0.5 to 1 times it), and this ``dt_stable``
    never above the measured one. A cell whose equations the analysis cannot read gets
    :data:`FALLBACK_DT` and no stability limit (``dt_stable`` None: not checked).
    """
    from .resting import dynamics  # the analysis, imported when first needed

    try:
        dyn = dynamics(cell)
        n = len(dyn.parameters)
        on_curve = dyn.gates_at(_V_GRID, [np.zeros(_V_GRID.size)] * n)
        v, v_gates = np.meshgrid(_V_GRID, _V_GRID, indexing="ij")
        lagging = dyn.gates_at(v_gates.ravel(), [np.zeros(v.size)] * n)
        lagging[:, 0] = v.ravel()
        with np.errstate(all="ignore"):
            largest = []
            for x in (on_curve, lagging):
                jac = dyn.jacobian(x, [np.zeros(x.shape[0])] * n)
                finite = np.isfinite(jac).all(axis=(1, 2))
                largest.append(float(np.abs(np.linalg.eigvals(jac[finite])).max()))
    except (ModelError, ValueError, np.linalg.LinAlgError) as exc:
        return FALLBACK_DT, None, f"default {FALLBACK_DT} (the dynamics could not be analysed: {exc})"
    stable_limit = RK4_REAL_LIMIT / largest[0] * second
    accurate_limit = RK4_REAL_LIMIT / SAFETY / largest[1] * second
    dt_stable = snap_down(stable_limit, STABILITY_LADDER)
    dt = min(snap_down(accurate_limit), dt_stable, key=float)
    source = (
        f"derived: largest |eigenvalue| of the Jacobian {largest[0]:.3g}/s at the steady states, "
        f"{largest[1]:.3g}/s with lagging gates over [-100, 60] mV; rk4 limit |lambda dt| <= "
        f"{RK4_REAL_LIMIT} (stable {stable_limit / ms:.3g} ms), half that for dt"
    )
    return dt, dt_stable, source


def check_step(cell, dt: Quantity, method: str, *, stacklevel: int = 2) -> None:
    """Refuse a step ``method`` cannot integrate stably for ``cell``; warn about one too coarse.

    Parameters
    ----------
    cell : Cell
        The cell (its :attr:`~brian2energy.cell.Cell.dt` and
        :attr:`~brian2energy.cell.Cell.dt_stable` are the limits).
    dt : Quantity (second)
        The step.
    method : str
        The integration method's name.
    stacklevel : int, optional
        Passed on to :func:`warnings.warn`, plus one.

    Raises
    ------
    ModelError
        If ``dt`` is above ``cell.dt_stable`` (the message names the model, the step, the method
        and the largest step that works).

    Warns
    -----
    CoarseStepWarning
        If ``dt`` is stable but above ``cell.dt``.

    Notes
    -----
    Only :data:`CHECKED_METHODS` are checked (the stored steps are measured for rk4; other
    methods have other stability regions: Euler's and rk2's are smaller, exponential Euler's
    covers the gates at any step, and none of them was measured here).
    """
    if method not in CHECKED_METHODS:
        return
    step = float(dt)
    stable = cell.dt_stable
    if stable is not None and step > float(stable) * (1 + _RELATIVE):
        raise ModelError(
            f"{cell.name}: dt = {_ms(dt)} is too large for method {method!r}: this model is integrated "
            f"stably up to dt = {_ms(stable)} (larger steps blow up to NaN; {cell.dt_source}). Use "
            f"dt <= {_ms(stable)}, or dt = cell.dt = {_ms(cell.dt)} for spike times within 0.1 ms "
            f"(defaultclock.dt = cell.dt, or neuron_group(..., dt=cell.dt))"
        )
    if step > float(cell.dt) * (1 + _RELATIVE):
        warnings.warn(
            f"{cell.name}: dt = {_ms(dt)} is stable for {method!r} but larger than cell.dt = {_ms(cell.dt)}, "
            f"the largest step that keeps spike times within 0.1 ms of an accurate reference (v within 0.1 mV "
            f"for a cell that does not fire): the 0.1 ms spike-time contract is not kept at this step",
            CoarseStepWarning,
            stacklevel=stacklevel + 1,
        )


def _ms(step: Quantity) -> str:
    """Format a step in ms."""
    return f"{float(step) / float(ms):g} ms"


class StepCheck(BrianObject):
    """Check a group's step (:func:`check_step`) at the start of every run.

    The step checked is the one its clock has then (``defaultclock.dt`` may change after the
    group was built). It does nothing during the run (no code objects);
    :meth:`~brian2energy.cell.Cell.neuron_group` adds one to the group's ``contained_objects``, so
    every network that runs the group runs the check (numpy, cython and cpp_standalone alike:
    Brian2 calls ``before_run`` before it generates any code).

    Parameters
    ----------
    cell : Cell
        The cell the group was made from.
    group : brian2.NeuronGroup
        The group (held by a weak reference).
    method : str
        The group's integration method.

    Raises
    ------
    ModelError
        At the start of a run, as :func:`check_step`. Brian2 reports an error raised there as a
        ``BrianObjectException`` naming this object (``step_check_<model>``), whose cause is the
        :class:`~brian2energy.errors.ModelError` with the full message.
    """

    def __init__(self, cell, group, method: str) -> None:
        label = "".join(c if c.isalnum() or c == "_" else "_" for c in str(cell.name))
        super().__init__(clock=group.clock, when="start", name=f"step_check_{label}*")
        #: the group it belongs to (a weak reference, as Brian2's own contained objects hold theirs)
        self.group = weakref.proxy(group)
        self.cell, self.method = cell, method
        #: the step last checked (by neuron_group, or by an earlier run): not checked twice
        self.checked: float | None = None

    def before_run(self, run_namespace) -> None:
        """Check the clock's step, unless it is the one checked last.

        Parameters
        ----------
        run_namespace : dict
            Brian2's run namespace (unused).
        """
        step = float(self.clock.dt)
        if step != self.checked:
            check_step(self.cell, self.clock.dt, self.method, stacklevel=1)
            self.checked = step
