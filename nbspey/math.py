"""Gradients and Hessians of a model's negative log-likelihood (spey.math).

Import it explicitly: ``import nbspey.math``.
"""

import numpy as np

from nbspey.utils import ExpectationType

__all__ = ["value_and_grad", "hessian"]


def _data(data):
    return None if data is None else np.asarray(data, dtype=np.float64)


def value_and_grad(statistical_model, expected=ExpectationType.observed, data=None):
    """Return ``f(pars) -> (NLL, gradient of the NLL)``.

    Parameters
    ----------
    statistical_model : StatisticalModel
    expected : ExpectationType, str or bool
        Which data to use; an explicit ``data`` wins.
    data : array_like, optional
        Main (and optionally auxiliary) measurements.
    """
    objective = statistical_model.backend.get_objective_function(
        expected=expected, data=_data(data), do_grad=True
    )

    def function(pars):
        value, gradient = objective(np.asarray(pars, dtype=np.float64))
        return float(value), np.asarray(gradient, dtype=np.float64)

    return function


def hessian(statistical_model, expected=ExpectationType.observed, data=None):
    """Return ``f(pars) ->`` the Hessian of the NLL (minus that of ``ln L``)."""
    logpdf_hessian = statistical_model.backend.get_hessian_logpdf_func(
        expected=expected, data=_data(data)
    )

    def function(pars):
        return -np.asarray(logpdf_hessian(np.asarray(pars, dtype=np.float64)))

    return function
