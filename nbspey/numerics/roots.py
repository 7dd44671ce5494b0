"""Bracketing root finder and bracket search, as compiled state machines.

Upper limits solve ``1 - CLs(mu) = confidence level``, where every evaluation
of the function is itself a set of fits. Like the minimiser, the root finder
therefore never calls the function: it names the next point
(:func:`root_trial`), the caller evaluates there and hands the value to
:func:`root_advance`. The same cached code serves compiled callers, the
generic driver :func:`find_root` for ``@njit`` functions and
:func:`find_root_python` for plain Python functions::

    state = root_start(low, high, absolute_tolerance, relative_tolerance, 100)
    while root_running(state):
        root_advance(state, function(root_trial(state)))
    root, status, evaluations = root_result(state)

The method is Brent's (*Algorithms for Minimization without Derivatives*,
1973, chapter 4): inverse quadratic interpolation or the secant step when they
stay well inside the bracket and shrink it fast enough, bisection otherwise.
It needs at most about the square of the bisection count of evaluations and
usually far fewer.

The bracket search (:func:`bracket_start`, :func:`bracket_advance`) widens an
interval geometrically until the function changes sign, never leaving the
given limits; the interval only grows, so no region is searched twice.
"""

import math
from collections import namedtuple

import numpy as np

from nbspey._compile import generic_kernel, kernel

__all__ = [
    "ROOT_RUNNING",
    "ROOT_CONVERGED",
    "ROOT_NO_SIGN_CHANGE",
    "ROOT_MAX_ITERATIONS",
    "ROOT_NOT_FINITE",
    "ROOT_INVALID_INPUT",
    "root_status_message",
    "RootState",
    "BracketState",
    "root_start",
    "root_running",
    "root_trial",
    "root_advance",
    "root_result",
    "bracket_start",
    "bracket_running",
    "bracket_trial",
    "bracket_advance",
    "bracket_result",
    "find_root",
    "find_bracket",
    "find_root_python",
    "find_bracket_python",
]

ROOT_RUNNING = 0
ROOT_CONVERGED = 1
ROOT_NO_SIGN_CHANGE = -1
ROOT_MAX_ITERATIONS = -2
ROOT_NOT_FINITE = -3
ROOT_INVALID_INPUT = -4

_ROOT_MESSAGES = {
    ROOT_RUNNING: "the search is still running",
    ROOT_CONVERGED: "converged: the bracket is below the tolerance",
    ROOT_NO_SIGN_CHANGE: "failed: the function has the same sign at both ends",
    ROOT_MAX_ITERATIONS: "failed: maximum number of evaluations reached",
    ROOT_NOT_FINITE: "failed: the function returned a value that is not finite",
    ROOT_INVALID_INPUT: "failed: invalid interval, limits or tolerances",
}


def root_status_message(status):
    """Plain-language meaning of a root-finder or bracket status code."""
    return _ROOT_MESSAGES.get(int(status), f"unknown status {status}")


RootState = namedtuple("RootState", ["reals", "counts"])
BracketState = namedtuple("BracketState", ["reals", "counts"])

# RootState.reals: the bracket (a, b, c) with function values, the last two
# step lengths d and e of Brent's method, tolerances and the trial point.
_A, _B, _C, _FA, _FB, _FC, _D, _E, _ABS_TOL, _REL_TOL, _TRIAL = range(11)
# RootState.counts.
_STATUS, _PHASE, _EVALUATIONS, _MAX_EVALUATIONS = range(4)
# Phases of the root search: waiting for f(low), for f(high), iterating.
_WANT_LOW, _WANT_HIGH, _ITERATING = range(3)

_EPSILON = np.finfo(np.float64).eps


@kernel
def root_start(low, high, absolute_tolerance, relative_tolerance, max_evaluations):
    """Start Brent's method on ``[low, high]``; the first trial is ``low``.

    Parameters
    ----------
    low, high : float
        Ends of the bracket (in either order).
    absolute_tolerance, relative_tolerance : float
        The search stops when the bracket is shorter than
        ``absolute_tolerance + relative_tolerance * |x|`` (and never asks for
        less than about four rounding units of ``|x|``).
    max_evaluations : int
        Largest number of function values to use, including the two ends.
    """
    reals = np.zeros(11)
    counts = np.zeros(4, dtype=np.int64)
    reals[_A] = low
    reals[_B] = high
    reals[_ABS_TOL] = absolute_tolerance
    reals[_REL_TOL] = relative_tolerance
    reals[_TRIAL] = low
    counts[_MAX_EVALUATIONS] = max_evaluations
    valid = math.isfinite(low) and math.isfinite(high) and low != high
    valid = valid and absolute_tolerance >= 0.0 and relative_tolerance >= 0.0
    if not valid or max_evaluations < 2:
        counts[_STATUS] = ROOT_INVALID_INPUT
    return RootState(reals, counts)


