"""The seven built-in backends through spey's backend contract."""

import numpy as np
import pytest

from nbspey.backends import (
    DEFAULT_BACKENDS,
    CorrelatedBackground,
    EffectiveSigma,
    Gaussian,
    MultivariateNormal,
    Poisson,
    ThirdMomentExpansion,
    UncorrelatedBackground,
)
from nbspey.base import BackendBase
from nbspey.system.exceptions import InvalidInput, InvalidUncertaintyDefinition
from nbspey.utils import ExpectationType

S, B, N = [12.0, 15.0], [50.0, 48.0], [36.0, 33.0]
COVARIANCE = [[144.0, 19.0], [19.0, 256.0]]


def all_backends():
    return {
        "default.uncorrelated_background": UncorrelatedBackground(
            S, B, N, [12.0, 16.0]
        ),
        "default.correlated_background": CorrelatedBackground(S, B, N, COVARIANCE),
        "default.third_moment_expansion": ThirdMomentExpansion(
            S, B, N, COVARIANCE, [0.5, 0.8]
        ),
        "default.effective_sigma": EffectiveSigma(
            S, B, N, [[1.0, 0.09895833], [0.09895833, 1.0]], [(10, 15), (13, 18)]
        ),
        "default.poisson": Poisson(S, B, N),
        "default.normal": Gaussian(S, B, N, [20.0, 10.0]),
        "default.multivariate_normal": MultivariateNormal(S, B, N, COVARIANCE),
    }


def test_every_default_backend_is_covered():
    assert set(all_backends()) == set(DEFAULT_BACKENDS)
    for name, backend in all_backends().items():
        assert isinstance(backend, BackendBase)
        assert backend.name == name


def test_objective_values_of_the_math_tutorial():
    """reference-values.md section 4.6, ported to the 3-vector [1, 1, 1]."""
    backend = UncorrelatedBackground(S, B, N, [12.0, 16.0])
    nll, gradient = backend.get_objective_function()(np.ones(3))
    assert nll == pytest.approx(37.47391613937222, rel=1e-12)
    np.testing.assert_allclose(
        gradient, [14.89633938, 7.16216216, 10.3164557], rtol=1e-8
    )
    nll, _ = backend.get_objective_function(expected="apriori")(np.ones(3))
    assert nll == pytest.approx(20.052816087791097, rel=1e-12)
    nll, _ = backend.get_objective_function(
        expected=ExpectationType.apriori, data=[22.0, 34.0]
    )(np.ones(3))
    assert nll == pytest.approx(49.63922692607177, rel=1e-12)  # data wins
    assert backend.get_objective_function(do_grad=False)(np.ones(3)) == pytest.approx(
        37.47391613937222, rel=1e-12
    )
    hessian = backend.get_hessian_logpdf_func()(np.ones(3))
    np.testing.assert_allclose(hessian[0], [-2.136389593, -0.9466764061, -1.269027399])


def test_observed_and_aposteriori_are_the_same_likelihood():
    for backend in all_backends().values():
        pars = np.ones(backend.npar) * 0.7
        observed = backend.get_logpdf_func("observed")(pars)
        assert backend.get_logpdf_func(ExpectationType.aposteriori)(pars) == observed
        assert backend.get_logpdf_func(False)(pars) == observed


def test_config_follows_spey_layout_and_is_fresh():
    backend = UncorrelatedBackground(S, B, N, [12.0, 16.0])
    config = backend.config()
    assert config.poi_index == 0
    assert config.minimum_poi == pytest.approx(-48 / 15)  # -min(b_i / s_i)
    assert config.suggested_init == [1.0, 1.0, 1.0]
    assert config.suggested_bounds == [(-3.2, 10.0), (None, None), (None, None)]
    assert config.parameter_names is None
    assert backend.config() is not config
    config.suggested_init[0] = 5.0
    assert backend.config().suggested_init[0] == 1.0
    assert backend.config(False, 5.0).suggested_bounds[0] == (0.0, 5.0)
    assert backend.config(True, 5.0).suggested_bounds[0] == (-3.2, 5.0)
    assert Poisson(S, B, N).config().parameter_names == ["mu"]
    assert Gaussian(S, B, N, [1.0, 1.0]).config().npar == 1


@pytest.mark.parametrize(
    "signal, background, minimum",
    [
        ([12, 15], [0, 48], -0.0),
        ([12, 15], [-5, 48], 5 / 12),
        ([-1, 2], [50, 48], -24.0),
    ],
)
def test_minimum_poi(signal, background, minimum):
    """backends.md section 1.4."""
    assert Poisson(signal, background, [1, 1]).config().minimum_poi == pytest.approx(
        minimum
    )


def test_dead_signal():
    backend = Poisson([0.0, 0.0], B, N)
    assert not backend.is_alive
    assert backend.config().minimum_poi == -np.inf
    assert UncorrelatedBackground(S, B, N, [1.0, 1.0]).is_alive


def test_poisson_with_uncertainties_equals_uncorrelated():
    """decisions.md: the nuisances get unit normal constraints."""
    poisson = Poisson(S, B, N, absolute_uncertainties=[12.0, 16.0])
    reference = UncorrelatedBackground(S, B, N, [12.0, 16.0])
    pars = np.array([1.0, 0.5, -0.3])
    assert poisson.get_logpdf_func()(pars) == reference.get_logpdf_func()(pars)
    assert poisson.config().npar == 3


def test_expected_data_and_auxiliary_entries():
    backend = UncorrelatedBackground(S, B, N, [12.0, 16.0])
    np.testing.assert_allclose(backend.expected_data(np.ones(3)), [74, 79, 0, 0])
    np.testing.assert_allclose(
        backend.expected_data(np.ones(3), include_auxiliary=False), [74, 79]
    )
    np.testing.assert_allclose(Poisson(S, B, N).expected_data([1.0]), [62, 63])


