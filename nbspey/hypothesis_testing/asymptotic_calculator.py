"""Asymptotic p-values from ``sqrt(q_A)`` and the shift ``delta``.

Under the asymptotic approximation of arXiv:1007.1727 the statistic of the
signal-plus-background hypothesis is a unit normal shifted by
``-sqrt(q_A)`` and that of the background-only hypothesis an unshifted unit
normal, so

    CLsb = Phi(-sqrt(q_A) - delta),    CLb = Phi(-delta),
    CLs = CLsb / CLb  (0 when CLb = 0).

The expected band evaluates the same at ``delta = n`` for
``n = +2, +1, 0, -1, -2``. The ratio is formed from log-CDFs, so CLs keeps
its relative accuracy far into both tails, and ``1 - CLs`` is taken with
``expm1`` where CLs is close to 1.
"""

import math

import numpy as np

from nbspey._compile import kernel
from nbspey.hypothesis_testing.test_statistics import Q0, statistic_code
from nbspey.numerics.special import normal_cdf, normal_logcdf

__all__ = [
    "BAND_SHIFTS",
    "asymptotic_pvalue",
    "asymptotic_confidence_levels",
    "compute_asymptotic_confidence_level",
]

# Below this CLsb loses digits to subnormal numbers; use logarithms instead.
_TINY = 1e-290

BAND_SHIFTS = (2.0, 1.0, 0.0, -1.0, -2.0)
"""Shifts ``n`` of the expected band, in spey's order: the first entry has the
largest ``1 - CLs`` (the "-2 sigma" limit)."""


@kernel
def asymptotic_pvalue(code, sqrt_qa, delta):
    """``(p, one_minus_p)``: CLs (CLsb for ``q0``) at ``delta`` and its complement.

    Returns ``(1, 0)`` for NaN input (the convention of an undefined test).
    """
    if math.isnan(sqrt_qa) or math.isnan(delta):
        return 1.0, 0.0
    clsb = normal_cdf(-sqrt_qa - delta)
    if code == Q0:
        return clsb, normal_cdf(sqrt_qa + delta)
    clb = normal_cdf(-delta)
    if clb == 0.0:
        return 0.0, 1.0
    if clsb > _TINY:
        cls = clsb / clb
    else:
        cls = math.exp(normal_logcdf(-sqrt_qa - delta) - normal_logcdf(-delta))
    if cls < 0.5:
        return cls, 1.0 - cls
    # Close to 1: the complement from the log-ratio, without cancellation.
    log_ratio = normal_logcdf(-sqrt_qa - delta) - normal_logcdf(-delta)
    return cls, -math.expm1(log_ratio)


@kernel
def asymptotic_confidence_levels(code, sqrt_qa, delta, out):
    """Write ``1 - p`` into ``out``: observed in ``out[0]``, band in ``out[1:6]``.

    ``p`` is CLs, or CLsb for ``q0``; see :func:`asymptotic_pvalue`.
    """
    out[0] = asymptotic_pvalue(code, sqrt_qa, delta)[1]
    for k in range(5):
        shift = 2.0 - k
        out[1 + k] = asymptotic_pvalue(code, sqrt_qa, shift)[1]


def compute_asymptotic_confidence_level(sqrt_qmuA, delta_test_statistic, test_stat):
    """Observed and expected p-values, as spey's function of the same name.

    Parameters
    ----------
    sqrt_qmuA : float
        ``sqrt(q_A)``.
    delta_test_statistic : float
        ``delta`` (see :func:`~nbspey.hypothesis_testing.test_statistics.
        compute_teststatistics`).
    test_stat : str
        ``"q0"`` returns CLsb; any other statistic CLs.

    Returns
    -------
    tuple of list
        ``([p_observed], [p_n for n = 2, 1, 0, -1, -2])``.
    """
    code = statistic_code(test_stat)
    sqrt_qa, delta = float(sqrt_qmuA), float(delta_test_statistic)
    observed = asymptotic_pvalue(code, sqrt_qa, delta)[0]
    band = [asymptotic_pvalue(code, sqrt_qa, shift)[0] for shift in BAND_SHIFTS]
    return [np.float64(observed)], [np.float64(value) for value in band]
