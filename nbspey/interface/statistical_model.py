"""``StatisticalModel``: a backend with its analysis name and cross section.

The model's fits are here: ``maximize_likelihood`` (the free fit, or a
conditional one with ``fixed_poi_value``) and ``likelihood`` (the profile fit
at a fixed POI). The hypothesis tests (CLs, limits, toys) build on them.
"""

import math
import numbers
import warnings

import numpy as np

from nbspey.base.backend_base import BackendBase
from nbspey.interface.fitting import profile_fit
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


def _fast_path(method, *args, **kwargs):
    """Call a backend's fast path; ``NotImplemented`` marker when it has none."""
    try:
        return method(*args, **kwargs)
    except NotImplementedError:
        return NotImplemented


class StatisticalModel:
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
            f"backend={self.backend_type})"
        )

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
