"""The seven default backends of spey, on nbspey's compiled kernels.

The constructors take spey's arguments, including signal-uncertainty
``modifiers`` for the four nuisance backends. With a callable
``signal_yields`` or ``n_signal_parameters > 0`` (and for ``default.normal``
with callable widths, ``default.multivariate_normal`` with a callable
covariance) the constructor returns a
:class:`~nbspey.backends.parametrised.ParametrisedBackend` with the same
name, which evaluates the same kernels at the parameters of each call.
"""

import numpy as np

from nbspey.backends.packed_backend import PackedBackend
from nbspey.backends.parametrised import (
    ParametrisedBackend,
    signal_parameter_bounds_list,
)
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


def _is_parametrised(signal_yields, n_signal_parameters, *callables):
    return (
        callable(signal_yields)
        or n_signal_parameters != 0
        or any(callable(value) for value in callables)
    )


def _parametrised(
    cls,
    pack,
    signal_yields,
    background_yields,
    data,
    n_signal_parameters,
    signal_parameter_bounds,
    modifiers=None,
    rebuild=None,
    counts=True,
    **callables,
):
    """A :class:`ParametrisedBackend` standing for ``cls`` with callable inputs.

    ``pack(signal)`` builds the packed model at the start point; ``rebuild``
    (callable widths or covariance) builds it at any parameters.
    """
    if modifiers and callable(signal_yields):
        raise ValueError(
            "modifiers cannot be combined with a callable `signal_yields`. Please "
            "include the signal uncertainties in the callable."
        )
    if modifiers:
        raise InvalidInput(
            "modifiers: signal-uncertainty modifiers cannot be combined with "
            "n_signal_parameters"
        )
    bounds = signal_parameter_bounds_list(n_signal_parameters, signal_parameter_bounds)
    background = build.checked_vector("background_yields", background_yields)
    size = background.shape[0]
    if callable(signal_yields):
        signal = signal_yields
        start = np.asarray(
            signal_yields(np.ones(n_signal_parameters)), dtype=np.float64
        ).reshape(-1)
        start = build.checked_vector("signal_yields (callable output)", start, size)
    else:
        signal = start = build.checked_vector("signal_yields", signal_yields, size)
    model = pack(start)
    if counts:
        data = _observed(data, size)
    else:
        data = build.checked_vector("data", data, size)
    return ParametrisedBackend(
        cls.name,
        model,
        data,
        background,
        signal,
        n_signal_parameters,
        bounds,
        rebuild,
        **callables,
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

    def __new__(
        cls,
        signal_yields,
        background_yields,
        data,
        absolute_uncertainties,
        modifiers=None,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        """A :class:`ParametrisedBackend` for callable inputs, else this class."""
        if _is_parametrised(signal_yields, n_signal_parameters):
            return _parametrised(
                cls,
                lambda s: build.pack_uncorrelated(
                    s, background_yields, absolute_uncertainties
                ),
                signal_yields,
                background_yields,
                data,
                n_signal_parameters,
                signal_parameter_bounds,
                modifiers,
            )
        return super().__new__(cls)

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

    def __new__(
        cls,
        signal_yields,
        background_yields,
        data,
        covariance_matrix,
        modifiers=None,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        """A :class:`ParametrisedBackend` for callable inputs, else this class."""
        if _is_parametrised(signal_yields, n_signal_parameters):
            return _parametrised(
                cls,
                lambda s: build.pack_correlated(
                    s, background_yields, covariance_matrix
                ),
                signal_yields,
                background_yields,
                data,
                n_signal_parameters,
                signal_parameter_bounds,
                modifiers,
            )
        return super().__new__(cls)

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

    def __new__(
        cls,
        signal_yields,
        background_yields,
        data,
        covariance_matrix,
        third_moment,
        modifiers=None,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        """A :class:`ParametrisedBackend` for callable inputs, else this class."""
        if _is_parametrised(signal_yields, n_signal_parameters):
            return _parametrised(
                cls,
                lambda s: build.pack_third_moment(
                    s, background_yields, covariance_matrix, third_moment
                ),
                signal_yields,
                background_yields,
                data,
                n_signal_parameters,
                signal_parameter_bounds,
                modifiers,
            )
        return super().__new__(cls)

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

    def __new__(
        cls,
        signal_yields,
        background_yields,
        data,
        correlation_matrix,
        absolute_uncertainty_envelops,
        modifiers=None,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        """A :class:`ParametrisedBackend` for callable inputs, else this class."""
        if _is_parametrised(signal_yields, n_signal_parameters):
            return _parametrised(
                cls,
                lambda s: build.pack_effective_sigma(
                    s,
                    background_yields,
                    correlation_matrix,
                    absolute_uncertainty_envelops,
                ),
                signal_yields,
                background_yields,
                data,
                n_signal_parameters,
                signal_parameter_bounds,
                modifiers,
            )
        return super().__new__(cls)

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
        if callable(signal_yields):
            raise InvalidInput(
                "signal_yields: default.poisson takes signal yields, not a callable "
                "(use default.uncorrelated_background or default.normal)"
            )
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

    def __new__(
        cls,
        signal_yields,
        background_yields,
        data,
        absolute_uncertainties,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        """A :class:`ParametrisedBackend` for callable inputs, else this class."""
        widths = absolute_uncertainties
        if not _is_parametrised(signal_yields, n_signal_parameters, widths):
            return super().__new__(cls)
        rebuild = None
        if callable(widths):

            def rebuild(pars, signal):
                return build.pack_normal(signal, background_yields, widths(pars))

        start_widths = widths(np.ones(1 + n_signal_parameters)) if rebuild else widths
        return _parametrised(
            cls,
            lambda s: build.pack_normal(s, background_yields, start_widths),
            signal_yields,
            background_yields,
            data,
            n_signal_parameters,
            signal_parameter_bounds,
            rebuild=rebuild,
            counts=False,
            widths=widths if rebuild else None,
        )

    def __init__(
        self,
        signal_yields,
        background_yields,
        data,
        absolute_uncertainties,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
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

    def __new__(
        cls,
        signal_yields,
        background_yields,
        data,
        covariance_matrix,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
        """A :class:`ParametrisedBackend` for callable inputs, else this class."""
        covariance = covariance_matrix
        if not _is_parametrised(signal_yields, n_signal_parameters, covariance):
            return super().__new__(cls)
        rebuild = None
        if callable(covariance):

            def rebuild(pars, signal):
                return build.pack_multivariate_normal(
                    signal, background_yields, covariance(pars)
                )

        start = covariance(np.ones(1 + n_signal_parameters)) if rebuild else covariance
        return _parametrised(
            cls,
            lambda s: build.pack_multivariate_normal(s, background_yields, start),
            signal_yields,
            background_yields,
            data,
            n_signal_parameters,
            signal_parameter_bounds,
            rebuild=rebuild,
            counts=False,
            covariance=covariance if rebuild else None,
        )

    def __init__(
        self,
        signal_yields,
        background_yields,
        data,
        covariance_matrix,
        n_signal_parameters=0,
        signal_parameter_bounds=None,
    ):
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
