"""Toy Monte Carlo of a packed model, in parallel compiled code.

A toy is one pseudo-experiment drawn at sampling parameters ``p`` (the
profile fit at the hypothesis' ``mu``):

* main measurements from the main term at the expectations ``lambda(p)``:
  Poisson counts, or normal / multivariate-normal values;
* auxiliary measurements from the constraint centred at the constrained
  parameters of ``p``: ``a ~ N(theta_p, 1)``, ``MVN(theta_p, R)``, and
  ``N(u_p, 1)`` for signal-uncertainty parameters.

Each toy is then fitted with its constraints centred on its own auxiliary
values (free fit and profile fit at the tested ``mu``) and its test statistic
recorded. These are the standard frequentist toys of ``statistics.md``
section 7.2.

Toy ``i`` of sample ``kind`` draws from the counter-based stream
``stream_key(seed, kind, i)`` (:mod:`nbspey.numerics.random`), so its value
depends on nothing else: not on the number of threads, the chunking, or
which job of a split run computes it.
"""

import numba
import numpy as np

from nbspey._compile import kernel
from nbspey.fits import conditional_fit, free_fit
from nbspey.hypothesis_testing.compiled import _statistic, _worse
from nbspey.likelihood.kernels import expected_counts
from nbspey.likelihood.packed import (
    CONSTRAINT_MVN,
    CONSTRAINT_NONE,
    KIND_CONSTRAINT,
    KIND_MAIN,
    MAIN_MVN,
    MAIN_NORMAL,
    MAIN_POISSON,
    MAIN_SCALE,
)
from nbspey.numerics.random import normal_vector, poisson, stream_key

__all__ = [
    "SIGNAL_SAMPLE",
    "BACKGROUND_SAMPLE",
    "draw_toy",
    "observed_statistic",
    "sampling_parameters",
    "toy_statistics",
]

SIGNAL_SAMPLE = 0
"""Stream kind of the toys drawn under the tested signal hypothesis."""
BACKGROUND_SAMPLE = 1
"""Stream kind of the toys drawn under the background-only hypothesis."""


@kernel
def observed_statistic(model, data, auxiliary, problem, mu, code, options):
    """``(t_obs, status)``: the test statistic of the given data."""
    free = free_fit(model, data, auxiliary, problem, options)
    q, status = _statistic(model, data, auxiliary, problem, mu, code, free, options)
    return q, _worse(free.status, status)


@kernel
def sampling_parameters(model, data, auxiliary, problem, mu, options):
    """``(p, status)``: the profile fit at ``mu`` that toys are drawn at."""
    result = conditional_fit(model, data, auxiliary, problem, mu, options)
    return result.x, result.status


@kernel
def _add_correlated(centres, factor, unit, out, count):
    """``out[i] = centres[i] + (factor @ unit)[i]`` for ``i < count``."""
    for i in range(count):
        total = centres[i]
        for j in range(i + 1):
            total += factor[i, j] * unit[j]
        out[i] = total


@kernel
def draw_toy(
    model, rates, centres, main_factor, constraint_factor, key, main_out, aux_out
):
    """Draw the main and auxiliary measurements of one toy.

    Parameters
    ----------
    model : PackedModel
    rates : ndarray
        Expectations ``lambda(p)`` of the main measurements.
    centres : ndarray
        Constrained parameters of ``p`` (``p[1:]``); empty without
        constraints.
    main_factor, constraint_factor : ndarray
        Lower Cholesky factors of the main covariance (multivariate-normal
        main term) and of the constraint correlation (MVN constraint); any
        shape when unused.
    key : uint64
        The toy's random stream.
    main_out, aux_out : ndarray
        Receive the measurements; ``aux_out`` is zeroed without constraints.
    """
    counter = 0
    bins = rates.shape[0]
    main_kind = model.kinds[KIND_MAIN]
    if main_kind == MAIN_POISSON:
        for i in range(bins):
            main_out[i], counter = poisson(key, counter, rates[i])
    else:
        unit = np.empty(bins)
        counter = normal_vector(key, counter, unit)
        if main_kind == MAIN_NORMAL:
            widths = model.vectors[MAIN_SCALE]
            for i in range(bins):
                main_out[i] = rates[i] + widths[i] * unit[i]
        elif main_kind == MAIN_MVN:
            _add_correlated(rates, main_factor, unit, main_out, bins)
    aux_out[:] = 0.0
    constraint = model.kinds[KIND_CONSTRAINT]
    if constraint == CONSTRAINT_NONE:
        return
    unit = np.empty(centres.shape[0])
    counter = normal_vector(key, counter, unit)
    first = 0
    if constraint == CONSTRAINT_MVN:
        _add_correlated(centres, constraint_factor, unit, aux_out, bins)
        first = bins
    for i in range(first, centres.shape[0]):
        aux_out[i] = centres[i] + unit[i]


@kernel(parallel=True)
def toy_statistics(
    model,
    sampling,
    auxiliary,
    main_factor,
    constraint_factor,
    problem,
    mu,
    code,
    seed,
    kind,
    first_toy,
    count,
    options,
):
    """Test statistics of ``count`` toys drawn at the parameters ``sampling``.

    Parameters
    ----------
    model : PackedModel
    sampling : ndarray
        Parameters the toys are drawn at.
    auxiliary : ndarray
        Nominal auxiliary measurements (sets the length of the toys' own).
    main_factor, constraint_factor : ndarray
        See :func:`draw_toy`.
    problem : FitProblem
        Start and bounds of the toy fits (POI lower bound of the statistic).
    mu : float
        Tested POI.
    code : int
        Test statistic.
    seed, kind, first_toy : int
        The streams ``stream_key(seed, kind, first_toy + t)``.
    count : int
        Number of toys.
    options : MinimizerOptions

    Returns
    -------
    statistics : ndarray
        The test statistic of each toy.
    statuses : ndarray of int64
        Worst fit status of each toy (positive when its fits converged).
    """
    statistics = np.empty(count)
    statuses = np.zeros(count, dtype=np.int64)
    bins = model.vectors.shape[1]
    rates = np.empty(bins)
    expected_counts(model, sampling, rates)
    constrained = model.kinds[KIND_CONSTRAINT] != CONSTRAINT_NONE
    centres = sampling[1:] if constrained else sampling[:0]
    for t in numba.prange(count):
        key = stream_key(seed, kind, first_toy + t)
        main = np.empty(bins)
        aux = np.empty_like(auxiliary)
        draw_toy(model, rates, centres, main_factor, constraint_factor, key, main, aux)
        free = free_fit(model, main, aux, problem, options)
        q, status = _statistic(model, main, aux, problem, mu, code, free, options)
        statistics[t] = q
        statuses[t] = _worse(free.status, status)
    return statistics, statuses
