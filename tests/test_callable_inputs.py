"""Callable signal yields, signal parameters, callable widths and covariances."""

import math

import numba
import numpy as np
import pytest

import nbspey
from nbspey.system.exceptions import InvalidInput

S, B, N = [12.0, 15.0], [50.0, 48.0], [36.0, 33.0]
COVARIANCE = [[144.0, 19.0], [19.0, 256.0]]
CORRELATION = [[1.0, 0.09895833], [0.09895833, 1.0]]
ENVELOPES = [(10.0, 15.0), (13.0, 18.0)]


def make(name, *args, **kwargs):
    return nbspey.get_backend(name)(*args, **kwargs)


NUISANCE_BACKENDS = {
    "default.uncorrelated_background": ([12.0, 16.0],),
    "default.correlated_background": (COVARIANCE,),
    "default.third_moment_expansion": (COVARIANCE, [0.5, 0.8]),
    "default.effective_sigma": (CORRELATION, ENVELOPES),
}


def shaped(psi):
    """Signal whose shape depends on one parameter."""
    return np.array([12.0 * (1.0 + 0.3 * psi[0]), 15.0 * (1.0 - 0.2 * psi[0])])


def test_multivariate_normal_with_signal_parameters():
    model = make(
        "default.multivariate_normal",
        lambda p: np.array([12.0 * p[0], 15.0 * p[1]]),
        B,
        N,
        COVARIANCE,
        n_signal_parameters=2,
    )
    config = model.config()
    assert config.npar == 3
    assert config.parameter_names == ["mu", "signal_par_0", "signal_par_1"]
    assert config.suggested_bounds[1:] == [(None, None), (None, None)]
    bounded = model.config(False, 5.0)
    assert bounded.suggested_bounds == [(0.0, 5.0), (None, None), (None, None)]
    assert model.is_alive


def test_constant_callable_equals_the_array_model():
    constant = make(
        "default.multivariate_normal", lambda p: np.array(S), B, N, COVARIANCE
    )
    fixed = make("default.multivariate_normal", S, B, N, COVARIANCE)
    assert constant.backend.get_logpdf_func()([1.0]) == pytest.approx(
        fixed.backend.get_logpdf_func()([1.0]), rel=1e-12
    )
    assert constant.exclusion_confidence_level() == pytest.approx(
        fixed.exclusion_confidence_level(), rel=1e-9
    )
    assert constant.poi_upper_limit() == pytest.approx(
        fixed.poi_upper_limit(), rel=1e-8
    )


@pytest.mark.parametrize("name", sorted(NUISANCE_BACKENDS))
def test_callable_signal_in_nuisance_backends(name):
    extra = NUISANCE_BACKENDS[name]
    # The shape parameter is bounded: a free one trades off against mu along
    # a flat valley (mu s(psi) fits the two bins exactly for many psi).
    model = make(
        name,
        shaped,
        B,
        N,
        *extra,
        n_signal_parameters=1,
        signal_parameter_bounds=[(-1.0, 1.0)],
    )
    config = model.config()
    assert config.parameter_names == [
        "mu",
        "signal_par_0",
        "theta_bkg_0",
        "theta_bkg_1",
    ]
    assert model.is_alive
    assert config.minimum_poi == -math.inf
    # The log-pdf at (mu, psi, theta) is the array model's at (mu, theta)
    # with s = shaped(psi).
    for mu, psi, theta in [(1.0, 1.0, (1.0, 1.0)), (0.5, -0.4, (0.3, -0.2))]:
        fixed = make(name, shaped([psi]), B, N, *extra)
        expected = fixed.backend.get_logpdf_func()([mu, *theta])
        value = model.backend.get_logpdf_func()([mu, psi, *theta])
        assert value == pytest.approx(expected, rel=1e-12)
    mu_hat, nll = model.maximize_likelihood()
    assert math.isfinite(mu_hat) and math.isfinite(nll)
    assert 0.0 <= model.exclusion_confidence_level()[0] <= 1.0


def test_uncorrelated_log_pdf_formula():
    model = make(
        "default.uncorrelated_background",
        shaped,
        B,
        N,
        [12.0, 16.0],
        n_signal_parameters=1,
    )
    mu, psi, theta = 0.7, 0.5, np.array([0.4, -0.6])
    rate = mu * shaped([psi]) + np.array(B) + np.array([12.0, 16.0]) * theta
    counts = np.array(N)
    expected = np.sum(
        counts * np.log(rate) - rate - [math.lgamma(n + 1) for n in counts]
    ) + np.sum(-0.5 * theta**2 - 0.5 * math.log(2 * math.pi))
    value = model.backend.get_logpdf_func()([mu, psi, *theta])
    assert value == pytest.approx(expected, rel=1e-12)


def test_gradient_and_hessian_of_a_parametrised_model():
    model = make(
        "default.correlated_background", shaped, B, N, COVARIANCE, n_signal_parameters=1
    )
    objective = model.backend.get_objective_function()
    logpdf = model.backend.get_logpdf_func()
    point = np.array([0.8, 0.4, 0.2, -0.3])
    _, gradient = objective(point)
    for k in range(4):
        step = np.zeros(4)
        step[k] = 1e-5
        numeric = -(logpdf(point + step) - logpdf(point - step)) / 2e-5
        assert gradient[k] == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    hessian = model.backend.get_hessian_logpdf_func()(point)
    assert np.allclose(hessian, hessian.T)
    # Second differences of the log-pdf, independently of the gradient.
    h = 1e-4
    for j in range(4):
        for k in range(4):
            ej, ek = np.eye(4)[j] * h, np.eye(4)[k] * h
            second = (
                logpdf(point + ej + ek)
                - logpdf(point + ej - ek)
                - logpdf(point - ej + ek)
                + logpdf(point - ej - ek)
            ) / (4 * h * h)
            assert hessian[j, k] == pytest.approx(second, rel=1e-5, abs=1e-6)


