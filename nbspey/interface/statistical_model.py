"""``StatisticalModel``: a backend with its analysis name and cross section.

The model's fits are here: ``maximize_likelihood`` (the free fit, or a
conditional one with ``fixed_poi_value``), ``likelihood`` (the profile fit at
a fixed POI), their Asimov counterparts and the sampler at a fixed POI. The
hypothesis tests come from
:class:`~nbspey.base.hypotest_base.HypothesisTestingBase`; for the built-in
backends each test is one call into compiled code
(:mod:`nbspey.hypothesis_testing.compiled`), for other backends the generic
route of the base class runs one fit per method call.
"""

import math
import numbers
import time
import warnings

import numpy as np

from nbspey.backends.packed_backend import PackedBackend
from nbspey.base.backend_base import BackendBase
from nbspey.base.hypotest_base import HypothesisTestingBase
from nbspey.hypothesis_testing import compiled, toys
from nbspey.hypothesis_testing.asimov import (
    ASIMOV_ZERO,
    STANDARD_ASIMOV,
    asimov_code,
)
from nbspey.hypothesis_testing.test_statistics import Q0, QMU, statistic_code
from nbspey.hypothesis_testing.toy_calculator import ToyResult
from nbspey.interface.fitting import FitOutcome, profile_fit
from nbspey.likelihood.packed import KIND_MAIN, MAIN_POISSON
from nbspey.numerics.minimize import DEFAULT_OPTIONS
from nbspey.numerics.trust_region import status_message
from nbspey.progress import Progress
from nbspey.system.exceptions import (
    CombinerNotAvailable,
    FitFailedWarning,
    MethodNotAvailable,
)
from nbspey.utils import ExpectationType

__all__ = ["StatisticalModel"]

# spey's minimiser options: accepted for compatibility; nbspey's own
# trust-region minimiser does not use them.
_SPEY_FIT_OPTIONS = {
    "minimizer",
    "method",
    "maxiter",
    "tol",
    "disp",
    "ntrials",
    "errordef",
    "strategy",
    "constraints",
    "do_grad",
    "hessian",
}


def _check_options(options):
    for key in options:
        if key not in _SPEY_FIT_OPTIONS:
            warnings.warn(f"{key} is not a valid option.", UserWarning, stacklevel=3)


_OPTIONS = DEFAULT_OPTIONS

# Options that make a test take the generic route (the compiled tests use the
# backend's default start point and bounds).
_GENERIC_ONLY = {"init_pars", "par_bounds"}

# Toys are computed in chunks sized to take about this long, so the progress
# bar moves and an interruption loses little.
_CHUNK_SECONDS = 0.25
_FIRST_TOY_CHUNK = 256


def _next_chunk(count, elapsed):
    """Toys in the next chunk, aiming at ``_CHUNK_SECONDS`` per chunk."""
    if elapsed <= 0:
        return 4 * count
    return int(min(max(count * _CHUNK_SECONDS / elapsed, 64), 4 * count, 1 << 20))


_CALCULATOR_CODES = {
    "asymptotic": compiled.ASYMPTOTIC,
    "chi_square": compiled.CHI_SQUARE,
}


def _fast_path(method, *args, **kwargs):
    """Call a backend's fast path; ``NotImplemented`` marker when it has none."""
    try:
        return method(*args, **kwargs)
    except NotImplementedError:
        return NotImplemented


