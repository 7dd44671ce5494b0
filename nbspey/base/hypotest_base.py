"""Hypothesis tests shared by every statistical model: CLs, limits, significance.

:class:`HypothesisTestingBase` implements spey's hypothesis-testing methods
(``exclusion_confidence_level``, ``poi_upper_limit``, ``significance``,
``chi2``, ``pull``, ``sigma_mu``) on top of five methods of the concrete
class: ``likelihood``, ``maximize_likelihood``, ``asimov_likelihood``,
``maximize_asimov_likelihood`` and ``generate_asimov_data``. This is the
generic route, used for backends written in plain Python: each fit is one
call of those methods.

A concrete class runs the same tests in compiled code by overriding the three
hooks :meth:`~HypothesisTestingBase._exclusion_levels`,
:meth:`~HypothesisTestingBase._discovery_values` and
:meth:`~HypothesisTestingBase._upper_limits`; the argument handling and the
spey return conventions stay here. The mathematics is that of
arXiv:1007.1727 (see :mod:`nbspey.hypothesis_testing`).
"""

import logging
import math
import numbers
import warnings

import numpy as np

from nbspey.hypothesis_testing.asimov import asimov_code
from nbspey.hypothesis_testing.asymptotic_calculator import (
    BAND_SHIFTS,
    asymptotic_confidence_levels,
    asymptotic_pvalue,
)
from nbspey.hypothesis_testing.intervals import HARD_LIMIT, chi_square_crossings
from nbspey.hypothesis_testing.test_statistics import (
    Q0,
    QMU,
    QMU_LEFT,
    QMU_TILDE,
    asymptotic_shift,
    statistic_code,
    statistic_value,
)
from nbspey.hypothesis_testing.toy_calculator import ToyResult
from nbspey.hypothesis_testing.upper_limits import LIMIT_FLOOR, solve_limit_python
from nbspey.numerics import linalg
from nbspey.numerics.roots import ROOT_CONVERGED
from nbspey.progress import Progress
from nbspey.system.exceptions import (
    CalculatorNotAvailable,
    FitFailedWarning,
    InvalidInput,
    MethodNotAvailable,
    UnknownCrossSection,
)
from nbspey.utils import ExpectationType

__all__ = [
    "HypothesisTestingBase",
    "LimitWarning",
    "AsimovTestStatZeroWarning",
    "ToyFitWarning",
]


# Entries of the levels for each expected_pvalue of poi_upper_limit (0 is the
# observed value, 1 to 5 the band in spey's order n = 2, 1, 0, -1, -2), in the
# ascending order of the returned limits.
_LIMIT_INDICES = {"nominal": (3,), "1sigma": (2, 3, 4), "2sigma": (1, 2, 3, 4, 5)}


_LOG = logging.getLogger("nbspey")


class LimitWarning(UserWarning):
    """An upper limit could not be found and is reported as ``inf``."""


class AsimovTestStatZeroWarning(UserWarning):
    """``q_A = 0``: the test is undefined and reported as not excluding."""


class ToyFitWarning(UserWarning):
    """Some toys had fits that failed; they are left out of the p-values."""


def _toy_seed(seed):
    """A validated seed, or a fresh one when ``seed`` is None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InvalidInput(f"seed must be a non-negative integer; got {seed!r}")
    if not 0 <= seed < 2**63:
        raise InvalidInput(f"seed must be in [0, 2**63); got {seed}")
    return int(seed)


def _check_options_toys(kwargs):
    """Toys take no fit options beyond spey's (accepted and unused)."""
    for key in kwargs:
        warnings.warn(f"{key} is not a valid option.", UserWarning, stacklevel=4)


