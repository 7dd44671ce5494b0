"""Built-in likelihoods whose signal, widths or covariance are functions.

spey's default backends accept a callable ``signal_yields`` of the signal
parameters ``psi`` (``n_signal_parameters`` of them, placed after the POI),
a callable ``absolute_uncertainties`` for ``default.normal`` and a callable
``covariance_matrix`` for ``default.multivariate_normal`` (both of the full
parameter vector). :class:`ParametrisedBackend` evaluates such a model by
building the packed model at the requested parameters and calling the same
compiled kernels as the fixed models:

* parameters ``p = [mu, psi..., theta...]``; the kernels see
  ``q = [mu, theta...]`` with ``s = signal(psi)``;
* the gradient is analytic, chained through the derivatives of the
  callables: ``dNLL/dpsi_k = mu sum_i (dNLL/dlambda_i) ds_i/dpsi_k``, for
  callable widths ``dNLL/dsigma_i = 1/sigma_i - (n_i - lambda_i)^2/sigma_i^3``
  and for a callable covariance ``-v^T Sigma^-1 dSigma Sigma^-1 v / 2 +
  tr(Sigma^-1 dSigma) / 2``. The derivatives of the callables are those of a
  ``jacobian`` attribute of the signal callable (``psi -> N x nsp`` array)
  when it has one, and central differences with steps ``6e-6 max(1, |p|)``
  otherwise, accurate to about ten significant digits for smooth callables;
* the Hessian is the central difference of that gradient.

These models go through the generic route of the hypothesis tests (one
Python call per fit); each evaluation runs compiled kernels. When the signal
function is itself compiled with numba (and widths and covariance are
fixed), each fit runs entirely in compiled code
(:func:`nbspey.fits.fit_with_signal_function`). A callable must
return the right number of finite values, or the model raises
:class:`~nbspey.system.exceptions.InvalidInput`; a callable covariance or
width that is not valid at a point (not positive definite, not positive)
makes that point invalid (infinite NLL) so that the minimiser steps back,
and an invalid start point is an error.
"""

import math

import numpy as np
from numba.core.dispatcher import Dispatcher

from nbspey.backends.packed_backend import PackedBackend
from nbspey.base.backend_base import BackendBase
from nbspey.base.model_config import ModelConfig
from nbspey.fits import fit_with_signal_function, positivity_lower_bounds
from nbspey.likelihood import kernels
from nbspey.likelihood.packed import (
    KIND_RATE,
    MAIN_PRECISION,
    MAIN_SCALE,
    RATE_NONE,
    SIGNAL,
)
from nbspey.numerics.minimize import DEFAULT_OPTIONS
from nbspey.system.exceptions import InvalidInput
from nbspey.utils import ExpectationType

__all__ = ["ParametrisedBackend", "signal_parameter_bounds_list"]

# Central-difference steps (relative): about eps^(1/3) for first derivatives
# of the callables, larger for the Hessian from the gradient.
_STEP = 6e-6
_HESSIAN_STEP = 1e-5


def signal_parameter_bounds_list(n_signal_parameters, signal_parameter_bounds):
    """The bounds of the signal parameters, ``(None, None)`` by default.

    Raises
    ------
    ValueError
        When the list does not have ``n_signal_parameters`` entries.
    """
    if not isinstance(n_signal_parameters, int) or n_signal_parameters < 0:
        raise InvalidInput(
            "n_signal_parameters must be a non-negative integer; got "
            f"{n_signal_parameters!r}"
        )
    if signal_parameter_bounds is None:
        return [(None, None)] * n_signal_parameters
    bounds = list(signal_parameter_bounds)
    if len(bounds) != n_signal_parameters:
        raise ValueError(
            f"signal_parameter_bounds has {len(bounds)} entries but "
            f"n_signal_parameters is {n_signal_parameters}."
        )
    return [(None, None) if bound is None else tuple(bound) for bound in bounds]


