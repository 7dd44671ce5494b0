"""Compiled likelihood kernels over a :class:`~nbspey.likelihood.packed.PackedModel`.

The negative log-likelihood, with every constant, is

    NLL = sum_i P_i(lambda_i) + C(theta) + log_norms

with the Poisson term ``P = lambda - n ln lambda + lgamma(n + 1)``, the normal
term ``(n - lambda)^2 / (2 sigma^2)``, or the multivariate normal
``v^T Sigma^-1 v / 2`` with ``v = n - lambda``; and the constraint
``C = |theta - a|^2 / 2`` or ``(theta - a)^T R^-1 (theta - a) / 2``.

Derivatives follow the chain rule through the expectations (see the
backends' specification): with ``w_i = dP/dlambda_i`` and
``k_i = d2P/dlambda_i^2``,

    dNLL/dp      = sum_i w_i dlambda_i/dp + dC/dp
    d2NLL/dp dq  = sum_i [k_i dlambda_i/dp dlambda_i/dq + w_i d2lambda_i/dp dq]
                   + d2C/dp dq.

All kernels take the model, the main data, the auxiliary data (constraint
centres) and the parameters separately, and write derivatives into
caller-owned arrays, so that fits, toys and Asimov data reuse one model
without allocating.
"""

import math

import numpy as np

from nbspey._compile import kernel
from nbspey.likelihood.packed import (
    CONSTRAINT_MVN,
    CONSTRAINT_NORMAL,
    CONSTRAINT_PRECISION,
    EFFECTIVE_VARIANCE_FLOOR,
    KIND_CONSTRAINT,
    KIND_MAIN,
    KIND_RATE,
    MAIN_MVN,
    MAIN_POISSON,
    MAIN_PRECISION,
    MAIN_SCALE,
    RATE_CONSTANT,
    RATE_FLOOR,
    RATE_LINEAR,
    RATE_LINEAR_ROW,
    RATE_NONE,
    RATE_QUADRATIC,
    RATE_QUADRATIC_ROW,
    SIGNAL,
)

__all__ = [
    "parameter_count",
    "background_rate",
    "expected_counts",
    "negative_log_likelihood",
    "nll_gradient",
    "nll_gradient_hessian",
    "evaluate_arrays",
    "binned_terms",
]

# Below the variance floor sigma_eff is constant: sqrt(1e-10).
_EFFECTIVE_SIGMA_FLOOR = math.sqrt(EFFECTIVE_VARIANCE_FLOOR)


@kernel
def parameter_count(model):
    """Number of parameters: ``1 + N`` with nuisances, else 1."""
    if model.kinds[KIND_RATE] == RATE_NONE:
        return 1
    return 1 + model.vectors.shape[1]


@kernel
def background_rate(model, i, theta):
    """Background part ``beta_i(theta)`` of bin ``i`` and two derivatives.

    Returns
    -------
    tuple of float
        ``(beta, dbeta/dtheta, d2beta/dtheta2)``.
    """
    vectors = model.vectors
    return _background_rate(
        model.kinds[KIND_RATE],
        vectors[RATE_CONSTANT, i],
        vectors[RATE_LINEAR_ROW, i],
        vectors[RATE_QUADRATIC_ROW, i],
        theta,
    )


@kernel(inline=True)
def _background_rate(rate_kind, constant, linear, quadratic, theta):
    # Scalars only: arrays passed to a function that is not inlined cost a
    # reference-count update each, per bin and per evaluation.
    if rate_kind == RATE_NONE:
        return constant, 0.0, 0.0
    if rate_kind == RATE_LINEAR:
        return constant + linear * theta, linear, 0.0
    if rate_kind == RATE_QUADRATIC:
        slope = linear + 2.0 * quadratic * theta
        return constant + theta * (linear + quadratic * theta), slope, 2.0 * quadratic
    # RATE_EFFECTIVE: sigma_eff^2 = s+ s- + (s+ - s-)(theta - b), as spey.
    variance = linear + quadratic * (theta - constant)
    if variance <= EFFECTIVE_VARIANCE_FLOOR:
        return constant + _EFFECTIVE_SIGMA_FLOOR * theta, _EFFECTIVE_SIGMA_FLOOR, 0.0
    sigma = math.sqrt(variance)
    slope = sigma + theta * quadratic / (2.0 * sigma)
    curvature = quadratic / sigma - theta * quadratic * quadratic / (
        4.0 * sigma * variance
    )
    return constant + theta * sigma, slope, curvature


