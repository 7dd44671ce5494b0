"""Drivers for the trust-region minimiser: compiled objectives and Python ones.

* :func:`minimize` runs inside compiled code for a user's ``@njit`` objective
  ``objective(x, gradient, hessian, args) -> value`` that fills ``gradient``
  (and ``hessian``, unless ``options.quasi_newton``) in place.
* :func:`minimize_python` runs the same compiled iteration for a plain Python
  objective (for example a plugin written with numpy), with analytic or
  finite-difference gradients and an exact or quasi-Newton Hessian.

Both return a :class:`~nbspey.numerics.trust_region.MinimizeResult`. The
likelihood fits of nbspey do not go through these drivers: they run the state
machine of :mod:`nbspey.numerics.trust_region` directly against their kernels.
"""

from collections import namedtuple

import numpy as np

from nbspey._compile import generic_kernel, kernel
from nbspey.numerics.trust_region import (
    TRIAL_GRADIENT,
    TRIAL_HESSIAN,
    TRIAL_X,
    trust_region_advance,
    trust_region_result,
    trust_region_running,
    trust_region_start,
)

__all__ = [
    "MinimizerOptions",
    "DEFAULT_OPTIONS",
    "minimizer_options",
    "start_with_options",
    "minimize",
    "minimize_python",
]

MinimizerOptions = namedtuple(
    "MinimizerOptions",
    [
        "max_iterations",
        "gradient_tolerance",
        "value_tolerance",
        "initial_radius",
        "quasi_newton",
    ],
)
MinimizerOptions.__doc__ = """Settings of the trust-region minimiser.

Attributes
----------
max_iterations : int
    Largest number of accepted steps (default 500).
gradient_tolerance : float
    Stop when every projected-gradient entry is at most this (default 1e-12).
value_tolerance : float
    Stop when the Newton decrement ``g^T H^-1 g / 2`` is at most
    ``value_tolerance * (1 + |f|)`` (default 1e-14, i.e. the objective is
    minimised to within a few rounding errors).
initial_radius : float
    Start radius; 0 (default) takes the length of the first Newton step.
quasi_newton : bool
    Build a damped BFGS Hessian from gradients instead of using the
    objective's Hessian (default False).
"""


DEFAULT_OPTIONS = MinimizerOptions(500, 1e-12, 1e-14, 0.0, False)
"""The default settings, built in Python (no compiled call at import)."""


@kernel
def minimizer_options(
    max_iterations=500,
    gradient_tolerance=1e-12,
    value_tolerance=1e-14,
    initial_radius=0.0,
    quasi_newton=False,
):
    """Build :class:`MinimizerOptions` (from Python or ``@njit`` code)."""
    return MinimizerOptions(
        max_iterations,
        gradient_tolerance,
        value_tolerance,
        initial_radius,
        quasi_newton,
    )


@kernel
def start_with_options(x0, lower, upper, fixed, options):
    """Start a trust-region minimisation with the settings of ``options``.

    See :func:`~nbspey.numerics.trust_region.trust_region_start`.
    """
    return trust_region_start(
        x0,
        lower,
        upper,
        fixed,
        options.max_iterations,
        options.gradient_tolerance,
        options.value_tolerance,
        options.initial_radius,
        options.quasi_newton,
    )


@generic_kernel
def minimize(objective, x0, lower, upper, fixed, args, options):
    """Minimise a compiled objective within bounds.

    Parameters
    ----------
    objective : numba-compiled function
        ``objective(x, gradient, hessian, args) -> float``. It must write the
        gradient into ``gradient`` and, unless ``options.quasi_newton``, the
        Hessian into ``hessian``; it may return ``inf`` or NaN where it is not
        defined, and the minimiser steps back.
    x0 : ndarray of float64
        Start point; projected onto the bounds (fixed entries are kept).
    lower, upper : ndarray of float64
        Bounds, infinite values allowed.
    fixed : ndarray of bool
        Parameters held at their start value.
    args : any numba-typable value
        Passed through to ``objective`` (for example a tuple of arrays).
    options : MinimizerOptions
        From :func:`minimizer_options`.

    Returns
    -------
    MinimizeResult

    Notes
    -----
    This driver is compiled anew for every objective and is not cached on disk
    (numba cannot cache functions that take functions); the iteration it runs
    is cached.
    """
    state = start_with_options(x0, lower, upper, fixed, options)
    x = state.vectors[TRIAL_X]
    gradient = state.vectors[TRIAL_GRADIENT]
    hessian = state.matrices[TRIAL_HESSIAN]
    while trust_region_running(state):
        trust_region_advance(state, objective(x, gradient, hessian, args))
    return trust_region_result(state)


