"""The upper-limit search: a bracket in ``log mu``, then Brent's method.

Limits solve ``f(mu) = 1 - CLs(mu) - CL = 0`` for an increasing ``f``. The
search works in ``t = log mu``, so limits from 1e-7 to 1e6 take the same
number of steps: the bracket search widens ``[log low, log high]`` until ``f``
changes sign, never below ``LIMIT_FLOOR`` or above the model's ceiling, and
Brent's method solves to ``LIMIT_LOG_TOLERANCE`` in ``t``, the relative
accuracy of the limit. The compiled tests of the built-in backends run the
same state machines inside numba
(:func:`nbspey.hypothesis_testing.compiled.upper_limits`); this module's
driver serves the generic route.
"""

import math

from nbspey.numerics.roots import (
    ROOT_CONVERGED,
    bracket_advance,
    bracket_result,
    bracket_running,
    bracket_start,
    bracket_trial,
    root_advance,
    root_result,
    root_running,
    root_start,
    root_trial,
)

__all__ = [
    "LIMIT_FLOOR",
    "LIMIT_LOG_TOLERANCE",
    "LIMIT_MAX_EVALUATIONS",
    "solve_limit_python",
]

LIMIT_FLOOR = 1e-10
"""Smallest POI the search tries (as spey): a model that excludes even this
has no finite limit in the search range."""

LIMIT_LOG_TOLERANCE = 1e-11
"""Absolute tolerance of Brent's method in ``log mu``: the relative accuracy
of the limits."""

LIMIT_MAX_EVALUATIONS = 200
"""Largest number of function values Brent's method may use."""


def solve_limit_python(function, low, high, ceiling):
    """``(limit, status)``: root of an increasing ``function(mu)`` in log mu."""
    search = bracket_start(
        math.log(low),
        math.log(high),
        math.log(LIMIT_FLOOR),
        math.log(ceiling),
        1.0,
        0,
        100,
    )
    while bracket_running(search):
        bracket_advance(search, function(math.exp(bracket_trial(search))))
    t_low, t_high, f_low, f_high, status, _ = bracket_result(search)
    if status != ROOT_CONVERGED:
        return math.inf, status
    known = {t_low: f_low, t_high: f_high}
    root = root_start(t_low, t_high, LIMIT_LOG_TOLERANCE, 0.0, LIMIT_MAX_EVALUATIONS)
    while root_running(root):
        t = root_trial(root)
        value = known[t] if t in known else function(math.exp(t))
        root_advance(root, value)
    t_root, status, _ = root_result(root)
    return math.exp(t_root), status
