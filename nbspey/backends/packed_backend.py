"""The ``BackendBase`` implementation shared by the seven built-in backends.

Each built-in backend validates its inputs into a
:class:`~nbspey.likelihood.packed.PackedModel` and inherits everything else
from :class:`PackedBackend`: the configuration of spey's parameter layout, the
data selection of ``expected``, the log-likelihood, its gradient and Hessian
from the compiled kernels, expected data and a sampler of main and auxiliary
measurements.
"""

import hashlib
import math

import numpy as np

from nbspey import __version__
from nbspey.base.backend_base import BackendBase
from nbspey.base.model_config import ModelConfig
from nbspey.fits import FitProblem, poi_growth_limit, positivity_lower_bounds
from nbspey.likelihood import kernels
from nbspey.likelihood.build import checked_vector
from nbspey.likelihood.packed import (
    CONSTRAINT_MVN,
    CONSTRAINT_NONE,
    CONSTRAINT_PRECISION,
    KIND_CONSTRAINT,
    KIND_MAIN,
    KIND_RATE,
    MAIN_MVN,
    MAIN_NORMAL,
    MAIN_POISSON,
    MAIN_PRECISION,
    MAIN_SCALE,
    RATE_NONE,
)
from nbspey.numerics import linalg
from nbspey.system.exceptions import InvalidInput
from nbspey.utils import ExpectationType

__all__ = ["PackedBackend", "SPEY_API_VERSION"]

SPEY_API_VERSION = "0.2.7"
"""The spey version whose API nbspey implements; ``spey_requires`` of a
backend is checked against it."""


def _covariance_factor(precision):
    """Cholesky factor of the covariance whose inverse is ``precision``."""
    covariance, info = linalg.inverse_spd(precision)
    factor, info = linalg.cholesky(covariance)
    return factor


