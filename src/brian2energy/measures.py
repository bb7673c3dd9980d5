"""Energy measures on recorded traces: small pure functions, one definition each.

Every function takes the traces of one neuron as Brian2 quantities (times in second,
potentials in volt, charges in coulomb; ATP counts are plain numbers) and returns ATP
counts and ratios as plain numbers, rates as quantities. :func:`~brian2energy.energy.energy_report` composes them; they work as well
on traces from anywhere else (another simulator, a recording).

Definitions (ATP in the ions-restored view, above the cost of rest):

* :func:`isolated_spike_costs`: for each spike alone in its window ``[t - pre, t + post]``
  around its threshold crossing ``t``, the ATP within the window minus the resting rate
  times the window;
* :func:`tonic_spike_cost`: (ATP over the run - resting rate x duration) / number of spikes;
* :func:`na_load_ratios` (Carter & Bean 2009; Sengupta et al. 2010): the Na+ charge a spike
  lets in (window integral, resting entry subtracted) over the least charge that could have
  carried the membrane through the spike's amplitude, ``C (v_peak - v_start)``, with
  ``v_start`` the potential at the window's start; and the fraction of that Na+ that flows
  after the peak of v, while K+ current already repolarizes;
* :func:`quiet_rate`: the ATP rate over the longest stretch with no stimulus, no spike
  nearby and v within 0.5 mV of where it started.
"""

from __future__ import annotations

import numpy as np
from brian2 import Quantity, amp, coulomb, farad, second, volt

from .errors import ModelError
from .expressions import check_dimensions

__all__ = ["is_isolated", "isolated_spike_costs", "na_load_ratios", "quiet_rate", "spike_windows", "tonic_spike_cost"]


def _si(value, unit, what: str) -> np.ndarray:
    """Return ``value`` as a float array in SI units, after checking it has the dimensions of ``unit``."""
    return np.asarray(check_dimensions(value, unit, what), dtype=float)


def spike_windows(t: Quantity, spike_times: Quantity, pre: Quantity, post: Quantity) -> tuple[np.ndarray, np.ndarray]:
    """Find the sample indices where each spike's window ``[t_s - pre, t_s + post]`` starts and ends.

    Parameters
    ----------
    t : Quantity (second)
        The sample times.
    spike_times : Quantity (second)
        The threshold crossings.
    pre : Quantity (second)
        The window's start before each crossing.
    post : Quantity (second)
        The window's end after each crossing.

    Returns
    -------
    starts, ends : ndarray of int
        The first sample at or after each window's start and end (within ``t``).

    Raises
    ------
    ModelError
        If an argument has the wrong units.
    """
    t, s = _si(t, second, "t"), _si(spike_times, second, "spike_times")
    pre_s, post_s = float(_si(pre, second, "pre")), float(_si(post, second, "post"))
    starts, ends = np.searchsorted(t, s - pre_s), np.searchsorted(t, s + post_s)
    return np.minimum(starts, t.size - 1), np.minimum(ends, t.size - 1)


def is_isolated(spike_times: Quantity, start: Quantity, end: Quantity, pre: Quantity, post: Quantity) -> bool:
    """Tell whether every spike is alone in its window and every window lies within ``[start, end]``.

    Parameters
    ----------
    spike_times : Quantity (second)
        The threshold crossings.
    start, end : Quantity (second)
        The recording's start and end.
    pre : Quantity (second)
        The window's start before each crossing.
    post : Quantity (second)
        The window's end after each crossing.

    Returns
    -------
    bool
        False without spikes.

    Raises
    ------
    ModelError
        If an argument has the wrong units.
    """
    s = np.sort(_si(spike_times, second, "spike_times"))
    pre_s, post_s = float(_si(pre, second, "pre")), float(_si(post, second, "post"))
    if s.size == 0:
        return False
    alone = s.size == 1 or bool(np.min(np.diff(s)) > pre_s + post_s)
    return (
        alone
        and s[0] - pre_s >= float(_si(start, second, "start"))
        and s[-1] + post_s <= float(_si(end, second, "end"))
    )


def isolated_spike_costs(
    t: Quantity, atp, spike_times: Quantity, rest_rate: Quantity, pre: Quantity, post: Quantity
) -> np.ndarray:
    """Compute the ATP of each spike above rest.

    Parameters
    ----------
    t : Quantity (second)
        The sample times.
    atp : array_like
        The cumulative ATP at each sample (molecules).
    spike_times : Quantity (second)
        The threshold crossings.
    rest_rate : Quantity (1/second)
        The resting cost, ATP per second.
    pre : Quantity (second)
        The window's start before each crossing.
    post : Quantity (second)
        The window's end after each crossing.

    Returns
    -------
    ndarray
        Per spike: the cumulative ATP's rise over its window minus ``rest_rate`` x the window.

    Raises
    ------
    ModelError
        If an argument has the wrong units.
    """
    t_si, a = _si(t, second, "t"), np.asarray(atp, dtype=float)
    starts, ends = spike_windows(t, spike_times, pre, post)
    rate = float(_si(rest_rate, 1 / second, "rest_rate"))
    return a[ends] - a[starts] - rate * (t_si[ends] - t_si[starts])


