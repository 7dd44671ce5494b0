"""``UnCorrStatisticsCombiner``: independent analyses sharing ``mu``.

The combined NLL at fixed ``mu`` is the sum of the members' profiled NLLs
(each member keeps its own nuisances). Two routes compute it:

* **joint**: when every member is a built-in backend whose likelihood form
  fits one packed model, the combiner builds that joint model
  (:class:`~nbspey.backends.joint.JointBackend`) and hands every fit and
  test to it: one compiled fit over ``mu`` and all nuisances, which is the
  exact profile likelihood, and toys are available;
* **nested** (any other mixture, for example with plain-Python plugins):
  spey's scheme, an outer fit over ``mu`` of the sum of the members'
  profiled NLLs, each a profile fit of its member. At convergence both give
  the same optimum.

``sigma_mu`` keeps spey's Asimov formula ``mu / sqrt(q_A)`` on either
route, so its numbers agree with spey's.
"""

import math
import numbers
import warnings

import numpy as np

from nbspey.backends.joint import JointBackend
from nbspey.base.hypotest_base import HypothesisTestingBase
from nbspey.base.model_config import ModelConfig
from nbspey.interface.statistical_model import StatisticalModel
from nbspey.numerics.minimize import minimize_python
from nbspey.system.exceptions import (
    AnalysisQueryError,
    CombinerNotAvailable,
    FitFailedWarning,
    MethodNotAvailable,
    NegativeExpectedYields,
)
from nbspey.utils import ExpectationType

__all__ = ["UnCorrStatisticsCombiner"]

_POI_GROWTH = 10.0
_POI_LIMIT = 1e5


def _mu_of(poi_test):
    """The tested POI of a float, an array or ``{0 or 'mu': value}``."""
    if isinstance(poi_test, dict):
        values = [v for k, v in poi_test.items() if k in (0, "mu")]
        if len(values) != 1 or len(poi_test) != 1:
            raise ValueError(
                f"poi_test {poi_test!r}: a combination takes only the POI (index 0)"
            )
        return float(values[0])
    if isinstance(poi_test, np.ndarray):
        return float(poi_test.reshape(-1)[0])
    return float(poi_test)


