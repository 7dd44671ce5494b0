"""Profile-likelihood-ratio test statistics (arXiv:1007.1727).

The compiled kernels work on NLL values of profile fits, so the fits that
produce them can run in the same compiled call:

* ``q_mu`` (eq. 54): 0 if ``mu_hat > mu``, else ``2 (NLL(mu) - NLL_min)``;
* ``q~_mu`` (eq. 62): 0 if ``mu_hat > mu``, else ``2 (NLL(mu) - NLL_ref)``
  with ``NLL_ref = NLL_min`` for ``mu_hat >= 0`` and ``NLL(0)`` otherwise;
* ``q_0`` (eq. 47): 0 if ``mu_hat < 0``, else ``2 (NLL(0) - NLL_min)``;
* ``q_mu,left``: 0 if ``mu_hat < mu``, else as ``q_mu``.

Each is clipped at 0 from below. The spey-compatible Python functions
(:func:`qmu`, :func:`qmu_tilde`, :func:`q0`, :func:`get_test_statistic`,
:func:`compute_teststatistics`) take ``logpdf(mu)``, the profiled
log-likelihood, as spey's do.
"""

import math

import numpy as np

from nbspey._compile import kernel
from nbspey.system.exceptions import AsimovTestStatZero, UnknownTestStatistics

__all__ = [
    "QMU",
    "QMU_TILDE",
    "Q0",
    "QMU_LEFT",
    "statistic_code",
    "statistic_value",
    "asymptotic_shift",
    "qmu",
    "qmu_tilde",
    "q0",
    "qmu_left",
    "get_test_statistic",
    "compute_teststatistics",
]

QMU = 0
QMU_TILDE = 1
Q0 = 2
QMU_LEFT = 3

_CODES = {"q": QMU, "qmu": QMU, "qtilde": QMU_TILDE, "qmutilde": QMU_TILDE}
_CODES.update({"q0": Q0, "qmu_left": QMU_LEFT})


def statistic_code(name):
    """The kernel code of the test statistic called ``name``.

    ``"q"``/``"qmu"``, ``"qtilde"``/``"qmutilde"``, ``"q0"`` and
    ``"qmu_left"`` are known.

    Raises
    ------
    UnknownTestStatistics
        For any other name.
    """
    code = _CODES.get(name) if isinstance(name, str) else None
    if code is None:
        raise UnknownTestStatistics(f"Requested test statistics {name} does not exist.")
    return code


@kernel
def statistic_value(code, mu, mu_hat, nll_min, nll_mu, nll_zero):
    """A test statistic from the NLLs of the free and the profile fits.

    Parameters
    ----------
    code : int
        ``QMU``, ``QMU_TILDE``, ``Q0`` or ``QMU_LEFT``.
    mu, mu_hat : float
        Tested and fitted POI.
    nll_min : float
        NLL of the free fit.
    nll_mu, nll_zero : float
        Profile NLL at ``mu`` and at 0. ``nll_zero`` is read only by ``q0``
        and by ``q~_mu`` when ``mu_hat < 0``; pass NaN otherwise.

    Returns
    -------
    float
        The statistic, clipped at 0 from below.
    """
    if code == Q0:
        if mu_hat < 0.0:
            return 0.0
        return max(0.0, 2.0 * (nll_zero - nll_min))
    if code == QMU_LEFT:
        if mu_hat < mu:
            return 0.0
        return max(0.0, 2.0 * (nll_mu - nll_min))
    if mu_hat > mu:
        return 0.0
    reference = nll_zero if code == QMU_TILDE and mu_hat < 0.0 else nll_min
    return max(0.0, 2.0 * (nll_mu - reference))


