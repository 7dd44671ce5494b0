"""A bounded trust-region minimiser, written as a compiled state machine.

The minimiser never calls the objective itself. It tells the caller where to
evaluate next (row ``TRIAL_X`` of ``state.vectors``), and the caller fills in
the value, the gradient and (in Newton mode) the Hessian there, then calls
:func:`trust_region_advance`. This *reverse communication* lets one cached
implementation serve every caller: the likelihood fits (which evaluate their
kernels directly, with no function-pointer indirection), the generic driver for
users' compiled objectives, and plain-Python objectives of plugins, which
drive the very same compiled steps from the interpreter::

    state = trust_region_start(x0, lower, upper, fixed, ...)
    x = state.vectors[TRIAL_X]
    gradient = state.vectors[TRIAL_GRADIENT]
    hessian = state.matrices[TRIAL_HESSIAN]
    while trust_region_running(state):
        trust_region_advance(state, objective(x, gradient, hessian))
    result = trust_region_result(state)

Each iteration has three named pieces:

* the *working set* (:func:`_working_set`): parameters that are fixed, or sit
  on a bound with the gradient pushing outwards, are held; the rest are free;
* the *step proposal* (:func:`_propose_step`): the trust-region subproblem on
  the free parameters, then the best of three feasible candidates by model
  value: the projection of that step onto the bounds, the same step truncated
  at the first bound, and the Cauchy point along the projected steepest
  descent. The Cauchy candidate guarantees a fraction of the Cauchy decrease,
  which is what global convergence needs (Conn, Gould and Toint,
  *Trust-Region Methods*, 2000, theorem 6.4.6);
* the *acceptance test* (:func:`trust_region_advance`): the ratio of actual to
  predicted decrease decides whether the trial point is taken and how the
  radius changes (Nocedal and Wright, algorithm 4.1). A non-finite value,
  gradient or Hessian counts as a failed step: the radius shrinks and the
  current point is kept, so NaN regions are stepped around, never returned.

Convergence is declared when the free part of the Newton step promises less
than ``value_tolerance * (1 + |f|)`` (the Newton decrement ``g^T H^-1 g / 2``,
which does not depend on how parameters are scaled), or when the projected
gradient is below ``gradient_tolerance``. When the decrement test passes with
an interior Newton step, that step is still taken once (if it does not raise
the objective): near the optimum Newton's method doubles the number of correct
digits per step, so the point itself, not only the value, ends at rounding
accuracy.

In quasi-Newton mode the objective supplies value and gradient only; the
Hessian is replaced by a damped BFGS approximation
(:mod:`nbspey.numerics.quasi_newton`) and the same trust-region logic runs.
"""

import math
from collections import namedtuple

import numpy as np

from nbspey._compile import kernel
from nbspey.numerics.linalg import norm2, quadratic_form
from nbspey.numerics.quasi_newton import damped_bfgs_update
from nbspey.numerics.subproblem import INTERIOR, solve_subproblem

__all__ = [
    "RUNNING",
    "CONVERGED_GRADIENT",
    "CONVERGED_VALUE",
    "MAX_ITERATIONS",
    "NOT_FINITE_START",
    "RADIUS_COLLAPSED",
    "INVALID_INPUT",
    "STATUS_MESSAGES",
    "status_message",
    "TrustRegionState",
    "MinimizeResult",
    "X",
    "GRADIENT",
    "TRIAL_X",
    "TRIAL_GRADIENT",
    "LOWER",
    "UPPER",
    "FIXED",
    "STEP",
    "HESSIAN",
    "TRIAL_HESSIAN",
    "trust_region_start",
    "trust_region_running",
    "trust_region_advance",
    "trust_region_result",
    "trust_region_value",
    "trust_region_status",
]

# Status codes: positive means converged, negative means failed.
RUNNING = 0
CONVERGED_GRADIENT = 1
CONVERGED_VALUE = 2
MAX_ITERATIONS = -1
NOT_FINITE_START = -2
RADIUS_COLLAPSED = -3
INVALID_INPUT = -4

