"""Hypothesis tests of a packed model, each one call into compiled code.

Every function here runs all the fits a test needs (free, conditional and
Asimov fits) and the statistics on their results without returning to
Python:

* :func:`exclusion_test`: ``1 - CLs``, observed and expected band, with the
  asymptotic or the chi-square calculator (``statistics.md`` sections 5, 6);
* :func:`discovery_test`: ``q0`` and its p-values (section 9);
* :func:`upper_limits`: the POI where ``1 - CLs = CL`` for the observed value
  and for any entries of the expected band (section 8), by a bracket search
  and Brent's method in ``log mu``.

They return the worst status of their fits (positive when every fit
converged; the first failing fit's status otherwise), so callers can report
failures.
"""

import math

import numpy as np

from nbspey._compile import kernel
from nbspey.fits import FitProblem, conditional_fit, free_fit
from nbspey.hypothesis_testing.asimov import asimov_data
from nbspey.hypothesis_testing.asymptotic_calculator import (
    asymptotic_confidence_levels,
    asymptotic_pvalue,
)
from nbspey.hypothesis_testing.test_statistics import (
    Q0,
    QMU,
    QMU_TILDE,
    asymptotic_shift,
    statistic_value,
)
from nbspey.hypothesis_testing.upper_limits import (
    LIMIT_FLOOR,
    LIMIT_LOG_TOLERANCE,
    LIMIT_MAX_EVALUATIONS,
)
from nbspey.numerics.roots import (
    ROOT_CONVERGED,
    bracket_advance,
    bracket_result,
    bracket_running,
    bracket_start,
    bracket_trial,
    root_advance,
    root_result,
    root_running,
    root_start,
    root_trial,
)

__all__ = [
    "ASYMPTOTIC",
    "CHI_SQUARE",
    "exclusion_test",
    "discovery_test",
    "upper_limits",
]

ASYMPTOTIC = 0
CHI_SQUARE = 1


@kernel
def _worse(status, new):
    """The first failure among fit statuses (positive means converged)."""
    return new if status > 0 and new <= 0 else status


@kernel
def _profile_nll(model, data, auxiliary, problem, mu, options):
    """``(NLL, status)`` of the profile fit at ``mu``."""
    result = conditional_fit(model, data, auxiliary, problem, mu, options)
    return result.value, result.status


@kernel
def _warm_profile_nll(model, data, auxiliary, problem, mu, options):
    """``(NLL, status)`` at ``mu``, leaving the fitted point in ``problem.start``.

    For a sequence of fits at nearby ``mu`` (the upper-limit search) each
    fit then starts where the last one ended. ``problem`` must be a private
    copy.
    """
    result = conditional_fit(model, data, auxiliary, problem, mu, options)
    if result.status > 0:
        problem.start[:] = result.x
        return result.value, result.status
    # A start carried over from a distant mu can be a poor one: retry from
    # the nominal point before reporting a failure.
    problem.start[:] = 0.0
    problem.start[0] = 1.0
    result = conditional_fit(model, data, auxiliary, problem, mu, options)
    if result.status > 0:
        problem.start[:] = result.x
    return result.value, result.status


@kernel
def _statistic(model, data, auxiliary, problem, mu, code, free, options, warm=False):
    """``(q, status)``: the statistic ``code`` at ``mu`` given the free fit.

    With ``warm`` the profile fit at ``mu`` starts from, and updates,
    ``problem.start`` (see :func:`_warm_profile_nll`).
    """
    mu_hat = free.x[0]
    status = 1
    nll_mu = math.nan
    nll_zero = math.nan
    if code != Q0:
        if warm:
            nll_mu, new = _warm_profile_nll(
                model, data, auxiliary, problem, mu, options
            )
        else:
            nll_mu, new = _profile_nll(model, data, auxiliary, problem, mu, options)
        status = _worse(status, new)
    if code == Q0 or (code == QMU_TILDE and mu_hat < 0.0):
        nll_zero, new = _profile_nll(model, data, auxiliary, problem, 0.0, options)
        status = _worse(status, new)
    q = statistic_value(code, mu, mu_hat, free.value, nll_mu, nll_zero)
    return q, status


@kernel
def _asimov_measurements(model, data, auxiliary, problem, code, convention, options):
    """Asimov main and auxiliary data for the statistic ``code``, and a status."""
    main_asimov = np.empty_like(data)
    aux_asimov = np.empty_like(auxiliary)
    mu_asimov = 1.0 if code == Q0 else 0.0
    result = asimov_data(
        model,
        data,
        auxiliary,
        problem,
        mu_asimov,
        convention,
        options,
        main_asimov,
        aux_asimov,
    )
    return main_asimov, aux_asimov, result.status


