"""Special functions for the statistics, compiled and accurate into the tails.

Which function to use:

* :func:`normal_cdf`, :func:`normal_sf` and :func:`normal_logcdf` for
  p-values of the asymptotic formulae; relative accuracy about 1e-16 for
  ``|z| <= 37``, where the tail probability is still a normal float;
* :func:`normal_ppf` and :func:`normal_isf` to turn probabilities back into
  significances, accurate to about 1e-16 relative from ``p = 1e-300`` to
  ``1 - 1e-16``;
* :func:`chi2_sf` and :func:`chi2_isf` for one degree of freedom (Wilks'
  theorem for a single parameter of interest);
* :func:`poisson_logpmf` for the main term of counting likelihoods, defined for
  real-valued counts (continuous Poisson, with ``0 * log 0 = 0``).

The functions take and return float64 scalars and are compiled with
:func:`nbspey._compile.kernel`, so they can be called from users' own ``@njit``
code as well as from Python.

Accuracy. The libm ``erfc`` that numba calls is accurate to a few units in
the last place, but writing ``Phi(z) = erfc(-z / sqrt(2)) / 2`` loses up to
``z**2`` units in the last place far in the tail, because the rounding error
of ``z / sqrt(2)`` is amplified by the steep exponential. The functions here
compute that rounding error exactly (Dekker's error-free product) and apply
the first-order correction ``erfc(u + r) = erfc(u) - r * 2 / sqrt(pi) *
exp(-u**2)``, which restores full precision.
"""

import math

import numpy as np

from nbspey._compile import kernel

__all__ = [
    "normal_cdf",
    "normal_sf",
    "normal_logcdf",
    "normal_logsf",
    "normal_ppf",
    "normal_isf",
    "chi2_sf",
    "chi2_isf",
    "poisson_logpmf",
    "xlogy",
]

# 1/sqrt(2) split into the nearest double and the remainder, for the
# error-free evaluation of z / sqrt(2).
_SQRT_HALF = 0.7071067811865476
_SQRT_HALF_LOW = -4.833646656726457e-17
_TWO_OVER_SQRT_PI = 1.1283791670955126
_SQRT_PI_OVER_TWO = 0.886226925452758
_SQRT_TWO = 1.4142135623730951
_LOG_SQRT_TWO_PI = 0.9189385332046728
# Veltkamp's splitting constant 2**27 + 1 for IEEE double precision.
_SPLITTER = 134217729.0
# Below this z the lower tail is subnormal; it is taken from the logarithm.
_SUBNORMAL_Z = -37.5


@kernel
def _two_product_error(a, b):
    """Return ``a * b - fl(a * b)`` exactly (Dekker 1971), without FMA."""
    product = a * b
    scaled = _SPLITTER * a
    a_high = scaled - (scaled - a)
    a_low = a - a_high
    scaled = _SPLITTER * b
    b_high = scaled - (scaled - b)
    b_low = b - b_high
    return ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + (
        a_low * b_low
    )


@kernel
def _erfc_shifted(u, shift):
    """``erfc(u + shift)`` for a shift of a few ulps of ``u``, to first order."""
    return math.erfc(u) - shift * _TWO_OVER_SQRT_PI * math.exp(-u * u)


@kernel
def _mills_ratio_large(x):
    """Mills ratio ``R(x) = sf(x) / pdf(x)`` for ``x >= 30``.

    Evaluated from its continued fraction ``1 / (x + 1 / (x + 2 / (x + ...)))``
    backwards from a fixed depth; at ``x >= 30`` twenty levels reach full
    double precision.
    """
    tail = 0.0
    for level in range(20, 0, -1):
        tail = level / (x + tail)
    return 1.0 / (x + tail)


@kernel
def _normal_cdf_normal_range(z):
    """``Phi(z)`` for ``z >= -37.5``, where the result is a normal float."""
    u = -z * _SQRT_HALF
    shift = _two_product_error(-z, _SQRT_HALF) - z * _SQRT_HALF_LOW
    return 0.5 * _erfc_shifted(u, shift)


@kernel
def _normal_logcdf_far_tail(z):
    """``ln Phi(z)`` for ``z < -37.5``: ``-z**2/2 - ln sqrt(2 pi) + ln R(-z)``."""
    return -0.5 * z * z - _LOG_SQRT_TWO_PI + math.log(_mills_ratio_large(-z))


