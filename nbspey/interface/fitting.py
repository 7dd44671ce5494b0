"""Profile-likelihood fits of a statistical model.

Built-in backends are fitted by the compiled fit of their packed model
(:func:`nbspey.fits.fit`); backends written in plain Python go through
:func:`nbspey.numerics.minimize_python`, the same trust-region iteration
driven from Python with the backend's own objective (analytic gradient and
Hessian when the backend has them, finite differences and quasi-Newton
otherwise). Either way a fit:

* starts from a copy of ``init_pars`` or ``suggested_init``, so nothing shared
  is modified;
* holds fixed parameters by mask;
* keeps the background of the built-in models non-negative through bounds on
  the nuisances;
* in a free fit, enlarges the upper bound of the POI tenfold while the
  optimum sits on it, so the true maximum is found (unless the caller gave
  ``poi_upper_bound``);
* reports failure with a :class:`~nbspey.system.exceptions.FitFailedWarning`.
"""

import dataclasses
import math
import warnings
from collections import namedtuple

import numpy as np

from nbspey.backends.packed_backend import PackedBackend
from nbspey.fits import FitProblem, free_fit, poi_growth_limit
from nbspey.numerics.minimize import DEFAULT_OPTIONS, minimize_python
from nbspey.numerics.trust_region import status_message
from nbspey.system.exceptions import FitFailedWarning, InvalidInput

__all__ = ["FitOutcome", "profile_fit"]

FitOutcome = namedtuple("FitOutcome", ["parameters", "nll", "status", "message"])
FitOutcome.__doc__ = """Result of a profile fit: the point, the NLL there, the
minimiser's status (positive when converged) and its meaning."""

# Growth of the POI bound of free fits on the Python route (the compiled fits
# grow it in nbspey.fits.free_fit).
_POI_GROWTH = 10.0


def _bounds_arrays(bounds):
    lower = np.array([-np.inf if low is None else low for low, _ in bounds], float)
    upper = np.array([np.inf if high is None else high for _, high in bounds], float)
    return lower, upper


def _start(config, init_pars):
    start = np.array(config.suggested_init if init_pars is None else init_pars, float)
    if start.shape != (config.npar,):
        raise InvalidInput(
            f"init_pars has {start.shape[0]} entries; the model has {config.npar} "
            "parameters"
        )
    return start


def _compiled_fit(backend, main, auxiliary, start, lower, upper, fixed, limit):
    problem = FitProblem(start, lower, upper, fixed, limit)
    result = free_fit(backend.packed_model, main, auxiliary, problem, _OPTIONS)
    return result.x, float(result.value), int(result.status)


_OPTIONS = DEFAULT_OPTIONS


def _python_fit(backend, expected, data, start, lower, upper, fixed):
    compiled = getattr(backend, "compiled_fit", None)
    result = (
        None
        if compiled is None
        else compiled(expected, data, start, lower, upper, fixed)
    )
    if result is not None:
        return result.x, float(result.value), int(result.status)
    # A backend without a gradient or Hessian raises NotImplementedError when
    # the function is requested (BackendBase's defaults), not when it is called.
    try:
        objective = backend.get_objective_function(expected=expected, data=data)
        jac = True
    except NotImplementedError:
        objective = backend.get_objective_function(
            expected=expected, data=data, do_grad=False
        )
        jac = None
    try:
        logpdf_hessian = backend.get_hessian_logpdf_func(expected=expected, data=data)

        def hess(pars):
            return -np.asarray(logpdf_hessian(pars), dtype=float)

    except NotImplementedError:
        hess = None
    result = minimize_python(objective, start, lower, upper, fixed, jac=jac, hess=hess)
    return result.x, float(result.value), int(result.status)