@kernel
def exclusion_test(
    model, data, auxiliary, problem, mu, code, calculator, convention, options
):
    """``1 - CLs`` at ``mu``: observed and the five-entry expected band.

    Parameters
    ----------
    model : PackedModel
    data, auxiliary : ndarray
        Measurements selected by ``expected``.
    problem : FitProblem
        With the POI lower bound of the statistic (0 for ``q~_mu``).
    mu : float
        Tested POI.
    code : int
        ``QMU`` or ``QMU_TILDE`` (or ``Q0``, which returns CLsb).
    calculator : int
        ``ASYMPTOTIC`` or ``CHI_SQUARE``.
    convention : int
        Asimov convention (``SPEY_ASIMOV`` or ``STANDARD_ASIMOV``).
    options : MinimizerOptions

    Returns
    -------
    levels : ndarray, shape (6,)
        ``1 - p`` observed, then for band shifts ``n = 2, 1, 0, -1, -2``;
        all zero when the test is undefined (``valid`` False).
    status : int
        Worst fit status.
    valid : bool
        False where spey raises ``AsimovTestStatZero`` (asymptotic) or
        cannot form ``delta`` (chi-square).
    """
    levels = np.zeros(6)
    free = free_fit(model, data, auxiliary, problem, options)
    status = free.status
    q, new = _statistic(model, data, auxiliary, problem, mu, code, free, options)
    status = _worse(status, new)
    if calculator == CHI_SQUARE:
        sqrt_sb, delta, valid, new = _chi_square_shift(
            model, data, auxiliary, problem, code, free, q, options
        )
        status = _worse(status, new)
        if valid:
            asymptotic_confidence_levels(code, sqrt_sb, delta, levels)
        return levels, status, valid
    main_a, aux_a, new = _asimov_measurements(
        model, data, auxiliary, problem, code, convention, options
    )
    status = _worse(status, new)
    free_a = free_fit(model, main_a, aux_a, problem, options)
    status = _worse(status, free_a.status)
    q_a, new = _statistic(model, main_a, aux_a, problem, mu, code, free_a, options)
    status = _worse(status, new)
    _, sqrt_qa, delta, valid = asymptotic_shift(code, q, q_a)
    if valid:
        asymptotic_confidence_levels(code, sqrt_qa, delta, levels)
    return levels, status, valid


@kernel
def _chi_square_shift(model, data, auxiliary, problem, code, free, q, options):
    """``(sqrt(t_sb), delta, valid, status)`` of the chi-square calculator.

    ``t_b = max(0, 2 (NLL(0) - NLL_ref))`` with ``NLL_ref`` the free fit
    (for ``q_mu`` or ``mu_hat >= 0``) or ``NLL(0)``; ``delta = sqrt(t_b) -
    sqrt(t_sb)``, or ``(t_b - t_sb) / (2 sqrt(t_sb))`` for ``q~_mu`` when
    ``sqrt(t_sb) > sqrt(t_b)``.
    """
    nll_zero, status = _profile_nll(model, data, auxiliary, problem, 0.0, options)
    reference = free.value if (free.x[0] >= 0.0 or code == QMU) else nll_zero
    t_b = max(0.0, 2.0 * (nll_zero - reference))
    sqrt_sb = math.sqrt(q)
    sqrt_b = math.sqrt(t_b)
    if code == QMU or sqrt_sb <= sqrt_b:
        return sqrt_sb, sqrt_b - sqrt_sb, True, status
    if sqrt_sb == 0.0:
        return sqrt_sb, math.nan, False, status
    return sqrt_sb, (t_b - q) / (2.0 * sqrt_sb), True, status


@kernel
def discovery_test(model, data, auxiliary, problem, convention, options):
    """The discovery test with ``q0``.

    Returns
    -------
    values : ndarray, shape (8,)
        ``sqrt(q0_A)``, ``sqrt(q0)``, the observed p-value, then the expected
        p-values for ``n = 2, 1, 0, -1, -2``.
    status : int
        Worst fit status.
    """
    values = np.zeros(8)
    free = free_fit(model, data, auxiliary, problem, options)
    status = free.status
    q, new = _statistic(model, data, auxiliary, problem, 0.0, Q0, free, options)
    status = _worse(status, new)
    main_a, aux_a, new = _asimov_measurements(
        model, data, auxiliary, problem, Q0, convention, options
    )
    status = _worse(status, new)
    free_a = free_fit(model, main_a, aux_a, problem, options)
    status = _worse(status, free_a.status)
    q_a, new = _statistic(model, main_a, aux_a, problem, 0.0, Q0, free_a, options)
    status = _worse(status, new)
    sqrt_q, sqrt_qa, delta, _ = asymptotic_shift(Q0, q, q_a)
    values[0] = sqrt_qa
    values[1] = sqrt_q
    values[2] = asymptotic_pvalue(Q0, sqrt_qa, delta)[0]
    for k in range(5):
        values[3 + k] = asymptotic_pvalue(Q0, sqrt_qa, 2.0 - k)[0]
    return values, status


