"""The seven default backends of spey, on nbspey's compiled kernels.

The constructors take spey's arguments, including signal-uncertainty
``modifiers`` for the four nuisance backends. Signal parameters
(``n_signal_parameters``, ``signal_parameter_bounds``) and callable signal
yields or covariances are not available yet; asking for them raises
:class:`~nbspey.system.exceptions.InvalidInput` rather than silently ignoring
them.
"""

import numpy as np

from nbspey.backends.packed_backend import PackedBackend
from nbspey.likelihood import build
from nbspey.likelihood.modifiers import signal_uncertainty_synthesizer
from nbspey.system.exceptions import InvalidInput

__all__ = [
    "UncorrelatedBackground",
    "CorrelatedBackground",
    "ThirdMomentExpansion",
    "EffectiveSigma",
    "Poisson",
    "Gaussian",
    "MultivariateNormal",
]


def _refuse_unsupported(signal_yields, n_signal_parameters=0, bounds=None):
    if callable(signal_yields):
        raise InvalidInput(
            "signal_yields: callable signal yields are not supported by nbspey yet; "
            "pass an array of yields"
        )
    if n_signal_parameters != 0 or bounds is not None:
        raise InvalidInput(
            "n_signal_parameters / signal_parameter_bounds: signal parameters are not "
            "supported by nbspey yet"
        )


def _modifier_names(signal_yields, modifiers):
    if not modifiers:
        return []
    return signal_uncertainty_synthesizer(signal_yields, modifiers)["parameter_names"]


def _observed(data, size):
    values = build.checked_vector("data", data, size, non_negative=True)
    return values


