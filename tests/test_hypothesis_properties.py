"""Statistical properties of the hypothesis tests, over every built-in backend.

Each property is checked with hypothesis on random valid models of all seven
default backends (one to three bins), through the public API.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nbspey
from nbspey.base.hypotest_base import AsimovTestStatZeroWarning

BACKENDS = {
    "default.uncorrelated_background": lambda s, b, n, sigma, corr, rng: (
        s,
        b,
        n,
        sigma,
    ),
    "default.correlated_background": lambda s, b, n, sigma, corr, rng: (
        s,
        b,
        n,
        corr * np.outer(sigma, sigma),
    ),
    "default.third_moment_expansion": lambda s, b, n, sigma, corr, rng: (
        s,
        b,
        n,
        corr * np.outer(sigma, sigma),
        rng.uniform(-0.3, 0.3, s.size) * np.sqrt(8 * sigma**6),
    ),
    "default.effective_sigma": lambda s, b, n, sigma, corr, rng: (
        s,
        b,
        n,
        corr,
        np.stack([sigma, sigma * rng.uniform(0.7, 1.3, s.size)], axis=1),
    ),
    "default.poisson": lambda s, b, n, sigma, corr, rng: (s, b, n),
    "default.normal": lambda s, b, n, sigma, corr, rng: (s, b, n, sigma),
    "default.multivariate_normal": lambda s, b, n, sigma, corr, rng: (
        s,
        b,
        n,
        corr * np.outer(sigma, sigma),
    ),
}
GAUSSIAN = ("default.normal", "default.multivariate_normal")
WITH_NUISANCES = (
    "default.uncorrelated_background",
    "default.correlated_background",
    "default.third_moment_expansion",
    "default.effective_sigma",
)


def test_every_default_backend_is_covered():
    defaults = [name for name in nbspey.AvailableBackends() if "default." in name]
    assert sorted(BACKENDS) == sorted(defaults)


@st.composite
def models(draw, names=tuple(BACKENDS)):
    name = draw(st.sampled_from(sorted(names)))
    size = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    background = rng.uniform(10.0, 100.0, size)
    signal = rng.uniform(0.2, 0.6, size) * np.sqrt(background) * 3
    data = np.round(background + rng.normal(0.0, 1.0, size) * np.sqrt(background))
    data = np.maximum(data, 0.0)
    sigma = rng.uniform(0.05, 0.25, size) * background
    factor = np.tril(rng.normal(scale=0.3 / np.sqrt(size), size=(size, size)))
    factor[np.diag_indices(size)] = 1.0
    correlation = factor @ factor.T
    scale = np.sqrt(np.diag(correlation))
    correlation = correlation / np.outer(scale, scale)
    arguments = BACKENDS[name](signal, background, data, sigma, correlation, rng)
    return name, nbspey.get_backend(name)(*arguments)


@given(models())
def test_levels_are_probabilities_ordered_and_rise_with_mu(case):
    _, model = case
    previous = -1.0
    for mu in (0.25, 0.5, 1.0, 2.0, 4.0):
        with warnings.catch_warnings():
            # With spey's Asimov convention the Asimov fit can put mu_hat_A
            # above small mu; such tests are undefined and report 0.
            warnings.simplefilter("ignore", AsimovTestStatZeroWarning)
            observed, band = model.exclusion_confidence_level(mu, expected="all")
        assert 0.0 <= observed[0] <= 1.0
        assert all(0.0 <= value <= 1.0 for value in band)
        assert all(a >= b - 1e-12 for a, b in zip(band, band[1:], strict=False))
        assert observed[0] >= previous - 1e-9
        previous = observed[0]


@given(models(), st.sampled_from(["observed", "aposteriori", "apriori"]))
def test_upper_limits_solve_the_confidence_level(case, expected):
    _, model = case
    limits = model.poi_upper_limit(expected=expected, expected_pvalue="1sigma")
    limits = [limits] if expected == "observed" else limits
    assert limits == sorted(limits)
    for k, limit in enumerate(limits):
        levels = model.exclusion_confidence_level(limit, expected=expected)
        index = 0 if expected == "observed" else k + 1
        assert levels[index] == pytest.approx(0.95, abs=1e-6)


@given(models(), st.integers(0, 2**32 - 1))
def test_free_fit_is_never_worse_than_sampled_points(case, seed):
    _, model = case
    mu_hat, nll_min = model.maximize_likelihood()
    config = model.config()
    logpdf = model.backend.get_logpdf_func()
    rng = np.random.default_rng(seed)
    for _ in range(20):
        point = np.array(config.suggested_init) + rng.normal(0.0, 0.5, config.npar)
        point[0] = rng.uniform(max(config.minimum_poi, -3.0), 3.0)
        value = -logpdf(point)
        if math.isfinite(value):
            assert nll_min <= value + 1e-9


@given(models())
def test_fits_to_standard_asimov_data_return_their_mu(case):
    _, model = case
    mu_hat, _ = model.maximize_asimov_likelihood(test_statistics="q", asimov="standard")
    assert mu_hat == pytest.approx(0.0, abs=1e-6)
    mu_hat, _ = model.maximize_asimov_likelihood(
        test_statistics="q0", asimov="standard"
    )
    assert mu_hat == pytest.approx(1.0, abs=1e-6)


@given(models())
def test_chi2_is_zero_at_the_best_fit_and_positive_elsewhere(case):
    _, model = case
    mu_hat, _ = model.maximize_likelihood()
    assert model.chi2(mu_hat, allow_negative_signal=True) == pytest.approx(
        0.0, abs=1e-8
    )
    for shift in (-0.5, 0.5):
        mu = mu_hat + shift
        if mu > model.config().minimum_poi:
            assert model.chi2(mu, allow_negative_signal=True) > 0.0


@given(models(GAUSSIAN), st.floats(0.5, 3.0))
def test_gaussian_hessian_sigma_mu_equals_the_asimov_estimate(case, mu):
    _, model = case
    hessian = model.sigma_mu(mu)
    nll_at_mu = model.asimov_likelihood(mu, test_statistics="q")
    _, nll_min = model.maximize_asimov_likelihood(test_statistics="q")
    asimov = mu / math.sqrt(2.0 * (nll_at_mu - nll_min))
    assert hessian == pytest.approx(asimov, rel=1e-6)


@given(models(WITH_NUISANCES))
def test_standard_asimov_discovery_significance_is_not_zero(case):
    _, model = case
    sqrt_q0_asimov, _, _, band = model.significance(asimov="standard")
    # The signals drawn are at least 0.6 sqrt(b) per bin.
    assert sqrt_q0_asimov > 0.05
    assert band[2] < 0.5


@given(models(), st.integers(0, 2**32 - 1))
def test_backend_gradient_and_hessian_match_finite_differences(case, seed):
    """Through the backend API of every registered default backend."""
    _, model = case
    backend = model.backend
    config = model.config()
    rng = np.random.default_rng(seed)
    point = np.array(config.suggested_init) + rng.normal(0.0, 0.3, config.npar)
    point[0] = rng.uniform(0.0, 2.0)
    logpdf = backend.get_logpdf_func()
    _, gradient = backend.get_objective_function()(point)
    hessian = np.asarray(backend.get_hessian_logpdf_func()(point))
    assert np.array_equal(hessian, hessian.T)
    for k in range(config.npar):
        step = np.zeros(config.npar)
        step[k] = 1e-6
        numeric = -(logpdf(point + step) - logpdf(point - step)) / 2e-6
        assert gradient[k] == pytest.approx(numeric, rel=1e-5, abs=1e-6)
        _, up = backend.get_objective_function()(point + step)
        _, down = backend.get_objective_function()(point - step)
        np.testing.assert_allclose(
            -hessian[k], (up - down) / 2e-6, rtol=1e-5, atol=1e-5
        )
