"""Build packed models from validated inputs (numpy, once per model).

Each ``pack_*`` function checks its inputs, as nbspey's rules require, and
returns a :class:`~nbspey.likelihood.packed.PackedModel`. Every refusal
raises :class:`~nbspey.system.exceptions.InvalidInput` naming the argument, the
value and what was expected; compiled code never sees bad input.

The matrix rule applies to every covariance and correlation matrix: it must
be square with the number of bins as size and finite entries; if it is
symmetric to within 1e-6 of its largest entry it is replaced by its symmetric
part, otherwise it is refused; its diagonal must be positive and it must be
positive definite.
"""

import math

import numpy as np

from nbspey.likelihood.modifiers import signal_uncertainty_synthesizer
from nbspey.likelihood.packed import (
    CONSTRAINT_MVN,
    CONSTRAINT_NONE,
    CONSTRAINT_NORMAL,
    CONSTRAINT_PRECISION,
    MAIN_MVN,
    MAIN_NORMAL,
    MAIN_POISSON,
    MAIN_PRECISION,
    MAIN_SCALE,
    N_VECTORS,
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
from nbspey.likelihood.third_moment import third_moment_expansion
from nbspey.numerics import linalg
from nbspey.system.exceptions import InvalidInput

__all__ = [
    "checked_vector",
    "checked_matrix",
    "pack_uncorrelated",
    "pack_correlated",
    "pack_third_moment",
    "pack_effective_sigma",
    "pack_poisson",
    "pack_normal",
    "pack_multivariate_normal",
]

_LOG_TWO_PI = math.log(2.0 * math.pi)
_SYMMETRY_TOLERANCE = 1e-6


def checked_vector(name, values, size=None, *, non_negative=False, positive=False):
    """``values`` as a finite float64 vector, of length ``size`` if given."""
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"{name} must be a sequence of numbers: {error}") from None
    if array.ndim != 1:
        raise InvalidInput(f"{name} must be one-dimensional; got shape {array.shape}")
    if size is not None and array.shape[0] != size:
        raise InvalidInput(
            f"{name} has {array.shape[0]} entries; expected {size}, one per bin"
        )
    if not np.all(np.isfinite(array)):
        bad = np.flatnonzero(~np.isfinite(array)).tolist()
        raise InvalidInput(f"{name} has non-finite entries at positions {bad}")
    if non_negative and np.any(array < 0):
        bad = np.flatnonzero(array < 0).tolist()
        raise InvalidInput(f"{name} must be non-negative; negative at positions {bad}")
    if positive and np.any(array <= 0):
        bad = np.flatnonzero(array <= 0).tolist()
        raise InvalidInput(f"{name} must be positive; not at positions {bad}")
    return array


def checked_matrix(name, matrix, size):
    """Apply the matrix rule and return ``(matrix, cholesky_factor)``."""
    try:
        array = np.array(matrix, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"{name} must be a matrix of numbers: {error}") from None
    if array.shape != (size, size):
        raise InvalidInput(
            f"{name} has shape {array.shape}; expected ({size}, {size}), one row and "
            "column per bin"
        )
    if not np.all(np.isfinite(array)):
        raise InvalidInput(f"{name} has non-finite entries")
    largest = np.max(np.abs(array)) if array.size else 0.0
    asymmetry = np.max(np.abs(array - array.T)) if array.size else 0.0
    if asymmetry > _SYMMETRY_TOLERANCE * largest:
        raise InvalidInput(
            f"{name} is not symmetric: the largest difference between A_ij and A_ji is "
            f"{asymmetry:g}, more than 1e-6 of its largest entry {largest:g}"
        )
    array = 0.5 * (array + array.T)
    if np.any(np.diag(array) <= 0):
        bad = np.flatnonzero(np.diag(array) <= 0).tolist()
        raise InvalidInput(f"{name} must have a positive diagonal; not at {bad}")
    factor, info = linalg.cholesky(array)
    if info != linalg.OK:
        raise InvalidInput(f"{name} is not positive definite (Cholesky pivot {info})")
    return array, factor


def _counts(signal_yields, background_yields):
    signal = checked_vector("signal_yields", signal_yields)
    if signal.shape[0] == 0:
        raise InvalidInput("signal_yields is empty; expected at least one bin")
    background = checked_vector("background_yields", background_yields, signal.shape[0])
    return signal, background