STATUS_MESSAGES = {
    RUNNING: "the minimiser is still running",
    CONVERGED_GRADIENT: "converged: projected gradient below gradient_tolerance",
    CONVERGED_VALUE: "converged: predicted decrease below value_tolerance",
    MAX_ITERATIONS: "failed: maximum number of iterations reached",
    NOT_FINITE_START: (
        "failed: objective, gradient or Hessian is not finite at the start point"
    ),
    RADIUS_COLLAPSED: (
        "failed: the trust region shrank to rounding level without convergence"
    ),
    INVALID_INPUT: (
        "failed: invalid input (NaN start, lower bound above upper bound, "
        "or arrays of different lengths)"
    ),
}


def status_message(status):
    """Plain-language meaning of a minimiser status code."""
    return STATUS_MESSAGES.get(int(status), f"unknown status {status}")


TrustRegionState = namedtuple(
    "TrustRegionState", ["vectors", "matrices", "reals", "counts"]
)
TrustRegionState.__doc__ = """State of a minimisation, as four arrays.

Every array in a tuple passed to a compiled function that is not inlined
costs a reference-count update on entry and exit, so the state is kept to
four arrays, indexed by named constants:

vectors : ndarray, shape (12, n)
    Rows ``X`` (current point), ``GRADIENT``, ``TRIAL_X`` (where to evaluate
    next), ``TRIAL_GRADIENT`` (filled by the caller), ``LOWER``, ``UPPER``,
    ``FIXED`` (1.0 where fixed), ``STEP`` and workspace rows.
matrices : ndarray, shape (4, n, n)
    ``HESSIAN``, ``TRIAL_HESSIAN`` (filled by the caller in Newton mode) and
    workspace.
reals, counts : ndarray
    Scalars (value, radius, tolerances, ...) and counters (status,
    iterations, evaluations, ...); ``counts`` also holds the indices of the
    free parameters.
"""

MinimizeResult = namedtuple(
    "MinimizeResult",
    ["x", "value", "gradient", "status", "iterations", "evaluations"],
)
MinimizeResult.__doc__ = """Outcome of a minimisation.

Attributes
----------
x : ndarray
    The final point; always inside the bounds, fixed entries untouched.
value : float
    The objective at ``x``.
gradient : ndarray
    The gradient at ``x``.
status : int
    Positive when converged, negative when failed; see :func:`status_message`.
iterations : int
    Accepted steps.
evaluations : int
    Objective evaluations.
"""

# Rows of state.vectors.
X = 0
GRADIENT = 1
TRIAL_X = 2
TRIAL_GRADIENT = 3
LOWER = 4
UPPER = 5
FIXED = 6
STEP = 7
_SUB_GRADIENT = 8
_SUB_STEP = 9
_WORK = 10
_WORK_OTHER = 11
_N_VECTORS = 12

# Entries of state.matrices.
HESSIAN = 0
TRIAL_HESSIAN = 1
_SUB_HESSIAN = 2
_FACTOR = 3
_N_MATRICES = 4

# Entries of state.reals.
_R_VALUE = 0
_R_RADIUS = 1
_R_PREDICTED = 2
_R_LAST_REDUCTION = 3
_R_GRADIENT_TOLERANCE = 4
_R_VALUE_TOLERANCE = 5
_N_REALS = 6

# Entries of state.counts; the free-parameter indices follow them.
_C_STATUS = 0
_C_STARTED = 1
_C_ITERATIONS = 2
_C_EVALUATIONS = 3
_C_MAX_ITERATIONS = 4
_C_QUASI_NEWTON = 5
_C_POLISHING = 6
_C_FREE_INDEX = 7

# Radius update of Nocedal and Wright, algorithm 4.1: shrink to a quarter of
# the step below ratio 1/4, expand when the model predicts well (above 3/4)
# and the step reached the boundary. Steps are taken for any ratio above
# _ACCEPT_RATIO, a small positive number so that a decrease lost in rounding
# is never taken as progress.
_SHRINK_BELOW = 0.25
_EXPAND_ABOVE = 0.75
_SHRINK_FACTOR = 0.25
_EXPAND_FACTOR = 4.0
_ACCEPT_RATIO = 1e-4
_MAX_RADIUS = 1e100
# A trial point within this many rounding units of a bound is put on it.
_BOUND_SNAP = 4.0 * 2.220446049250313e-16
# Changes of the objective below this many rounding units of |f| cannot be
# told from rounding, so the acceptance ratio means nothing there.
_ROUNDING_LEVEL = 16.0 * 2.220446049250313e-16
# Below this radius, relative to the size of x, no step changes x any more.
_MIN_RELATIVE_RADIUS = 1e-15


