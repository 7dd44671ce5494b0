"""Quasi-Newton Hessian approximation for objectives without Hessians.

The trust-region minimiser uses it when the objective supplies only a value
and a gradient. The update is BFGS with Powell's damping (Powell 1978; Nocedal
and Wright, *Numerical Optimization*, 2nd ed., procedure 18.2): when the
curvature ``s^T y`` along the step is too small compared with ``s^T B s``, the
gradient change ``y`` is blended with ``B s`` so that the approximation stays
positive definite. That keeps the trust-region subproblem easy and the Newton
decrement meaningful, at the price of not representing negative curvature,
which the trust region handles by itself.
"""

from nbspey._compile import kernel
from nbspey.numerics.linalg import dot, matvec

__all__ = ["damped_bfgs_update"]

# Powell's threshold: damp when s^T y < 0.2 s^T B s.
_DAMPING_THRESHOLD = 0.2


@kernel
def damped_bfgs_update(hessian, step, change, work, first_update):
    """Update the approximation ``B`` in place with one step and its gradient change.

    Parameters
    ----------
    hessian : ndarray, shape (n, n)
        The approximation ``B``; updated in place.
    step : ndarray, shape (n,)
        The step ``s`` between the two points.
    change : ndarray, shape (n,)
        The gradient change ``y``; overwritten with the damped vector ``r``.
    work : ndarray, shape (n,)
        Workspace.
    first_update : bool
        Rescale ``B`` to ``(y^T y / s^T y) I`` first (Nocedal and Wright,
        eq. 6.20), which fixes the units of the initial identity.

    Returns
    -------
    bool
        False when the pair carried no usable curvature and ``B`` is unchanged.
    """
    n = step.shape[0]
    step_change = dot(step, change, n)
    if first_update and step_change > 0.0:
        scale = dot(change, change, n) / step_change
        for i in range(n):
            for j in range(n):
                hessian[i, j] = scale if i == j else 0.0
    matvec(hessian, step, work, n)
    curvature = dot(step, work, n)
    if not curvature > 0.0:
        return False
    if step_change < _DAMPING_THRESHOLD * curvature:
        blend = (1.0 - _DAMPING_THRESHOLD) * curvature / (curvature - step_change)
        for i in range(n):
            change[i] = blend * change[i] + (1.0 - blend) * work[i]
        step_change = dot(step, change, n)
    if not step_change > 0.0:
        return False
    for i in range(n):
        for j in range(n):
            hessian[i, j] += (
                change[i] * change[j] / step_change - work[i] * work[j] / curvature
            )
    return True