@kernel
def normal_cdf(z):
    """Standard normal cumulative distribution ``Phi(z)``.

    Parameters
    ----------
    z : float
        The quantile.

    Returns
    -------
    float
        ``Phi(z) = erfc(-z / sqrt(2)) / 2``, with the rounding of
        ``z / sqrt(2)`` corrected so that the lower tail keeps full relative
        precision down to ``z = -37.5``; below that, where the result is
        subnormal, it is the exponential of the far-tail logarithm.
    """
    if math.isnan(z):
        return np.nan
    if math.isinf(z):
        return 1.0 if z > 0 else 0.0
    if z < _SUBNORMAL_Z:
        return math.exp(_normal_logcdf_far_tail(z))
    return _normal_cdf_normal_range(z)


@kernel
def normal_sf(z):
    """Standard normal survival function ``1 - Phi(z) = Phi(-z)``.

    Accurate to about 1e-16 relative in the upper tail up to ``z = 37.5``.
    """
    return normal_cdf(-z)


@kernel
def normal_logcdf(z):
    """Logarithm of the standard normal cdf, ``ln Phi(z)``, for any ``z``.

    For ``z >= -37.5`` it is ``log(normal_cdf(z))`` (``log1p`` of the upper
    tail for ``z > 0``); further out it is ``-z**2/2 - ln sqrt(2 pi) +
    ln R(-z)`` with ``R`` the Mills ratio, so it stays finite and accurate for
    any finite ``z``.
    """
    if math.isnan(z):
        return np.nan
    if math.isinf(z):
        return 0.0 if z > 0 else -np.inf
    if z > 0.0:
        return math.log1p(-_normal_cdf_normal_range(-z))
    if z >= _SUBNORMAL_Z:
        return math.log(_normal_cdf_normal_range(z))
    return _normal_logcdf_far_tail(z)


@kernel
def normal_logsf(z):
    """Logarithm of the standard normal survival function, ``ln Phi(-z)``."""
    return normal_logcdf(-z)


@kernel
def _inverse_erf_central(target):
    """Solve ``erf(y) = target`` for ``|target| <= 0.85``.

    Starts from Winitzki's closed-form approximation (relative error below
    2e-3) and refines with Halley's method, using ``erf'' = -2 y erf'``.
    Working with ``erf`` rather than the cdf keeps full relative precision
    when the solution is close to zero.
    """
    if target == 0.0:
        return target
    a = 0.147
    log_term = math.log1p(-target * target)
    first = 2.0 / (math.pi * a) + 0.5 * log_term
    y = math.sqrt(math.sqrt(first * first - log_term / a) - first)
    if target < 0.0:
        y = -y
    for _ in range(8):
        residual = math.erf(y) - target
        newton = residual / (_TWO_OVER_SQRT_PI * math.exp(-y * y))
        step = newton / (1.0 + y * newton)
        y -= step
        if abs(step) <= 1e-17 * abs(y):
            break
    return y


@kernel
def _normal_ppf_lower_tail(p):
    """Solve ``Phi(x) = p`` for ``0 < p <= 0.075`` in log space.

    The start is the rational approximation of Abramowitz and Stegun 26.2.23
    (absolute error below 4.5e-4); Halley's method on
    ``h(x) = ln Phi(x) - ln p`` then converges in two or three steps. Working
    with logarithms keeps the iteration well scaled down to ``p = 1e-300``
    and below.
    """
    t = math.sqrt(-2.0 * math.log(p))
    x = -(
        t
        - (2.515517 + t * (0.802853 + t * 0.010328))
        / (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)))
    )
    log_p = math.log(p)
    for _ in range(12):
        log_cdf = normal_logcdf(x)
        residual = log_cdf - log_p
        # h'(x) = pdf(x) / cdf(x), evaluated in logs to avoid underflow.
        slope = math.exp(-0.5 * x * x - _LOG_SQRT_TWO_PI - log_cdf)
        newton = residual / slope
        # Halley: h'' = -h' (x + h'), so the correction is 1 + (x + h') h / 2h'.
        step = newton / (1.0 + 0.5 * (x + slope) * newton)
        x -= step
        if abs(step) <= 1e-16 * abs(x):
            break
    return x


