"""The trust-region subproblem: minimise a quadratic model inside a ball.

Given the gradient ``g`` and a symmetric (possibly indefinite) matrix ``H`` on
the free parameters, find the step ``p`` that minimises

    m(p) = g^T p + p^T H p / 2    subject to  ||p|| <= radius.

The solution satisfies ``(H + lam I) p = -g`` with ``H + lam I`` positive
semi-definite, ``lam >= 0`` and ``lam (radius - ||p||) = 0``. The method is
Moré and Sorensen's (SIAM J. Sci. Stat. Comput. 4, 553, 1983; also Nocedal and
Wright, *Numerical Optimization*, 2nd ed., algorithm 4.3): Newton's method on
the secular equation ``1/||p(lam)|| = 1/radius``, safeguarded by an interval
``[lam_low, lam_high]`` that always contains the solution, with the "hard case"
(``g`` orthogonal to the eigenvector of the smallest eigenvalue) finished by a
step along an approximate eigenvector found by inverse iteration.
"""

import math

from nbspey._compile import kernel
from nbspey.numerics.linalg import (
    OK,
    cholesky_factor,
    cholesky_solve,
    dot,
    norm2,
    quadratic_form,
    solve_lower,
)

__all__ = [
    "INTERIOR",
    "BOUNDARY",
    "HARD_CASE",
    "STEEPEST_DESCENT",
    "solve_subproblem",
]

INTERIOR = 0
"""The Newton step ``-H^-1 g`` of a positive definite ``H`` fits in the ball."""
BOUNDARY = 1
"""The solution lies on the sphere ``||p|| = radius`` with ``lam > 0``."""
HARD_CASE = 2
"""On the sphere, completed along an eigenvector of the smallest eigenvalue."""
STEEPEST_DESCENT = 3
"""No shifted matrix could be factorised; ``p = -radius g / ||g||``."""

# Accept ||p|| within this fraction of the radius: Moré and Sorensen show that
# a loose sphere tolerance costs nothing in the outer iteration's convergence.
_SPHERE_TOLERANCE = 1e-3
_MAX_SECULAR_ITERATIONS = 60
_INVERSE_ITERATIONS = 8


@kernel
def _shift_and_factor(hessian, shift, factor, n):
    """Factorise ``H + shift I`` into ``factor``; return the Cholesky info."""
    for i in range(n):
        for j in range(i + 1):
            factor[i, j] = hessian[i, j]
        factor[i, i] += shift
    return cholesky_factor(factor, factor, n)


@kernel
def _safeguarded_shift(low, high):
    """A shift strictly inside ``(low, high)``, biased towards ``low``.

    The geometric mean is used when both ends are positive, and at least one
    hundredth of the interval is stepped so that bisection-like progress is
    guaranteed (Moré and Sorensen, eq. 3.9).
    """
    return max(math.sqrt(max(low, 0.0) * high), low + 0.01 * (high - low))


@kernel
def _newton_step(gradient, factor, step, n):
    """``step = -(factor factor^T)^-1 g``; return its norm."""
    for i in range(n):
        step[i] = -gradient[i]
    cholesky_solve(factor, step, step, n)
    return norm2(step, n)


@kernel
def _smallest_eigenvector(factor, vector, n):
    """Approximate eigenvector of the smallest eigenvalue of ``H``.

    ``factor`` holds the Cholesky factor of ``H + lam I`` with ``lam`` just
    above ``-lambda_min``, so repeated solves amplify the wanted direction
    (inverse iteration). The start vector has unequal entries so that it is
    not orthogonal to the eigenvector by accident.
    """
    for i in range(n):
        vector[i] = 1.0 + 0.5 * math.sin(1.0 + i)
    for _ in range(_INVERSE_ITERATIONS):
        cholesky_solve(factor, vector, vector, n)
        length = norm2(vector, n)
        if not math.isfinite(length) or length == 0.0:
            break
        for i in range(n):
            vector[i] /= length


@kernel
def _complete_to_sphere(hessian, gradient, step, direction, radius, n):
    """Move ``step`` along ``direction`` onto the sphere ``||p|| = radius``.

    Of the two roots of ``||step + tau direction|| = radius`` the one with the
    lower model value is taken.
    """
    a = dot(direction, direction, n)
    b = 2.0 * dot(step, direction, n)
    c = dot(step, step, n) - radius * radius
    if a == 0.0:
        return
    root = math.sqrt(max(b * b - 4.0 * a * c, 0.0))
    # Two roots of opposite sign (c < 0); written to avoid cancellation.
    if b >= 0.0:
        first = (-b - root) / (2.0 * a)
        second = c / (a * first) if first != 0.0 else 0.0
    else:
        second = (-b + root) / (2.0 * a)
        first = c / (a * second) if second != 0.0 else 0.0
    best_tau = first
    best_value = math.inf
    for tau in (first, second):
        for i in range(n):
            step[i] += tau * direction[i]
        value = dot(gradient, step, n) + 0.5 * quadratic_form(hessian, step, n)
        if value < best_value:
            best_value = value
            best_tau = tau
        for i in range(n):
            step[i] -= tau * direction[i]
    for i in range(n):
        step[i] += best_tau * direction[i]