class StatisticalModel(HypothesisTestingBase):
    """A statistical model: a backend plus the analysis it describes.

    Parameters
    ----------
    backend : BackendBase
        The likelihood.
    analysis : str
        A name for the analysis (used to tell models apart in combinations).
    xsection : float, optional
        The signal cross section, for limits on the cross section.
    ntoys : int, optional
        Default number of toys of the toy calculator.

    Attributes
    ----------
    last_fit_status : FitOutcome or None
        Point, NLL, status and message of the most recent fit.
    construction : dict or None
        ``{"backend": name, argument: value...}`` when the model was built by
        a factory of :func:`nbspey.get_backend` (used by :mod:`nbspey.io`).
    """

    def __init__(self, backend, analysis, xsection=math.nan, ntoys=1000):
        if not isinstance(backend, BackendBase):
            raise TypeError(
                f"backend must be a BackendBase instance; got {type(backend).__name__}"
            )
        self._backend = backend
        self.analysis = str(analysis)
        self.xsection = float(xsection)
        self.ntoys = int(ntoys)
        self.last_fit_status = None
        self.construction = None
        self._asimov_cache = {}

    @property
    def backend(self):
        """The backend object."""
        return self._backend

    @property
    def backend_type(self):
        """The registry name of the backend."""
        return getattr(self._backend, "name", type(self._backend).__name__)

    @property
    def config(self):
        """The backend's ``config`` method (call it: ``model.config()``)."""
        return self._backend.config

    @property
    def is_alive(self):
        """Whether the signal can change the likelihood."""
        return self._backend.is_alive

    def __repr__(self):
        cross_section = ""
        if not math.isnan(self.xsection):
            cross_section = f"xsection={self.xsection:.3e} [au], "
        return (
            f"StatisticalModel(analysis='{self.analysis}', {cross_section}"
            f"backend={self.backend_type}, calculators={self.available_calculators})"
        )

    @property
    def is_asymptotic_calculator_available(self):
        """True when the backend gives expected data (for Asimov data)."""
        return _overrides(self._backend, "expected_data")

    @property
    def is_toy_calculator_available(self):
        """True when the backend can draw pseudo-data."""
        return _overrides(self._backend, "get_sampler")

    @property
    def compiled(self):
        """The model in the form users' ``@njit`` code takes (:mod:`nbspey.numba_api`).

        A fresh :class:`~nbspey.numba_api.CompiledModel` (arrays copied), for
        models of built-in backends and their joint combinations.

        Raises
        ------
        MethodNotAvailable
            For backends written in Python.
        """
        from nbspey.numba_api import compiled_model

        if not isinstance(self._backend, PackedBackend):
            raise MethodNotAvailable(
                f"{self.backend_type} is not a built-in backend; it has no compiled "
                "form"
            )
        return compiled_model(self._backend)

    # -- combination -----------------------------------------------------------

    def combine(self, other, **kwargs):
        """A model of the combined likelihood of this model and ``other``.

        For built-in backends this is one joint likelihood fitted as a whole
        (:class:`~nbspey.backends.joint.JointBackend`).

        Raises
        ------
        CombinerNotAvailable
            When the backend cannot combine with ``other``.
        """
        if not isinstance(other, StatisticalModel):
            raise TypeError(f"can not combine with {type(other).__name__}")
        try:
            combined = self._backend.combine(other.backend, **kwargs)
        except NotImplementedError as error:
            raise CombinerNotAvailable(
                f"{self.backend_type} backend does not have a combination routine."
            ) from error
        if not isinstance(combined, BackendBase):
            raise AssertionError("Invalid combination operation.")
        return StatisticalModel(
            backend=combined, analysis=f"combine[{self.analysis}, {other.analysis}]"
        )

    def __matmul__(self, other):
        return self.combine(other)

    # -- compiled route ------------------------------------------------------

    def _runs_compiled(self, kwargs):
        """Whether a test can run as one compiled call."""
        if not isinstance(self._backend, PackedBackend):
            return False
        _check_options({key: 0 for key in kwargs if key not in _GENERIC_ONLY})
        return not _GENERIC_ONLY.intersection(kwargs)

    def _report(self, status, what):
        """Record the status of a compiled test and warn if a fit failed."""
        message = status_message(status)
        self.last_fit_status = FitOutcome(None, math.nan, int(status), message)
        if status <= 0:
            warnings.warn(
                f"a fit of {what} for {self.analysis} did not converge: {message}",
                FitFailedWarning,
                stacklevel=4,
            )

    def _exclusion_levels(self, mu, fixed, expected, code, calculator, asimov, kwargs):
        if not self._runs_compiled(kwargs):
            return super()._exclusion_levels(
                mu, fixed, expected, code, calculator, asimov, kwargs
            )
        backend = self._backend
        main, auxiliary = backend.select_data(expected, None)
        levels, status, valid = compiled.exclusion_test(
            backend.packed_model,
            main,
            auxiliary,
            backend.fit_problem(code == QMU),
            mu,
            code,
            _CALCULATOR_CODES[calculator],
            asimov_code(asimov),
            _OPTIONS,
        )
        self._report(status, "the exclusion test")
        return levels, valid

    def _discovery_values(self, expected, asimov, kwargs):
        if not self._runs_compiled(kwargs):
            return super()._discovery_values(expected, asimov, kwargs)
        backend = self._backend
        main, auxiliary = backend.select_data(expected, None)
        values, status = compiled.discovery_test(
            backend.packed_model,
            main,
            auxiliary,
            backend.fit_problem(False),
            asimov_code(asimov),
            _OPTIONS,
        )
        self._report(status, "the discovery test")
        return values

    def _upper_limits(self, expected, indices, confidence_level, low, high, asimov):
        if not isinstance(self._backend, PackedBackend):
            return super()._upper_limits(
                expected, indices, confidence_level, low, high, asimov
            )
        backend = self._backend
        main, auxiliary = backend.select_data(expected, None)
        limits, statuses, status = compiled.upper_limits(
            backend.packed_model,
            main,
            auxiliary,
            backend.fit_problem(False),
            indices,
            confidence_level,
            low,
            high,
            asimov_code(asimov),
            _OPTIONS,
        )
        self._report(status, "the upper limit")
        return limits, statuses

    def _toy_result(self, mu, fixed, expected, code, ntoys, seed, first_toy, verbose):
        if not isinstance(self._backend, PackedBackend):
            return super()._toy_result(
                mu, fixed, expected, code, ntoys, seed, first_toy, verbose
            )
        backend = self._backend
        model = backend.packed_model
        main, auxiliary = backend.select_data(expected, None)
        problem = backend.fit_problem(code == QMU)
        observed, status = toys.observed_statistic(
            model, main, auxiliary, problem, mu, code, _OPTIONS
        )
        self._report(status, "the observed test statistic")
        main_factor, constraint_factor = backend.sampling_factors()
        progress = Progress(2 * ntoys, "toys", verbose)
        samples = [np.full(ntoys, np.nan), np.full(ntoys, np.nan)]
        done = [0, 0]
        result = None
        try:
            for kind, value in (
                (toys.SIGNAL_SAMPLE, mu),
                (toys.BACKGROUND_SAMPLE, 0.0),
            ):
                sampling, status = toys.sampling_parameters(
                    model, main, auxiliary, problem, value, _OPTIONS
                )
                self._report(status, "the sampling fit")
                chunk = _FIRST_TOY_CHUNK
                while done[kind] < ntoys:
                    count = min(chunk, ntoys - done[kind])
                    start = time.perf_counter()
                    statistics, statuses = toys.toy_statistics(
                        model,
                        sampling,
                        auxiliary,
                        main_factor,
                        constraint_factor,
                        problem,
                        mu,
                        code,
                        seed,
                        kind,
                        first_toy + done[kind],
                        count,
                        _OPTIONS,
                    )
                    statistics[statuses <= 0] = np.nan
                    samples[kind][done[kind] : done[kind] + count] = statistics
                    done[kind] += count
                    progress.update(done[0] + done[1])
                    elapsed = time.perf_counter() - start
                    chunk = _next_chunk(count, elapsed)
        finally:
            progress.close()
            runs = ((seed, first_toy, min(done)),)
            result = ToyResult(
                model=backend.digest(main, auxiliary),
                poi_test=mu,
                test_statistic="q" if code == QMU else "qtilde",
                expected=expected.name,
                observed=float(observed),
                signal=samples[0][: min(done)],
                background=samples[1][: min(done)],
                runs=runs,
            )
            self.last_toy_result = result
        return result

    def _limit_search_ceiling(self):
        if isinstance(self._backend, PackedBackend):
            return self._backend.fit_problem(False).poi_limit
        return super()._limit_search_ceiling()

    def maximize_likelihood(
        self,
        return_nll=True,
        expected=ExpectationType.observed,
        allow_negative_signal=True,
        data=None,
        init_pars=None,
        par_bounds=None,
        poi_indices=None,
        **kwargs,
    ):
        """Fit every parameter (or all but ``fixed_poi_value``) to the data.

        Returns
        -------
        tuple
            ``(mu_hat, value)`` with ``value`` the NLL, or the likelihood
            ``exp(-NLL)`` when ``return_nll`` is False; with ``poi_indices``
            (indices or names) the first entry is a dict of their values.
            Unlike spey, the POI is not capped at 10: the bound is enlarged
            while the optimum sits on it, unless ``poi_upper_bound`` is given.
        """
        fast = _fast_path(
            self._backend.minimize_negative_loglikelihood,
            expected=expected,
            allow_negative_signal=allow_negative_signal,
            **kwargs,
        )
        if fast is not NotImplemented:
            return fast
        fixed_poi_value = kwargs.pop("fixed_poi_value", None)
        poi_upper_bound = kwargs.pop("poi_upper_bound", None)
        _check_options(kwargs)
        config = self._backend.config()
        fixed = None
        if fixed_poi_value is not None:
            fixed = config.resolve_poi_indices(fixed_poi_value)
        outcome = profile_fit(
            self,
            expected,
            data=data,
            fixed_values=fixed,
            allow_negative_signal=allow_negative_signal,
            init_pars=init_pars,
            par_bounds=par_bounds,
            poi_upper_bound=poi_upper_bound,
        )
        value = outcome.nll if return_nll else math.exp(-outcome.nll)
        if poi_indices is None:
            return float(outcome.parameters[config.poi_index]), value
        selected = {}
        for key in poi_indices:
            index = key
            if isinstance(key, str):
                index = next(iter(config.resolve_poi_indices({key: 0.0})))
            selected[key] = float(outcome.parameters[index])
        return selected, value

    def likelihood(
        self,
        poi_test=1.0,
        expected=ExpectationType.observed,
        return_nll=True,
        data=None,
        return_parameters=False,
        init_pars=None,
        par_bounds=None,
        **kwargs,
    ):
        """The profile likelihood at ``poi_test``.

        ``poi_test`` is a value of the POI or ``{name or index: value}``.
        Returns the NLL at the profile fit (``exp(-NLL)`` when ``return_nll``
        is False), and the fitted parameters as well when
        ``return_parameters``. A one-parameter model is evaluated directly,
        without a fit.
        """
        fast = _fast_path(
            self._backend.negative_loglikelihood,
            poi_test=poi_test,
            expected=expected,
            **kwargs,
        )
        if fast is not NotImplemented:
            return fast
        if kwargs.pop("fixed_poi_value", None) is not None:
            warnings.warn(
                "fixed_poi_value is ignored by likelihood; use poi_test",
                UserWarning,
                stacklevel=2,
            )
        _check_options(kwargs)
        config = self._backend.config()
        if config.npar == 1 and isinstance(poi_test, numbers.Real):
            parameters = np.array([float(poi_test)])
            logpdf = self._backend.get_logpdf_func(expected=expected, data=data)
            nll = -float(logpdf(parameters))
        else:
            outcome = profile_fit(
                self,
                expected,
                data=data,
                fixed_values=config.resolve_poi_indices(poi_test),
                init_pars=init_pars,
                par_bounds=par_bounds,
            )
            parameters, nll = outcome.parameters, outcome.nll
        value = nll if return_nll else math.exp(-nll)
        if return_parameters:
            return value, parameters
        return value

    # -- Asimov data and sampling ---------------------------------------------

    def generate_asimov_data(
        self,
        expected=ExpectationType.observed,
        test_statistic="qtilde",
        init_pars=None,
        par_bounds=None,
        **kwargs,
    ):
        """Asimov data: the expected data at the profile fit at ``mu_A``.

        ``mu_A`` is 1 for ``test_statistic="q0"`` and 0 otherwise; the fit is
        to the data selected by ``expected``. With ``asimov="spey"`` (the
        default) auxiliary entries are 0; with ``asimov="standard"`` they are
        the fitted constrained nuisances. Results are cached per arguments
        and returned as copies.
        """
        convention = asimov_code(kwargs.pop("asimov", "spey"))
        if kwargs.pop("fixed_poi_value", None) is not None:
            warnings.warn(
                "fixed_poi_value is ignored by generate_asimov_data",
                UserWarning,
                stacklevel=2,
            )
        _check_options(kwargs)
        expected = ExpectationType.from_value(expected)
        code = statistic_code(test_statistic)
        key = _cache_key(expected, code, convention, init_pars, par_bounds)
        cached = self._asimov_cache.get(key) if key is not None else None
        if cached is not None:
            return cached.copy()
        config = self._backend.config()
        outcome = profile_fit(
            self,
            expected,
            fixed_values={config.poi_index: 1.0 if code == Q0 else 0.0},
            allow_negative_signal=code == QMU,
            init_pars=init_pars,
            par_bounds=par_bounds,
        )
        data = np.array(self._backend.expected_data(outcome.parameters), dtype=float)
        if isinstance(self._backend, PackedBackend):
            # As the compiled tests build them (nbspey.hypothesis_testing.asimov).
            bins = self._backend.packed_model.vectors.shape[1]
            if int(self._backend.packed_model.kinds[KIND_MAIN]) == MAIN_POISSON:
                main = data[:bins]
                main[main < ASIMOV_ZERO] = 0.0
        if convention == STANDARD_ASIMOV and isinstance(self._backend, PackedBackend):
            bins = self._backend.packed_model.vectors.shape[1]
            constrained = data.shape[0] - bins
            data[bins:] = outcome.parameters[1 : 1 + constrained]
        if key is not None:
            self._asimov_cache[key] = data.copy()
        return data

    def asimov_likelihood(
        self,
        poi_test=1.0,
        expected=ExpectationType.observed,
        return_nll=True,
        test_statistics="qtilde",
        init_pars=None,
        par_bounds=None,
        **kwargs,
    ):
        """The profile likelihood at ``poi_test`` on Asimov data.

        See :meth:`generate_asimov_data` (``asimov=`` is passed on) and
        :meth:`likelihood`.
        """
        fast = _fast_path(
            self._backend.asimov_negative_loglikelihood,
            poi_test=poi_test,
            expected=expected,
            test_statistics=test_statistics,
            **kwargs,
        )
        if fast is not NotImplemented:
            return fast
        asimov = kwargs.pop("asimov", "spey")
        data = self.generate_asimov_data(
            expected, test_statistics, init_pars, par_bounds, asimov=asimov
        )
        return self.likelihood(
            poi_test=poi_test,
            expected=expected,
            return_nll=return_nll,
            data=data,
            init_pars=init_pars,
            par_bounds=par_bounds,
            **kwargs,
        )

    def maximize_asimov_likelihood(
        self,
        return_nll=True,
        expected=ExpectationType.observed,
        test_statistics="qtilde",
        init_pars=None,
        par_bounds=None,
        poi_indices=None,
        **kwargs,
    ):
        """The free fit to Asimov data (POI >= 0 unless the statistic is ``q``).

        Returns ``(mu_hat, NLL)`` as :meth:`maximize_likelihood` does.
        """
        fast = _fast_path(
            self._backend.minimize_asimov_negative_loglikelihood,
            expected=expected,
            test_statistics=test_statistics,
            **kwargs,
        )
        if fast is not NotImplemented:
            return fast
        asimov = kwargs.pop("asimov", "spey")
        data = self.generate_asimov_data(
            expected, test_statistics, init_pars, par_bounds, asimov=asimov
        )
        return self.maximize_likelihood(
            return_nll=return_nll,
            expected=expected,
            allow_negative_signal=statistic_code(test_statistics) == QMU,
            data=data,
            init_pars=init_pars,
            par_bounds=par_bounds,
            poi_indices=poi_indices,
            **kwargs,
        )

    def fixed_poi_sampler(
        self,
        poi_test,
        size=None,
        expected=ExpectationType.observed,
        init_pars=None,
        par_bounds=None,
        **kwargs,
    ):
        """Pseudo-data drawn at the profile fit at ``poi_test``.

        Returns an array of ``size`` samples (main then auxiliary
        measurements), or the sampler itself when ``size`` is None. ``seed``
        makes the draws repeatable.

        Raises
        ------
        MethodNotAvailable
            When the backend has no sampler.
        """
        seed = kwargs.pop("seed", None)
        _check_options(kwargs)
        config = self._backend.config()
        if config.npar == 1 and isinstance(poi_test, numbers.Real):
            parameters = np.array([float(poi_test)])
        else:
            _, parameters = self.likelihood(
                poi_test=poi_test,
                expected=expected,
                return_parameters=True,
                init_pars=init_pars,
                par_bounds=par_bounds,
            )
        try:
            sampler = self._backend.get_sampler(parameters)
        except NotImplementedError as error:
            raise MethodNotAvailable(
                f"{self.backend_type} backend does not have sampling capabilities"
            ) from error
        if size is None:
            return sampler
        if seed is None:
            return sampler(int(size))
        try:
            return sampler(int(size), seed=seed)
        except TypeError:
            warnings.warn(
                f"the sampler of {self.backend_type} takes no seed; its draws "
                "are not repeatable",
                UserWarning,
                stacklevel=2,
            )
            return sampler(int(size))


def _overrides(backend, name):
    """Whether ``backend`` implements ``name`` beyond BackendBase's default."""
    return getattr(type(backend), name, None) is not getattr(BackendBase, name)


def _cache_key(expected, code, convention, init_pars, par_bounds):
    """A hashable key of Asimov-data arguments, or None when not cacheable."""
    try:
        pars = None if init_pars is None else tuple(float(x) for x in init_pars)
        bounds = None if par_bounds is None else tuple(map(tuple, par_bounds))
        key = (expected.name, code, convention, pars, bounds)
        hash(key)
    except TypeError:
        return None
    return key
