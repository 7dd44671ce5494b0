"""The numba-level API agrees with the Python API, inside @njit code."""

import math

import numba
import numpy as np
import pytest

import nbspey
from nbspey import numba_api as api

S, B, N = [12.0, 15.0], [50.0, 48.0], [36.0, 33.0]
COVARIANCE = [[144.0, 19.0], [19.0, 256.0]]
MODELS = {
    "default.uncorrelated_background": (S, B, N, [12.0, 16.0]),
    "default.correlated_background": (S, B, N, COVARIANCE),
    "default.third_moment_expansion": (S, B, N, COVARIANCE, [0.5, 0.8]),
    "default.effective_sigma": (
        S,
        B,
        N,
        [[1.0, 0.09895833], [0.09895833, 1.0]],
        [(10.0, 15.0), (13.0, 18.0)],
    ),
    "default.poisson": (S, B, N),
    "default.normal": (S, B, N, [20.0, 10.0]),
    "default.multivariate_normal": (S, B, N, COVARIANCE),
}


def make(name, *args):
    return nbspey.get_backend(name)(*args)


@numba.njit
def everything(compiled, pars, gradient):
    nll, status_nll = api.nll_and_gradient(compiled, pars, gradient)
    x, nll_min, status_fit = api.maximum_likelihood(compiled, api.OBSERVED, True)
    _, nll_mu, status_mu = api.profile_likelihood(compiled, 1.0, api.OBSERVED)
    levels, status_cls = api.exclusion_levels(
        compiled, 1.0, api.APRIORI, api.QMU_TILDE, api.ASYMPTOTIC, api.SPEY_ASIMOV
    )
    limit, status_limit = api.upper_limit(
        compiled, api.OBSERVED, 0.95, 0, api.SPEY_ASIMOV
    )
    main, aux, status_asimov = api.generate_asimov_data(
        compiled, api.OBSERVED, 0.0, api.SPEY_ASIMOV
    )
    statuses = np.array(
        [status_nll, status_fit, status_mu, status_cls, status_limit, status_asimov]
    )
    return nll, x, nll_min, nll_mu, levels, limit, main, statuses


@pytest.mark.parametrize("name", sorted(MODELS))
def test_numba_api_agrees_with_the_python_api(name):
    model = make(name, *MODELS[name])
    compiled = model.compiled
    npar = model.config().npar
    pars = np.full(npar, 0.5)
    gradient = np.zeros(npar)
    nll, x, nll_min, nll_mu, levels, limit, main, statuses = everything(
        compiled, pars, gradient
    )
    assert np.all(statuses > 0)
    _, python_gradient = model.backend.get_objective_function()(pars)
    assert nll == pytest.approx(-model.backend.get_logpdf_func()(pars), rel=1e-12)
    np.testing.assert_allclose(gradient, python_gradient, rtol=1e-12)
    mu_hat, python_nll = model.maximize_likelihood()
    assert x[0] == pytest.approx(mu_hat, rel=1e-12, abs=1e-14)
    assert nll_min == pytest.approx(python_nll, rel=1e-12)
    assert nll_mu == pytest.approx(model.likelihood(1.0), rel=1e-12)
    band = model.exclusion_confidence_level(expected="apriori")
    np.testing.assert_allclose(levels[1:], band, rtol=1e-12)
    assert limit == pytest.approx(model.poi_upper_limit(), rel=1e-12)
    asimov = model.generate_asimov_data()
    np.testing.assert_allclose(main, asimov[: len(N)], rtol=1e-12)


@numba.njit(parallel=True)
def scan(reals, integers, scales):
    levels = np.empty(scales.shape[0])
    for i in numba.prange(scales.shape[0]):
        compiled = api.unflatten(reals, integers)
        signal = compiled.model.vectors[0] * scales[i]
        changed, status = api.with_signal(compiled, signal)
        result, status = api.exclusion_levels(
            changed, 1.0, api.OBSERVED, api.QMU_TILDE, api.ASYMPTOTIC, api.SPEY_ASIMOV
        )
        levels[i] = result[0] if status > 0 else math.nan
    return levels


@pytest.mark.parametrize("name", ["default.uncorrelated_background", "default.normal"])
def test_signal_changes_inside_parallel_njit_match_new_models(name):
    arguments = MODELS[name]
    model = make(name, *arguments)
    reals, integers = api.flatten(model.compiled)
    scales = np.array([0.25, 1.0, 3.0])
    levels = scan(reals, integers, scales)
    serial = scan.py_func(reals, integers, scales)
    for k, scale in enumerate(scales):
        fresh = make(name, [scale * s for s in S], *arguments[1:])
        assert levels[k] == pytest.approx(
            fresh.exclusion_confidence_level()[0], rel=1e-12
        )
        assert levels[k] == pytest.approx(serial[k], rel=1e-12)