def _precision_and_log_norm(factor):
    size = factor.shape[0]
    precision = np.empty((size, size))
    linalg.cholesky_inverse(factor, precision, size)
    return precision, 0.5 * (size * _LOG_TWO_PI + linalg.cholesky_logdet(factor, size))


def _packed(kinds, signal, constant, linear, quadratic, **fields):
    size = signal.shape[0]
    synthesized = fields.get("modifiers")
    if synthesized is None or synthesized["n_parameters"] == 0:
        modifiers = np.zeros((2, 0, size))
        strict = np.zeros(0, dtype=np.int64)
    else:
        modifiers = np.stack([synthesized["log_up"], synthesized["log_down"]])
        strict = synthesized["strict"].astype(np.int64)
    log_norms = np.array(fields.get("log_norms", (0.0, 0.0)), dtype=np.float64)
    log_norms[1] += 0.5 * modifiers.shape[1] * _LOG_TWO_PI
    vectors = np.zeros((N_VECTORS, size))
    vectors[SIGNAL] = signal
    vectors[RATE_CONSTANT] = constant
    if linear is not None:
        vectors[RATE_LINEAR_ROW] = linear
    if quadratic is not None:
        vectors[RATE_QUADRATIC_ROW] = quadratic
    if "main_scale" in fields:
        vectors[MAIN_SCALE] = fields["main_scale"]
    uses_matrices = "main_precision" in fields or "constraint_precision" in fields
    matrices = np.zeros((2, size, size) if uses_matrices else (2, 0, 0))
    if "main_precision" in fields:
        matrices[MAIN_PRECISION] = fields["main_precision"]
    if "constraint_precision" in fields:
        matrices[CONSTRAINT_PRECISION] = fields["constraint_precision"]
    return PackedModel(
        np.concatenate([np.array(kinds, dtype=np.int64), strict]),
        vectors,
        matrices,
        modifiers,
        log_norms,
    )


def _modifiers(signal, modifiers):
    """Expanded modifiers for a nuisance backend, or None."""
    if modifiers is None or len(modifiers) == 0:
        return None
    return signal_uncertainty_synthesizer(signal, modifiers)


def pack_uncorrelated(
    signal_yields, background_yields, absolute_uncertainties, modifiers=None
):
    """``lambda = mu s F + b + sigma theta`` with unit normal constraints.

    ``modifiers`` are signal-uncertainty modifiers (see
    :mod:`nbspey.likelihood.modifiers`); ``F = 1`` without them.
    """
    signal, background = _counts(signal_yields, background_yields)
    sigma = checked_vector(
        "absolute_uncertainties",
        absolute_uncertainties,
        signal.shape[0],
        non_negative=True,
    )
    return _packed(
        (MAIN_POISSON, RATE_LINEAR, CONSTRAINT_NORMAL),
        signal,
        background,
        sigma,
        None,
        log_norms=(0.0, 0.5 * signal.shape[0] * _LOG_TWO_PI),
        modifiers=_modifiers(signal, modifiers),
    )


def pack_correlated(
    signal_yields, background_yields, covariance_matrix, modifiers=None
):
    """``lambda = mu s F + b + sqrt(Sigma_ii) theta``, ``theta ~ MVN(a, corr)``."""
    signal, background = _counts(signal_yields, background_yields)
    covariance, _ = checked_matrix(
        "covariance_matrix", covariance_matrix, signal.shape[0]
    )
    sigma = np.sqrt(np.diag(covariance))
    correlation = covariance / np.outer(sigma, sigma)
    _, factor = checked_matrix("covariance_matrix", correlation, signal.shape[0])
    precision, log_norm = _precision_and_log_norm(factor)
    return _packed(
        (MAIN_POISSON, RATE_LINEAR, CONSTRAINT_MVN),
        signal,
        background,
        sigma,
        None,
        constraint_precision=precision,
        log_norms=(0.0, log_norm),
        modifiers=_modifiers(signal, modifiers),
    )


