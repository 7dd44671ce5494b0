"""Profile-likelihood fits run in compiled code.

A fit is the trust-region state machine of
:mod:`nbspey.numerics.trust_region` driven directly by the likelihood kernel
of a packed model: no Python and no function pointers between iterations.
"""

import math
from collections import namedtuple

import numpy as np

from nbspey._compile import generic_kernel, kernel
from nbspey.likelihood.kernels import (
    background_rate,
    binned_terms,
    evaluate_arrays,
    nll_gradient,
    rate_gradient,
)
from nbspey.likelihood.packed import (
    CONSTRAINT_MVN,
    KIND_CONSTRAINT,
    KIND_MAIN,
    KIND_RATE,
    MAIN_MVN,
    RATE_CONSTANT,
    RATE_EFFECTIVE,
    RATE_LINEAR,
    RATE_LINEAR_ROW,
    RATE_NONE,
    RATE_QUADRATIC,
    RATE_QUADRATIC_ROW,
    SIGNAL,
    PackedModel,
)
from nbspey.numerics.minimize import minimizer_options, start_with_options
from nbspey.numerics.roots import ROOT_CONVERGED, find_root_python
from nbspey.numerics.trust_region import (
    TRIAL_GRADIENT,
    TRIAL_HESSIAN,
    TRIAL_X,
    trust_region_advance,
    trust_region_result,
    trust_region_running,
)

__all__ = [
    "FitProblem",
    "fit",
    "free_fit",
    "conditional_fit",
    "fit_with_signal_function",
    "positivity_lower_bounds",
    "poi_growth_limit",
]

FitProblem = namedtuple("FitProblem", ["start", "lower", "upper", "fixed", "poi_limit"])
FitProblem.__doc__ = """Start point, bounds and fixed mask of the fits of one model.

Attributes
----------
start, lower, upper : ndarray of float64
    Start point and bounds of every parameter (the POI is entry 0).
fixed : ndarray of bool
    Parameters held at their start value in every fit.
poi_limit : float
    How far a free fit may raise the POI upper bound when its optimum lies on
    it; equal to ``upper[0]`` for a fixed bound.
"""

# Factor by which a free fit raises the POI upper bound while its optimum lies
# on the bound.
POI_GROWTH = 10.0


@kernel
def fit(model, data, auxiliary, x0, lower, upper, fixed, options):
    """Minimise the NLL of a packed model.

    Parameters
    ----------
    model : PackedModel
    data, auxiliary : ndarray
        Main data and constraint centres (see
        :func:`nbspey.likelihood.kernels.negative_log_likelihood`).
    x0, lower, upper : ndarray
        Start point and bounds of the parameters.
    fixed : ndarray of bool
        Parameters held at their start value (for a fit at fixed ``mu``, fix
        entry 0).
    options : MinimizerOptions

    Returns
    -------
    MinimizeResult
    """
    # The kernels give exact Hessians, so the quasi-Newton option is ignored.
    exact = minimizer_options(
        options.max_iterations,
        options.gradient_tolerance,
        options.value_tolerance,
        options.initial_radius,
        False,
    )
    state = start_with_options(x0, lower, upper, fixed, exact)
    x = state.vectors[TRIAL_X]
    gradient = state.vectors[TRIAL_GRADIENT]
    hessian = state.matrices[TRIAL_HESSIAN]
    kinds, vectors, matrices, modifiers, log_norms = model
    plain = modifiers.shape[1] == 0 and kinds[KIND_CONSTRAINT] != CONSTRAINT_MVN
    if plain and kinds[KIND_MAIN] != MAIN_MVN:
        # No matrix in the likelihood: the lighter kernel (see binned_terms).
        while trust_region_running(state):
            value = binned_terms(
                kinds, vectors, log_norms, data, auxiliary, x, gradient, hessian, 2
            )
            trust_region_advance(state, value)
    else:
        while trust_region_running(state):
            value = evaluate_arrays(
                kinds,
                vectors,
                matrices,
                modifiers,
                log_norms,
                data,
                auxiliary,
                x,
                gradient,
                hessian,
                2,
            )
            trust_region_advance(state, value)
    return trust_region_result(state)


