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
    KIND_FIRST_STRICT,
    KIND_MAIN,
    KIND_RATE,
    MAIN_MVN,
    MAIN_POISSON,
    MAIN_PRECISION,
    MAIN_SCALE,
    MODIFIER_DOWN,
    MODIFIER_UP,
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
    "rate_gradient",
    "negative_log_likelihood",
    "nll_gradient",
    "nll_gradient_hessian",
    "evaluate_arrays",
    "binned_terms",
    "signal_factor",
    "modifier_log",
]

# Below the variance floor sigma_eff is constant: sqrt(1e-10).
_EFFECTIVE_SIGMA_FLOOR = math.sqrt(EFFECTIVE_VARIANCE_FLOOR)


@kernel
def parameter_count(model):
    """Number of parameters: ``1 + N + M`` with nuisances, else 1."""
    if model.kinds[KIND_RATE] == RATE_NONE:
        return 1
    return 1 + model.vectors.shape[1] + model.modifiers.shape[1]


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
        factor = signal_factor(kinds, model.modifiers, pars, 1 + vectors.shape[1], i)
        rate = mu * vectors[SIGNAL, i] * factor + beta
        out[i] = max(rate, RATE_FLOOR) if poisson else rate


@kernel
def rate_gradient(model, data, pars, out):
    """Write ``dNLL/dlambda_i`` of the main term at ``pars`` into ``out``.

    Poisson ``1 - n_i / lambda_i`` (0 where the rate is clipped), normal
    ``-(n_i - lambda_i) / sigma_i^2``, multivariate normal
    ``-(Sigma^-1 (n - lambda))_i``. With ``dlambda_i/ds_i = mu F_i`` this is
    the derivative with respect to the signal yields.
    """
    bins = model.vectors.shape[1]
    rates = np.empty(bins)
    expected_counts(model, pars, rates)
    main_kind = model.kinds[KIND_MAIN]
    for i in range(bins):
        if main_kind == MAIN_POISSON:
            out[i] = 1.0 - data[i] / rates[i] if rates[i] > RATE_FLOOR else 0.0
        elif main_kind == MAIN_MVN:
            total = 0.0
            for j in range(bins):
                total += model.matrices[MAIN_PRECISION, i, j] * (data[j] - rates[j])
            out[i] = -total
        else:
            width = model.vectors[MAIN_SCALE, i]
            out[i] = -(data[i] - rates[i]) / (width * width)


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
    n_bins = matrices.shape[1]
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
        model.modifiers,
        model.log_norms,
        data,
        auxiliary,
        pars,
        gradient,
        hessian,
        order,
    )


@kernel
def modifier_log(kinds, modifiers, k, i, value):
    """``L_ki(u)``: the log-variation of modifier parameter ``k`` in bin ``i``.

    The up branch applies for ``u > 0`` (normalization parameters, flagged
    strict) or ``u >= 0`` (shape parameters).
    """
    if kinds[KIND_FIRST_STRICT + k] != 0:
        positive = value > 0.0
    else:
        positive = value >= 0.0
    return modifiers[MODIFIER_UP if positive else MODIFIER_DOWN, k, i]


@kernel
def signal_factor(kinds, modifiers, pars, first, i):
    """``F_i = exp(sum_k u_k L_ki(u_k))``; the ``u_k`` start at ``pars[first]``."""
    exponent = 0.0
    for k in range(modifiers.shape[1]):
        value = pars[first + k]
        exponent += value * modifier_log(kinds, modifiers, k, i, value)
    return math.exp(exponent)