def pack_third_moment(
    signal_yields, background_yields, covariance_matrix, third_moment, modifiers=None
):
    """``lambda = mu s F + A + B theta + C theta^2``, ``theta ~ MVN(a, rho_TM)``."""
    signal, background = _counts(signal_yields, background_yields)
    size = signal.shape[0]
    covariance, _ = checked_matrix("covariance_matrix", covariance_matrix, size)
    moment = checked_vector("third_moment", third_moment, size)
    constant, linear, quadratic, correlation = third_moment_expansion(
        background, covariance, moment, return_correlation_matrix=True
    )
    try:
        _, factor = checked_matrix("modified correlation", correlation, size)
    except InvalidInput as error:
        raise InvalidInput(
            "covariance_matrix and third_moment give a modified correlation that is "
            f"not a valid correlation matrix ({error})"
        ) from None
    precision, log_norm = _precision_and_log_norm(factor)
    return _packed(
        (MAIN_POISSON, RATE_QUADRATIC, CONSTRAINT_MVN),
        signal,
        constant,
        linear,
        quadratic,
        constraint_precision=precision,
        log_norms=(0.0, log_norm),
        modifiers=_modifiers(signal, modifiers),
    )


def pack_effective_sigma(
    signal_yields,
    background_yields,
    correlation_matrix,
    absolute_uncertainty_envelops,
    modifiers=None,
):
    """``lambda = mu s + b + theta sigma_eff(theta)``, ``theta ~ MVN(a, corr)``.

    ``sigma_eff(theta)^2 = max(s+ s- + (s+ - s-)(theta - b), 1e-10)`` exactly
    as spey computes it (its documentation writes ``theta`` for
    ``theta - b``); envelopes are ``(upper, lower)`` pairs whose absolute
    values are used.
    """
    signal, background = _counts(signal_yields, background_yields)
    size = signal.shape[0]
    try:
        envelopes = np.abs(np.array(absolute_uncertainty_envelops, dtype=np.float64))
    except (TypeError, ValueError) as error:
        raise InvalidInput(
            f"absolute_uncertainty_envelops must be (upper, lower) pairs: {error}"
        ) from None
    if envelopes.shape != (size, 2):
        raise InvalidInput(
            f"absolute_uncertainty_envelops has shape {envelopes.shape}; expected "
            f"({size}, 2), one (upper, lower) pair per bin"
        )
    if not np.all(np.isfinite(envelopes)):
        raise InvalidInput("absolute_uncertainty_envelops has non-finite entries")
    _, factor = checked_matrix("correlation_matrix", correlation_matrix, size)
    precision, log_norm = _precision_and_log_norm(factor)
    upper, lower = envelopes[:, 0], envelopes[:, 1]
    return _packed(
        (MAIN_POISSON, RATE_EFFECTIVE, CONSTRAINT_MVN),
        signal,
        background,
        upper * lower,
        upper - lower,
        constraint_precision=precision,
        log_norms=(0.0, log_norm),
        modifiers=_modifiers(signal, modifiers),
    )


def pack_poisson(signal_yields, background_yields):
    """``lambda = mu s + b``, Poisson counts, no nuisances."""
    signal, background = _counts(signal_yields, background_yields)
    return _packed(
        (MAIN_POISSON, RATE_NONE, CONSTRAINT_NONE), signal, background, None, None
    )


def pack_normal(signal_yields, background_yields, absolute_uncertainties):
    """Normal measurements ``n_i ~ N(mu s_i + b_i, sigma_i)``."""
    signal, background = _counts(signal_yields, background_yields)
    widths = checked_vector(
        "absolute_uncertainties", absolute_uncertainties, signal.shape[0], positive=True
    )
    log_norm = float(np.sum(np.log(widths))) + 0.5 * signal.shape[0] * _LOG_TWO_PI
    return _packed(
        (MAIN_NORMAL, RATE_NONE, CONSTRAINT_NONE),
        signal,
        background,
        None,
        None,
        main_scale=widths,
        log_norms=(log_norm, 0.0),
    )


def pack_multivariate_normal(signal_yields, background_yields, covariance_matrix):
    """Correlated normal measurements ``n ~ MVN(mu s + b, Sigma)``."""
    signal, background = _counts(signal_yields, background_yields)
    _, factor = checked_matrix("covariance_matrix", covariance_matrix, signal.shape[0])
    precision, log_norm = _precision_and_log_norm(factor)
    return _packed(
        (MAIN_MVN, RATE_NONE, CONSTRAINT_NONE),
        signal,
        background,
        None,
        None,
        main_precision=precision,
        log_norms=(log_norm, 0.0),
    )