@numba.njit
def misuse(compiled):
    statuses = np.zeros(5, dtype=np.int64)
    _, statuses[0] = api.negative_log_likelihood_at(compiled, np.zeros(7))
    _, statuses[1] = api.with_signal(compiled, np.ones(5))
    _, statuses[2] = api.with_data(compiled, np.array([-1.0, 2.0]))
    _, statuses[3] = api.upper_limit(compiled, api.OBSERVED, 1.5, 0, api.SPEY_ASIMOV)
    _, _, statuses[4] = api.sample_toy(compiled, np.zeros(9), 1, 0)
    return statuses


def test_misuse_is_reported_through_a_status():
    model = make(
        "default.uncorrelated_background", *MODELS["default.uncorrelated_background"]
    )
    assert np.all(misuse(model.compiled) == api.INVALID_INPUT)


@numba.njit
def toys_at(compiled, pars, seed, count):
    draws = np.empty((count, compiled.data.shape[0]))
    for i in range(count):
        main, _, _ = api.sample_toy(compiled, pars, seed, i)
        draws[i] = main
    return draws


def test_toys_inside_njit_are_seeded_and_have_the_right_mean():
    model = make("default.poisson", *MODELS["default.poisson"])
    compiled = model.compiled
    pars = np.array([1.0])
    first = toys_at(compiled, pars, 7, 4000)
    again = toys_at(compiled, pars, 7, 4000)
    assert np.array_equal(first, again)
    expected = np.array(S) + np.array(B)
    assert np.all(np.abs(first.mean(axis=0) - expected) < 5 * np.sqrt(expected / 4000))


def test_data_and_auxiliary_edits():
    model = make(
        "default.uncorrelated_background", *MODELS["default.uncorrelated_background"]
    )
    compiled = model.compiled
    changed, status = api.with_data(compiled, np.array([40.0, 30.0]))
    assert status > 0
    other = make("default.uncorrelated_background", S, B, [40.0, 30.0], [12.0, 16.0])
    _, nll, _ = api.maximum_likelihood(changed, api.OBSERVED, True)
    assert nll == pytest.approx(other.maximize_likelihood()[1], rel=1e-12)
    shifted, status = api.with_auxiliary(compiled, np.array([0.5, -0.5]))
    assert status > 0
    _, nll, _ = api.maximum_likelihood(shifted, api.OBSERVED, True)
    expected = model.maximize_likelihood(data=[36.0, 33.0, 0.5, -0.5])[1]
    assert nll == pytest.approx(expected, rel=1e-12)


def test_a_joint_combination_has_a_compiled_form():
    first = make(
        "default.uncorrelated_background", *MODELS["default.uncorrelated_background"]
    )
    second = make(
        "default.correlated_background", *MODELS["default.correlated_background"]
    )
    joint = first @ second
    _, nll, status = api.maximum_likelihood(joint.compiled, api.OBSERVED, True)
    assert status > 0
    assert nll == pytest.approx(joint.maximize_likelihood()[1], rel=1e-12)


@numba.njit(parallel=True)
def everything_in_parallel(reals, integers, pars, copies):
    """Each iteration of a prange loop runs every function on its own copy."""
    limits = np.empty(copies)
    minima = np.empty(copies)
    medians = np.empty(copies)
    for k in numba.prange(copies):
        compiled = api.unflatten(reals, integers)
        gradient = np.zeros(pars.shape[0])
        _, _, nll_min, _, levels, limit, _, _ = everything(compiled, pars, gradient)
        limits[k], minima[k], medians[k] = limit, nll_min, levels[3]
    return limits, minima, medians


@pytest.mark.parametrize("name", sorted(MODELS))
def test_numba_api_in_parallel_loops(name):
    model = make(name, *MODELS[name])
    reals, integers = api.flatten(model.compiled)
    pars = np.full(model.config().npar, 0.5)
    limits, minima, medians = everything_in_parallel(reals, integers, pars, 4)
    assert np.all(limits == limits[0]) and np.all(minima == minima[0])
    assert limits[0] == pytest.approx(model.poi_upper_limit(), rel=1e-12)
    assert minima[0] == pytest.approx(model.maximize_likelihood()[1], rel=1e-12)
    band = model.exclusion_confidence_level(expected="apriori")
    assert medians[0] == pytest.approx(band[2], rel=1e-12)