def _poi_value(config, poi_test):
    """``(mu, fixed)``: the tested POI and the dict of values to hold fixed."""
    if isinstance(poi_test, dict):
        fixed = config.resolve_poi_indices(poi_test)
        if set(fixed) != {config.poi_index}:
            raise InvalidInput(
                f"poi_test {poi_test!r}: a hypothesis test takes only the POI "
                f"(index {config.poi_index}) in a dict"
            )
        return float(fixed[config.poi_index]), fixed
    if isinstance(poi_test, numbers.Real) and not isinstance(poi_test, bool):
        return float(poi_test), {config.poi_index: float(poi_test)}
    if isinstance(poi_test, np.ndarray) and poi_test.size >= 1:
        value = float(poi_test.reshape(-1)[0])
        return value, {config.poi_index: value}
    raise InvalidInput(f"poi_test must be a number or a dict; got {poi_test!r}")


def _at_zero(fixed):
    """The fixed values with the POI (the first entry) set to 0."""
    zero = dict(fixed)
    zero[next(iter(fixed))] = 0.0
    return zero


def _nuisance_index(config, parameter):
    """The index of a nuisance parameter given by index or name."""
    if config.npar < 2:
        raise ValueError("the model has no nuisance parameter to scan")
    if isinstance(parameter, str):
        names = config.parameter_names
        if names is None or parameter not in names:
            raise ValueError(f"unknown parameter name {parameter!r}")
        index = names.index(parameter)
    elif isinstance(parameter, numbers.Integral) and not isinstance(parameter, bool):
        index = int(parameter)
    else:
        raise ValueError(f"parameter must be an index or a name; got {parameter!r}")
    if not 0 <= index < config.npar:
        raise ValueError(
            f"parameter index {index} is out of range 0..{config.npar - 1}"
        )
    if index == config.poi_index:
        raise ValueError("parameter is the POI; use parameter=None to scan the POI")
    return index


def _select_levels(levels, expected, valid):
    """The values spey returns, from the six ``1 - p`` values."""
    if not valid:
        levels = np.zeros(6)
    observed = [float(levels[0])]
    band = [float(value) for value in levels[1:]]
    if expected == "all":
        return observed, band
    values = observed if expected == ExpectationType.observed else band
    return [0.0 if math.isnan(value) else value for value in values]