@kernel
def root_running(state):
    """True while the root finder wants the function at :func:`root_trial`."""
    return state.counts[_STATUS] == ROOT_RUNNING


@kernel
def root_trial(state):
    """Where to evaluate the function next."""
    return state.reals[_TRIAL]


@kernel
def _half_tolerance(reals, x):
    wanted = reals[_ABS_TOL] + reals[_REL_TOL] * abs(x)
    return 0.5 * max(wanted, 4.0 * _EPSILON * abs(x))


@kernel
def _arrange_bracket(reals):
    """Keep ``b`` the best estimate, ``c`` across the root, ``a`` the last ``b``."""
    if (reals[_FB] > 0.0) == (reals[_FC] > 0.0):
        # The root left [b, c]: c takes the previous point a.
        reals[_C], reals[_FC] = reals[_A], reals[_FA]
        reals[_D] = reals[_E] = reals[_B] - reals[_A]
    if abs(reals[_FC]) < abs(reals[_FB]):
        reals[_A], reals[_B], reals[_C] = reals[_B], reals[_C], reals[_B]
        reals[_FA], reals[_FB], reals[_FC] = reals[_FB], reals[_FC], reals[_FB]


@kernel
def _bracket_is_small(reals):
    tolerance = _half_tolerance(reals, reals[_B])
    return abs(0.5 * (reals[_C] - reals[_B])) <= tolerance or reals[_FB] == 0.0


@kernel
def _brent_step(reals):
    """Choose the next trial point from the arranged bracket."""
    a, b, c = reals[_A], reals[_B], reals[_C]
    fa, fb, fc = reals[_FA], reals[_FB], reals[_FC]
    d, e = reals[_D], reals[_E]
    tolerance = _half_tolerance(reals, b)
    midpoint = 0.5 * (c - b)

    if abs(e) >= tolerance and abs(fa) > abs(fb):
        s = fb / fa
        if a == c:
            # Secant step through a and b.
            p = 2.0 * midpoint * s
            q = 1.0 - s
        else:
            # Inverse quadratic interpolation through a, b and c.
            q = fa / fc
            r = fb / fc
            p = s * (2.0 * midpoint * q * (q - r) - (b - a) * (r - 1.0))
            q = (q - 1.0) * (r - 1.0) * (s - 1.0)
        if p > 0.0:
            q = -q
        else:
            p = -p
        # Take the interpolation only if it lands well inside the bracket and
        # shrinks faster than the step before last; otherwise bisect.
        if 2.0 * p < min(3.0 * midpoint * q - abs(tolerance * q), abs(e * q)):
            e = d
            d = p / q
        else:
            d = midpoint
            e = midpoint
    else:
        d = midpoint
        e = midpoint

    reals[_A], reals[_FA] = b, fb
    if abs(d) > tolerance:
        reals[_TRIAL] = b + d
    else:
        reals[_TRIAL] = b + (tolerance if midpoint > 0.0 else -tolerance)
    reals[_D], reals[_E] = d, e


@kernel
def root_advance(state, value):
    """Hand over the function value at the trial point.

    Returns :func:`root_running`.
    """
    reals = state.reals
    counts = state.counts
    if counts[_STATUS] != ROOT_RUNNING:
        return False
    counts[_EVALUATIONS] += 1
    if not math.isfinite(value):
        counts[_STATUS] = ROOT_NOT_FINITE
        return False

    phase = counts[_PHASE]
    if phase == _WANT_LOW:
        reals[_FA] = value
        counts[_PHASE] = _WANT_HIGH
        reals[_TRIAL] = reals[_B]
        if value == 0.0:
            reals[_B], reals[_FB] = reals[_A], value
            counts[_STATUS] = ROOT_CONVERGED
        return counts[_STATUS] == ROOT_RUNNING
    if phase == _WANT_HIGH:
        reals[_FB] = value
        if value == 0.0:
            counts[_STATUS] = ROOT_CONVERGED
            return False
        if (reals[_FA] > 0.0) == (value > 0.0):
            counts[_STATUS] = ROOT_NO_SIGN_CHANGE
            return False
        reals[_C], reals[_FC] = reals[_A], reals[_FA]
        reals[_D] = reals[_E] = reals[_B] - reals[_A]
        counts[_PHASE] = _ITERATING
    else:
        reals[_B], reals[_FB] = reals[_TRIAL], value

    _arrange_bracket(reals)
    if _bracket_is_small(reals):
        counts[_STATUS] = ROOT_CONVERGED
    elif counts[_EVALUATIONS] >= counts[_MAX_EVALUATIONS]:
        counts[_STATUS] = ROOT_MAX_ITERATIONS
    else:
        _brent_step(reals)
    return counts[_STATUS] == ROOT_RUNNING