@kernel
def trust_region_start(
    x0,
    lower,
    upper,
    fixed,
    max_iterations,
    gradient_tolerance,
    value_tolerance,
    initial_radius,
    quasi_newton,
):
    """Create the state of a minimisation; the first trial point is ``x0``.

    Parameters
    ----------
    x0 : ndarray of float64, shape (n,)
        Start point. Free entries outside the bounds are projected onto them.
    lower, upper : ndarray of float64, shape (n,)
        Bounds; ``-inf`` and ``inf`` are allowed.
    fixed : ndarray of bool, shape (n,)
        Parameters that never move (they keep their start value, even outside
        the bounds).
    max_iterations : int
        Largest number of accepted steps.
    gradient_tolerance : float
        Stop when the largest projected-gradient entry is at most this.
    value_tolerance : float
        Stop when the Newton decrement is at most ``value_tolerance * (1 +
        |f|)``.
    initial_radius : float
        Start radius; zero or negative chooses the length of the first Newton
        step (at least 1).
    quasi_newton : bool
        Ignore the trial Hessian and build a damped BFGS approximation from
        gradients.

    Returns
    -------
    TrustRegionState
        Evaluate at ``state.vectors[TRIAL_X]`` next. If the input was invalid
        the status is already ``INVALID_INPUT``.
    """
    n = x0.shape[0]
    vectors = np.zeros((_N_VECTORS, n))
    matrices = np.zeros((_N_MATRICES, n, n))
    reals = np.zeros(_N_REALS)
    counts = np.zeros(_C_FREE_INDEX + n, dtype=np.int64)
    reals[_R_RADIUS] = initial_radius
    reals[_R_GRADIENT_TOLERANCE] = gradient_tolerance
    reals[_R_VALUE_TOLERANCE] = value_tolerance
    reals[_R_LAST_REDUCTION] = math.inf
    counts[_C_MAX_ITERATIONS] = max_iterations
    counts[_C_QUASI_NEWTON] = 1 if quasi_newton else 0

    if lower.shape[0] != n or upper.shape[0] != n or fixed.shape[0] != n:
        counts[_C_STATUS] = INVALID_INPUT
        for i in range(n):
            vectors[X, i] = x0[i]
        return TrustRegionState(vectors, matrices, reals, counts)
    for i in range(n):
        vectors[LOWER, i] = lower[i]
        vectors[UPPER, i] = upper[i]
        vectors[FIXED, i] = 1.0 if fixed[i] else 0.0
        value = x0[i]
        if math.isnan(value) or math.isnan(lower[i]) or math.isnan(upper[i]):
            counts[_C_STATUS] = INVALID_INPUT
        elif lower[i] > upper[i] or lower[i] == math.inf or upper[i] == -math.inf:
            counts[_C_STATUS] = INVALID_INPUT
        elif not fixed[i]:
            value = min(max(value, lower[i]), upper[i])
        vectors[X, i] = value
        vectors[TRIAL_X, i] = value
    return TrustRegionState(vectors, matrices, reals, counts)


@kernel
def trust_region_running(state):
    """True while the minimiser wants another evaluation at ``TRIAL_X``."""
    return state.counts[_C_STATUS] == RUNNING


@kernel
def trust_region_value(state):
    """The objective at the current point."""
    return state.reals[_R_VALUE]


@kernel
def trust_region_status(state):
    """The status code (``RUNNING`` until the minimiser stops)."""
    return state.counts[_C_STATUS]


@kernel
def _all_finite(vector):
    for i in range(vector.shape[0]):
        if not math.isfinite(vector[i]):
            return False
    return True


@kernel
def _all_finite_matrix(matrix):
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            if not math.isfinite(matrix[i, j]):
                return False
    return True


@kernel
def _take_trial(vectors, matrices, reals, value, quasi_newton):
    """Make the trial point the current point."""
    n = vectors.shape[1]
    for i in range(n):
        vectors[X, i] = vectors[TRIAL_X, i]
        vectors[GRADIENT, i] = vectors[TRIAL_GRADIENT, i]
    if not quasi_newton:
        for i in range(n):
            for j in range(n):
                matrices[HESSIAN, i, j] = matrices[TRIAL_HESSIAN, i, j]
    reals[_R_VALUE] = value