class UncorrelatedBackground(PackedBackend):
    """Poisson counts with independent Gaussian background uncertainties.

    ``lambda_i = mu s_i + b_i + sigma_i theta_i``, ``theta_i ~ N(a_i, 1)``.
    """

    name = "default.uncorrelated_background"

    def __init__(
        self,
        signal_yields,
        background_yields,
        data,
        absolute_uncertainties,
        modifiers=None,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        _refuse_unsupported(signal_yields, n_signal_parameters, signal_parameter_bounds)
        model = build.pack_uncorrelated(
            signal_yields, background_yields, absolute_uncertainties, modifiers
        )
        self._background = model.vectors[1].copy()
        self._modifier_names = _modifier_names(signal_yields, modifiers)
        super().__init__(model, _observed(data, model.vectors.shape[1]))


class CorrelatedBackground(PackedBackend):
    """Simplified likelihood with a background covariance (arXiv:1809.05548).

    ``lambda_i = mu s_i + b_i + sqrt(Sigma_ii) theta_i``,
    ``theta ~ MVN(a, corr(Sigma))``.
    """

    name = "default.correlated_background"

    def __init__(
        self,
        signal_yields,
        background_yields,
        data,
        covariance_matrix,
        modifiers=None,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        _refuse_unsupported(signal_yields, n_signal_parameters, signal_parameter_bounds)
        model = build.pack_correlated(
            signal_yields, background_yields, covariance_matrix, modifiers
        )
        self._background = model.vectors[1].copy()
        self._modifier_names = _modifier_names(signal_yields, modifiers)
        super().__init__(model, _observed(data, model.vectors.shape[1]))


class ThirdMomentExpansion(PackedBackend):
    """Simplified likelihood with skewed backgrounds (arXiv:1809.05548).

    ``lambda_i = mu s_i + A_i + B_i theta_i + C_i theta_i^2``,
    ``theta ~ MVN(a, rho_TM)``.
    """

    name = "default.third_moment_expansion"
    doi = ["10.1007/JHEP04(2019)064"]
    arXiv = ["1809.05548"]

    def __init__(
        self,
        signal_yields,
        background_yields,
        data,
        covariance_matrix,
        third_moment,
        modifiers=None,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        _refuse_unsupported(signal_yields, n_signal_parameters, signal_parameter_bounds)
        model = build.pack_third_moment(
            signal_yields, background_yields, covariance_matrix, third_moment, modifiers
        )
        self._background = build.checked_vector("background_yields", background_yields)
        self._modifier_names = _modifier_names(signal_yields, modifiers)
        super().__init__(model, _observed(data, model.vectors.shape[1]))


class EffectiveSigma(PackedBackend):
    """Asymmetric background uncertainties through an effective sigma.

    Barlow, arXiv:physics/0406120, in spey's form:

    ``lambda_i = mu s_i + b_i + theta_i sigma_eff,i(theta_i)`` with
    ``sigma_eff^2 = max(s+ s- + (s+ - s-)(theta - b), 1e-10)``.
    """

    name = "default.effective_sigma"
    doi = ["10.1142/9781860948985_0013"]
    arXiv = ["physics/0406120"]

    def __init__(
        self,
        signal_yields,
        background_yields,
        data,
        correlation_matrix,
        absolute_uncertainty_envelops,
        modifiers=None,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        _refuse_unsupported(signal_yields, n_signal_parameters, signal_parameter_bounds)
        model = build.pack_effective_sigma(
            signal_yields,
            background_yields,
            correlation_matrix,
            absolute_uncertainty_envelops,
            modifiers,
        )
        self._background = model.vectors[1].copy()
        self._modifier_names = _modifier_names(signal_yields, modifiers)
        super().__init__(model, _observed(data, model.vectors.shape[1]))


class Poisson(PackedBackend):
    """Poisson counts ``n_i ~ Poisson(mu s_i + b_i)``.

    With ``absolute_uncertainties`` each bin gets a nuisance with a unit
    normal constraint, so the model equals
    :class:`UncorrelatedBackground` (spey leaves these nuisances
    unconstrained, which nbspey treats as a defect).
    """

    name = "default.poisson"

    def __init__(
        self, signal_yields, background_yields, data, absolute_uncertainties=None
    ):
        _refuse_unsupported(signal_yields)
        if absolute_uncertainties is None:
            model = build.pack_poisson(signal_yields, background_yields)
        else:
            model = build.pack_uncorrelated(
                signal_yields, background_yields, absolute_uncertainties
            )
        self._background = model.vectors[1].copy()
        super().__init__(model, _observed(data, model.vectors.shape[1]))

    def _parameter_names(self):
        return None if self._has_nuisances else ["mu"]


class Gaussian(PackedBackend):
    """Normal measurements ``n_i ~ N(mu s_i + b_i, sigma_i)``."""

    name = "default.normal"

    def __init__(
        self,
        signal_yields,
        background_yields,
        data,
        absolute_uncertainties,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        _refuse_unsupported(signal_yields, n_signal_parameters, signal_parameter_bounds)
        if callable(absolute_uncertainties):
            raise InvalidInput(
                "absolute_uncertainties: callable widths are not supported by "
                "nbspey yet"
            )
        model = build.pack_normal(
            signal_yields, background_yields, absolute_uncertainties
        )
        self._background = model.vectors[1].copy()
        # Gaussian measurements may be negative.
        data = build.checked_vector("data", data, model.vectors.shape[1])
        super().__init__(model, data)

    def _parameter_names(self):
        return ["mu"]


class MultivariateNormal(PackedBackend):
    """Correlated normal measurements ``n ~ MVN(mu s + b, Sigma)``."""

    name = "default.multivariate_normal"

    def __init__(
        self,
        signal_yields,
        background_yields,
        data,
        covariance_matrix,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        _refuse_unsupported(signal_yields, n_signal_parameters, signal_parameter_bounds)
        if callable(covariance_matrix):
            raise InvalidInput(
                "covariance_matrix: a callable covariance is not supported by "
                "nbspey yet"
            )
        covariance = np.asarray(covariance_matrix, dtype=np.float64)
        size = np.asarray(background_yields).reshape(-1).shape[0]
        if covariance.ndim != 2 or covariance.shape[0] != size:
            raise InvalidInput(
                "Dimensionality of the covariance matrix should match to the background"
            )
        model = build.pack_multivariate_normal(
            signal_yields, background_yields, covariance
        )
        self._background = model.vectors[1].copy()
        data = build.checked_vector("data", data, model.vectors.shape[1])
        super().__init__(model, data)

    def _parameter_names(self):
        return ["mu"]