def _as_vector(name, values, size, fill):
    if values is None:
        return np.full(size, fill, dtype=np.float64)
    array = np.array(values, dtype=np.float64).reshape(-1)
    if array.shape[0] != size:
        raise ValueError(f"{name} has {array.shape[0]} entries; expected {size}")
    return array


def _finite_difference_gradient(function, x, lower, upper, fixed):
    """Gradient by central differences with step ``eps**(1/3) max(1, |x_i|)``.

    One-sided where a bound is closer than the step; fixed entries get 0.
    """
    gradient = np.zeros_like(x)
    for i in range(x.shape[0]):
        if fixed[i]:
            continue
        h = np.cbrt(np.finfo(float).eps) * max(1.0, abs(x[i]))
        up = min(x[i] + h, upper[i])
        down = max(x[i] - h, lower[i])
        if up == down:
            continue
        shifted = x.copy()
        shifted[i] = up
        value_up = function(shifted)
        shifted[i] = down
        value_down = function(shifted)
        gradient[i] = (value_up - value_down) / (up - down)
    return gradient


def minimize_python(
    fun,
    x0,
    lower=None,
    upper=None,
    fixed=None,
    *,
    jac=None,
    hess=None,
    options=None,
):
    """Minimise a plain Python objective with the compiled iteration.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float``, or ``fun(x) -> (float, gradient)`` when
        ``jac=True``.
    x0 : array_like
        Start point.
    lower, upper : array_like, optional
        Bounds (default unbounded).
    fixed : array_like of bool, optional
        Parameters held at their start value.
    jac : callable or bool, optional
        ``jac(x) -> gradient``; ``True`` if ``fun`` returns the gradient too;
        ``None`` (default) for central finite differences.
    hess : callable, optional
        ``hess(x) -> Hessian``. Without it, a damped BFGS approximation is
        used.
    options : MinimizerOptions, optional
        From :func:`minimizer_options`; ``quasi_newton`` is switched on
        automatically when ``hess`` is missing.

    Returns
    -------
    MinimizeResult
    """
    x0 = np.array(x0, dtype=np.float64).reshape(-1)
    size = x0.shape[0]
    lower = _as_vector("lower", lower, size, -np.inf)
    upper = _as_vector("upper", upper, size, np.inf)
    if fixed is None:
        fixed = np.zeros(size, dtype=np.bool_)
    else:
        fixed = np.array(fixed, dtype=np.bool_).reshape(-1)
        if fixed.shape[0] != size:
            raise ValueError(f"fixed has {fixed.shape[0]} entries; expected {size}")
    if options is None:
        options = minimizer_options()
    quasi_newton = bool(options.quasi_newton) or hess is None

    state = trust_region_start(
        x0,
        lower,
        upper,
        fixed,
        int(options.max_iterations),
        float(options.gradient_tolerance),
        float(options.value_tolerance),
        float(options.initial_radius),
        quasi_newton,
    )

    def value_only(x):
        result = fun(x)
        return float(result[0] if jac is True else result)

    while trust_region_running(state):
        x = state.vectors[TRIAL_X].copy()
        if jac is True:
            value, gradient = fun(x)
        else:
            value = fun(x)
            if callable(jac):
                gradient = jac(x)
            else:
                gradient = _finite_difference_gradient(
                    value_only, x, lower, upper, fixed
                )
        state.vectors[TRIAL_GRADIENT] = np.asarray(gradient, dtype=np.float64)
        if not quasi_newton:
            state.matrices[TRIAL_HESSIAN] = np.asarray(hess(x), dtype=np.float64)
        trust_region_advance(state, float(value))
    return trust_region_result(state)