class UnCorrStatisticsCombiner(HypothesisTestingBase):
    """Independent statistical models combined through their common POI.

    Parameters
    ----------
    *statistical_models : StatisticalModel
        Models with distinct ``analysis`` names.
    ntoys : int
        Number of toys of the toy calculator (joint route only).
    """

    def __init__(self, *statistical_models, ntoys=1000):
        self._models = []
        self.ntoys = int(ntoys)
        self.last_fit_status = None
        self._joint_model = None
        for model in statistical_models:
            self.append(model)

    # -- container ------------------------------------------------------------

    def append(self, statistical_model):
        """Add a model; its ``analysis`` name must be new."""
        if not isinstance(statistical_model, StatisticalModel):
            raise TypeError(f"Can not append type {type(statistical_model)}.")
        if statistical_model.analysis in self.analyses:
            raise AnalysisQueryError(f"{statistical_model.analysis} already exists.")
        self._models.append(statistical_model)
        self._joint_model = None

    def remove(self, analysis):
        """Remove the model of ``analysis``."""
        if analysis not in self.analyses:
            raise AnalysisQueryError(f"'{analysis}' is not among the analyses.")
        self._models = [m for m in self._models if m.analysis != analysis]
        self._joint_model = None

    @property
    def statistical_models(self):
        """The models, as a tuple."""
        return tuple(self._models)

    @property
    def analyses(self):
        """The analysis names, in order."""
        return [model.analysis for model in self._models]

    def items(self):
        """``(analysis, model)`` pairs."""
        return ((model.analysis, model) for model in self._models)

    def __len__(self):
        return len(self._models)

    def __iter__(self):
        return iter(self._models)

    def __getitem__(self, item):
        if isinstance(item, slice):
            return self._models[item]
        if isinstance(item, str):
            for model in self._models:
                if model.analysis == item:
                    return model
            raise AnalysisQueryError(f"'{item}' is not among the analyses.")
        if isinstance(item, numbers.Integral):
            if item >= len(self._models):
                raise AnalysisQueryError(
                    "Request exceeds number of statistical models available."
                )
            return self._models[item]
        raise TypeError(f"can not index a combiner with {type(item).__name__}")

    def __matmul__(self, other):
        models = list(self._models)
        if isinstance(other, StatisticalModel):
            models.append(other)
        elif isinstance(other, UnCorrStatisticsCombiner):
            models.extend(other.statistical_models)
        else:
            raise ValueError(
                f"Can not combine type<{type(other)}> with UnCorrStatisticsCombiner"
            )
        return UnCorrStatisticsCombiner(*models, ntoys=self.ntoys)

    def __repr__(self):
        return (
            f"UnCorrStatisticsCombiner(analyses={self.analyses}, "
            f"route={'joint' if self.joint_model is not None else 'nested'})"
        )

    def find_most_sensitive(self):
        """The model with the smallest expected excluded cross section."""
        return min(self._models, key=lambda model: model.s95exp)

    # -- properties -------------------------------------------------------------

    @property
    def minimum_poi(self):
        """The largest of the members' ``minimum_poi``."""
        if not self._models:
            raise ValueError("the combiner holds no statistical model")
        return max(model.backend.config().minimum_poi for model in self._models)

    @property
    def is_alive(self):
        """Whether any member's signal can change its likelihood."""
        return any(model.is_alive for model in self._models)

    @property
    def is_asymptotic_calculator_available(self):
        """All members provide Asimov data."""
        return all(m.is_asymptotic_calculator_available for m in self._models)

    @property
    def is_chi_square_calculator_available(self):
        """Always (fits only)."""
        return True

    @property
    def is_toy_calculator_available(self):
        """Toys need the joint model of built-in backends."""
        return (
            self.joint_model is not None
            and self.joint_model.is_toy_calculator_available
        )

    @property
    def joint_model(self):
        """The joint :class:`StatisticalModel` of the members, or None.

        None when some member is not a built-in backend or the forms do not
        fit one packed model; the combiner then uses nested fits.
        """
        if self._joint_model is None and self._models:
            try:
                backend = JointBackend([model.backend for model in self._models])
            except CombinerNotAvailable:
                self._joint_model = False
            else:
                names = ", ".join(self.analyses)
                self._joint_model = StatisticalModel(
                    backend, analysis=f"combine[{names}]", ntoys=self.ntoys
                )
        return self._joint_model or None

    # -- data of the joint model ------------------------------------------------

    def _joint_data(self, data):
        """A dict of member data as the joint data vector (None: nominal)."""
        if data is None:
            return None
        if not isinstance(data, dict):
            raise ValueError(
                "data of a combination is a dict {analysis name: data vector}"
            )
        unknown = set(data) - set(self.analyses)
        if unknown:
            raise AnalysisQueryError(f"{sorted(unknown)} are not among the analyses.")
        mains, auxiliaries = [], []
        for model in self._models:
            main, auxiliary = model.backend.select_data(
                ExpectationType.observed, data.get(model.analysis)
            )
            n_aux = model.backend.npar - 1
            mains.append(main)
            auxiliaries.append(auxiliary[:n_aux])
        return np.concatenate(mains + auxiliaries)

    def _test_config(self):
        minimum = self.minimum_poi
        return ModelConfig(0, minimum, [1.0], [(minimum, 10.0)])

    # -- fits ---------------------------------------------------------------------

    def likelihood(
        self,
        poi_test=1.0,
        expected=ExpectationType.observed,
        return_nll=True,
        data=None,
        statistical_model_options=None,
        **kwargs,
    ):
        """Sum of the members' profile NLLs at ``poi_test``.

        ``data`` is ``{analysis: data vector}``; missing analyses use their
        own data.
        """
        mu = _mu_of(poi_test)
        joint = self.joint_model
        if joint is not None and not statistical_model_options:
            nll = joint.likelihood(
                mu, expected=expected, data=self._joint_data(data), **kwargs
            )
            return nll if return_nll else math.exp(-nll)
        options = statistical_model_options or {}
        total = 0.0
        for model in self._models:
            member_data = None if data is None else data.get(model.analysis)
            try:
                value = model.likelihood(
                    mu,
                    expected=expected,
                    data=member_data,
                    **options.get(model.backend_type, {}),
                    **kwargs,
                )
            except NegativeExpectedYields as error:
                warnings.warn(
                    f"{error}\nSetting NLL({mu}) = nan", RuntimeWarning, stacklevel=2
                )
                return math.nan
            if math.isnan(value):
                return math.nan
            total += value
        return total if return_nll else math.exp(-total)

    def maximize_likelihood(
        self,
        return_nll=True,
        expected=ExpectationType.observed,
        allow_negative_signal=True,
        data=None,
        initial_muhat_value=None,
        par_bounds=None,
        statistical_model_options=None,
        poi_indices=None,
        **optimiser_options,
    ):
        """``(mu_hat, NLL_min)`` of the combination.

        The joint route fits ``mu`` and every nuisance together; the nested
        route fits ``mu`` with the members profiled at each step, starting
        from the inverse-variance weighted mean of the members' ``mu_hat``.
        The POI bound grows while the optimum lies on it.
        """
        joint = self.joint_model
        if joint is not None and not statistical_model_options and par_bounds is None:
            mu_hat, nll = joint.maximize_likelihood(
                expected=expected,
                allow_negative_signal=allow_negative_signal,
                data=self._joint_data(data),
            )
        else:
            mu_hat, nll = self._nested_fit(
                expected,
                allow_negative_signal,
                data,
                initial_muhat_value,
                par_bounds,
                statistical_model_options,
            )
        value = nll if return_nll else math.exp(-nll)
        if poi_indices is not None:
            return {key: mu_hat for key in poi_indices}, value
        return mu_hat, value

    def _initial_mu(self, expected):
        try:
            estimates = []
            for model in self._models:
                mu_hat, _ = model.maximize_likelihood(expected=expected)
                sigma = model.sigma_mu(mu_hat, expected=expected)
                estimates.append((mu_hat, sigma))
            weights = [1.0 / sigma**2 for _, sigma in estimates]
            return sum(
                m * w for (m, _), w in zip(estimates, weights, strict=True)
            ) / sum(weights)
        except (ValueError, ZeroDivisionError, MethodNotAvailable):
            return 0.0

    def _nested_fit(
        self, expected, allow_negative_signal, data, initial, par_bounds, options
    ):
        mu_start = self._initial_mu(expected) if initial is None else float(initial)
        if not math.isfinite(mu_start):
            mu_start = 0.0
        if par_bounds is not None:
            low, high = par_bounds[0]
            low = -math.inf if low is None else low
            high = math.inf if high is None else high
            grows = False
        else:
            low = self.minimum_poi if allow_negative_signal else 0.0
            high = max(10.0, mu_start)
            grows = True
        mu_start = min(max(mu_start, low), high)

        def objective(x):
            return self.likelihood(
                float(x[0]),
                expected=expected,
                data=data,
                statistical_model_options=options,
            )

        while True:
            result = minimize_python(
                objective, np.array([mu_start]), np.array([low]), np.array([high])
            )
            if not (grows and result.x[0] >= high and high < _POI_LIMIT):
                break
            mu_start, high = float(result.x[0]), min(high * _POI_GROWTH, _POI_LIMIT)
        if result.status <= 0:
            warnings.warn(
                "the outer fit of the combination did not converge",
                FitFailedWarning,
                stacklevel=3,
            )
        return float(result.x[0]), float(result.value)

    def generate_asimov_data(
        self,
        expected=ExpectationType.observed,
        test_statistic="qtilde",
        statistical_model_options=None,
        **kwargs,
    ):
        """``{analysis: Asimov data}`` of every member."""
        return {
            model.analysis: model.generate_asimov_data(
                expected=expected, test_statistic=test_statistic, **kwargs
            )
            for model in self._models
        }

    def asimov_likelihood(
        self,
        poi_test=1.0,
        expected=ExpectationType.observed,
        return_nll=True,
        test_statistics="qtilde",
        statistical_model_options=None,
        **kwargs,
    ):
        """The combined profile NLL on the members' Asimov data."""
        asimov = kwargs.pop("asimov", "spey")
        data = self.generate_asimov_data(expected, test_statistics, asimov=asimov)
        return self.likelihood(
            poi_test,
            expected=expected,
            return_nll=return_nll,
            data=data,
            statistical_model_options=statistical_model_options,
            **kwargs,
        )

    def maximize_asimov_likelihood(
        self,
        return_nll=True,
        expected=ExpectationType.observed,
        test_statistics="qtilde",
        initial_muhat_value=None,
        par_bounds=None,
        statistical_model_options=None,
        poi_indices=None,
        **optimiser_options,
    ):
        """The free fit of the combination to the members' Asimov data."""
        asimov = optimiser_options.pop("asimov", "spey")
        data = self.generate_asimov_data(expected, test_statistics, asimov=asimov)
        return self.maximize_likelihood(
            return_nll=return_nll,
            expected=expected,
            allow_negative_signal=test_statistics in ("q", "qmu"),
            data=data,
            initial_muhat_value=initial_muhat_value or 0.0,
            par_bounds=par_bounds,
            statistical_model_options=statistical_model_options,
            poi_indices=poi_indices,
        )

    def chi2_test(self, *args, parameter=None, **kwargs):
        """Chi-square interval on the POI (nuisances are not scanned here)."""
        if parameter is not None:
            raise NotImplementedError(
                "a combiner scans only the POI; scan a member's nuisance on the "
                "member's model"
            )
        return super().chi2_test(*args, **kwargs)

    def sigma_mu_from_hessian(self, poi_test, expected=ExpectationType.observed, **kw):
        """Not available: the combiner uses spey's Asimov estimate of sigma_mu."""
        raise MethodNotAvailable("the combiner estimates sigma_mu from Asimov data")

    # -- tests: the joint model when there is one -----------------------------

    def _exclusion_levels(self, mu, fixed, expected, code, calculator, asimov, kwargs):
        joint = self.joint_model
        if joint is not None:
            return joint._exclusion_levels(
                mu, fixed, expected, code, calculator, asimov, kwargs
            )
        return super()._exclusion_levels(
            mu, fixed, expected, code, calculator, asimov, kwargs
        )

    def _discovery_values(self, expected, asimov, kwargs):
        joint = self.joint_model
        if joint is not None:
            return joint._discovery_values(expected, asimov, kwargs)
        return super()._discovery_values(expected, asimov, kwargs)

    def _upper_limits(self, expected, indices, confidence_level, low, high, asimov):
        joint = self.joint_model
        if joint is not None:
            return joint._upper_limits(
                expected, indices, confidence_level, low, high, asimov
            )
        return super()._upper_limits(
            expected, indices, confidence_level, low, high, asimov
        )

    def _limit_search_ceiling(self):
        joint = self.joint_model
        return joint._limit_search_ceiling() if joint is not None else _POI_LIMIT

    def _toy_result(self, mu, fixed, expected, code, ntoys, seed, first_toy, verbose):
        joint = self.joint_model
        if joint is None:
            raise CombinerNotAvailable(
                "toys of a combination need a joint model of built-in backends"
            )
        return joint._toy_result(
            mu, fixed, expected, code, ntoys, seed, first_toy, verbose
        )