def test_auxiliary_data_centres_the_constraint():
    backend = UncorrelatedBackground(S, B, N, [12.0, 16.0])
    pars = np.array([1.0, 0.4, -0.3])
    shifted = backend.get_logpdf_func(data=[36.0, 33.0, 0.4, -0.3])(pars)
    nominal = backend.get_logpdf_func()(pars)
    assert shifted - nominal == pytest.approx(0.5 * (0.4**2 + 0.3**2), rel=1e-12)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda b: b.get_logpdf_func()(np.ones(2)), "pars has 2 entries"),
        (lambda b: b.get_logpdf_func(data=[1.0, 2.0, 3.0]), "data has 3 entries"),
        (lambda b: b.get_logpdf_func(data=[-1.0, 2.0]), "non-negative"),
        (lambda b: b.get_logpdf_func(expected="prior"), "expected must be one of"),
    ],
)
def test_bad_evaluation_input_is_refused(call, message):
    with pytest.raises(InvalidInput, match=message):
        call(UncorrelatedBackground(S, B, N, [12.0, 16.0]))


def test_bad_options_are_refused_not_ignored():
    with pytest.raises(InvalidUncertaintyDefinition, match="no 'uncertainties'"):
        UncorrelatedBackground(S, B, N, [1, 1], modifiers=[{"type": "normalization"}])
    with pytest.raises(InvalidInput, match="not a callable"):
        Poisson(lambda pars: np.ones(2), B, N)
    with pytest.raises(InvalidInput, match="n_signal_parameters"):
        Gaussian(S, B, N, [1.0, 1.0], n_signal_parameters=-1)
    with pytest.raises(InvalidInput, match="should match to the background"):
        MultivariateNormal(S, B, N, np.eye(3))
    with pytest.raises(InvalidInput, match="data has 1"):
        UncorrelatedBackground(S, B, [3.0], [1, 1])


def test_gaussian_backends_accept_negative_data():
    assert np.isfinite(Gaussian(S, B, [-3.0, 2.0], [1.0, 1.0]).get_logpdf_func()([1.0]))
    assert np.isfinite(
        MultivariateNormal(S, B, [-3.0, 2.0], COVARIANCE).get_logpdf_func()([1.0])
    )


@pytest.mark.parametrize("name", sorted(DEFAULT_BACKENDS))
def test_sampler_means_and_covariances(name):
    """Seeded draws: main measurements average to the expected data, and
    auxiliary measurements scatter around the nuisance values with the
    constraint's covariance (statistical tolerance for 40,000 draws)."""
    backend = all_backends()[name]
    pars = np.concatenate([[0.8], np.linspace(-0.3, 0.4, backend.npar - 1)])
    samples = backend.get_sampler(pars)(40_000, seed=11)
    expected = backend.expected_data(pars, include_auxiliary=False)
    n_bins = expected.shape[0]
    mean = samples[:, :n_bins].mean(axis=0)
    spread = samples[:, :n_bins].std(axis=0)
    assert np.all(np.abs(mean - expected) < 5 * spread / np.sqrt(samples.shape[0]))
    if samples.shape[1] > n_bins:
        auxiliary = samples[:, n_bins:]
        np.testing.assert_allclose(auxiliary.mean(axis=0), pars[1:], atol=0.03)
        precision = backend.packed_model.matrices
        covariance = np.cov(auxiliary.T)
        if precision.shape[1]:
            target = np.linalg.inv(precision[1])
        else:
            target = np.eye(n_bins)
        np.testing.assert_allclose(covariance, target, atol=0.03)
    again = backend.get_sampler(pars)(40_000, seed=11)
    np.testing.assert_array_equal(again, samples)
    assert backend.get_sampler(pars)(5, include_auxiliary=False).shape == (5, n_bins)


def test_backends_with_modifiers():
    """Layout of reference-values.md 4.5: modifier parameters after the
    background nuisances, named theta_sig_<name>[_<bin>], with auxiliary
    entries and sampled values for each."""
    modifiers = [
        {"type": "normalization", "name": "pdf", "uncertainties": [1.8, 2.25]},
        {"type": "shape", "name": "scale", "uncertainties": [(2.4, 1.8), (3.75, 3.0)]},
    ]
    backend = CorrelatedBackground(S, B, N, COVARIANCE, modifiers=modifiers)
    config = backend.config()
    assert config.npar == 6
    assert config.parameter_names == [
        "mu",
        "theta_bkg_0",
        "theta_bkg_1",
        "theta_sig_pdf",
        "theta_sig_scale_0",
        "theta_sig_scale_1",
    ]
    assert config.suggested_bounds[3:] == [(None, None)] * 3
    assert backend.expected_data(np.ones(6)).shape == (2 + 5,)
    pars = np.array([1.0, 0.1, -0.1, 0.5, -0.5, 0.2])
    draws = backend.get_sampler(pars)(20_000, seed=3)
    assert draws.shape == (20_000, 7)
    np.testing.assert_allclose(draws[:, 2:].mean(axis=0), pars[1:], atol=0.03)
    plain = CorrelatedBackground(S, B, N, COVARIANCE)
    # With every modifier parameter at 0 the factor is 1 and only the
    # constraint normalisation and pulls differ.
    at_zero = np.array([1.0, 0.3, -0.2, 0.0, 0.0, 0.0])
    difference = plain.get_logpdf_func()(at_zero[:3]) - backend.get_logpdf_func()(
        at_zero
    )
    assert difference == pytest.approx(1.5 * np.log(2 * np.pi), rel=1e-12)
    assert CorrelatedBackground(S, B, N, COVARIANCE, modifiers=[]).config().npar == 3
