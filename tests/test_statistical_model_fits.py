"""StatisticalModel.maximize_likelihood and likelihood."""

import math

import numpy as np
import pytest

import nbspey
from nbspey.base import ModelConfig
from nbspey.system.exceptions import FitFailedWarning

S, B, N = [12.0, 15.0], [50.0, 48.0], [36.0, 33.0]
COVARIANCE = [[144.0, 19.0], [19.0, 256.0]]


def make(name, *args, **kwargs):
    return nbspey.get_backend(name)(*args, **kwargs)


class SquareModel(nbspey.BackendBase):
    """ln L = -sum p^2 on one parameter (reference-values.md 4.3)."""

    name = "test.square"
    spey_requires = "*"
    fitted = False

    def config(self, allow_negative_signal=True, poi_upper_bound=10.0):
        return ModelConfig(0, -10.0, [1.0], [(-10.0, poi_upper_bound)])

    def get_logpdf_func(self, expected=nbspey.ExpectationType.observed, data=None):
        return lambda pars: -float(np.sum(np.asarray(pars) ** 2))

    def get_objective_function(self, expected="observed", data=None, do_grad=True):
        SquareModel.fitted = True
        return super().get_objective_function(expected, data, do_grad)


class NumpyUncorrelated(nbspey.BackendBase):
    """The uncorrelated two-bin model in plain numpy, NLL only."""

    name = "test.numpy_uncorrelated"
    spey_requires = "*"

    def config(self, allow_negative_signal=True, poi_upper_bound=10.0):
        low = -3.2 if allow_negative_signal else 0.0
        return ModelConfig(
            0, -3.2, [1.0] * 3, [(low, poi_upper_bound), (-4.1, None), (-3.0, None)]
        )

    def get_logpdf_func(self, expected=nbspey.ExpectationType.observed, data=None):
        counts = np.array(N if data is None else data[:2], float)

        def logpdf(pars):
            rate = (
                pars[0] * np.array(S) + np.array(B) + np.array([12.0, 16.0]) * pars[1:]
            )
            if np.any(rate <= 0):
                return -np.inf  # outside the model; the minimiser steps back
            main = np.sum(
                counts * np.log(rate) - rate - [math.lgamma(n + 1) for n in counts]
            )
            return main - 0.5 * np.sum(pars[1:] ** 2) - math.log(2 * math.pi)

        return logpdf


@pytest.mark.parametrize(
    "name, args, mu_hat, nll",
    [
        (
            "default.poisson",
            ([12.0], [50.0], [55.0]),
            5 / 12,
            55 - 55 * math.log(55) + math.lgamma(56),
        ),
        (
            "default.normal",
            ([12.0], [50.0], [36.0], [20.0]),
            -14 / 12,
            math.log(20) + 0.5 * math.log(2 * math.pi),
        ),
        (
            "default.correlated_background",
            (S, B, N, COVARIANCE),
            -1.0844894328305046,
            7.221663430691914,
        ),
        (
            "default.multivariate_normal",
            (S, B, N, COVARIANCE),
            -1.0892925797770086,
            7.097660696255552,
        ),
    ],
)
def test_free_fit_reference_values(name, args, mu_hat, nll):
    result = make(name, *args).maximize_likelihood()
    assert result[0] == pytest.approx(mu_hat, abs=1e-6)
    assert result[1] == pytest.approx(nll, rel=1e-6)


def test_free_fit_is_not_capped_at_ten():
    """n = 70 on b = 50 with s = 1: mu_hat = 20 (spey reports 10)."""
    mu_hat, _ = make("default.poisson", [1.0], [50.0], [70.0]).maximize_likelihood()
    assert mu_hat == pytest.approx(20.0, rel=1e-12)
    capped, _ = make("default.poisson", [1.0], [50.0], [70.0]).maximize_likelihood(
        poi_upper_bound=10.0
    )
    assert capped == 10.0


def test_conditional_fits_and_return_forms():
    model = make("default.uncorrelated_background", S, B, N, [12.0, 16.0])
    free_mu, free_nll = model.maximize_likelihood()
    at_one = model.likelihood(1.0)
    assert at_one > free_nll
    assert model.likelihood({0: 1.0}) == pytest.approx(at_one)
    value, parameters = model.likelihood(1.0, return_parameters=True)
    assert parameters[0] == 1.0 and value == at_one
    assert model.likelihood(1.0, return_nll=False) == pytest.approx(math.exp(-at_one))
    mu, nll = model.maximize_likelihood(fixed_poi_value=1.0)
    assert mu == 1.0 and nll == pytest.approx(at_one, rel=1e-12)
    assert model.likelihood(free_mu) == pytest.approx(free_nll, abs=1e-10)
    assert model.last_fit_status.status > 0
    apriori_mu, _ = model.maximize_likelihood(expected="apriori")
    assert abs(apriori_mu) < 1e-9  # background-only data
    values, _ = model.maximize_likelihood(poi_indices=[0, 2])
    assert set(values) == {0, 2}


def test_one_parameter_likelihood_needs_no_fit():
    model = nbspey.StatisticalModel(SquareModel(), "square")
    assert model.likelihood(2.0) == pytest.approx(4.0, rel=1e-12)
    assert not SquareModel.fitted


def test_plain_python_backend_gets_the_same_profile():
    """A numpy plugin without gradient goes through the Python route and
    finds the compiled route's optimum."""
    plugin = nbspey.StatisticalModel(NumpyUncorrelated(), "numpy")
    compiled = make("default.uncorrelated_background", S, B, N, [12.0, 16.0])
    mu_plugin, nll_plugin = plugin.maximize_likelihood()
    mu_compiled, nll_compiled = compiled.maximize_likelihood()
    assert nll_plugin == pytest.approx(nll_compiled, abs=1e-8)
    assert mu_plugin == pytest.approx(mu_compiled, abs=1e-5)
    assert plugin.likelihood(1.0) == pytest.approx(compiled.likelihood(1.0), abs=1e-8)


def test_failed_fit_warns_with_the_reason():
    class Broken(SquareModel):
        name = "test.broken"

        def config(self, allow_negative_signal=True, poi_upper_bound=10.0):
            return ModelConfig(0, -10.0, [1.0, 1.0], [(-10.0, 10.0), (None, None)])

        def get_logpdf_func(self, expected="observed", data=None):
            return lambda pars: math.nan

    model = nbspey.StatisticalModel(Broken(), "broken")
    with pytest.warns(FitFailedWarning, match="not finite at the start"):
        model.maximize_likelihood()
    assert model.last_fit_status.status < 0


def test_unknown_options_warn_and_spey_options_are_accepted():
    model = make("default.poisson", [12.0], [50.0], [55.0])
    model.maximize_likelihood(tol=1e-6, minimizer="scipy")
    with pytest.warns(UserWarning, match="bogus is not a valid option"):
        model.maximize_likelihood(bogus=1)