@kernel
def _snap_to_bounds(x, step, lower, upper):
    """``clip(x + step)``, put exactly on a bound it is within rounding of.

    A step computed as ``clip(x + p) - x`` and added back to ``x`` can land a
    rounding error of ``x`` (not of the bound) inside the bound; the parameter
    would then count as free and every later step towards the bound would be
    cut to nothing.
    """
    value = min(max(x + step, lower), upper)
    tolerance = _BOUND_SNAP * (abs(x) + abs(step))
    if math.isfinite(lower) and value - lower <= tolerance:
        return lower
    if math.isfinite(upper) and upper - value <= tolerance:
        return upper
    return value


@kernel
def _working_set(vectors, counts):
    """Collect the free parameters into ``counts[_C_FREE_INDEX:]``.

    A parameter is held when it is fixed, or sits on its lower bound with a
    positive gradient, or on its upper bound with a negative gradient: the
    steepest descent would leave the box there.

    Returns
    -------
    n_free : int
    largest : float
        The largest projected-gradient entry in magnitude.
    """
    n_free = 0
    largest = 0.0
    for i in range(vectors.shape[1]):
        x = vectors[X, i]
        gradient = vectors[GRADIENT, i]
        if vectors[FIXED, i] != 0.0:
            continue
        if x <= vectors[LOWER, i] and gradient > 0.0:
            continue
        if x >= vectors[UPPER, i] and gradient < 0.0:
            continue
        counts[_C_FREE_INDEX + n_free] = i
        n_free += 1
        largest = max(largest, abs(gradient))
    return n_free, largest


@kernel
def _model_value(vectors, matrices, row):
    """Quadratic model ``g^T s + s^T H s / 2`` for the step in ``row``."""
    n = vectors.shape[1]
    total = 0.0
    for i in range(n):
        curvature = 0.0
        for j in range(n):
            curvature += matrices[HESSIAN, i, j] * vectors[row, j]
        total += vectors[row, i] * (vectors[GRADIENT, i] + 0.5 * curvature)
    return total


@kernel
def _feasible_fraction(vectors, row):
    """Largest ``t >= 0`` with ``x + t d`` in the bounds, for ``d`` in ``row``."""
    fraction = math.inf
    for i in range(vectors.shape[1]):
        direction = vectors[row, i]
        x = vectors[X, i]
        if direction > 0.0:
            fraction = min(fraction, (vectors[UPPER, i] - x) / direction)
        elif direction < 0.0:
            fraction = min(fraction, (vectors[LOWER, i] - x) / direction)
    return max(fraction, 0.0)


@kernel
def _scale_and_project(vectors, source, factor, target):
    """Project a scaled step: ``target = clip(x + factor * source) - x``.

    ``target`` may be ``source``. Fixed parameters get a zero step, even when
    they sit outside their bounds.
    """
    for i in range(vectors.shape[1]):
        if vectors[FIXED, i] != 0.0:
            vectors[target, i] = 0.0
            continue
        x = vectors[X, i]
        moved = x + factor * vectors[source, i]
        vectors[target, i] = min(max(moved, vectors[LOWER, i]), vectors[UPPER, i]) - x


@kernel
def _scatter_free(vectors, counts, n_free, source, target, sign):
    """Spread ``sign`` times the free-subspace vector ``source`` into ``target``."""
    for i in range(vectors.shape[1]):
        vectors[target, i] = 0.0
    for a in range(n_free):
        vectors[target, counts[_C_FREE_INDEX + a]] = sign * vectors[source, a]


