"""nbspey.math against reference-values.md section 4.6 (3-vector port)."""

import numpy as np
import pytest

import nbspey
import nbspey.math
from nbspey.system.exceptions import InvalidInput


@pytest.fixture
def model():
    return nbspey.get_backend("default.uncorrelated_background")(
        signal_yields=[12.0, 15.0],
        background_yields=[50.0, 48.0],
        data=[36.0, 33.0],
        absolute_uncertainties=[12.0, 16.0],
    )


def test_value_and_grad(model):
    nll, gradient = nbspey.math.value_and_grad(model)([1.0, 1.0, 1.0])
    assert nll == pytest.approx(37.47391613937222, rel=1e-12)
    np.testing.assert_allclose(
        gradient, [14.89633938, 7.16216216, 10.3164557], rtol=1e-8
    )


@pytest.mark.parametrize(
    "kwargs, nll, gradient_mu, hessian_mumu",
    [
        ({}, 37.47391613937222, 14.89633938, 2.13638959),
        ({"expected": "apriori"}, 20.052816087791097, 9.77796784, 3.04532025),
        (
            {"expected": nbspey.ExpectationType.apriori, "data": [22, 34]},
            49.63922692607177,
            16.97673623,
            1.80428957,
        ),
    ],
)
def test_variants(model, kwargs, nll, gradient_mu, hessian_mumu):
    value, gradient = nbspey.math.value_and_grad(model, **kwargs)(np.ones(3))
    hessian = nbspey.math.hessian(model, **kwargs)(np.ones(3))
    assert value == pytest.approx(nll, rel=1e-12)
    assert gradient[0] == pytest.approx(gradient_mu, rel=1e-8)
    assert hessian[0, 0] == pytest.approx(hessian_mumu, rel=1e-8)
    assert np.array_equal(hessian, hessian.T)


def test_nll_hessian_is_minus_the_logpdf_hessian(model):
    hessian = nbspey.math.hessian(model)(np.ones(3))
    np.testing.assert_allclose(
        hessian,
        [
            [2.136389593, 0.9466764061, 1.269027399],
            [0.9466764061, 1.946676406, 0],
            [1.269027399, 0, 2.353629226],
        ],
        rtol=1e-9,
    )


def test_short_parameter_vector_is_refused(model):
    """spey broadcasts [1, 1] over three parameters; nbspey refuses it."""
    with pytest.raises(InvalidInput, match="pars has 2 entries"):
        nbspey.math.value_and_grad(model)([1.0, 1.0])