@kernel
def asymptotic_shift(code, q, q_asimov):
    """``(sqrt_q, sqrt_q_A, delta, valid)`` of the asymptotic formulae.

    ``delta = sqrt(q) - sqrt(q_A)``, except for ``q~_mu`` and ``q_mu,left``
    when ``sqrt(q) > sqrt(q_A)``, where ``delta = (q - q_A) / (2 sqrt(q_A))``
    (eq. 66). ``valid`` is False when that branch meets ``q_A = 0``.
    """
    sqrt_q = math.sqrt(q)
    sqrt_qa = math.sqrt(q_asimov)
    if code == QMU or code == Q0 or sqrt_q <= sqrt_qa:
        return sqrt_q, sqrt_qa, sqrt_q - sqrt_qa, True
    if sqrt_qa == 0.0:
        return sqrt_q, sqrt_qa, math.nan, False
    return sqrt_q, sqrt_qa, (q - q_asimov) / (2.0 * sqrt_qa), True


def _from_logpdf(code, mu, muhat, max_logpdf, logpdf):
    mu, muhat, max_logpdf = float(mu), float(muhat), float(max_logpdf)
    # Profile values are needed only where the statistic is not zero.
    needs_mu = code != Q0 and (muhat >= mu if code == QMU_LEFT else muhat <= mu)
    nll_mu = -float(logpdf(mu)) if needs_mu else math.nan
    needs_zero = (code == Q0 and muhat >= 0.0) or (
        code == QMU_TILDE and muhat < 0.0 and muhat <= mu
    )
    nll_zero = -float(logpdf(0.0)) if needs_zero else math.nan
    return statistic_value(code, mu, muhat, -max_logpdf, nll_mu, nll_zero)


def qmu(mu, muhat, max_logpdf, logpdf):
    """``q_mu`` of eq. 54; ``logpdf(mu)`` is the profiled log-likelihood."""
    return _from_logpdf(QMU, mu, muhat, max_logpdf, logpdf)


def qmu_tilde(mu, muhat, max_logpdf, logpdf):
    """``q~_mu`` of eq. 62; ``logpdf(mu)`` is the profiled log-likelihood."""
    return _from_logpdf(QMU_TILDE, mu, muhat, max_logpdf, logpdf)


def q0(mu, muhat, max_logpdf, logpdf):
    """``q_0`` of eq. 47 (``mu`` is ignored)."""
    return _from_logpdf(Q0, mu, muhat, max_logpdf, logpdf)


def qmu_left(mu, muhat, max_logpdf, logpdf):
    """``q_mu`` for a lower limit: 0 when ``mu_hat < mu``."""
    return _from_logpdf(QMU_LEFT, mu, muhat, max_logpdf, logpdf)


_FUNCTIONS = {QMU: qmu, QMU_TILDE: qmu_tilde, Q0: q0, QMU_LEFT: qmu_left}


def get_test_statistic(name):
    """The function ``t(mu, muhat, max_logpdf, logpdf)`` called ``name``."""
    return _FUNCTIONS[statistic_code(name)]


def compute_teststatistics(
    mu, maximum_likelihood, logpdf, maximum_asimov_likelihood, asimov_logpdf, teststat
):
    """``(sqrt_q, sqrt_q_A, delta)`` for the asymptotic formulae.

    Parameters
    ----------
    mu : float
        Tested POI.
    maximum_likelihood, maximum_asimov_likelihood : tuple
        ``(mu_hat, NLL_min)`` of the free fits to the data and to Asimov data.
    logpdf, asimov_logpdf : callable
        Profiled log-likelihoods ``l(mu)`` on the data and on Asimov data.
    teststat : str
        Name of the test statistic.

    Raises
    ------
    AsimovTestStatZero
        When eq. 66 is needed and ``q_A = 0``.
    """
    code = statistic_code(teststat)
    muhat, nll_min = maximum_likelihood
    muhat_a, nll_a = maximum_asimov_likelihood
    q = _from_logpdf(code, mu, muhat, -nll_min, logpdf)
    q_asimov = _from_logpdf(code, mu, muhat_a, -nll_a, asimov_logpdf)
    sqrt_q, sqrt_qa, delta, valid = asymptotic_shift(code, q, q_asimov)
    if not valid:
        raise AsimovTestStatZero("q_mu,A is zero: the Asimov data cannot test mu")
    return np.float64(sqrt_q), np.float64(sqrt_qa), np.float64(delta)