@kernel
def expected_counts(model, pars, out):
    """Write the expectations ``mu s_i + beta_i(theta_i)`` into ``out``.

    Poisson expectations are clipped at ``RATE_FLOOR``.
    """
    mu = pars[0]
    kinds = model.kinds
    vectors = model.vectors
    rate_kind = kinds[KIND_RATE]
    has_nuisances = rate_kind != RATE_NONE
    poisson = kinds[KIND_MAIN] == MAIN_POISSON
    for i in range(vectors.shape[1]):
        theta = pars[1 + i] if has_nuisances else 0.0
        beta, _, _ = _background_rate(
            rate_kind,
            vectors[RATE_CONSTANT, i],
            vectors[RATE_LINEAR_ROW, i],
            vectors[RATE_QUADRATIC_ROW, i],
            theta,
        )
        rate = mu * vectors[SIGNAL, i] + beta
        out[i] = max(rate, RATE_FLOOR) if poisson else rate


# The two multivariate-normal terms are separate functions on purpose: inside
# evaluate_arrays their loops, even when not executed, make the function too
# large for LLVM to inline into the fit loop, and an evaluation that is not
# inlined pays a reference-count update for each of its ten array arguments.


@kernel
def _mvn_main_term(vectors, matrices, data, mu, gradient, hessian, order):
    """``v^T Sigma^-1 v / 2`` with ``v = n - mu s - b``, and its mu derivatives."""
    total = 0.0
    n_bins = vectors.shape[1]
    for i in range(n_bins):
        signal_i = vectors[SIGNAL, i]
        residual_i = data[i] - mu * signal_i - vectors[RATE_CONSTANT, i]
        for j in range(n_bins):
            signal_j = vectors[SIGNAL, j]
            residual_j = data[j] - mu * signal_j - vectors[RATE_CONSTANT, j]
            weight = matrices[MAIN_PRECISION, i, j]
            total += 0.5 * residual_i * weight * residual_j
            if order >= 1:
                gradient[0] -= signal_i * weight * residual_j
            if order >= 2:
                hessian[0, 0] += signal_i * weight * signal_j
    return total


@kernel
def _mvn_constraint(matrices, auxiliary, pars, gradient, hessian, order):
    """``(theta - a)^T R^-1 (theta - a) / 2`` and its derivatives."""
    total = 0.0
    n_bins = auxiliary.shape[0]
    for i in range(n_bins):
        pull_i = pars[1 + i] - auxiliary[i]
        row = 0.0
        for j in range(n_bins):
            weight = matrices[CONSTRAINT_PRECISION, i, j]
            row += weight * (pars[1 + j] - auxiliary[j])
            if order >= 2:
                hessian[1 + i, 1 + j] += weight
        total += 0.5 * pull_i * row
        if order >= 1:
            gradient[1 + i] += row
    return total


@kernel(inline=True)
def _evaluate(model, data, auxiliary, pars, gradient, hessian, order):
    """The NLL and, for ``order`` 1 or 2, its gradient and Hessian."""
    return evaluate_arrays(
        model.kinds,
        model.vectors,
        model.matrices,
        model.log_norms,
        data,
        auxiliary,
        pars,
        gradient,
        hessian,
        order,
    )