@kernel
def root_result(state):
    """Return ``(root, status, evaluations)``.

    The root is the evaluated point with the smallest function value in
    magnitude.
    """
    return state.reals[_B], state.counts[_STATUS], state.counts[_EVALUATIONS]


# BracketState.reals and counts.
_LOW, _HIGH, _F_LOW, _F_HIGH, _LOWER_LIMIT, _UPPER_LIMIT, _GROWTH, _BTRIAL = range(8)
_BSTATUS, _BPHASE, _BEVALUATIONS, _BMAX, _DIRECTION, _BSIDE = range(6)
# The bracket search asks for f(low), f(high), then one new end at a time.
_B_WANT_LOW, _B_WANT_HIGH, _B_WANT_NEW = range(3)


@kernel
def bracket_start(
    low, high, lower_limit, upper_limit, growth, direction, max_evaluations
):
    """Start a search for an interval on which the function changes sign.

    Parameters
    ----------
    low, high : float
        The initial interval, ``low < high``, inside the limits.
    lower_limit, upper_limit : float
        The search never evaluates outside ``[lower_limit, upper_limit]``
        (infinite limits allowed).
    growth : float
        Each widening moves one end out by ``growth`` times the current
        width, so the width grows by the factor ``1 + growth`` per
        evaluation; 2 is a good default. On success the returned bracket is
        the last step only, from the previous end to the new point.
    direction : int
        +1 widens only upwards, -1 only downwards, 0 on the side whose value
        is smaller in magnitude (where the root is likely nearer).
    max_evaluations : int
        Largest number of function values to use.
    """
    reals = np.zeros(8)
    counts = np.zeros(6, dtype=np.int64)
    reals[_LOW], reals[_HIGH] = low, high
    reals[_LOWER_LIMIT], reals[_UPPER_LIMIT] = lower_limit, upper_limit
    reals[_GROWTH] = growth
    reals[_BTRIAL] = low
    counts[_BMAX] = max_evaluations
    counts[_DIRECTION] = direction
    valid = math.isfinite(low) and math.isfinite(high) and low < high
    valid = valid and lower_limit <= low and high <= upper_limit and growth > 0.0
    if not valid or max_evaluations < 2:
        counts[_BSTATUS] = ROOT_INVALID_INPUT
    return BracketState(reals, counts)


@kernel
def bracket_running(state):
    """True while the bracket search wants the function at the trial point."""
    return state.counts[_BSTATUS] == ROOT_RUNNING


@kernel
def bracket_trial(state):
    """Where to evaluate the function next."""
    return state.reals[_BTRIAL]


@kernel
def _widen(reals, counts):
    """Choose the next end to move out, or report that none can move."""
    low, high = reals[_LOW], reals[_HIGH]
    width = high - low
    can_lower = low > reals[_LOWER_LIMIT] and counts[_DIRECTION] <= 0
    can_upper = high < reals[_UPPER_LIMIT] and counts[_DIRECTION] >= 0
    if not can_lower and not can_upper:
        counts[_BSTATUS] = ROOT_NO_SIGN_CHANGE
        return
    upward = can_upper
    if can_lower and can_upper:
        upward = abs(reals[_F_HIGH]) <= abs(reals[_F_LOW])
    if upward:
        counts[_BSIDE] = 1
        reals[_BTRIAL] = min(high + reals[_GROWTH] * width, reals[_UPPER_LIMIT])
    else:
        counts[_BSIDE] = -1
        reals[_BTRIAL] = max(low - reals[_GROWTH] * width, reals[_LOWER_LIMIT])