def test_numba_compiled_callable_works():
    @numba.njit
    def signal(psi):
        return np.array([12.0 * (1.0 + 0.3 * psi[0]), 15.0 * (1.0 - 0.2 * psi[0])])

    compiled = make(
        "default.uncorrelated_background",
        signal,
        B,
        N,
        [12.0, 16.0],
        n_signal_parameters=1,
        signal_parameter_bounds=[(-1.0, 1.0)],
    )
    python = make(
        "default.uncorrelated_background",
        shaped,
        B,
        N,
        [12.0, 16.0],
        n_signal_parameters=1,
        signal_parameter_bounds=[(-1.0, 1.0)],
    )
    # The numba function is fitted in compiled code, the Python one through
    # minimize_python: both converge to the same optimum.
    start, lower, upper = np.ones(4), np.array([0, -1, -5, -4]), np.full(4, 10.0)
    result = compiled.backend.compiled_fit(
        "observed", None, start, lower, upper, np.zeros(4, dtype=bool)
    )
    assert result is not None and result.status > 0
    assert (
        python.backend.compiled_fit("observed", None, start, lower, upper, None) is None
    )
    assert compiled.maximize_likelihood()[1] == pytest.approx(
        python.maximize_likelihood()[1], rel=1e-12
    )
    assert compiled.exclusion_confidence_level() == pytest.approx(
        python.exclusion_confidence_level(), rel=1e-9
    )


def test_callable_widths_and_covariance():
    widths = make("default.normal", S, B, N, lambda p: np.array([20.0, 10.0]))
    fixed = make("default.normal", S, B, N, [20.0, 10.0])
    assert widths.exclusion_confidence_level() == pytest.approx(
        fixed.exclusion_confidence_level(), rel=1e-9
    )

    def covariance(pars):
        return np.array(COVARIANCE) + pars[0] ** 2 * np.diag([4.0, 9.0])

    model = make("default.multivariate_normal", S, B, N, covariance)
    mu = 0.3
    residual = np.array(N) - mu * np.array(S) - np.array(B)
    matrix = covariance([mu])
    expected = -0.5 * residual @ np.linalg.solve(matrix, residual) - 0.5 * (
        np.log(np.linalg.det(matrix)) + 2 * math.log(2 * math.pi)
    )
    assert model.backend.get_logpdf_func()([mu]) == pytest.approx(expected, rel=1e-12)
    _, gradient = model.backend.get_objective_function()([mu])
    logpdf = model.backend.get_logpdf_func()
    numeric = -(logpdf([mu + 1e-5]) - logpdf([mu - 1e-5])) / 2e-5
    assert gradient[0] == pytest.approx(numeric, rel=1e-6)
    assert 0.0 < model.poi_upper_limit() < 10.0


def test_invalid_points_of_a_callable_covariance():
    def covariance(pars):
        # Not positive definite for mu > 2.
        off = 100.0 * pars[0]
        return np.array([[144.0, off], [off, 256.0]])

    model = make("default.multivariate_normal", S, B, N, covariance)
    assert model.backend.get_logpdf_func()([3.0]) == -math.inf
    with pytest.raises(InvalidInput, match="covariance_matrix"):
        make("default.multivariate_normal", S, B, N, lambda p: -np.eye(2))


def test_bad_callable_inputs_are_refused():
    with pytest.raises(ValueError, match="modifiers cannot be combined"):
        make(
            "default.uncorrelated_background",
            shaped,
            B,
            N,
            [12.0, 16.0],
            modifiers=[{"type": "normalization", "name": "x", "uncertainty": [1, 1]}],
            n_signal_parameters=1,
        )
    with pytest.raises(ValueError, match="has 1 entries but n_signal_parameters is 2"):
        make(
            "default.uncorrelated_background",
            lambda p: np.array(S),
            B,
            N,
            [12.0, 16.0],
            n_signal_parameters=2,
            signal_parameter_bounds=[(0, 1)],
        )
    with pytest.raises(InvalidInput, match="signal_yields"):
        make("default.uncorrelated_background", lambda p: [1.0], B, N, [12.0, 16.0])
    model = make(
        "default.uncorrelated_background",
        lambda p: np.array([12.0, np.nan if p[0] > 5 else 15.0]),
        B,
        N,
        [12.0, 16.0],
        n_signal_parameters=1,
    )
    with pytest.raises(InvalidInput, match="expected 2 finite values"):
        model.backend.get_logpdf_func()([1.0, 6.0, 0.0, 0.0])


def test_a_provided_jacobian_is_used():
    def signal(psi):
        return shaped(psi)

    signal.jacobian = lambda psi: np.array([[12.0 * 0.3], [-15.0 * 0.2]])
    with_jacobian = make(
        "default.uncorrelated_background",
        signal,
        B,
        N,
        [12.0, 16.0],
        modifiers=[],
        n_signal_parameters=1,
    )
    differenced = make(
        "default.uncorrelated_background",
        shaped,
        B,
        N,
        [12.0, 16.0],
        n_signal_parameters=1,
    )
    point = np.array([0.8, 0.4, 0.2, -0.3])
    _, exact = with_jacobian.backend.get_objective_function()(point)
    _, numeric = differenced.backend.get_objective_function()(point)
    np.testing.assert_allclose(exact, numeric, rtol=1e-9)
    signal.jacobian = lambda psi: np.zeros((3, 1))
    with pytest.raises(InvalidInput, match="jacobian"):
        with_jacobian.backend.get_objective_function()(point)