@kernel
def _limit_level(
    model,
    data,
    auxiliary,
    main_a,
    aux_a,
    problem,
    problem_a,
    free,
    free_a,
    mu,
    index,
    options,
):
    """``(1 - CLs, status)`` at ``mu`` for entry ``index`` of the levels.

    Index 0 is the observed value (a profile fit to the data and one to the
    Asimov data); 1 to 5 are the band, which depends on the Asimov fit only.
    An undefined test counts as not excluded (0), as in spey. The profile
    fits start where the previous ones on the same data ended (``problem``
    for the data, ``problem_a`` for the Asimov data).
    """
    q_a, status = _statistic(
        model, main_a, aux_a, problem_a, mu, QMU_TILDE, free_a, options, True
    )
    q = q_a
    if index == 0:
        q, new = _statistic(
            model, data, auxiliary, problem, mu, QMU_TILDE, free, options, True
        )
        status = _worse(status, new)
    _, sqrt_qa, delta, valid = asymptotic_shift(QMU_TILDE, q, q_a)
    if not valid:
        return 0.0, status
    if index > 0:
        delta = 3.0 - index
    return asymptotic_pvalue(QMU_TILDE, sqrt_qa, delta)[1], status


@kernel
def upper_limits(
    model,
    data,
    auxiliary,
    problem,
    indices,
    confidence_level,
    low,
    high,
    convention,
    options,
):
    """Upper limits on the POI: ``1 - CLs(mu) = confidence_level`` (``q~_mu``).

    Parameters
    ----------
    model, data, auxiliary, problem, convention, options
        As for :func:`exclusion_test` (``problem`` with the POI >= 0).
    indices : ndarray of int64
        Which limits: 0 observed, 1 to 5 the expected band entries for
        shifts ``n = 2, 1, 0, -1, -2``.
    confidence_level : float
    low, high : float
        Start of the bracket search, ``0 < low < high``.

    Returns
    -------
    limits : ndarray
        One limit per index; ``inf`` where no root was bracketed inside
        ``[LIMIT_FLOOR, problem.poi_limit]``.
    statuses : ndarray of int64
        Per index: ``ROOT_CONVERGED``, or the bracket search's or root
        finder's failure status.
    fit_status : int
        Worst status of all fits.
    """
    count = indices.shape[0]
    limits = np.full(count, np.inf)
    statuses = np.zeros(count, dtype=np.int64)
    free = free_fit(model, data, auxiliary, problem, options)
    fit_status = free.status
    main_a, aux_a, new = _asimov_measurements(
        model, data, auxiliary, problem, QMU_TILDE, convention, options
    )
    fit_status = _worse(fit_status, new)
    free_a = free_fit(model, main_a, aux_a, problem, options)
    fit_status = _worse(fit_status, free_a.status)
    log_floor = math.log(LIMIT_FLOOR)
    log_limit = math.log(problem.poi_limit)
    warm = FitProblem(
        problem.start.copy(),
        problem.lower,
        problem.upper,
        problem.fixed,
        problem.poi_limit,
    )
    warm_a = FitProblem(
        problem.start.copy(),
        problem.lower,
        problem.upper,
        problem.fixed,
        problem.poi_limit,
    )
    for j in range(count):
        index = indices[j]
        search = bracket_start(
            math.log(low), math.log(high), log_floor, log_limit, 1.0, 0, 100
        )
        while bracket_running(search):
            level, new = _limit_level(
                model,
                data,
                auxiliary,
                main_a,
                aux_a,
                warm,
                warm_a,
                free,
                free_a,
                math.exp(bracket_trial(search)),
                index,
                options,
            )
            fit_status = _worse(fit_status, new)
            bracket_advance(search, level - confidence_level)
        t_low, t_high, f_low, f_high, status, _ = bracket_result(search)
        statuses[j] = status
        if status != ROOT_CONVERGED:
            continue
        root = root_start(
            t_low, t_high, LIMIT_LOG_TOLERANCE, 0.0, LIMIT_MAX_EVALUATIONS
        )
        while root_running(root):
            t = root_trial(root)
            if t == t_low:
                value = f_low
            elif t == t_high:
                value = f_high
            else:
                level, new = _limit_level(
                    model,
                    data,
                    auxiliary,
                    main_a,
                    aux_a,
                    warm,
                    warm_a,
                    free,
                    free_a,
                    math.exp(t),
                    index,
                    options,
                )
                fit_status = _worse(fit_status, new)
                value = level - confidence_level
            root_advance(root, value)
        t_root, status, _ = root_result(root)
        limits[j] = math.exp(t_root)
        statuses[j] = status
    return limits, statuses, fit_status