@kernel
def free_fit(model, data, auxiliary, problem, options):
    """The maximum-likelihood fit, with the POI bound raised as needed.

    While the optimum lies on the POI upper bound and the bound is below
    ``problem.poi_limit``, the bound grows by ``POI_GROWTH`` and the fit
    continues from the last point, so ``mu_hat`` is the true maximum rather
    than the bound.

    Returns
    -------
    MinimizeResult
    """
    upper = problem.upper.copy()
    result = fit(
        model,
        data,
        auxiliary,
        problem.start,
        problem.lower,
        upper,
        problem.fixed,
        options,
    )
    if problem.fixed[0]:
        return result
    while result.status > 0 and result.x[0] >= upper[0]:
        if not upper[0] < problem.poi_limit:
            break
        upper[0] = min(max(upper[0], 1.0) * POI_GROWTH, problem.poi_limit)
        result = fit(
            model,
            data,
            auxiliary,
            result.x,
            problem.lower,
            upper,
            problem.fixed,
            options,
        )
    return result


@kernel
def conditional_fit(model, data, auxiliary, problem, mu, options):
    """The profile fit with the POI held at ``mu`` (bounds do not clip it).

    Returns
    -------
    MinimizeResult
    """
    start = problem.start.copy()
    start[0] = mu
    fixed = problem.fixed.copy()
    fixed[0] = True
    return fit(
        model, data, auxiliary, start, problem.lower, problem.upper, fixed, options
    )


# Relative central-difference step for the Jacobian of a signal function.
_SIGNAL_STEP = 6e-6


@kernel
def _signal_into(values, vectors, bins):
    """Copy signal yields into the SIGNAL row; False if any is not finite."""
    if values.shape[0] != bins:
        return False
    for i in range(bins):
        if not math.isfinite(values[i]):
            return False
        vectors[SIGNAL, i] = values[i]
    return True


@generic_kernel
def fit_with_signal_function(
    signal_function, model, data, auxiliary, n_signal, x0, lower, upper, fixed, options
):
    """Minimise the NLL of a model whose signal is ``signal_function(psi)``.

    The parameters are ``[mu, psi (n_signal), theta...]``; ``signal_function``
    is a compiled (``@njit``) function of ``psi`` returning the bin yields.
    The gradient is analytic in ``mu`` and ``theta`` and chained through a
    central-difference Jacobian of ``signal_function`` in ``psi``; the
    Hessian is the quasi-Newton (damped BFGS) approximation. A point where
    the signal is not finite or has the wrong length counts as invalid.

    Returns
    -------
    MinimizeResult
        Also ``x`` is in the full parameter layout.
    """
    quasi = minimizer_options(
        options.max_iterations,
        options.gradient_tolerance,
        options.value_tolerance,
        options.initial_radius,
        True,
    )
    state = start_with_options(x0, lower, upper, fixed, quasi)
    x = state.vectors[TRIAL_X]
    gradient = state.vectors[TRIAL_GRADIENT]
    vectors = model.vectors.copy()
    shifted = PackedModel(
        model.kinds, vectors, model.matrices, model.modifiers, model.log_norms
    )
    bins = vectors.shape[1]
    size = x0.shape[0]
    inner = np.empty(size - n_signal)
    inner_gradient = np.empty(size - n_signal)
    rates = np.empty(bins)
    while trust_region_running(state):
        psi = x[1 : 1 + n_signal].copy()
        if not _signal_into(signal_function(psi), vectors, bins):
            trust_region_advance(state, math.inf)
            continue
        inner[0] = x[0]
        for k in range(size - 1 - n_signal):
            inner[1 + k] = x[1 + n_signal + k]
        value = nll_gradient(shifted, data, auxiliary, inner, inner_gradient)
        gradient[0] = inner_gradient[0]
        for k in range(size - 1 - n_signal):
            gradient[1 + n_signal + k] = inner_gradient[1 + k]
        rate_gradient(shifted, data, inner, rates)
        for k in range(n_signal):
            step = _SIGNAL_STEP * max(1.0, abs(psi[k]))
            up = psi.copy()
            down = psi.copy()
            up[k] += step
            down[k] -= step
            high = signal_function(up)
            low = signal_function(down)
            total = 0.0
            for i in range(bins):
                total += rates[i] * (high[i] - low[i]) / (2.0 * step)
            gradient[1 + k] = x[0] * total
        trust_region_advance(state, value)
    return trust_region_result(state)


