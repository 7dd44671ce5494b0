"""Chi-square intervals: where ``2 (NLL(v) - NLL_min)`` crosses a threshold.

The threshold is ``T = chi2_isf(1 - CL)`` for one degree of freedom (3.8415 at
95%), the same for one- and two-sided intervals, as spey uses it. The scan
follows ``statistics.md`` section 11.3:

1. evaluate the profile NLL on a few evenly spaced points of a window and,
   if one lies below the fitted minimum, refine the minimum there;
2. lay a grid over the window and solve ``g(v) = 2 (NLL(v) - NLL_min) - T``
   between neighbours of opposite sign (Brent's method);
3. widen the window threefold about the best fit, up to four times, while a
   required side (left, right or both) has no crossing;
4. a side that still has none is searched outwards from the best fit with a
   geometric bracket search up to the hard limits; where none exists the
   result is the hard limit (when ``g`` is still negative there) or NaN,
   with a warning.

The profile NLL is a function of one value; each evaluation is a profile fit
of the model, so this module works the same for every backend.
"""

import math
import warnings

import numpy as np

from nbspey.numerics.minimize import minimize_python
from nbspey.numerics.roots import (
    ROOT_CONVERGED,
    find_bracket_python,
    find_root_python,
)
from nbspey.numerics.special import chi2_isf

__all__ = ["chi_square_crossings", "IntervalWarning"]

HARD_LIMIT = 1e5
"""The scan never leaves ``[-1e5, 1e5]`` (nor the parameter's bounds)."""


class IntervalWarning(UserWarning):
    """A side of a chi-square interval has no crossing in the search range."""


def chi_square_crossings(
    profile_nll,
    nll_min,
    reference,
    window,
    hard_limits,
    confidence_level,
    limit_type,
    n_scan=3,
    n_multistart=2,
):
    """Values where ``2 (profile_nll(v) - nll_min)`` equals the threshold.

    Parameters
    ----------
    profile_nll : callable
        ``v -> NLL`` of the profile fit with the scanned parameter at ``v``.
    nll_min, reference : float
        The fitted minimum and where it lies.
    window : tuple of float
        First scanning window.
    hard_limits : tuple of float
        The scan never evaluates outside them.
    confidence_level : float
    limit_type : {"left", "right", "two-sided"}
    n_scan, n_multistart : int
        Grid sizes of the crossing scan (at least 3) and of the search for a
        lower minimum (at least 2).

    Returns
    -------
    list of float
        Sorted crossings: all on the left, all on the right, or both sides.
    """
    threshold = chi2_isf(1.0 - confidence_level)
    low_limit, high_limit = hard_limits
    low, high = max(window[0], low_limit), min(window[1], high_limit)
    nll_min, reference = _refine_minimum(
        profile_nll, nll_min, reference, low, high, max(2, n_multistart)
    )

    def excess(value):
        return 2.0 * (profile_nll(value) - nll_min) - threshold

    need_left = limit_type in ("left", "two-sided")
    need_right = limit_type in ("right", "two-sided")
    roots = _grid_crossings(excess, low, high, max(3, n_scan))
    for _ in range(4):
        left = [r for r in roots if r < reference - 1e-12]
        right = [r for r in roots if r > reference + 1e-12]
        if (left or not need_left) and (right or not need_right):
            break
        wider_low = max(reference - 3.0 * (reference - low), low_limit)
        wider_high = min(reference + 3.0 * (high - reference), high_limit)
        if wider_low == low and wider_high == high:
            break
        low, high = wider_low, wider_high
        roots = _grid_crossings(excess, low, high, max(3, n_scan))
    left = [r for r in roots if r < reference - 1e-12]
    right = [r for r in roots if r > reference + 1e-12]
    if need_left and not left:
        left = [_outward_crossing(excess, reference, low_limit)]
    if need_right and not right:
        right = [_outward_crossing(excess, reference, high_limit)]
    if limit_type == "left":
        return left
    if limit_type == "right":
        return right
    return sorted(left + right)


def _refine_minimum(profile_nll, nll_min, reference, low, high, count):
    """A lower minimum found on an even grid, refined; else the given one."""
    if not high > low:
        return nll_min, reference
    grid = np.linspace(low, high, count)
    values = np.array([profile_nll(v) for v in grid])
    best = int(np.argmin(values))
    if not values[best] < nll_min - 1e-9:
        return nll_min, reference
    step = grid[1] - grid[0]
    lower = np.array([max(grid[best] - step, low)])
    upper = np.array([min(grid[best] + step, high)])
    result = minimize_python(
        lambda x: profile_nll(float(x[0])),
        np.array([grid[best]]),
        lower,
        upper,
        np.zeros(1, dtype=np.bool_),
    )
    if result.status > 0 and result.value < values[best]:
        return float(result.value), float(result.x[0])
    return float(values[best]), float(grid[best])


def _grid_crossings(excess, low, high, count):
    """Sign changes of ``excess`` on a grid over ``[low, high]``, solved."""
    grid = np.linspace(low, high, count)
    values = [excess(v) for v in grid]
    roots = [float(v) for v, f in zip(grid, values, strict=True) if f == 0.0]
    for k in range(count - 1):
        f_a, f_b = values[k], values[k + 1]
        if f_a * f_b < 0.0:
            root, status, _ = find_root_python(excess, grid[k], grid[k + 1])
            if status == ROOT_CONVERGED:
                roots.append(float(root))
    unique = []
    for root in sorted(roots):
        if not unique or abs(root - unique[-1]) > max(1e-10, 1e-8 * abs(root)):
            unique.append(root)
    return unique


def _outward_crossing(excess, reference, limit):
    """The first crossing from ``reference`` towards ``limit``, searched outwards."""
    direction = 1 if limit > reference else -1
    first = reference + direction * max(1e-3, 1e-3 * abs(reference))
    first = min(first, limit) if direction > 0 else max(first, limit)
    low, high = sorted((reference, first))
    if low == high:
        return math.nan
    bracket = find_bracket_python(
        excess,
        low,
        high,
        lower_limit=min(limit, reference),
        upper_limit=max(limit, reference),
        growth=2.0,
        direction=direction,
    )
    a, b, f_a, f_b, status, _ = bracket
    if status == ROOT_CONVERGED:
        root, root_status, _ = find_root_python(excess, a, b)
        if root_status == ROOT_CONVERGED:
            return float(root)
    side = "upper" if direction > 0 else "lower"
    below = excess(limit) < 0.0
    warnings.warn(
        f"no {side} crossing of the chi-square threshold before {limit:g}; "
        + (f"reporting {limit:g}" if below else "reporting NaN"),
        IntervalWarning,
        stacklevel=4,
    )
    return float(limit) if below else math.nan
