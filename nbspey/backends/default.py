"""The seven default backends of spey, on nbspey's compiled kernels.

The constructors take spey's arguments, including signal-uncertainty
``modifiers`` for the four nuisance backends. With a callable
``signal_yields`` or ``n_signal_parameters > 0`` (and for ``default.normal``
with callable widths, ``default.multivariate_normal`` with a callable
covariance) the constructor returns a
:class:`~nbspey.backends.parametrised.ParametrisedBackend` with the same
name, which evaluates the same kernels at the parameters of each call.
"""

import inspect

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


def _parametrised(cls, pack, arguments, rebuild=None, counts=True, **callables):
    """A :class:`ParametrisedBackend` standing for ``cls`` with callable inputs.

    ``arguments`` are the constructor's arguments by name; ``pack(signal)``
    builds the packed model at the start point and ``rebuild`` (callable
    widths or covariance) at any parameters.
    """
    signal_yields = arguments["signal_yields"]
    n_signal_parameters = arguments["n_signal_parameters"]
    modifiers = arguments.get("modifiers")
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
    bounds = signal_parameter_bounds_list(
        n_signal_parameters, arguments["signal_parameter_bounds"]
    )
    background = build.checked_vector(
        "background_yields", arguments["background_yields"]
    )
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
        data = _observed(arguments["data"], size)
    else:
        data = build.checked_vector("data", arguments["data"], size)
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


class _SignalParametrisable(PackedBackend):
    """A default backend that also takes callable inputs.

    Construction looks at the arguments first: with a callable signal,
    ``n_signal_parameters > 0`` or one of ``_callable_arguments`` given as a
    callable, it returns the :class:`ParametrisedBackend` that
    :meth:`_parametrised` builds instead of an instance of the class.
    """

    _callable_arguments = ()

    def __new__(cls, *args, **kwargs):
        """A :class:`ParametrisedBackend` for callable inputs, else this class."""
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        callables = [arguments[name] for name in cls._callable_arguments]
        if _is_parametrised(
            arguments["signal_yields"], arguments["n_signal_parameters"], *callables
        ):
            return cls._parametrised(arguments)
        return super().__new__(cls)

    @classmethod
    def _parametrised(cls, arguments):
        raise NotImplementedError


def _modifier_names(signal_yields, modifiers):
    if not modifiers:
        return []
    return signal_uncertainty_synthesizer(signal_yields, modifiers)["parameter_names"]


def _observed(data, size):
    values = build.checked_vector("data", data, size, non_negative=True)
    return values


class UncorrelatedBackground(_SignalParametrisable):
    """Poisson counts with independent Gaussian background uncertainties.

    ``lambda_i = mu s_i + b_i + sigma_i theta_i``, ``theta_i ~ N(a_i, 1)``.
    """

    name = "default.uncorrelated_background"

    @classmethod
    def _parametrised(cls, a):
        def pack(signal):
            return build.pack_uncorrelated(
                signal, a["background_yields"], a["absolute_uncertainties"]
            )

        return _parametrised(cls, pack, a)

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


class CorrelatedBackground(_SignalParametrisable):
    """Simplified likelihood with a background covariance (arXiv:1809.05548).

    ``lambda_i = mu s_i + b_i + sqrt(Sigma_ii) theta_i``,
    ``theta ~ MVN(a, corr(Sigma))``.
    """

    name = "default.correlated_background"

    @classmethod
    def _parametrised(cls, a):
        def pack(signal):
            return build.pack_correlated(
                signal, a["background_yields"], a["covariance_matrix"]
            )

        return _parametrised(cls, pack, a)

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


class ThirdMomentExpansion(_SignalParametrisable):
    """Simplified likelihood with skewed backgrounds (arXiv:1809.05548).

    ``lambda_i = mu s_i + A_i + B_i theta_i + C_i theta_i^2``,
    ``theta ~ MVN(a, rho_TM)``.
    """

    name = "default.third_moment_expansion"
    doi = ["10.1007/JHEP04(2019)064"]
    arXiv = ["1809.05548"]

    @classmethod
    def _parametrised(cls, a):
        def pack(signal):
            return build.pack_third_moment(
                signal,
                a["background_yields"],
                a["covariance_matrix"],
                a["third_moment"],
            )

        return _parametrised(cls, pack, a)

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


class EffectiveSigma(_SignalParametrisable):
    """Asymmetric background uncertainties through an effective sigma.

    Barlow, arXiv:physics/0406120, in spey's form:

    ``lambda_i = mu s_i + b_i + theta_i sigma_eff,i(theta_i)`` with
    ``sigma_eff^2 = max(s+ s- + (s+ - s-)(theta - b), 1e-10)``.
    """

    name = "default.effective_sigma"
    doi = ["10.1142/9781860948985_0013"]
    arXiv = ["physics/0406120"]

    @classmethod
    def _parametrised(cls, a):
        def pack(signal):
            return build.pack_effective_sigma(
                signal,
                a["background_yields"],
                a["correlation_matrix"],
                a["absolute_uncertainty_envelops"],
            )

        return _parametrised(cls, pack, a)

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


class Gaussian(_SignalParametrisable):
    """Normal measurements ``n_i ~ N(mu s_i + b_i, sigma_i)``."""

    name = "default.normal"
    _callable_arguments = ("absolute_uncertainties",)

    @classmethod
    def _parametrised(cls, a):
        widths = a["absolute_uncertainties"]
        if not callable(widths):
            return _parametrised(
                cls,
                lambda s: build.pack_normal(s, a["background_yields"], widths),
                a,
                counts=False,
            )

        def rebuild(pars, signal):
            return build.pack_normal(signal, a["background_yields"], widths(pars))

        start = np.ones(1 + a["n_signal_parameters"])
        return _parametrised(
            cls,
            lambda s: rebuild(start, s),
            a,
            rebuild=rebuild,
            counts=False,
            widths=widths,
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


class MultivariateNormal(_SignalParametrisable):
    """Correlated normal measurements ``n ~ MVN(mu s + b, Sigma)``."""

    name = "default.multivariate_normal"
    _callable_arguments = ("covariance_matrix",)

    @classmethod
    def _parametrised(cls, a):
        covariance = a["covariance_matrix"]
        background = a["background_yields"]
        if not callable(covariance):
            return _parametrised(
                cls,
                lambda s: build.pack_multivariate_normal(s, background, covariance),
                a,
                counts=False,
            )

        def rebuild(pars, signal):
            return build.pack_multivariate_normal(signal, background, covariance(pars))

        start = np.ones(1 + a["n_signal_parameters"])
        return _parametrised(
            cls,
            lambda s: rebuild(start, s),
            a,
            rebuild=rebuild,
            counts=False,
            covariance=covariance,
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
