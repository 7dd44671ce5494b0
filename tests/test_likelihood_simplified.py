"""The uncorrelated-background kernel against reference-values.md (UB-M2)."""

import numba
import numpy as np
import pytest

from nbspey.examples import fit_two_bin_example, two_bin_example
from nbspey.likelihood import simplified

# reference-values.md section 5.1: (pars, logpdf observed, logpdf apriori,
# grad NLL, Hessian of ln L).
UB_M2_POINTS = [
    (
        [1, 1, 1],
        -37.473916139372,
        -20.052816087791,
        [14.8963393774, 7.16216216216, 10.3164556962],
        [
            [-2.136389593, -0.9466764061, -1.269027399],
            [-0.9466764061, -1.946676406, 0],
            [-1.269027399, 0, -2.353629226],
        ],
    ),
    (
        [1, 0, 0],
        -22.31175479359,
        -10.762381547368,
        [12.1751152074, 5.03225806452, 7.61904761905],
        [
            [-3.219343513, -1.348595213, -1.995464853],
            [-1.348595213, -2.348595213, 0],
            [-1.995464853, 0, -3.128495843],
        ],
    ),
    (
        [0.5, 0.3, -0.2],
        -16.840557714228,
        -8.6359631514493,
        [10.2870507013, 5.05167785235, 5.70439770554],
        [
            [-4.173913936, -1.459393721, -2.89548823],
            [-1.459393721, -2.459393721, 0],
            [-2.89548823, 0, -4.088520778],
        ],
    ),
]
DETERMINISTIC = {"rtol": 1e-9, "atol": 1e-12}


@pytest.mark.parametrize("pars, observed, apriori, gradient, hessian", UB_M2_POINTS)
def test_reference_points(pars, observed, apriori, gradient, hessian):
    model, data = two_bin_example()
    pars = np.array(pars, dtype=float)
    nominal = np.zeros(2)
    value = simplified.negative_log_likelihood(model, data, nominal, pars)
    np.testing.assert_allclose(-value, observed, **DETERMINISTIC)
    background_as_data = model.background.copy()
    value = simplified.negative_log_likelihood(model, background_as_data, nominal, pars)
    np.testing.assert_allclose(-value, apriori, **DETERMINISTIC)
    g = np.zeros(3)
    h = np.zeros((3, 3))
    value = simplified.nll_gradient_hessian(model, data, nominal, pars, g, h)
    np.testing.assert_allclose(-value, observed, **DETERMINISTIC)
    np.testing.assert_allclose(g, gradient, rtol=1e-9)
    np.testing.assert_allclose(-h, hessian, rtol=1e-8, atol=1e-12)
    g_only = np.zeros(3)
    assert simplified.nll_gradient(model, data, nominal, pars, g_only) == value
    np.testing.assert_array_equal(g_only, g)


def test_gradient_tutorial_point():
    """reference-values.md section 6.4 (pars from numpy seed 14)."""
    model, data = two_bin_example()
    pars = np.array([0.51394334377269, 0.7731650520793, 0.87042768572481])
    g = np.zeros(3)
    h = np.zeros((3, 3))
    value = simplified.nll_gradient_hessian(model, data, np.zeros(2), pars, g, h)
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


def test_auxiliary_values_centre_the_constraints():
    model, data = two_bin_example()
    pars = np.array([1.0, 0.4, -0.3])
    shifted = simplified.negative_log_likelihood(
        model, data, np.array([0.4, -0.3]), pars
    )
    nominal = simplified.negative_log_likelihood(model, data, np.zeros(2), pars)
    assert nominal - shifted == pytest.approx(0.5 * (0.4**2 + 0.3**2), rel=1e-12)


def test_clipped_rate_contributes_no_derivative():
    model, data = two_bin_example()
    pars = np.array([-10.0, 0.0, 0.0])  # both rates negative, clipped at 1e-20
    g = np.zeros(3)
    h = np.zeros((3, 3))
    simplified.nll_gradient_hessian(model, data, np.zeros(2), pars, g, h)
    assert g[0] == 0.0
    assert h[0, 0] == 0.0


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
        nll = simplified.negative_log_likelihood(model, data, np.zeros(2), moved)
        assert nll >= free.value - 1e-12
    at_mu_hat = fit_two_bin_example(mu=free.x[0])
    assert at_mu_hat.value == pytest.approx(free.value, abs=1e-12)
    at_one = fit_two_bin_example(mu=1.0)
    assert at_one.x[0] == 1.0
    assert at_one.value > free.value


def test_kernels_inside_njit():
    @numba.njit
    def evaluate(model, data, pars):
        g = np.zeros(3)
        h = np.zeros((3, 3))
        return simplified.nll_gradient_hessian(model, data, np.zeros(2), pars, g, h)

    model, data = two_bin_example()
    assert -evaluate(model, data, np.ones(3)) == pytest.approx(
        -37.473916139372, rel=1e-12
    )