@kernel
def _propose_step(vectors, matrices, reals, counts, n_free):
    """Solve the subproblem on the free parameters; store the best step.

    The best feasible candidate goes into row ``STEP``.

    Returns
    -------
    predicted : float
        The decrease the quadratic model predicts for the chosen step.
    kind : int
        How the subproblem was solved (see :mod:`nbspey.numerics.subproblem`).
    decrement : float
        The Newton decrement on the free parameters.
    """
    n = vectors.shape[1]
    sub_hessian = matrices[_SUB_HESSIAN]
    sub_gradient = vectors[_SUB_GRADIENT]
    sub_step = vectors[_SUB_STEP]
    factor = matrices[_FACTOR]
    work = vectors[_WORK]
    for a in range(n_free):
        index_a = counts[_C_FREE_INDEX + a]
        sub_gradient[a] = vectors[GRADIENT, index_a]
        for b in range(n_free):
            sub_hessian[a, b] = matrices[HESSIAN, index_a, counts[_C_FREE_INDEX + b]]

    radius = reals[_R_RADIUS]
    if not radius > 0.0:
        # Automatic start: the length of the full Newton step (at least 1)
        # when the Hessian is positive definite, else 1.
        kind, decrement = solve_subproblem(
            sub_hessian, sub_gradient, _MAX_RADIUS, n_free, sub_step, factor, work
        )
        radius = 1.0
        if kind == INTERIOR:
            radius = max(1.0, norm2(sub_step, n_free))
        if not math.isfinite(radius):
            radius = 1.0
        reals[_R_RADIUS] = radius
    kind, decrement = solve_subproblem(
        sub_hessian, sub_gradient, radius, n_free, sub_step, factor, work
    )

    # Candidate 1: the subproblem step projected onto the bounds.
    _scatter_free(vectors, counts, n_free, _SUB_STEP, _WORK, 1.0)
    _scale_and_project(vectors, _WORK, 1.0, STEP)
    best_model = _model_value(vectors, matrices, STEP)

    # Candidate 2: the same step, truncated where it first meets a bound.
    fraction = _feasible_fraction(vectors, _WORK)
    if fraction < 1.0:
        _scale_and_project(vectors, _WORK, fraction, _WORK_OTHER)
        model = _model_value(vectors, matrices, _WORK_OTHER)
        if model < best_model:
            best_model = model
            for i in range(n):
                vectors[STEP, i] = vectors[_WORK_OTHER, i]

    # Candidate 3: the Cauchy point along the free steepest descent. It can
    # only win when the bounds cut the subproblem step or the step lies on
    # the sphere; an interior Newton step already minimises the model.
    if fraction < 1.0 or kind != INTERIOR:
        _scatter_free(vectors, counts, n_free, _SUB_GRADIENT, _WORK, -1.0)
        length = norm2(work, n)
        if length > 0.0:
            limit = min(radius / length, _feasible_fraction(vectors, _WORK))
            curvature = quadratic_form(matrices[HESSIAN], work, n)
            t = limit
            if curvature > 0.0:
                t = min(limit, length * length / curvature)
            _scale_and_project(vectors, _WORK, t, _WORK_OTHER)
            model = _model_value(vectors, matrices, _WORK_OTHER)
            if model < best_model:
                best_model = model
                for i in range(n):
                    vectors[STEP, i] = vectors[_WORK_OTHER, i]

    return -best_model, kind, decrement


@kernel
def _prepare_next_trial(vectors, matrices, reals, counts):
    """Check convergence at the current point, else propose the next trial."""
    n_free, largest_gradient = _working_set(vectors, counts)
    if largest_gradient <= reals[_R_GRADIENT_TOLERANCE]:
        counts[_C_STATUS] = CONVERGED_GRADIENT
        return
    if counts[_C_ITERATIONS] >= counts[_C_MAX_ITERATIONS]:
        counts[_C_STATUS] = MAX_ITERATIONS
        return

    predicted, kind, decrement = _propose_step(vectors, matrices, reals, counts, n_free)
    reals[_R_PREDICTED] = predicted
    scale = reals[_R_VALUE_TOLERANCE] * (1.0 + abs(reals[_R_VALUE]))
    converged = decrement <= scale or not predicted > 0.0
    if counts[_C_QUASI_NEWTON] == 1:
        # An approximate Hessian can promise too little; ask as well that the
        # last real decrease was at that level, or that the next one could not
        # even be seen above the rounding of the objective.
        rounding = _ROUNDING_LEVEL * (1.0 + abs(reals[_R_VALUE]))
        small_change = reals[_R_LAST_REDUCTION] <= scale or predicted <= rounding
        converged = converged and small_change
    if converged:
        if kind == INTERIOR and predicted > 0.0:
            # One last Newton step costs one evaluation and, with quadratic
            # convergence, takes x from sqrt(tolerance) to rounding accuracy.
            counts[_C_POLISHING] = 1
        else:
            counts[_C_STATUS] = CONVERGED_VALUE
            return

    n = vectors.shape[1]
    x_size = 0.0
    for i in range(n):
        x_size = max(x_size, abs(vectors[X, i]))
    if reals[_R_RADIUS] < _MIN_RELATIVE_RADIUS * (1.0 + x_size):
        counts[_C_STATUS] = RADIUS_COLLAPSED
        return

    for i in range(n):
        x = vectors[X, i]
        if vectors[FIXED, i] == 0.0:
            x = _snap_to_bounds(
                x, vectors[STEP, i], vectors[LOWER, i], vectors[UPPER, i]
            )
        vectors[TRIAL_X, i] = x


