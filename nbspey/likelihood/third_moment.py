"""Third-moment expansion and bifurcated-Gaussian moments.

These run in numpy, once when a model is built.

The third-moment expansion of arXiv:1809.05548 (eqs. 2.9 to 2.12) writes a
skewed background as ``A + B theta + C theta^2`` with ``theta`` standard
normal, matching the mean ``m1``, the variance ``Sigma_ii`` and the third
central moment ``m3`` of each bin, and correlates the ``theta`` through the
modified correlation matrix ``rho``.
"""

import logging

import numpy as np

__all__ = ["third_moment_expansion", "compute_third_moments"]

_log = logging.getLogger(__name__)

# Regulariser of the modified correlation, as in spey: keeps the division by
# 4 c_i c_j finite when C = 0.
_REGULARISER = 1e-5


def third_moment_expansion(
    expectation_value,
    covariance_matrix,
    third_moment=None,
    return_correlation_matrix=False,
):
    """Coefficients ``A, B, C`` (and the modified correlation) of the expansion.

    Parameters
    ----------
    expectation_value : array_like, shape (N,)
        The means ``m1`` (the background yields).
    covariance_matrix : array_like, shape (N, N)
        The covariance ``Sigma``; only its diagonal enters ``A``, ``B``, ``C``.
    third_moment : array_like, shape (N,), optional
        The third central moments ``m3`` (zeros when omitted).
    return_correlation_matrix : bool
        Also return the modified correlation ``rho``.

    Returns
    -------
    tuple of ndarray
        ``(A, B, C)`` or ``(A, B, C, rho)``, with

        * ``C_i = -sign(m3_i) sqrt(2 d_i) cos(4 pi / 3 + arctan(sqrt(8 d_i^3 /
          m3_i^2 - 1)) / 3)``, ``d_i = Sigma_ii``, and 0 where the bin violates
          ``8 d_i^3 >= m3_i^2`` (a warning is logged);
        * ``B_i = sqrt(d_i - 2 C_i^2)`` and ``A_i = m1_i - C_i``;
        * ``rho_ij = (sqrt(|(B_i B_j)^2 + 8 c_i c_j Sigma_ij|) - B_i B_j) / (4
          c_i c_j)``, with ``c = C +- 1e-5`` (sign of ``C``, +0 counting as
          positive).
    """
    mean = np.asarray(expectation_value, dtype=np.float64)
    covariance = np.asarray(covariance_matrix, dtype=np.float64)
    diagonal = np.diag(covariance)
    if third_moment is None:
        moment = np.zeros_like(mean)
    else:
        moment = np.asarray(third_moment, dtype=np.float64)

    valid = 8.0 * diagonal**3 >= moment**2
    if not np.all(valid):
        _log.warning(
            "third moments of bins %s violate 8 Sigma_ii^3 >= m3^2; "
            "their quadratic term is set to 0",
            np.flatnonzero(~valid).tolist(),
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        angle = np.arctan(np.sqrt(8.0 * diagonal**3 / moment**2 - 1.0))
        quadratic = (
            -np.sign(moment)
            * np.sqrt(2.0 * diagonal)
            * np.cos(4.0 * np.pi / 3.0 + angle / 3.0)
        )
    quadratic = np.where(np.isnan(quadratic), 0.0, quadratic)
    linear = np.sqrt(diagonal - 2.0 * quadratic**2)
    constant = mean - quadratic
    if not return_correlation_matrix:
        return constant, linear, quadratic

    shifted = np.where(
        quadratic >= 0.0, quadratic + _REGULARISER, quadratic - _REGULARISER
    )
    product = np.outer(linear, linear)
    scale = np.outer(shifted, shifted)
    correlation = (np.sqrt(np.abs(product**2 + 8.0 * scale * covariance)) - product) / (
        4.0 * scale
    )
    return constant, linear, quadratic, correlation


def compute_third_moments(upper, lower, return_integration_error=False):
    """Third moments about zero of bifurcated Gaussians.

    For widths ``s+ = |upper|`` above zero and ``s- = |lower|`` below, the
    closed form is ``m3 = 2 / (s+ + s-) sqrt(2 / pi) (s+^4 - s-^4)``.

    Returns
    -------
    ndarray, or (ndarray, ndarray)
        The moments, and with ``return_integration_error`` zeros as the
        error estimate (the closed form has none).
    """
    plus = np.abs(np.asarray(upper, dtype=np.float64))
    minus = np.abs(np.asarray(lower, dtype=np.float64))
    moments = 2.0 / (plus + minus) * np.sqrt(2.0 / np.pi) * (plus**4 - minus**4)
    if return_integration_error:
        return moments, np.zeros_like(moments)
    return moments