@kernel
def bracket_advance(state, value):
    """Hand over the function value at the trial point.

    Returns :func:`bracket_running`.
    """
    reals = state.reals
    counts = state.counts
    if counts[_BSTATUS] != ROOT_RUNNING:
        return False
    counts[_BEVALUATIONS] += 1
    if not math.isfinite(value):
        counts[_BSTATUS] = ROOT_NOT_FINITE
        return False
    phase = counts[_BPHASE]
    if phase == _B_WANT_LOW:
        reals[_F_LOW] = value
        counts[_BPHASE] = _B_WANT_HIGH
        reals[_BTRIAL] = reals[_HIGH]
        return True
    if phase == _B_WANT_HIGH:
        reals[_F_HIGH] = value
        counts[_BPHASE] = _B_WANT_NEW
        if (reals[_F_LOW] > 0.0) != (value > 0.0) or value == 0.0:
            counts[_BSTATUS] = ROOT_CONVERGED
            return False
    elif counts[_BSIDE] > 0:
        # The interval grows upwards; on a sign change the bracket is the
        # last step, from the old upper end to the new point.
        if (reals[_F_HIGH] > 0.0) != (value > 0.0) or value == 0.0:
            reals[_LOW], reals[_F_LOW] = reals[_HIGH], reals[_F_HIGH]
            reals[_HIGH], reals[_F_HIGH] = reals[_BTRIAL], value
            counts[_BSTATUS] = ROOT_CONVERGED
            return False
        reals[_HIGH], reals[_F_HIGH] = reals[_BTRIAL], value
    else:
        if (reals[_F_LOW] > 0.0) != (value > 0.0) or value == 0.0:
            reals[_HIGH], reals[_F_HIGH] = reals[_LOW], reals[_F_LOW]
            reals[_LOW], reals[_F_LOW] = reals[_BTRIAL], value
            counts[_BSTATUS] = ROOT_CONVERGED
            return False
        reals[_LOW], reals[_F_LOW] = reals[_BTRIAL], value

    if counts[_BEVALUATIONS] >= counts[_BMAX]:
        counts[_BSTATUS] = ROOT_MAX_ITERATIONS
        return False
    _widen(reals, counts)
    return counts[_BSTATUS] == ROOT_RUNNING


@kernel
def bracket_result(state):
    """``(low, high, f_low, f_high, status, evaluations)``."""
    reals = state.reals
    return (
        reals[_LOW],
        reals[_HIGH],
        reals[_F_LOW],
        reals[_F_HIGH],
        state.counts[_BSTATUS],
        state.counts[_BEVALUATIONS],
    )


@generic_kernel
def find_root(
    function, low, high, args, absolute_tolerance, relative_tolerance, max_evaluations
):
    """Root of a compiled ``function(x, args) -> float`` on ``[low, high]``.

    Returns ``(root, status, evaluations)``; see :func:`root_start`. Not
    cached on disk, since it takes a function (the iteration itself is).
    """
    state = root_start(
        low, high, absolute_tolerance, relative_tolerance, max_evaluations
    )
    while root_running(state):
        root_advance(state, function(root_trial(state), args))
    return root_result(state)


@generic_kernel
def find_bracket(
    function,
    low,
    high,
    lower_limit,
    upper_limit,
    args,
    growth,
    direction,
    max_evaluations,
):
    """Widen ``[low, high]`` until a compiled ``function(x, args)`` changes sign.

    Returns :func:`bracket_result`.
    """
    state = bracket_start(
        low, high, lower_limit, upper_limit, growth, direction, max_evaluations
    )
    while bracket_running(state):
        bracket_advance(state, function(bracket_trial(state), args))
    return bracket_result(state)


def find_root_python(
    function,
    low,
    high,
    *,
    absolute_tolerance=1e-12,
    relative_tolerance=1e-12,
    max_evaluations=200,
):
    """Root of a plain Python ``function(x) -> float`` by compiled Brent.

    Returns ``(root, status, evaluations)``.
    """
    state = root_start(
        float(low),
        float(high),
        float(absolute_tolerance),
        float(relative_tolerance),
        int(max_evaluations),
    )
    while root_running(state):
        root_advance(state, float(function(root_trial(state))))
    return root_result(state)


def find_bracket_python(
    function,
    low,
    high,
    *,
    lower_limit=-np.inf,
    upper_limit=np.inf,
    growth=2.0,
    direction=0,
    max_evaluations=100,
):
    """Bracket search for a plain Python ``function(x) -> float``.

    Returns :func:`bracket_result`.
    """
    state = bracket_start(
        float(low),
        float(high),
        float(lower_limit),
        float(upper_limit),
        float(growth),
        int(direction),
        int(max_evaluations),
    )
    while bracket_running(state):
        bracket_advance(state, float(function(bracket_trial(state))))
    return bracket_result(state)