def tonic_spike_cost(atp_total: float, rest_rate: Quantity, duration: Quantity, n_spikes: int) -> float:
    """Compute the ATP per spike of tonic firing: (ATP over the run - ``rest_rate`` x ``duration``) / ``n_spikes``.

    Parameters
    ----------
    atp_total : float
        ATP over the run (molecules).
    rest_rate : Quantity (1/second)
        The resting cost, ATP per second.
    duration : Quantity (second)
        The run's length.
    n_spikes : int
        The spikes of the run, at least one.

    Returns
    -------
    float
        ATP per spike above rest.

    Raises
    ------
    ModelError
        If ``n_spikes`` < 1 or an argument has the wrong units.
    """
    if n_spikes < 1:
        raise ModelError(f"tonic_spike_cost: needs at least one spike, got {n_spikes}")
    excess = float(atp_total) - float(_si(rest_rate, 1 / second, "rest_rate")) * float(
        _si(duration, second, "duration")
    )
    return excess / n_spikes


def na_load_ratios(
    t: Quantity,
    q_na: Quantity,
    v: Quantity,
    spike_times: Quantity,
    rest_entry: Quantity,
    capacitance: Quantity,
    pre: Quantity,
    post: Quantity,
) -> tuple[np.ndarray, np.ndarray]:
    """Compute each spike's Na+ load ratio and the fraction of its Na+ entry after the peak of v.

    Parameters
    ----------
    t : Quantity (second)
        The sample times.
    q_na : Quantity (coulomb)
        The cumulative Na+ charge that entered through the cell's own mechanisms (synaptic Na+
        is not the spike's).
    v : Quantity (volt)
        The membrane potential at each sample.
    spike_times : Quantity (second)
        The threshold crossings.
    rest_entry : Quantity (amp)
        The Na+ entry's rate at rest.
    capacitance : Quantity (farad)
        The whole-cell capacitance.
    pre : Quantity (second)
        The window's start before each crossing.
    post : Quantity (second)
        The window's end after each crossing.

    Returns
    -------
    ratios : ndarray
        Per spike: the window's Na+ charge (resting entry subtracted) over
        ``C (v_peak - v_start)`` (Carter & Bean 2009; Sengupta et al. 2010).
    after_peak : ndarray
        Per spike: the fraction of that Na+ that entered after the peak of v.

    Raises
    ------
    ModelError
        If an argument has the wrong units.
    """
    t_si, q, v_si = _si(t, second, "t"), _si(q_na, coulomb, "q_na"), _si(v, volt, "v")
    rate = float(_si(rest_entry, amp, "rest_entry"))
    c = float(_si(capacitance, farad, "capacitance"))
    starts, ends = spike_windows(t, spike_times, pre, post)
    peaks = np.array([s + np.argmax(v_si[s : max(e + 1, s + 1)]) for s, e in zip(starts, ends)], dtype=int)
    spike_q = q[ends] - q[starts] - rate * (t_si[ends] - t_si[starts])
    after = q[ends] - q[peaks] - rate * (t_si[ends] - t_si[peaks])
    with np.errstate(divide="ignore", invalid="ignore"):
        return spike_q / (c * (v_si[peaks] - v_si[starts])), after / spike_q


def quiet_rate(
    t: Quantity,
    atp,
    v: Quantity,
    stimulus,
    spike_times: Quantity,
    pre: Quantity,
    post: Quantity,
    min_length: Quantity = 10e-3 * second,
) -> Quantity:
    """Compute the ATP rate over the longest quiet stretch.

    Quiet: ``stimulus`` zero, no spike within (pre, post) of it, and v within 0.5 mV of its first
    value (the recording's first sample).

    Parameters
    ----------
    t : Quantity (second)
        The sample times.
    atp : array_like
        The cumulative ATP at each sample (molecules).
    v : Quantity (volt)
        The membrane potential at each sample.
    stimulus : array_like
        The injected current at each sample (any unit: only zero matters).
    spike_times : Quantity (second)
        The threshold crossings.
    pre : Quantity (second)
        The window's start before each crossing.
    post : Quantity (second)
        The window's end after each crossing.
    min_length : Quantity (second), optional
        The shortest stretch accepted (default 10 ms).

    Returns
    -------
    Quantity (1/second)
        ATP per second; NaN when no such stretch of at least ``min_length`` exists.

    Raises
    ------
    ModelError
        If an argument has the wrong units.
    """
    t_si, a, v_si = _si(t, second, "t"), np.asarray(atp, dtype=float), _si(v, volt, "v")
    pre_s, post_s = float(_si(pre, second, "pre")), float(_si(post, second, "post"))
    quiet = np.asarray(stimulus, dtype=float) == 0
    for s in _si(spike_times, second, "spike_times"):
        quiet &= (t_si < s - pre_s) | (t_si > s + post_s)
    quiet &= np.abs(v_si - v_si[0]) < 0.5e-3
    if not quiet.any():
        return np.nan / second
    edges = np.flatnonzero(np.diff(np.r_[0, quiet.astype(int), 0]))
    starts, stops = edges[::2], edges[1::2] - 1
    best = int(np.argmax(t_si[stops] - t_si[starts]))
    i, j = starts[best], stops[best]
    if t_si[j] - t_si[i] < float(_si(min_length, second, "min_length")):
        return np.nan / second
    return (a[j] - a[i]) / (t_si[j] - t_si[i]) / second
