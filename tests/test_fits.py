"""Compiled fits of packed models."""

import numpy as np
import pytest

from nbspey.examples import fit_two_bin_example, two_bin_example
from nbspey.fits import fit, positivity_lower_bounds
from nbspey.likelihood import build, kernels
from nbspey.numerics import minimizer_options


def test_example_fit_is_the_exact_profile_optimum():
    """Free fit: gradient zero; any small move raises the NLL; the fit at
    mu_hat reproduces it."""
    free = fit_two_bin_example()
    assert free.status > 0
    assert np.max(np.abs(free.gradient)) < 1e-10
    model, data = two_bin_example()
    rng = np.random.default_rng(1)
    for _ in range(20):
        moved = free.x + rng.normal(scale=1e-4, size=3)
        nll = kernels.negative_log_likelihood(model, data, np.zeros(2), moved)
        assert nll >= free.value - 1e-12
    at_mu_hat = fit_two_bin_example(mu=free.x[0])
    assert at_mu_hat.value == pytest.approx(free.value, abs=1e-12)
    at_one = fit_two_bin_example(mu=1.0)
    assert at_one.x[0] == 1.0
    assert at_one.value > free.value


def test_gradient_tutorial_point():
    """reference-values.md section 6.4 (pars from numpy seed 14)."""
    model, data = two_bin_example()
    pars = np.array([0.51394334377269, 0.7731650520793, 0.87042768572481])
    g = np.zeros(3)
    h = np.zeros((3, 3))
    value = kernels.nll_gradient_hessian(model, data, np.zeros(2), pars, g, h)
    assert value == pytest.approx(27.81902589793928, rel=1e-12)
    np.testing.assert_allclose(g, [13.290674781575, 6.1722327460493, 9.2881419125034])
    np.testing.assert_allclose(
        h,
        [
            [2.7415312574762, 1.2103418696886, 1.6332686803067],
            [1.2103418696886, 2.2103418696886, 0],
            [1.6332686803067, 0, 2.7421532589938],
        ],
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize(
    "model, mu_hat, nll",
    [
        # reference-values.md: converged spey fits with the symmetrised matrix.
        (
            build.pack_correlated([12, 15], [50, 48], [[144, 19], [19, 256]]),
            -1.0844894328305046,
            7.221663430691914,
        ),
        (
            build.pack_third_moment(
                [12, 15], [50, 48], [[144, 19], [19, 256]], [0.5, 0.8]
            ),
            -1.0844484994650951,
            7.221662458618004,
        ),
        (
            build.pack_effective_sigma(
                [12, 15],
                [50, 48],
                [[1, 0.09895833], [0.09895833, 1]],
                [(10, 15), (13, 18)],
            ),
            -1.0698046923162063,
            7.218578279067158,
        ),
        (
            build.pack_multivariate_normal([12, 15], [50, 48], [[144, 19], [19, 256]]),
            -1.0892925797770086,
            7.097660696255552,
        ),
    ],
)
def test_free_fits_match_converged_spey_values(model, mu_hat, nll):
    n_pars = kernels.parameter_count(model)
    lower = np.concatenate([[-50 / 12], positivity_lower_bounds(model)])
    result = fit(
        model,
        np.array([36.0, 33.0]),
        np.zeros(2),
        np.ones(n_pars),
        lower,
        np.full(n_pars, np.inf),
        np.zeros(n_pars, dtype=np.bool_),
        minimizer_options(),
    )
    assert result.status > 0
    assert result.x[0] == pytest.approx(mu_hat, abs=1e-6)
    assert result.value == pytest.approx(nll, rel=1e-6)
    assert result.value <= nll + 1e-9  # never worse than spey's optimum


def test_positivity_bounds_make_the_background_vanish_exactly_there():
    covariance = [[144, 19], [19, 256]]
    for model in (
        build.pack_uncorrelated([12, 15], [50, 48], [12, 16]),
        build.pack_third_moment([12, 15], [50, 48], covariance, [30.0, -40.0]),
        build.pack_effective_sigma([12, 15], [50, 48], np.eye(2), [(10, 15), (13, 18)]),
    ):
        bounds = positivity_lower_bounds(model)
        for i, bound in enumerate(bounds):
            beta, slope, _ = kernels.background_rate(model, i, bound)
            assert abs(beta) < 1e-9 * 50 and slope > 0
    assert positivity_lower_bounds(build.pack_poisson([1.0], [2.0])).shape == (0,)