class HypothesisTestingBase:
    """spey's hypothesis tests on top of the fitting methods of a subclass."""

    ntoys = 1000

    # -- calculators ---------------------------------------------------------

    @property
    def is_asymptotic_calculator_available(self):
        """Whether Asimov data (hence the asymptotic calculator) are available."""
        return True

    @property
    def is_toy_calculator_available(self):
        """Whether the toy calculator is available."""
        return False

    @property
    def is_chi_square_calculator_available(self):
        """The chi-square calculator needs only fits: always available."""
        return True

    @property
    def available_calculators(self):
        """Calculators this model can use, in spey's order."""
        names = ["toy", "asymptotic", "chi_square"]
        return [
            name for name in names if getattr(self, f"is_{name}_calculator_available")
        ]

    # -- hooks: the generic route -------------------------------------------

    def _test_config(self):
        """The :class:`ModelConfig` the tests read the POI layout from."""
        return self.backend.config()

    def _profile(self, expected, fixed, kwargs, asimov_statistic=None, asimov=None):
        """NLL of the profile fit with the values of ``fixed`` held."""
        if asimov_statistic is None:
            return self.likelihood(poi_test=fixed, expected=expected, **kwargs)
        return self.asimov_likelihood(
            poi_test=fixed,
            expected=expected,
            test_statistics=asimov_statistic,
            asimov=asimov,
            **kwargs,
        )

    def _python_statistic(self, code, mu, fixed, free, profile):
        """The statistic ``code`` from a free fit and a profile function.

        Profile fits are made only where the statistic needs them.
        """
        mu_hat, nll_min = free
        nll_mu = nll_zero = math.nan
        if code == QMU_LEFT:
            if mu_hat >= mu:
                nll_mu = profile(fixed)
        elif code != Q0 and mu_hat <= mu:
            nll_mu = profile(fixed)
        if code == Q0 or (code == QMU_TILDE and mu_hat < 0.0 and mu_hat <= mu):
            nll_zero = profile(_at_zero(fixed))
        return statistic_value(code, mu, mu_hat, nll_min, nll_mu, nll_zero)

    def _exclusion_levels(self, mu, fixed, expected, code, calculator, asimov, kwargs):
        """``(levels, valid)``: six ``1 - p`` values (see ``exclusion_test``)."""
        name = "q" if code == QMU else "qtilde"
        free = self.maximize_likelihood(
            expected=expected, allow_negative_signal=code == QMU, **kwargs
        )
        q = self._python_statistic(
            code, mu, fixed, free, lambda f: self._profile(expected, f, kwargs)
        )
        levels = np.zeros(6)
        if calculator == "chi_square":
            nll_zero = self._profile(expected, _at_zero(fixed), kwargs)
            reference = free[1] if (free[0] >= 0.0 or code == QMU) else nll_zero
            t_b = max(0.0, 2.0 * (nll_zero - reference))
            sqrt_sb, sqrt_b = math.sqrt(q), math.sqrt(t_b)
            if code == QMU or sqrt_sb <= sqrt_b:
                delta = sqrt_b - sqrt_sb
            elif sqrt_sb == 0.0:
                return levels, False
            else:
                delta = (t_b - q) / (2.0 * sqrt_sb)
            asymptotic_confidence_levels(code, sqrt_sb, delta, levels)
            return levels, True
        free_a = self.maximize_asimov_likelihood(
            expected=expected, test_statistics=name, asimov=asimov, **kwargs
        )
        q_a = self._python_statistic(
            code,
            mu,
            fixed,
            free_a,
            lambda f: self._profile(expected, f, kwargs, name, asimov),
        )
        _, sqrt_qa, delta, valid = asymptotic_shift(code, q, q_a)
        if valid:
            asymptotic_confidence_levels(code, sqrt_qa, delta, levels)
        return levels, valid

    def _discovery_values(self, expected, asimov, kwargs):
        """``sqrt(q0_A), sqrt(q0)``, observed and five expected p-values."""
        fixed = {0: 0.0}
        free = self.maximize_likelihood(
            expected=expected, allow_negative_signal=False, **kwargs
        )
        q = self._python_statistic(
            Q0, 0.0, fixed, free, lambda f: self._profile(expected, f, kwargs)
        )
        free_a = self.maximize_asimov_likelihood(
            expected=expected, test_statistics="q0", asimov=asimov, **kwargs
        )
        q_a = self._python_statistic(
            Q0,
            0.0,
            fixed,
            free_a,
            lambda f: self._profile(expected, f, kwargs, "q0", asimov),
        )
        sqrt_q, sqrt_qa, delta, _ = asymptotic_shift(Q0, q, q_a)
        values = np.zeros(8)
        values[0], values[1] = sqrt_qa, sqrt_q
        values[2] = asymptotic_pvalue(Q0, sqrt_qa, delta)[0]
        for k, shift in enumerate(BAND_SHIFTS):
            values[3 + k] = asymptotic_pvalue(Q0, sqrt_qa, shift)[0]
        return values

    def _upper_limits(self, expected, indices, confidence_level, low, high, asimov):
        """``(limits, statuses)`` for the level entries ``indices``."""
        config = self._test_config()
        poi = config.poi_index

        def level(mu, index):
            observed = index == 0
            levels, valid = self._exclusion_levels(
                mu,
                {poi: mu},
                ExpectationType.observed if observed else expected,
                QMU_TILDE,
                "asymptotic",
                asimov,
                {},
            )
            return float(levels[index]) if valid else 0.0

        limits, statuses = [], []
        for index in indices:
            limit, status = solve_limit_python(
                lambda mu, index=index: level(mu, index) - confidence_level,
                low,
                high,
                self._limit_search_ceiling(),
            )
            limits.append(limit)
            statuses.append(status)
        return np.array(limits), np.array(statuses)

    def _limit_search_ceiling(self):
        """Largest POI the upper-limit search tries."""
        return 1e5

    # -- public tests --------------------------------------------------------

    def exclusion_confidence_level(
        self,
        poi_test=1.0,
        expected=ExpectationType.observed,
        allow_negative_signal=False,
        calculator="asymptotic",
        **kwargs,
    ):
        """``1 - CLs`` of the signal hypothesis ``mu = poi_test``.

        Parameters
        ----------
        poi_test : float or dict
            Tested POI (a dict may name only the POI).
        expected : ExpectationType, str, bool or ``"all"``
            ``observed`` gives one value; ``aposteriori`` and ``apriori`` the
            five-entry expected band (``n = +2 ... -2``, largest ``1 - CLs``
            first); ``"all"`` the tuple ``(observed, band)``.
        allow_negative_signal : bool
            Use ``q_mu`` (True) instead of ``q~_mu``.
        calculator : {"asymptotic", "chi_square", "toy"}
        **kwargs
            ``asimov="spey"`` or ``"standard"`` and fit options.

        Returns
        -------
        list of float
            NaN values are reported as 0 (except with ``"all"``).
        """
        asimov = kwargs.pop("asimov", "spey")
        asimov_code(asimov)
        verbose = kwargs.pop("verbose", True)
        self._check_calculator(calculator)
        if not (isinstance(expected, str) and expected == "all"):
            expected = ExpectationType.from_value(expected)
        data_expected = ExpectationType.observed if expected == "all" else expected
        config = self._test_config()
        mu, fixed = _poi_value(config, poi_test)
        code = QMU if allow_negative_signal else QMU_TILDE
        if calculator == "toy":
            result = self.toy_test(
                fixed,
                expected=data_expected,
                allow_negative_signal=allow_negative_signal,
                seed=kwargs.pop("seed", None),
                verbose=verbose,
                **kwargs,
            )
            observed, band = result.confidence_levels()
            levels, valid = np.array(observed + band), True
        else:
            levels, valid = self._exclusion_levels(
                mu, fixed, data_expected, code, calculator, asimov, kwargs
            )
        if not valid:
            warnings.warn(
                f"the test of mu = {mu} is undefined (q_mu,A = 0); reporting 0",
                AsimovTestStatZeroWarning,
                stacklevel=2,
            )
        return _select_levels(levels, expected, valid)

    def toy_test(
        self,
        poi_test=1.0,
        expected=ExpectationType.observed,
        allow_negative_signal=False,
        ntoys=None,
        seed=None,
        first_toy=0,
        verbose=True,
        **kwargs,
    ):
        """Toy distributions of the test statistic under both hypotheses.

        Parameters
        ----------
        poi_test : float or dict
            Tested POI; toys of the signal hypothesis are drawn at the profile
            fit at it, toys of the background hypothesis at ``mu = 0``.
        expected : ExpectationType, str or bool
            Data of the sampling fits and of the observed statistic.
        allow_negative_signal : bool
            ``q_mu`` instead of ``q~_mu``.
        ntoys : int, optional
            Toys per hypothesis (default: the model's ``ntoys``).
        seed : int, optional
            Toy ``i`` of each hypothesis depends only on ``(seed, i)``; without
            a seed one is drawn and recorded in the result.
        first_toy : int
            Index of the first toy, so that jobs of a split run share a seed
            and compute disjoint toys.
        verbose : bool
            Show a progress bar on stderr when the run takes more than about
            two seconds.

        Returns
        -------
        ToyResult
            Also kept as ``last_toy_result``, which holds the finished part
            when the run is interrupted.
        """
        _check_options_toys(kwargs)
        expected = ExpectationType.from_value(expected)
        config = self._test_config()
        mu, fixed = _poi_value(config, poi_test)
        ntoys = self.ntoys if ntoys is None else ntoys
        if not isinstance(ntoys, numbers.Integral) or ntoys < 1:
            raise InvalidInput(f"ntoys must be a positive integer; got {ntoys!r}")
        if not isinstance(first_toy, numbers.Integral) or first_toy < 0:
            raise InvalidInput(
                f"first_toy must be a non-negative integer; got {first_toy!r}"
            )
        seed = _toy_seed(seed)
        code = QMU if allow_negative_signal else QMU_TILDE
        result = self._toy_result(
            mu, fixed, expected, code, int(ntoys), seed, int(first_toy), verbose
        )
        self.last_toy_result = result
        failed = result.failed
        if failed[0] or failed[1]:
            warnings.warn(
                f"{failed[0]} signal and {failed[1]} background toys of "
                f"{result.ntoys} had fits that failed; they are left out",
                ToyFitWarning,
                stacklevel=2,
            )
        return result

    def _toy_result(self, mu, fixed, expected, code, ntoys, seed, first_toy, verbose):
        """Generic route: sample with ``fixed_poi_sampler``, fit in Python."""
        name = "q" if code == QMU else "qtilde"
        allow = code == QMU

        def statistic(data):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", FitFailedWarning)
                free = self.maximize_likelihood(
                    expected=expected, allow_negative_signal=allow, data=data
                )
                value = self._python_statistic(
                    code,
                    mu,
                    fixed,
                    free,
                    lambda f: self.likelihood(poi_test=f, expected=expected, data=data),
                )
            failed = any(issubclass(w.category, FitFailedWarning) for w in caught)
            return math.nan if failed else value

        observed = statistic(None)
        progress = Progress(2 * ntoys, "toys", verbose)
        samples = {}
        try:
            for kind, value in ((0, mu), (1, 0.0)):
                at = dict(fixed)
                at[next(iter(fixed))] = value
                rng = np.random.default_rng([seed, kind, first_toy])
                draws = self.fixed_poi_sampler(
                    at, size=ntoys, expected=expected, seed=rng
                )
                samples[kind] = np.full(ntoys, np.nan)
                for i, data in enumerate(draws):
                    samples[kind][i] = statistic(np.asarray(data))
                    progress.update(kind * ntoys + i + 1)
        finally:
            progress.close()
        return ToyResult(
            model=f"{type(self).__name__}@{id(self):x}",
            poi_test=mu,
            test_statistic=name,
            expected=expected.name,
            observed=observed,
            signal=samples[0],
            background=samples[1],
            runs=((seed, first_toy, ntoys),),
        )

    def _check_calculator(self, calculator):
        available = getattr(self, f"is_{calculator}_calculator_available", False)
        if not isinstance(calculator, str) or not available:
            raise CalculatorNotAvailable(f"{calculator} calculator is not available.")

    def significance(self, expected=ExpectationType.observed, **kwargs):
        """The discovery test with ``q0``.

        Returns
        -------
        tuple
            ``(sqrt(q0_A), sqrt(q0), [p_observed], [p_n for n = 2 ... -2])``
            with raw p-values.
        """
        asimov = kwargs.pop("asimov", "spey")
        asimov_code(asimov)
        expected = ExpectationType.from_value(expected)
        values = self._discovery_values(expected, asimov, kwargs)
        return (
            float(values[0]),
            float(values[1]),
            [float(values[2])],
            [float(value) for value in values[3:]],
        )

    def poi_upper_limit(
        self,
        expected=ExpectationType.observed,
        confidence_level=0.95,
        low_init=1.0,
        hig_init=1.0,
        expected_pvalue="nominal",
        maxiter=10000,
        optimiser_arguments=None,
        asimov="spey",
    ):
        """The POI where ``1 - CLs = confidence_level`` (``q~_mu``).

        Parameters
        ----------
        expected : ExpectationType, str or bool
        confidence_level : float
            In ``[0, 1]``.
        low_init, hig_init : float or None
            Start of the bracket search; ``None`` or 0 starts from
            ``max(mu_hat, 0) + 1.5 sigma_mu`` and ``+ 2.5 sigma_mu``.
        expected_pvalue : {"nominal", "1sigma", "2sigma"}
            Expected types only: the median, or the median with the one- or
            two-sigma band.
        maxiter : int
            Accepted for compatibility.
        optimiser_arguments : dict, optional
            Fit options (accepted for compatibility).
        asimov : {"spey", "standard"}

        Returns
        -------
        float or list of float
            One limit, or 3 or 5 in ascending order; ``inf`` (with a
            :class:`LimitWarning`) when the signal is dead or no limit exists
            below the search ceiling.
        """
        expected = ExpectationType.from_value(expected)
        asimov_code(asimov)
        if not 0.0 <= confidence_level <= 1.0:
            raise AssertionError("Confidence level must be between zero and one.")
        if expected_pvalue not in _LIMIT_INDICES:
            raise AssertionError(
                f"expected_pvalue must be 'nominal', '1sigma' or '2sigma'; got "
                f"{expected_pvalue!r}"
            )
        if expected == ExpectationType.observed:
            expected_pvalue = "nominal"
            indices = (0,)
        else:
            indices = _LIMIT_INDICES[expected_pvalue]
        if not self.is_alive:
            warnings.warn(
                "the signal cannot change the likelihood: no upper limit (inf)",
                LimitWarning,
                stacklevel=2,
            )
            limits = [math.inf] * len(indices)
            return limits[0] if len(indices) == 1 else limits
        low, high = self._limit_start(expected, low_init, hig_init)
        limits, statuses = self._upper_limits(
            expected,
            np.array(indices, dtype=np.int64),
            float(confidence_level),
            low,
            high,
            asimov,
        )
        result = []
        for limit, status in zip(limits, statuses, strict=True):
            if status != ROOT_CONVERGED or not math.isfinite(limit):
                warnings.warn(
                    "no upper limit found in the search range "
                    f"[{LIMIT_FLOOR}, {self._limit_search_ceiling():.3g}]; "
                    "reporting inf",
                    LimitWarning,
                    stacklevel=2,
                )
                limit = math.inf
            result.append(float(limit))
        return result[0] if len(result) == 1 else result

    def _limit_start(self, expected, low_init, hig_init):
        """``(low, high)`` of the bracket search, ``LIMIT_FLOOR <= low < high``."""
        low, high = low_init, hig_init
        if not low or not high:
            mu_hat, _ = self.maximize_likelihood(
                expected=expected, allow_negative_signal=False
            )
            centre = max(mu_hat, 0.0)
            sigma = 1.0
            if not math.isclose(centre, 0.0, abs_tol=1e-12):
                try:
                    sigma = self.sigma_mu(centre, expected=expected)
                except MethodNotAvailable:
                    sigma = 1.0
            low = low or centre + 1.5 * sigma
            high = high or centre + 2.5 * sigma
        ceiling = self._limit_search_ceiling()
        low = min(max(float(low), LIMIT_FLOOR), ceiling)
        high = min(max(float(high), LIMIT_FLOOR), ceiling)
        if high <= low:
            low, high = (low / 2.0, low) if low >= ceiling else (low, 2.0 * low)
            low = max(low, LIMIT_FLOOR)
        return low, high

    def excluded_cross_section(self, expected=ExpectationType.observed):
        """The 95% CL upper limit on the cross section: ``mu_UL * xsection``.

        Raises
        ------
        UnknownCrossSection
            When ``xsection`` is NaN.
        """
        if math.isnan(self.xsection):
            raise UnknownCrossSection("Cross-section value has not been initialised.")
        limit = self.poi_upper_limit(expected=expected, confidence_level=0.95)
        return limit * self.xsection

    @property
    def s95obs(self):
        """Observed excluded cross section."""
        return self.excluded_cross_section(ExpectationType.observed)

    @property
    def s95exp(self):
        """Expected (apriori) excluded cross section."""
        return self.excluded_cross_section(ExpectationType.apriori)

    def chi2(
        self,
        poi_test=1.0,
        poi_test_denominator=None,
        expected=ExpectationType.observed,
        allow_negative_signal=False,
        init_pars=None,
        par_bounds=None,
        mle_kwargs=None,
        likelihood_kwargs=None,
    ):
        """``2 (NLL(poi_test) - NLL_den)``; arrays and a scanned dict entry too.

        ``NLL_den`` is the free fit (POI >= 0 unless
        ``allow_negative_signal``) or the profile fit at
        ``poi_test_denominator``.
        """
        mle_kwargs = dict(mle_kwargs or {})
        likelihood_kwargs = dict(likelihood_kwargs or {})
        common = {"expected": expected, "init_pars": init_pars}
        common["par_bounds"] = par_bounds
        if poi_test_denominator is None:
            _, denominator = self.maximize_likelihood(
                allow_negative_signal=allow_negative_signal, **common, **mle_kwargs
            )
        else:
            denominator = self.likelihood(
                poi_test=poi_test_denominator, **common, **mle_kwargs
            )

        def numerator(value):
            return self.likelihood(poi_test=value, **common, **likelihood_kwargs)

        if isinstance(poi_test, dict):
            scanned = [
                key
                for key, value in poi_test.items()
                if isinstance(value, list | tuple | np.ndarray)
            ]
            if len(scanned) > 1:
                raise NotImplementedError("Currently only one POI can be scanned.")
            if scanned:
                key = scanned[0]
                values = [
                    numerator({**poi_test, key: float(value)})
                    for value in poi_test[key]
                ]
                return 2.0 * (np.array(values, dtype=np.float64) - denominator)
            return 2.0 * (numerator(poi_test) - denominator)
        if isinstance(poi_test, list | tuple | np.ndarray):
            values = [numerator(float(value)) for value in poi_test]
            return 2.0 * (np.array(values, dtype=np.float64) - denominator)
        return 2.0 * (numerator(poi_test) - denominator)

    def pull(
        self,
        poi_test=1.0,
        expected=ExpectationType.observed,
        allow_negative_signal=True,
        **kwargs,
    ):
        """``sign(mu_hat - mu) sqrt(2 (NLL(mu) - NLL_min))``."""
        config = self._test_config()
        mu, fixed = _poi_value(config, poi_test)
        mu_hat, nll_min = self.maximize_likelihood(
            expected=expected, allow_negative_signal=allow_negative_signal, **kwargs
        )
        nll = self.likelihood(poi_test=fixed, expected=expected, **kwargs)
        return math.copysign(math.sqrt(max(0.0, 2.0 * (nll - nll_min))), mu_hat - mu)

    def chi2_test(
        self,
        expected=ExpectationType.observed,
        confidence_level=0.95,
        limit_type="two-sided",
        allow_negative_signal=None,
        parameter=None,
        poi_value=1.0,
        n_scan=3,
        n_multistart=2,
        **kwargs,
    ):
        """Where ``2 (NLL(v) - NLL_min)`` crosses ``chi2_isf(1 - CL, 1)``.

        Parameters
        ----------
        expected : ExpectationType, str or bool
        confidence_level : float
            In ``[0, 1]``; the threshold is the one-degree-of-freedom
            chi-square quantile for every ``limit_type``.
        limit_type : {"two-sided", "left", "right"}
        allow_negative_signal : bool, optional
            Let the POI go below 0 (default: for two-sided and left limits).
        parameter : int or str, optional
            Scan this nuisance parameter (index or name) with the POI held at
            ``poi_value`` instead of the POI.
        n_scan, n_multistart : int
            Sizes of the crossing grid and of the search for a lower minimum.

        Returns
        -------
        list of float
            The crossings (see :mod:`nbspey.hypothesis_testing.intervals`).
        """
        if not 0.0 <= confidence_level <= 1.0:
            raise AssertionError("Confidence level must be between zero and one.")
        if limit_type not in ("left", "right", "two-sided"):
            raise AssertionError(
                f"limit_type must be 'left', 'right' or 'two-sided'; got {limit_type!r}"
            )
        expected = ExpectationType.from_value(expected)
        config = self._test_config()
        if parameter is None:
            allow = bool(allow_negative_signal) or limit_type in ("two-sided", "left")
            mu_hat, nll_min = self.maximize_likelihood(
                expected=expected, allow_negative_signal=allow, **kwargs
            )

            def profile(value):
                return self.likelihood(poi_test=value, expected=expected, **kwargs)

            try:
                sigma = self.sigma_mu(mu_hat, expected=expected)
            except MethodNotAvailable:
                sigma = 1.0
            if not (math.isfinite(sigma) and sigma > 0.0):
                sigma = 1.0
            span = max(6.0 * abs(sigma), 3.0)
            floor = -HARD_LIMIT if allow else 0.0
            window = (max(mu_hat - span, floor), mu_hat + span)
            limits = (floor, HARD_LIMIT)
            reference = mu_hat
        else:
            index = _nuisance_index(config, parameter)
            fixed = {} if poi_value is None else {config.poi_index: float(poi_value)}
            values, nll_min = self.maximize_likelihood(
                expected=expected,
                allow_negative_signal=True,
                poi_indices=[index],
                fixed_poi_value=fixed or None,
                **kwargs,
            )
            reference = values[index]

            def profile(value):
                return self.likelihood(
                    poi_test={**fixed, index: value}, expected=expected, **kwargs
                )

            low, high = config.suggested_bounds[index]
            limits = (
                -HARD_LIMIT if low is None else low,
                HARD_LIMIT if high is None else high,
            )
            span = max(10.0, 5.0 * abs(reference))
            window = (
                max(reference - span, limits[0]),
                min(reference + span, limits[1]),
            )
        return chi_square_crossings(
            profile,
            nll_min,
            reference,
            window,
            limits,
            confidence_level,
            limit_type,
            n_scan=n_scan,
            n_multistart=n_multistart,
        )

    def sigma_mu(
        self,
        poi_test,
        expected=ExpectationType.observed,
        test_statistics="qtilde",
        **kwargs,
    ):
        """The POI uncertainty: from the Hessian, else from Asimov data.

        The Hessian value is ``sqrt((H^-1)_00)`` at the profile fit at
        ``poi_test``; without a Hessian it is ``poi_test / sqrt(q_A)`` (1 when
        ``q_A <= 0``), as spey computes it.
        """
        asimov = kwargs.pop("asimov", "spey")
        try:
            return self.sigma_mu_from_hessian(poi_test, expected=expected, **kwargs)
        except MethodNotAvailable:
            _LOG.info(
                "Hessian implementation is not available; sigma_mu is estimated "
                "from Asimov data"
            )
        config = self._test_config()
        mu, fixed = _poi_value(config, poi_test)
        code = statistic_code(test_statistics)
        free_a = self.maximize_asimov_likelihood(
            expected=expected, test_statistics=test_statistics, asimov=asimov, **kwargs
        )
        q_a = self._python_statistic(
            code,
            mu,
            fixed,
            free_a,
            lambda f: self._profile(expected, f, kwargs, test_statistics, asimov),
        )
        return 1.0 if q_a <= 0.0 else mu / math.sqrt(q_a)

    def sigma_mu_from_hessian(
        self, poi_test, expected=ExpectationType.observed, **kwargs
    ):
        """``sqrt((H^-1)_00)``, ``H`` the NLL Hessian at the profile fit.

        Raises
        ------
        MethodNotAvailable
            When the backend has no Hessian.
        """
        try:
            hessian = self.backend.get_hessian_logpdf_func(expected=expected)
        except NotImplementedError as error:
            raise MethodNotAvailable(
                f"{self.backend_type} backend does not have Hessian definition."
            ) from error
        _, parameters = self.likelihood(
            poi_test=poi_test, expected=expected, return_parameters=True, **kwargs
        )
        matrix = -np.ascontiguousarray(hessian(parameters), dtype=np.float64)
        unit = np.zeros(matrix.shape[0])
        unit[self._test_config().poi_index] = 1.0
        column, info = linalg.solve(matrix, unit)
        variance = column[self._test_config().poi_index]
        if info != linalg.OK or not variance > 0.0:
            return math.nan
        return math.sqrt(variance)