def profile_fit(
    statistical_model,
    expected,
    data=None,
    fixed_values=None,
    allow_negative_signal=True,
    init_pars=None,
    par_bounds=None,
    poi_upper_bound=None,
):
    """Minimise the NLL, with the parameters in ``fixed_values`` held fixed.

    Parameters
    ----------
    statistical_model : StatisticalModel
    expected : ExpectationType, str or bool
        Which data to fit; an explicit ``data`` wins.
    data : array_like, optional
    fixed_values : dict, optional
        ``{parameter index: value}`` held fixed (the POI for a conditional
        fit).
    allow_negative_signal : bool
        POI lower bound ``minimum_poi`` (True) or 0.
    init_pars, par_bounds : optional
        Start point and bounds replacing the backend's suggestions.
    poi_upper_bound : float, optional
        A fixed POI upper bound; without it, a free fit enlarges the bound
        until the optimum is inside.

    Returns
    -------
    FitOutcome
    """
    backend = statistical_model.backend
    config = backend.config(
        allow_negative_signal=allow_negative_signal,
        poi_upper_bound=10.0 if poi_upper_bound is None else poi_upper_bound,
    )
    start = _start(config, init_pars)
    if init_pars is None and isinstance(backend, PackedBackend):
        # The compiled tests' start point (nuisances at 0; see fit_problem).
        start = backend.fit_problem().start.copy()
    bounds = config.suggested_bounds if par_bounds is None else list(par_bounds)
    if len(bounds) != config.npar:
        raise InvalidInput(
            f"par_bounds has {len(bounds)} entries; the model has {config.npar} "
            "parameters"
        )
    fixed_values = dict(fixed_values or {})
    if fixed_values:
        with_bounds = dataclasses.replace(config, suggested_bounds=bounds)
        bounds = with_bounds.fixed_poi_bounds_multi(fixed_values)
    lower, upper = _bounds_arrays(bounds)
    # The built-in models keep their background non-negative through bounds
    # on the nuisances (the positivity constraints of the simplified
    # likelihoods), whichever route fits them.
    nuisance_bounds = getattr(backend, "nuisance_lower_bounds", None)
    if nuisance_bounds is not None:
        lower = np.maximum(lower, nuisance_bounds())
    fixed = np.zeros(config.npar, dtype=np.bool_)
    if config.suggested_fixed is not None:
        fixed |= np.array(config.suggested_fixed, dtype=np.bool_)
    for index, value in fixed_values.items():
        start[index] = value
        fixed[index] = True
        # A fixed value never moves; its bounds only need to contain it.
        lower[index] = min(lower[index], value)
        upper[index] = max(upper[index], value)

    poi = config.poi_index
    grows = (
        poi_upper_bound is None
        and par_bounds is None
        and not fixed[poi]
        and math.isfinite(upper[poi])
    )
    limit = _poi_growth_limit(backend) if grows else upper[poi]
    if isinstance(backend, PackedBackend):
        main, auxiliary = backend.select_data(expected, data)
        parameters, nll, status = _compiled_fit(
            backend, main, auxiliary, start, lower, upper, fixed, limit
        )
    else:
        parameters, nll, status = _python_fit(
            backend, expected, data, start, lower, upper, fixed
        )
        while status > 0 and parameters[poi] >= upper[poi] and upper[poi] < limit:
            upper = upper.copy()
            upper[poi] = min(max(upper[poi], 1.0) * _POI_GROWTH, limit)
            parameters, nll, status = _python_fit(
                backend, expected, data, start, lower, upper, fixed
            )

    message = status_message(status)
    if status <= 0:
        warnings.warn(
            f"the fit of {statistical_model.analysis} did not converge: {message}",
            FitFailedWarning,
            stacklevel=3,
        )
    outcome = FitOutcome(parameters, nll, status, message)
    statistical_model.last_fit_status = outcome
    return outcome


def _poi_growth_limit(backend):
    """The POI at which the signal dwarfs data and background."""
    parts = [getattr(backend, name, None) for name in _YIELD_ATTRIBUTES]
    if any(part is None for part in parts):
        return 1e5
    return poi_growth_limit(*parts)


_YIELD_ATTRIBUTES = ("signal_yields", "data", "background_yields")