# Relative shift that measures the Newton decrement of a singular Hessian.
_SINGULAR_SHIFT = 1e-10


@kernel
def solve_subproblem(hessian, gradient, radius, n, step, factor, work):
    """Solve the trust-region subproblem on the leading ``n`` parameters.

    Parameters
    ----------
    hessian : ndarray, shape (>= n, >= n)
        Symmetric model matrix (lower triangle read by the factorisations,
        full matrix by the model evaluation).
    gradient : ndarray, shape (>= n,)
        Model gradient.
    radius : float
        Trust-region radius, positive.
    n : int
        Number of free parameters.
    step : ndarray, shape (>= n,)
        Receives the step.
    factor : ndarray, shape (>= n, >= n)
        Workspace for Cholesky factors.
    work : ndarray, shape (>= n,)
        Workspace vector.

    Returns
    -------
    kind : int
        ``INTERIOR``, ``BOUNDARY``, ``HARD_CASE`` or ``STEEPEST_DESCENT``.
    newton_decrement : float
        ``g^T H^-1 g / 2``, the decrease the quadratic model promises for the
        full Newton step, when ``H`` is positive definite (for a singular
        positive semi-definite ``H``, with ``H`` shifted by ``1e-10`` of its
        largest diagonal entry); ``inf`` otherwise.
        It measures the distance to the optimum in units of the objective
        and is invariant under rescaling of the parameters.
    """
    newton_decrement = math.inf
    gradient_norm = norm2(gradient, n)

    info = _shift_and_factor(hessian, 0.0, factor, n)
    if info == OK:
        length = _newton_step(gradient, factor, step, n)
        newton_decrement = -0.5 * dot(gradient, step, n)
        if length <= radius:
            return INTERIOR, newton_decrement
    else:
        # A singular positive semi-definite Hessian (a flat direction, such
        # as a parameter the data do not constrain) has no Newton step, but
        # the decrement with a tiny shift stays finite when the gradient has
        # no component along the flat direction, and is huge otherwise.
        largest = 0.0
        for i in range(n):
            largest = max(largest, abs(hessian[i, i]))
        shift = _SINGULAR_SHIFT * max(largest, 1.0)
        if _shift_and_factor(hessian, shift, factor, n) == OK:
            _newton_step(gradient, factor, step, n)
            newton_decrement = -0.5 * dot(gradient, step, n)

    # Bounds on the shift (Moré and Sorensen, section 3): the smallest
    # eigenvalue is at most min_i H_ii and at least -||H||_inf.
    matrix_norm = 0.0
    most_negative_diagonal = -math.inf
    for i in range(n):
        row = 0.0
        for j in range(n):
            row += abs(hessian[i, j])
        matrix_norm = max(matrix_norm, row)
        most_negative_diagonal = max(most_negative_diagonal, -hessian[i, i])
    low = max(0.0, most_negative_diagonal, gradient_norm / radius - matrix_norm)
    high = gradient_norm / radius + matrix_norm

    if info == OK:
        # lam = 0 gave a step that is too long: the root is above zero. One
        # Newton step on the secular equation from lam = 0 is a good start.
        solve_lower(factor, step, work, n)
        ratio = length / norm2(work, n)
        shift = ratio * ratio * (length - radius) / radius
        if not low < shift < high:
            shift = _safeguarded_shift(low, high)
    else:
        shift = _safeguarded_shift(low, high)

    found = False
    inside = False
    good_shift = 0.0
    for _ in range(_MAX_SECULAR_ITERATIONS):
        info = _shift_and_factor(hessian, shift, factor, n)
        if info != OK:
            low = max(low, shift)
            shift = _safeguarded_shift(low, high)
            if high - low <= 1e-14 * high:
                break
            continue
        found = True
        good_shift = shift
        length = _newton_step(gradient, factor, step, n)
        if abs(length - radius) <= _SPHERE_TOLERANCE * radius:
            return BOUNDARY, newton_decrement
        inside = length < radius
        if inside:
            high = min(high, shift)
        else:
            low = max(low, shift)
        solve_lower(factor, step, work, n)
        ratio = length / norm2(work, n)
        candidate = shift + ratio * ratio * (length - radius) / radius
        if not low < candidate < high:
            candidate = _safeguarded_shift(low, high)
        if high - low <= 1e-14 * high:
            break
        shift = candidate

    if not found:
        # Not even a large shift could be factorised (non-finite entries):
        # fall back to the steepest-descent step to the boundary.
        for i in range(n):
            step[i] = -radius * gradient[i] / gradient_norm if gradient_norm else 0.0
        return STEEPEST_DESCENT, newton_decrement

    # The last factorisation may belong to a shift that failed; refactor the
    # last successful one so that the step and the factor agree.
    _shift_and_factor(hessian, good_shift, factor, n)
    length = _newton_step(gradient, factor, step, n)
    inside = length < radius
    if inside:
        # Hard case: the shift sits at -lambda_min and ||p|| < radius.
        _smallest_eigenvector(factor, work, n)
        _complete_to_sphere(hessian, gradient, step, work, radius, n)
        return HARD_CASE, newton_decrement
    length = norm2(step, n)
    if length > radius:
        for i in range(n):
            step[i] *= radius / length
    return BOUNDARY, newton_decrement