@kernel
def normal_ppf(p):
    """Standard normal quantile, the inverse of :func:`normal_cdf`.

    Parameters
    ----------
    p : float
        A probability in ``[0, 1]``.

    Returns
    -------
    float
        ``x`` with ``Phi(x) = p``; ``-inf`` at 0, ``inf`` at 1 and NaN outside
        ``[0, 1]``. Accurate to about 1e-16 relative from ``p = 1e-300`` to
        ``1 - 1e-16``. For ``p > 0.5`` the upper tail ``1 - p``, which is
        exact in floating point there, is inverted instead.
    """
    if math.isnan(p) or p < 0.0 or p > 1.0:
        return np.nan
    if p == 0.0:
        return -np.inf
    if p == 1.0:
        return np.inf
    if p > 0.5:
        return -_normal_ppf_below_half(1.0 - p)
    return _normal_ppf_below_half(p)


@kernel
def _normal_ppf_below_half(p):
    if p > 0.075:
        # Phi(x) = (1 + erf(x / sqrt 2)) / 2, so erf(x / sqrt 2) = 2 p - 1.
        return _SQRT_TWO * _inverse_erf_central(2.0 * p - 1.0)
    return _normal_ppf_lower_tail(p)


@kernel
def normal_isf(p):
    """Inverse of :func:`normal_sf`: ``x`` with ``1 - Phi(x) = p``.

    Turns a one-sided p-value into a significance ``Z``; accurate to about
    1e-16 relative over the same range as :func:`normal_ppf`.
    """
    return -normal_ppf(p)


@kernel
def chi2_sf(x):
    """Chi-square survival function, one degree of freedom.

    ``P(X > x) = erfc(sqrt(x / 2))``.

    Parameters
    ----------
    x : float
        The value of the statistic. Negative values, which appear when a test
        statistic is zero up to rounding, give 1.

    Returns
    -------
    float
        The tail probability, with the rounding of ``sqrt(x / 2)`` corrected
        so that it stays accurate to about 1e-16 relative up to ``x ~ 1400``.
    """
    if math.isnan(x):
        return np.nan
    if x <= 0.0:
        return 1.0
    if math.isinf(x):
        return 0.0
    half = 0.5 * x
    u = math.sqrt(half)
    if u < 1.0:
        # The rounding of u moves erfc by far less than an ulp here (and the
        # correction below would divide by a subnormal u).
        return math.erfc(u)
    # half - u*u exactly, then the first-order shift of the square root.
    square_error = _two_product_error(u, u)
    shift = ((half - u * u) - square_error) / (2.0 * u)
    return _erfc_shifted(u, shift)


@kernel
def chi2_isf(p):
    """Inverse of :func:`chi2_sf` for one degree of freedom.

    ``x = Phi^-1(p / 2)**2``: the square of the two-sided normal quantile.
    Returns ``inf`` at 0, 0 at 1 and NaN outside ``[0, 1]``.
    """
    if math.isnan(p) or p < 0.0 or p > 1.0:
        return np.nan
    z = normal_ppf(0.5 * p)
    return z * z


@kernel
def xlogy(x, y):
    """``x * log(y)`` with the convention ``0 * log(y) = 0`` for any ``y``."""
    if x == 0.0 and not math.isnan(y):
        return 0.0
    return x * math.log(y)


@kernel
def poisson_logpmf(count, rate):
    """Logarithm of the Poisson probability for a real-valued count.

    ``ln P(n | lambda) = n ln lambda - lambda - lgamma(n + 1)``, the continuous
    extension used for non-integer (for example Asimov) data.

    Parameters
    ----------
    count : float
        The observed count ``n >= 0``, not necessarily an integer.
    rate : float
        The expectation ``lambda >= 0``.

    Returns
    -------
    float
        The log-probability; ``-lambda`` at ``n = 0`` (also for
        ``lambda = 0``), ``-inf`` for ``lambda = 0 < n``, NaN for negative
        arguments.
    """
    if count < 0.0 or rate < 0.0:
        return np.nan
    return xlogy(count, rate) - rate - math.lgamma(count + 1.0)