@kernel
def _modified_terms(
    kinds,
    vectors,
    modifiers,
    log_norms,
    data,
    auxiliary,
    pars,
    gradient,
    hessian,
    order,
):
    """NLL terms of a nuisance model with signal-uncertainty modifiers.

    With ``lambda_i = mu s_i F_i + beta_i(theta_i)`` and
    ``F_i = exp(sum_k u_k L_ki)``: ``dlambda/dmu = s F``,
    ``dlambda/du_k = mu s F L_k``, ``d2lambda/dmu du_k = s F L_k`` and
    ``d2lambda/du_k du_l = mu s F L_k L_l``. Includes the main term, the
    independent-normal background constraint (if that is the model's) and
    the unit normal constraints of the ``u_k``.
    """
    n_bins = vectors.shape[1]
    n_modifiers = modifiers.shape[1]
    first = 1 + n_bins
    n_pars = first + n_modifiers
    main_kind = kinds[KIND_MAIN]
    rate_kind = kinds[KIND_RATE]
    mu = pars[0]
    total = log_norms[0] + log_norms[1]
    if order >= 1:
        for p in range(n_pars):
            gradient[p] = 0.0
    if order >= 2:
        for p in range(n_pars):
            for q in range(n_pars):
                hessian[p, q] = 0.0

    for i in range(n_bins):
        scaled = vectors[SIGNAL, i] * signal_factor(kinds, modifiers, pars, first, i)
        beta, slope, curvature = _background_rate(
            rate_kind,
            vectors[RATE_CONSTANT, i],
            vectors[RATE_LINEAR_ROW, i],
            vectors[RATE_QUADRATIC_ROW, i],
            pars[1 + i],
        )
        value, weight, second = _main_term(
            main_kind, mu * scaled + beta, data[i], vectors[MAIN_SCALE, i]
        )
        total += value
        if order >= 1:
            gradient[0] += weight * scaled
            gradient[1 + i] += weight * slope
            for k in range(n_modifiers):
                log_k = modifier_log(kinds, modifiers, k, i, pars[first + k])
                gradient[first + k] += weight * mu * scaled * log_k
        if order >= 2:
            hessian[0, 0] += second * scaled * scaled
            mixed = second * scaled * slope
            hessian[0, 1 + i] += mixed
            hessian[1 + i, 0] += mixed
            hessian[1 + i, 1 + i] += second * slope * slope + weight * curvature
            for k in range(n_modifiers):
                log_k = modifier_log(kinds, modifiers, k, i, pars[first + k])
                d_k = mu * scaled * log_k
                with_mu = second * scaled * d_k + weight * scaled * log_k
                hessian[0, first + k] += with_mu
                hessian[first + k, 0] += with_mu
                with_theta = second * slope * d_k
                hessian[1 + i, first + k] += with_theta
                hessian[first + k, 1 + i] += with_theta
                for m in range(n_modifiers):
                    log_m = modifier_log(kinds, modifiers, m, i, pars[first + m])
                    hessian[first + k, first + m] += (
                        second * d_k * mu * scaled * log_m
                        + weight * mu * scaled * log_k * log_m
                    )

    if kinds[KIND_CONSTRAINT] == CONSTRAINT_NORMAL:
        total += _unit_normal_terms(
            pars, auxiliary, 1, 0, n_bins, gradient, hessian, order
        )
    total += _unit_normal_terms(
        pars, auxiliary, first, n_bins, n_modifiers, gradient, hessian, order
    )
    return total


@kernel
def _unit_normal_terms(
    pars, auxiliary, start, centre_start, count, gradient, hessian, order
):
    """Unit normal constraints ``sum (p - a)^2 / 2`` and their derivatives.

    Over ``count`` parameters from ``pars[start]``, centred on
    ``auxiliary[centre_start:]``.
    """
    total = 0.0
    for k in range(count):
        pull = pars[start + k] - auxiliary[centre_start + k]
        total += 0.5 * pull * pull
        if order >= 1:
            gradient[start + k] += pull
        if order >= 2:
            hessian[start + k, start + k] += 1.0
    return total


@kernel(inline=True)
def _main_term(main_kind, rate, count, width):
    """One bin's main term ``P(lambda)`` with ``dP/dlambda`` and ``d2P/dlambda2``.

    Poisson: ``lambda - n ln lambda + lgamma(n + 1)``, constant below
    ``RATE_FLOOR``; normal: ``(n - lambda)^2 / (2 width^2)``.

    The Poisson value is summed as ``n (r - ln(1 + r))`` with ``r = (lambda -
    n) / n``, which is small near the optimum and accurate to its last bits,
    plus the constant ``lgamma(n + 1) - n ln n + n``. Written directly, terms
    of size ``n ln n`` cancel and leave rounding noise of ``1e-16 n ln n`` in
    the NLL, which at large counts hides the last decreases a fit must see.
    """
    if main_kind == MAIN_POISSON:
        if rate > RATE_FLOOR:
            if count == 0.0:
                return rate, 1.0, 0.0
            relative = (rate - count) / count
            constant = math.lgamma(count + 1.0) - count * math.log(count) + count
            value = count * (relative - math.log1p(relative)) + constant
            return value, 1.0 - count / rate, count / (rate * rate)
        value = RATE_FLOOR - count * math.log(RATE_FLOOR)
        return value + math.lgamma(count + 1.0), 0.0, 0.0
    inverse_variance = 1.0 / (width * width)
    residual = count - rate
    value = 0.5 * residual * residual * inverse_variance
    return value, -residual * inverse_variance, inverse_variance


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
        value, weight, second = _main_term(
            main_kind, rate, data[i], vectors[MAIN_SCALE, i]
        )
        total += value
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
        # Written out rather than calling _unit_normal_terms: the call costs
        # about 10% of a fit of the two-bin model.
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
    kinds,
    vectors,
    matrices,
    modifiers,
    log_norms,
    data,
    auxiliary,
    pars,
    gradient,
    hessian,
    order,
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
    if modifiers.shape[1] > 0:
        total = _modified_terms(
            kinds,
            vectors,
            modifiers,
            log_norms,
            data,
            auxiliary,
            pars,
            gradient,
            hessian,
            order,
        )
    else:
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