@kernel
def trust_region_advance(state, value):
    """Take the objective at the trial point and move the minimiser on.

    Parameters
    ----------
    state : TrustRegionState
        The state; row ``TRIAL_GRADIENT`` of ``state.vectors`` (and, in
        Newton mode, ``state.matrices[TRIAL_HESSIAN]``) must hold the
        derivatives at row ``TRIAL_X``.
    value : float
        The objective at the trial point.

    Returns
    -------
    bool
        True while the minimiser needs another evaluation.
    """
    vectors = state.vectors
    matrices = state.matrices
    reals = state.reals
    counts = state.counts
    if counts[_C_STATUS] != RUNNING:
        return False
    counts[_C_EVALUATIONS] += 1
    quasi_newton = counts[_C_QUASI_NEWTON] == 1
    finite = math.isfinite(value) and _all_finite(vectors[TRIAL_GRADIENT])
    if finite and not quasi_newton:
        finite = _all_finite_matrix(matrices[TRIAL_HESSIAN])

    if counts[_C_STARTED] == 0:
        counts[_C_STARTED] = 1
        if not finite:
            reals[_R_VALUE] = value
            counts[_C_STATUS] = NOT_FINITE_START
            return False
        _take_trial(vectors, matrices, reals, value, quasi_newton)
        if quasi_newton:
            for i in range(vectors.shape[1]):
                matrices[HESSIAN, i, i] = 1.0
        _prepare_next_trial(vectors, matrices, reals, counts)
        return counts[_C_STATUS] == RUNNING

    if counts[_C_POLISHING] == 1:
        if finite and value <= reals[_R_VALUE]:
            _take_trial(vectors, matrices, reals, value, quasi_newton)
            counts[_C_ITERATIONS] += 1
        counts[_C_STATUS] = CONVERGED_VALUE
        return False

    n = vectors.shape[1]
    step_length = norm2(vectors[STEP], n)
    if quasi_newton and _all_finite(vectors[TRIAL_GRADIENT]):
        for i in range(n):
            vectors[_WORK, i] = vectors[TRIAL_GRADIENT, i] - vectors[GRADIENT, i]
        first_update = counts[_C_ITERATIONS] == 0 and counts[_C_EVALUATIONS] == 2
        damped_bfgs_update(
            matrices[HESSIAN],
            vectors[STEP],
            vectors[_WORK],
            vectors[_WORK_OTHER],
            first_update,
        )

    ratio = -math.inf
    if finite:
        ratio = (reals[_R_VALUE] - value) / reals[_R_PREDICTED]

    radius = reals[_R_RADIUS]
    if ratio < _SHRINK_BELOW:
        radius = _SHRINK_FACTOR * step_length
    elif ratio > _EXPAND_ABOVE and step_length >= 0.8 * radius:
        radius = min(_EXPAND_FACTOR * radius, _MAX_RADIUS)
    reals[_R_RADIUS] = radius

    if ratio > _ACCEPT_RATIO:
        reals[_R_LAST_REDUCTION] = reals[_R_VALUE] - value
        _take_trial(vectors, matrices, reals, value, quasi_newton)
        counts[_C_ITERATIONS] += 1

    _prepare_next_trial(vectors, matrices, reals, counts)
    return counts[_C_STATUS] == RUNNING


@kernel
def trust_region_result(state):
    """Package the current point, value, gradient, status and counters."""
    return MinimizeResult(
        state.vectors[X].copy(),
        state.reals[_R_VALUE],
        state.vectors[GRADIENT].copy(),
        state.counts[_C_STATUS],
        state.counts[_C_ITERATIONS],
        state.counts[_C_EVALUATIONS],
    )