@kernel(inline=True)
def binned_terms(
    kinds, vectors, log_norms, data, auxiliary, pars, gradient, hessian, order
):
    """NLL and derivatives of a model without multivariate-normal terms.

    The Poisson or normal main term of every bin and the independent normal
    constraints; the correlated constraint, if any, is added by
    :func:`evaluate_arrays`. Hot loops call this directly for such models:
    it touches no matrix, which keeps it small enough for LLVM to inline and
    spares the reference counting of one more array per evaluation.
    """
    n_bins = vectors.shape[1]
    main_kind = kinds[KIND_MAIN]
    rate_kind = kinds[KIND_RATE]
    constraint_kind = kinds[KIND_CONSTRAINT]
    has_nuisances = rate_kind != RATE_NONE
    mu = pars[0]
    total = log_norms[0] + log_norms[1]
    n_pars = 1 + n_bins if has_nuisances else 1
    if order >= 1:
        for p in range(n_pars):
            gradient[p] = 0.0
    if order >= 2:
        for p in range(n_pars):
            for q in range(n_pars):
                hessian[p, q] = 0.0

    for i in range(n_bins):
        signal = vectors[SIGNAL, i]
        theta = pars[1 + i] if has_nuisances else 0.0
        beta, slope, curvature = _background_rate(
            rate_kind,
            vectors[RATE_CONSTANT, i],
            vectors[RATE_LINEAR_ROW, i],
            vectors[RATE_QUADRATIC_ROW, i],
            theta,
        )
        rate = mu * signal + beta
        count = data[i]
        if main_kind == MAIN_POISSON:
            if rate > RATE_FLOOR:
                total += rate - count * math.log(rate) if count != 0.0 else rate
                weight = 1.0 - count / rate
                second = count / (rate * rate)
            else:
                total += RATE_FLOOR - count * math.log(RATE_FLOOR)
                weight = 0.0
                second = 0.0
            total += math.lgamma(count + 1.0)
        else:
            width = vectors[MAIN_SCALE, i]
            inverse_variance = 1.0 / (width * width)
            residual = count - rate
            total += 0.5 * residual * residual * inverse_variance
            weight = -residual * inverse_variance
            second = inverse_variance
        if order >= 1:
            gradient[0] += weight * signal
            if has_nuisances:
                gradient[1 + i] += weight * slope
        if order >= 2:
            hessian[0, 0] += second * signal * signal
            if has_nuisances:
                mixed = second * signal * slope
                hessian[0, 1 + i] += mixed
                hessian[1 + i, 0] += mixed
                hessian[1 + i, 1 + i] += second * slope * slope + weight * curvature

    if constraint_kind == CONSTRAINT_NORMAL:
        for i in range(n_bins):
            pull = pars[1 + i] - auxiliary[i]
            total += 0.5 * pull * pull
            if order >= 1:
                gradient[1 + i] += pull
            if order >= 2:
                hessian[1 + i, 1 + i] += 1.0
    return total


@kernel(inline=True)
def evaluate_arrays(
    kinds, vectors, matrices, log_norms, data, auxiliary, pars, gradient, hessian, order
):
    """:func:`nll_gradient_hessian` on the unpacked arrays of a model.

    Hot loops (fits, toys) unpack the model once and call this, so the model's
    arrays are not reference-counted again on every evaluation. ``order`` 0
    gives the NLL only, 1 adds the gradient, 2 the Hessian.
    """
    if kinds[KIND_MAIN] == MAIN_MVN:
        # Simple backend only: lambda = mu s + b, no nuisances.
        gradient_size = gradient.shape[0]
        if order >= 1 and gradient_size > 0:
            gradient[0] = 0.0
        if order >= 2 and gradient_size > 0:
            hessian[0, 0] = 0.0
        main = _mvn_main_term(
            vectors, matrices, data, pars[0], gradient, hessian, order
        )
        return log_norms[0] + log_norms[1] + main
    total = binned_terms(
        kinds, vectors, log_norms, data, auxiliary, pars, gradient, hessian, order
    )
    if kinds[KIND_CONSTRAINT] == CONSTRAINT_MVN:
        total += _mvn_constraint(matrices, auxiliary, pars, gradient, hessian, order)
    return total


@kernel(inline=True)
def negative_log_likelihood(model, data, auxiliary, pars):
    """NLL at ``pars`` for main data and constraint centres ``auxiliary``.

    ``auxiliary`` has length N for nuisance models and is ignored otherwise.
    """
    unused = np.empty(0)
    return _evaluate(model, data, auxiliary, pars, unused, unused.reshape(0, 0), 0)


@kernel(inline=True)
def nll_gradient(model, data, auxiliary, pars, gradient):
    """NLL, with its gradient written into ``gradient``."""
    unused = np.empty((0, 0))
    return _evaluate(model, data, auxiliary, pars, gradient, unused, 1)


@kernel(inline=True)
def nll_gradient_hessian(model, data, auxiliary, pars, gradient, hessian):
    """NLL, with its gradient and Hessian written into the given arrays."""
    return _evaluate(model, data, auxiliary, pars, gradient, hessian, 2)