def positivity_lower_bounds(model):
    """Lower bounds on the nuisances that keep each background part >= 0.

    The background part of the expectation is ``beta_i(theta_i)``.

    The simplified likelihood requires ``beta_i >= 0``. Each ``beta_i``
    depends on ``theta_i`` alone and increases from its smallest allowed
    value, so the requirement is a bound ``theta_i >= t_i``: ``-b_i /
    sigma_i`` for the linear form, the larger root of ``A + B t + C t^2``
    for the quadratic form (none if it has no real root), and for effective
    sigma the root found numerically. Returns an empty array for models
    without nuisances.

    Notes
    -----
    The effective-sigma bound assumes ``b_i > 0``, where ``beta_i(0) > 0``.

    """
    rate_kind = int(model.kinds[KIND_RATE])
    constant = model.vectors[RATE_CONSTANT]
    linear = model.vectors[RATE_LINEAR_ROW]
    quadratic = model.vectors[RATE_QUADRATIC_ROW]
    size = constant.shape[0]
    if rate_kind == RATE_NONE:
        return np.empty(0)
    bounds = np.full(size, -np.inf)
    for i in range(size):
        if rate_kind == RATE_LINEAR:
            if linear[i] > 0:
                bounds[i] = -constant[i] / linear[i]
        elif rate_kind == RATE_QUADRATIC:
            bounds[i] = _quadratic_positivity_bound(
                constant[i], linear[i], quadratic[i]
            )
        elif rate_kind == RATE_EFFECTIVE:
            bounds[i] = _effective_positivity_bound(model, i)
    return bounds


# Where a free fit stops raising the POI bound: where mu s exceeds the data and
# the background by this factor, the likelihood no longer constrains mu.
_POI_DOMINANCE = 1e12


def poi_growth_limit(signal, data, background):
    """The POI at which the signal dwarfs data and background.

    ``1e12 (1 + max(|n|, |b|)) / max(s)``; ``1e5`` (spey's search range) when
    no yield is positive.
    """
    signal = np.asarray(signal, dtype=np.float64)
    if signal.size == 0 or not np.any(signal > 0):
        return 1e5
    scale = 1.0 + max(float(np.max(np.abs(data))), float(np.max(np.abs(background))))
    return _POI_DOMINANCE * scale / float(np.max(signal))


def _quadratic_positivity_bound(a, b, c):
    """The root of ``a + b t + c t^2`` where it rises through zero.

    Of two real roots exactly one has a positive slope ``b + 2 c t``; without
    a real root the quadratic never vanishes and there is no bound. For
    ``c < 0`` the expectation also turns negative again far above, at
    ``t ~ b / |c|``, which is not represented by a bound.
    """
    if c == 0.0:
        return -a / b if b > 0 else -math.inf
    discriminant = b * b - 4.0 * a * c
    if discriminant < 0.0:
        return -math.inf
    # Both roots without cancellation: q / c and a / q.
    q = -0.5 * (b + math.copysign(math.sqrt(discriminant), b))
    for root in (q / c, a / q if q != 0.0 else 0.0):
        if b + 2.0 * c * root > 0.0:
            return root
    return -math.inf


def _effective_positivity_bound(model, i):
    def beta(theta):
        return background_rate(model, i, theta)[0]

    if beta(0.0) <= 0.0:
        return 0.0
    low = -1.0
    while beta(low) > 0.0 and low > -1e12:
        low *= 2.0
    if beta(low) > 0.0:
        return -math.inf
    root, status, _ = find_root_python(beta, low, 0.0, relative_tolerance=1e-15)
    return root if status == ROOT_CONVERGED else -math.inf
