"""Simplified likelihood with uncorrelated background uncertainties.

The model of ``default.uncorrelated_background``: in bin ``i`` the expected
count is

    lambda_i = mu s_i + b_i + sigma_i theta_i,

clipped from below at ``1e-20``; each count is Poisson and each nuisance
``theta_i`` has a unit normal constraint centred on its auxiliary value
``a_i`` (0 for the nominal measurement). The negative log-likelihood, with all
constants, is

    NLL = sum_i [lambda_i - n_i ln lambda_i + lgamma(n_i + 1)]
        + sum_i [(theta_i - a_i)^2 / 2 + ln sqrt(2 pi)].

Parameters are laid out as ``[mu, theta_0, ..., theta_{N-1}]``. The kernels
take the model arrays, the data and the auxiliary values separately, so that
toys and Asimov data reuse one model without copying it.
"""

import math
from collections import namedtuple

import numpy as np

from nbspey._compile import kernel

__all__ = [
    "UncorrelatedModel",
    "RATE_FLOOR",
    "negative_log_likelihood",
    "nll_gradient_hessian",
    "nll_gradient",
    "nuisance_lower_bounds",
]

RATE_FLOOR = 1e-20
"""Smallest expected count; below it a bin's rate is held constant."""

_LOG_SQRT_TWO_PI = 0.9189385332046728

UncorrelatedModel = namedtuple(
    "UncorrelatedModel", ["signal", "background", "uncertainty"]
)
UncorrelatedModel.__doc__ = """Arrays of an uncorrelated-background model.

Attributes
----------
signal, background, uncertainty : ndarray of float64, shape (N,)
    Signal yields ``s``, background yields ``b`` and absolute background
    uncertainties ``sigma``.
"""


@kernel
def _rate(model, pars, i):
    return (
        pars[0] * model.signal[i]
        + model.background[i]
        + (model.uncertainty[i] * pars[1 + i])
    )


@kernel
def negative_log_likelihood(model, data, auxiliary, pars):
    """NLL at ``pars`` for counts ``data`` and auxiliary values ``auxiliary``.

    Parameters
    ----------
    model : UncorrelatedModel
    data : ndarray, shape (N,)
        Observed (or pseudo-) counts, real-valued allowed.
    auxiliary : ndarray, shape (N,)
        Centres of the nuisance constraints.
    pars : ndarray, shape (N + 1,)
        ``[mu, theta_0, ..., theta_{N-1}]``.
    """
    total = 0.0
    for i in range(data.shape[0]):
        rate = max(_rate(model, pars, i), RATE_FLOOR)
        count = data[i]
        total += rate + math.lgamma(count + 1.0)
        if count != 0.0:
            total -= count * math.log(rate)
        pull = pars[1 + i] - auxiliary[i]
        total += 0.5 * pull * pull + _LOG_SQRT_TWO_PI
    return total


@kernel
def nll_gradient(model, data, auxiliary, pars, gradient):
    """NLL and its gradient (written into ``gradient``)."""
    total = 0.0
    gradient[0] = 0.0
    for i in range(data.shape[0]):
        raw_rate = _rate(model, pars, i)
        count = data[i]
        pull = pars[1 + i] - auxiliary[i]
        if raw_rate > RATE_FLOOR:
            rate = raw_rate
            slope = 1.0 - count / rate
        else:
            rate = RATE_FLOOR
            slope = 0.0
        total += rate + math.lgamma(count + 1.0) + 0.5 * pull * pull
        if count != 0.0:
            total -= count * math.log(rate)
        total += _LOG_SQRT_TWO_PI
        gradient[0] += model.signal[i] * slope
        gradient[1 + i] = model.uncertainty[i] * slope + pull
    return total


@kernel
def nll_gradient_hessian(model, data, auxiliary, pars, gradient, hessian):
    """NLL, gradient and Hessian (the last two written in place).

    With ``w_i = n_i / lambda_i^2`` the second derivatives are
    ``d2/dmu2 = sum_i s_i^2 w_i``, ``d2/dmu dtheta_i = s_i sigma_i w_i`` and
    ``d2/dtheta_i^2 = sigma_i^2 w_i + 1``; bins whose rate is clipped
    contribute no derivatives.
    """
    n_bins = data.shape[0]
    total = 0.0
    gradient[0] = 0.0
    hessian[0, 0] = 0.0
    for i in range(n_bins):
        raw_rate = _rate(model, pars, i)
        count = data[i]
        pull = pars[1 + i] - auxiliary[i]
        signal = model.signal[i]
        sigma = model.uncertainty[i]
        if raw_rate > RATE_FLOOR:
            rate = raw_rate
            slope = 1.0 - count / rate
            weight = count / (rate * rate)
        else:
            rate = RATE_FLOOR
            slope = 0.0
            weight = 0.0
        total += rate + math.lgamma(count + 1.0) + 0.5 * pull * pull
        if count != 0.0:
            total -= count * math.log(rate)
        total += _LOG_SQRT_TWO_PI
        gradient[0] += signal * slope
        gradient[1 + i] = sigma * slope + pull
        hessian[0, 0] += signal * signal * weight
        hessian[0, 1 + i] = signal * sigma * weight
        hessian[1 + i, 0] = signal * sigma * weight
        for j in range(n_bins):
            hessian[1 + i, 1 + j] = 0.0
        hessian[1 + i, 1 + i] = sigma * sigma * weight + 1.0
    return total


def nuisance_lower_bounds(background, uncertainty):
    """Lower bounds ``theta_i >= -b_i / sigma_i`` on the nuisances.

    They keep every background rate ``b_i + sigma_i theta_i`` non-negative
    (the positivity constraint of the simplified likelihood); ``-inf`` where
    ``sigma_i = 0``.
    """
    background = np.asarray(background, dtype=np.float64)
    uncertainty = np.asarray(uncertainty, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(uncertainty > 0, -background / uncertainty, -np.inf)