def _central_jacobian(function, point):
    """Central differences ``d function_i / d x_k`` at ``point``."""
    point = np.asarray(point, dtype=np.float64)
    columns = []
    for k in range(point.shape[0]):
        step = _STEP * max(1.0, abs(point[k]))
        up, down = point.copy(), point.copy()
        up[k] += step
        down[k] -= step
        columns.append((function(up) - function(down)) / (2.0 * step))
    return np.stack(columns, axis=1)


def _packed_backend(model, data, background):
    """A :class:`PackedBackend` of a fixed model (for data selection, sampling)."""
    packed = PackedBackend(model, data)
    packed._background = background
    return packed


class ParametrisedBackend(BackendBase):
    """A default backend with callable inputs.

    Parameters
    ----------
    name : str
        The registry name of the backend it stands for.
    model : PackedModel
        The model at the start point (all parameters 1).
    data, background : ndarray
        Observed data and background yields.
    signal : ndarray or callable
        Signal yields, or ``signal(psi) -> N yields``.
    n_signal_parameters : int
    signal_bounds : list of tuple
    rebuild : callable, optional
        ``rebuild(pars, signal) -> PackedModel`` for models whose main term
        depends on the parameters; it raises ``InvalidInput`` where the
        inputs are invalid.
    widths, covariance : callable, optional
        The callable widths (``default.normal``) or covariance
        (``default.multivariate_normal``) of the full parameter vector that
        ``rebuild`` uses, for the derivatives.
    """

    version = PackedBackend.version
    author = PackedBackend.author
    spey_requires = PackedBackend.spey_requires

    def __init__(
        self,
        name,
        model,
        data,
        background,
        signal,
        n_signal_parameters,
        signal_bounds,
        rebuild=None,
        widths=None,
        covariance=None,
    ):
        self.name = name
        self._model = model
        self._data = data
        self._background = background
        self._signal = signal
        self._nsp = n_signal_parameters
        self._signal_bounds = signal_bounds
        self._rebuild = rebuild
        self._widths = widths
        self._covariance = covariance
        self._n_bins = model.vectors.shape[1]
        self._has_nuisances = int(model.kinds[KIND_RATE]) != RATE_NONE
        self._packed = _packed_backend(model, data, background)
        self._positivity = positivity_lower_bounds(model)
        start = np.ones(self.npar)
        if not math.isfinite(self._negative_log_likelihood(start, *self._select())):
            raise InvalidInput(
                "the callable inputs give an invalid model at the start point "
                "(all parameters 1)"
            )

    # -- layout ---------------------------------------------------------------

    @property
    def npar(self):
        """``1 + n_signal_parameters (+ N nuisances)``."""
        return 1 + self._nsp + (self._n_bins if self._has_nuisances else 0)

    @property
    def is_alive(self):
        """True for a callable signal, else whether any yield is positive."""
        if callable(self._signal):
            return True
        return bool(np.any(self._signal > 0))

    def minimum_poi(self):
        """``-inf`` for a callable signal, else ``-min(b_i / s_i)``."""
        if callable(self._signal):
            return -math.inf
        positive = self._signal > 0
        if not np.any(positive):
            return -math.inf
        return float(-np.min(self._background[positive] / self._signal[positive]))

    def config(self, allow_negative_signal=True, poi_upper_bound=10.0):
        """Parameters ``[mu, signal_par_*..., theta_bkg_*...]``, all starting at 1."""
        minimum_poi = self.minimum_poi()
        low = minimum_poi if allow_negative_signal else 0.0
        bounds = [(low, float(poi_upper_bound))] + list(self._signal_bounds)
        names = ["mu"] + [f"signal_par_{k}" for k in range(self._nsp)]
        if self._has_nuisances:
            bounds += [(None, None)] * self._n_bins
            names += [f"theta_bkg_{i}" for i in range(self._n_bins)]
        return ModelConfig(
            poi_index=0,
            minimum_poi=minimum_poi,
            suggested_init=[1.0] * self.npar,
            suggested_bounds=bounds,
            parameter_names=names,
        )

    def nuisance_lower_bounds(self):
        """Lower bounds of all parameters keeping the background >= 0.

        See :func:`nbspey.fits.positivity_lower_bounds`; ``-inf`` for the POI
        and the signal parameters. The fits apply them.
        """
        bounds = np.full(self.npar, -np.inf)
        bounds[1 + self._nsp : 1 + self._nsp + self._positivity.shape[0]] = (
            self._positivity
        )
        return bounds

    def compiled_fit(self, expected, data, start, lower, upper, fixed):
        """The fit in compiled code, for a numba-compiled signal function.

        Returns the :class:`~nbspey.numerics.trust_region.MinimizeResult` of
        :func:`nbspey.fits.fit_with_signal_function`, or None when the model
        needs the Python route (a plain Python callable, callable widths or
        covariance).
        """
        if not isinstance(self._signal, Dispatcher) or self._rebuild is not None:
            return None
        main, auxiliary = self._select(expected, data)
        return fit_with_signal_function(
            self._signal,
            self._model,
            main,
            auxiliary,
            self._nsp,
            np.asarray(start, dtype=np.float64),
            np.asarray(lower, dtype=np.float64),
            np.asarray(upper, dtype=np.float64),
            np.asarray(fixed, dtype=np.bool_),
            DEFAULT_OPTIONS,
        )

    # -- evaluation -------------------------------------------------------------

    def _select(self, expected=ExpectationType.observed, data=None):
        return self._packed.select_data(expected, data)

    def _signal_at(self, pars):
        if not callable(self._signal):
            return self._signal
        values = np.asarray(
            self._signal(pars[1 : 1 + self._nsp]), dtype=np.float64
        ).reshape(-1)
        if values.shape[0] != self._n_bins or not np.all(np.isfinite(values)):
            raise InvalidInput(
                f"signal_yields: the callable returned {values!r} at signal "
                f"parameters {pars[1 : 1 + self._nsp]!r}; expected "
                f"{self._n_bins} finite values"
            )
        return values

    def _model_at(self, pars):
        """``(packed model, kernel parameters)`` at ``pars``; None if invalid."""
        pars = self._parameters(pars)
        signal = self._signal_at(pars)
        if self._rebuild is not None:
            try:
                model = self._rebuild(pars, signal)
            except InvalidInput:
                return None, None
        else:
            vectors = self._model.vectors.copy()
            vectors[SIGNAL] = signal
            model = self._model._replace(vectors=vectors)
        inner = np.concatenate([pars[:1], pars[1 + self._nsp :]])
        return model, inner

    def _parameters(self, pars):
        values = np.asarray(pars, dtype=np.float64).reshape(-1)
        if values.shape[0] != self.npar:
            raise InvalidInput(
                f"pars has {values.shape[0]} entries; this model has {self.npar} "
                "parameters"
            )
        return values

    def _negative_log_likelihood(self, pars, main, auxiliary):
        model, inner = self._model_at(pars)
        if model is None:
            return math.inf
        return float(kernels.negative_log_likelihood(model, main, auxiliary, inner))

    def _gradient(self, pars, main, auxiliary):
        """``(NLL, gradient)``, chained through the callables' derivatives."""
        pars = self._parameters(pars)
        model, inner = self._model_at(pars)
        if model is None:
            return math.inf, np.full(self.npar, np.nan)
        inner_gradient = np.zeros(inner.shape[0])
        value = kernels.nll_gradient(model, main, auxiliary, inner, inner_gradient)
        gradient = np.zeros(self.npar)
        gradient[0] = inner_gradient[0]
        gradient[1 + self._nsp :] = inner_gradient[1:]
        if self._nsp and callable(self._signal):
            rates = np.zeros(self._n_bins)
            kernels.rate_gradient(model, main, inner, rates)
            jacobian = self._signal_jacobian(pars[1 : 1 + self._nsp])
            gradient[1 : 1 + self._nsp] += pars[0] * (rates @ jacobian)
        if self._widths is not None:
            gradient += self._width_term(model, main, inner, pars)
        if self._covariance is not None:
            gradient += self._covariance_term(model, main, inner, pars)
        return float(value), gradient

    def _signal_jacobian(self, psi):
        """``ds_i / dpsi_k``, from ``signal.jacobian`` or central differences."""
        provided = getattr(self._signal, "jacobian", None)
        if provided is not None:
            jacobian = np.asarray(provided(psi), dtype=np.float64)
            if jacobian.shape != (self._n_bins, self._nsp):
                raise InvalidInput(
                    f"signal_yields.jacobian returned shape {jacobian.shape}; "
                    f"expected {(self._n_bins, self._nsp)}"
                )
            return jacobian
        return _central_jacobian(
            lambda x: np.asarray(self._signal(x), dtype=np.float64).reshape(-1), psi
        )

    def _width_term(self, model, main, inner, pars):
        """``sum_i dNLL/dsigma_i dsigma_i/dp_k`` for callable widths."""
        rates = np.zeros(self._n_bins)
        kernels.expected_counts(model, inner, rates)
        sigma = model.vectors[MAIN_SCALE]
        derivative = 1.0 / sigma - (main - rates) ** 2 / sigma**3
        jacobian = _central_jacobian(
            lambda x: np.asarray(self._widths(x), dtype=np.float64).reshape(-1), pars
        )
        return derivative @ jacobian

    def _covariance_term(self, model, main, inner, pars):
        """``-v^T P dSigma P v / 2 + tr(P dSigma) / 2`` for a callable covariance."""
        rates = np.zeros(self._n_bins)
        kernels.expected_counts(model, inner, rates)
        precision = model.matrices[MAIN_PRECISION]
        weighted = precision @ (main - rates)
        term = np.zeros(self.npar)
        for k in range(self.npar):
            step = _STEP * max(1.0, abs(pars[k]))
            up, down = pars.copy(), pars.copy()
            up[k] += step
            down[k] -= step
            change = (
                np.asarray(self._covariance(up), dtype=np.float64)
                - np.asarray(self._covariance(down), dtype=np.float64)
            ) / (2.0 * step)
            term[k] = -0.5 * weighted @ change @ weighted + 0.5 * np.sum(
                precision * change.T
            )
        return term

    def get_logpdf_func(self, expected=ExpectationType.observed, data=None):
        """``pars -> ln L``."""
        main, auxiliary = self._select(expected, data)

        def logpdf(pars):
            return -self._negative_log_likelihood(pars, main, auxiliary)

        return logpdf

    def get_objective_function(
        self, expected=ExpectationType.observed, data=None, do_grad=True
    ):
        """``pars -> (NLL, gradient)``, or the NLL alone without ``do_grad``."""
        main, auxiliary = self._select(expected, data)
        if not do_grad:
            return lambda pars: self._negative_log_likelihood(pars, main, auxiliary)
        return lambda pars: self._gradient(pars, main, auxiliary)

    def get_hessian_logpdf_func(self, expected=ExpectationType.observed, data=None):
        """``pars -> Hessian of ln L``, by central differences of the gradient."""
        main, auxiliary = self._select(expected, data)

        def hessian(pars):
            pars = self._parameters(pars)
            matrix = np.zeros((self.npar, self.npar))
            for k in range(self.npar):
                step = _HESSIAN_STEP * max(1.0, abs(pars[k]))
                up, down = pars.copy(), pars.copy()
                up[k] += step
                down[k] -= step
                matrix[k] = (
                    self._gradient(up, main, auxiliary)[1]
                    - self._gradient(down, main, auxiliary)[1]
                ) / (2.0 * step)
            return -0.5 * (matrix + matrix.T)

        return hessian

    def expected_data(self, pars, include_auxiliary=True):
        """Expectations at ``pars``, then auxiliary entries (zeros) if any."""
        model, inner = self._model_at(pars)
        if model is None:
            raise InvalidInput(f"the model is not valid at pars {pars!r}")
        packed = _packed_backend(model, self._data, self._background)
        return packed.expected_data(inner, include_auxiliary)

    def get_sampler(self, pars):
        """The sampler of the packed model at ``pars`` (main and auxiliary data)."""
        model, inner = self._model_at(pars)
        if model is None:
            raise InvalidInput(f"the model is not valid at pars {pars!r}")
        return _packed_backend(model, self._data, self._background).get_sampler(inner)