class PackedBackend(BackendBase):
    """A backend whose likelihood is a packed model.

    Parameters
    ----------
    model : PackedModel
        The validated model.
    data : ndarray
        The observed main measurements.
    """

    version = __version__
    author = "nbspey developers"
    spey_requires = SPEY_API_VERSION
    doi = []
    arXiv = []
    zenodo = []

    def __init__(self, model, data):
        self._model = model
        self._data = data
        self._n_bins = model.vectors.shape[1]
        self._n_modifiers = model.modifiers.shape[1]
        self._has_nuisances = int(model.kinds[KIND_RATE]) != RATE_NONE
        constrained = int(model.kinds[KIND_CONSTRAINT]) != CONSTRAINT_NONE
        self._n_auxiliary = self._n_bins + self._n_modifiers if constrained else 0
        self._positivity = None
        self._problems = {}
        self._factors = None

    @property
    def packed_model(self):
        """The compiled representation (:class:`PackedModel`)."""
        return self._model

    @property
    def signal_yields(self):
        """Signal yields ``s`` (a copy)."""
        return self._model.vectors[0].copy()

    @property
    def background_yields(self):
        """Background yields ``b`` (a copy)."""
        return self._background.copy()

    @property
    def data(self):
        """Observed main measurements (a copy)."""
        return self._data.copy()

    @property
    def npar(self):
        """Number of parameters."""
        return kernels.parameter_count(self._model)

    @property
    def is_alive(self):
        """True when any bin has a positive signal yield."""
        return bool(np.any(self._model.vectors[0] > 0))

    def minimum_poi(self):
        """``-min(b_i / s_i)`` over bins with ``s_i > 0``; ``-inf`` without."""
        signal = self._model.vectors[0]
        positive = signal > 0
        if not np.any(positive):
            return -math.inf
        return float(-np.min(self._background[positive] / signal[positive]))

    def config(self, allow_negative_signal=True, poi_upper_bound=10.0):
        """Spey's parameter layout as a fresh :class:`ModelConfig`.

        Parameters ``[mu, theta...]``, all starting at 1; POI bounds
        ``(minimum_poi, poi_upper_bound)`` (lower bound 0 without negative
        signal); unbounded nuisances.
        """
        minimum_poi = self.minimum_poi()
        low = minimum_poi if allow_negative_signal else 0.0
        bounds = [(low, float(poi_upper_bound))]
        bounds += [(None, None)] * (self.npar - 1)
        return ModelConfig(
            poi_index=0,
            minimum_poi=minimum_poi,
            suggested_init=[1.0] * self.npar,
            suggested_bounds=bounds,
            parameter_names=self._parameter_names(),
        )

    @property
    def positivity_bounds(self):
        """Lower bounds on the nuisances that keep the background >= 0.

        See :func:`nbspey.fits.positivity_lower_bounds`; computed once.
        """
        if self._positivity is None:
            self._positivity = positivity_lower_bounds(self._model)
        return self._positivity

    def nuisance_lower_bounds(self):
        """Lower bounds of all parameters from :attr:`positivity_bounds`.

        ``-inf`` for the POI and the modifier parameters.
        """
        bounds = np.full(self.npar, -np.inf)
        positivity = self.positivity_bounds
        bounds[1 : 1 + positivity.shape[0]] = positivity
        return bounds

    def fit_problem(self, allow_negative_signal=True):
        """The :class:`~nbspey.fits.FitProblem` of spey's default fits.

        Start at ``mu = 1`` with the nuisances at their nominal 0, POI in
        ``(minimum_poi or 0, 10)`` with the upper bound free to grow in free
        fits, nuisances bounded below by :attr:`positivity_bounds`. Built
        once per setting; the compiled fits never modify it.

        spey starts every parameter at 1; a converged fit does not depend on
        the start, but from ``theta = 1`` the first step of a fit can land a
        small background on its positivity bound, where a bin with data has
        a logarithmic barrier no Newton step can climb out of. At
        ``theta = 0`` every background is at its nominal, positive value.
        """
        key = bool(allow_negative_signal)
        problem = self._problems.get(key)
        if problem is None:
            npar = self.npar
            lower = np.full(npar, -np.inf)
            upper = np.full(npar, np.inf)
            lower[0] = self.minimum_poi() if key else 0.0
            upper[0] = 10.0
            positivity = self.positivity_bounds
            lower[1 : 1 + positivity.shape[0]] = positivity
            limit = poi_growth_limit(
                self._model.vectors[0], self._data, self._background
            )
            start = np.zeros(npar)
            start[0] = 1.0
            problem = FitProblem(
                start, lower, upper, np.zeros(npar, dtype=np.bool_), limit
            )
            self._problems[key] = problem
        return problem

    def combine(self, other, **kwargs):
        """The joint likelihood of this and another built-in backend.

        See :class:`nbspey.backends.joint.JointBackend`.
        """
        from nbspey.backends.joint import JointBackend

        return JointBackend([self, other])

    def sampling_factors(self):
        """Lower Cholesky factors ``(main, constraint)`` used to draw samples.

        The main one factors the covariance of a multivariate-normal main
        term, the constraint one the correlation of an MVN constraint; an
        unused factor is an empty ``(0, 0)`` array. Computed once.
        """
        if self._factors is None:
            kinds = self._model.kinds
            empty = np.zeros((0, 0))
            main = empty
            if int(kinds[KIND_MAIN]) == MAIN_MVN:
                main = _covariance_factor(self._model.matrices[MAIN_PRECISION])
            constraint = empty
            if int(kinds[KIND_CONSTRAINT]) == CONSTRAINT_MVN:
                constraint = _covariance_factor(
                    self._model.matrices[CONSTRAINT_PRECISION]
                )
            self._factors = (main, constraint)
        return self._factors

    def digest(self, main, auxiliary):
        """A short hash identifying the model arrays and the given data."""
        hasher = hashlib.sha256()
        for array in (*self._model, main, auxiliary):
            hasher.update(np.ascontiguousarray(array).tobytes())
            hasher.update(str(array.shape).encode())
        return hasher.hexdigest()[:16]

    def _parameter_names(self):
        if not self._n_modifiers:
            return None
        names = ["mu"] + [f"theta_bkg_{i}" for i in range(self._n_bins)]
        return names + list(self._modifier_names)

    def select_data(self, expected, data):
        """``(main, auxiliary)`` data for ``expected`` and an optional ``data``.

        An explicit ``data`` wins; ``apriori`` uses the background yields;
        auxiliary values (constraint centres) are zeros unless ``data``
        carries them after the main measurements.
        """
        expected = ExpectationType.from_value(expected)
        auxiliary = np.zeros(max(self._n_auxiliary, self._n_bins))
        if data is None:
            if expected == ExpectationType.apriori:
                return self._background.copy(), auxiliary
            return self._data, auxiliary
        values = checked_vector("data", data)
        if values.shape[0] == self._n_bins:
            main = values
        elif self._n_auxiliary and values.shape[0] == self._n_bins + self._n_auxiliary:
            main = values[: self._n_bins]
            auxiliary = values[self._n_bins :].copy()
        else:
            lengths = f"{self._n_bins}"
            if self._n_auxiliary:
                lengths += (
                    f" or {self._n_bins + self._n_auxiliary} (with auxiliary data)"
                )
            raise InvalidInput(
                f"data has {values.shape[0]} entries; expected {lengths}"
            )
        if int(self._model.kinds[KIND_MAIN]) == MAIN_POISSON and np.any(main < 0):
            raise InvalidInput("data must be non-negative for Poisson counts")
        return main, auxiliary

    def _parameters(self, pars):
        values = np.asarray(pars, dtype=np.float64).reshape(-1)
        if values.shape[0] != self.npar:
            raise InvalidInput(
                f"pars has {values.shape[0]} entries; this model has {self.npar} "
                "parameters"
            )
        return np.ascontiguousarray(values)

    def get_logpdf_func(self, expected=ExpectationType.observed, data=None):
        """Return ``f(pars) -> ln L`` with every constant included."""
        main, auxiliary = self.select_data(expected, data)
        model = self._model

        def logpdf(pars):
            pars = self._parameters(pars)
            return -kernels.negative_log_likelihood(model, main, auxiliary, pars)

        return logpdf

    def get_objective_function(
        self, expected=ExpectationType.observed, data=None, do_grad=True
    ):
        """Return ``f(pars) -> (NLL, grad NLL)`` (analytic), or the NLL alone."""
        main, auxiliary = self.select_data(expected, data)
        model = self._model

        def objective(pars):
            pars = self._parameters(pars)
            if not do_grad:
                return kernels.negative_log_likelihood(model, main, auxiliary, pars)
            gradient = np.zeros(pars.shape[0])
            value = kernels.nll_gradient(model, main, auxiliary, pars, gradient)
            return value, gradient

        return objective

    def get_hessian_logpdf_func(self, expected=ExpectationType.observed, data=None):
        """Return ``f(pars) ->`` the analytic Hessian of ``ln L``."""
        main, auxiliary = self.select_data(expected, data)
        model = self._model

        def hessian(pars):
            pars = self._parameters(pars)
            size = pars.shape[0]
            gradient = np.zeros(size)
            matrix = np.zeros((size, size))
            kernels.nll_gradient_hessian(model, main, auxiliary, pars, gradient, matrix)
            return -matrix

        return hessian

    def expected_data(self, pars, include_auxiliary=True):
        """Expectations ``lambda(pars)``, then the auxiliary entries.

        Nuisance backends append the constraint means, which are zeros as in
        spey.
        """
        pars = self._parameters(pars)
        rates = np.zeros(self._n_bins)
        kernels.expected_counts(self._model, pars, rates)
        if include_auxiliary and self._n_auxiliary:
            return np.concatenate([rates, np.zeros(self._n_auxiliary)])
        return rates

    def get_sampler(self, pars):
        """Return ``sampler(n, include_auxiliary=True, seed=None)``.

        Main measurements are drawn from the main term at ``pars`` (Poisson,
        normal or multivariate normal); auxiliary measurements from the
        constraint centred at the nuisance values in ``pars``, so pseudo-data
        carry their own constraint centres. The result has shape
        ``(n, N + n_aux)``, or ``(n, N)`` without auxiliary data. ``seed``
        (an int or a ``numpy.random.Generator``) makes draws repeatable.
        """
        pars = self._parameters(pars)
        rates = np.zeros(self._n_bins)
        kernels.expected_counts(self._model, pars, rates)
        kinds = self._model.kinds
        main_kind = int(kinds[KIND_MAIN])
        main_factor = None
        if main_kind == MAIN_MVN:
            main_factor = _covariance_factor(self._model.matrices[MAIN_PRECISION])
        constraint_factor = None
        if int(kinds[KIND_CONSTRAINT]) == CONSTRAINT_MVN:
            constraint_factor = _covariance_factor(
                self._model.matrices[CONSTRAINT_PRECISION]
            )
        centres = pars[1:] if self._has_nuisances else np.zeros(0)
        widths = self._model.vectors[MAIN_SCALE]

        def sampler(number_of_samples, include_auxiliary=True, seed=None):
            generator = np.random.default_rng(seed)
            shape = (int(number_of_samples), self._n_bins)
            if main_kind == MAIN_POISSON:
                main = generator.poisson(rates, size=shape).astype(np.float64)
            elif main_kind == MAIN_NORMAL:
                main = rates + widths * generator.standard_normal(shape)
            else:
                main = rates + generator.standard_normal(shape) @ main_factor.T
            if not (include_auxiliary and self._n_auxiliary):
                return main
            unit = generator.standard_normal((shape[0], self._n_auxiliary))
            if constraint_factor is not None:
                background = unit[:, : self._n_bins] @ constraint_factor.T
                unit = np.concatenate([background, unit[:, self._n_bins :]], axis=1)
            return np.concatenate([main, centres + unit], axis=1)

        return sampler
