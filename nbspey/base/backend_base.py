"""The backend contract: ``BackendBase`` and ``ConverterBase`` (as in spey).

A backend describes one likelihood. It must implement :meth:`config` and
:meth:`get_logpdf_func`; every other method is optional and unlocks more of
the hypothesis tests (gradient-based fits, Hessian-based ``sigma_mu``,
Asimov data for the asymptotic calculator, a sampler for toys). Backends
written for spey work unchanged once ``spey`` is replaced by ``nbspey`` in
their imports.
"""

from abc import ABC, abstractmethod

from nbspey.utils import ExpectationType

__all__ = ["BackendBase", "ConverterBase"]


class BackendBase(ABC):
    """Abstract base class of every statistical-model backend.

    Class attributes ``name`` and ``spey_requires`` (a version specifier such
    as ``">=0.1.0"``) are needed to register a backend; ``version``,
    ``author``, ``doi``, ``arXiv`` and ``zenodo`` are metadata.
    """

    @abstractmethod
    def config(self, allow_negative_signal=True, poi_upper_bound=10.0):
        """Return the :class:`~nbspey.base.model_config.ModelConfig`."""

    @abstractmethod
    def get_logpdf_func(self, expected=ExpectationType.observed, data=None):
        """Return ``f(pars) -> ln L``."""

    @property
    def is_alive(self):
        """Whether the signal can change the likelihood (True by default)."""
        return True

    def get_objective_function(
        self, expected=ExpectationType.observed, data=None, do_grad=True
    ):
        """Return ``f(pars) -> (NLL, grad NLL)``, or the NLL alone.

        The default gives the NLL from :meth:`get_logpdf_func` and raises
        :class:`NotImplementedError` when a gradient is asked for.
        """
        if do_grad:
            raise NotImplementedError("this backend provides no gradient")
        logpdf = self.get_logpdf_func(expected=expected, data=data)
        return lambda pars: -logpdf(pars)

    def get_hessian_logpdf_func(self, expected=ExpectationType.observed, data=None):
        """Return ``f(pars) ->`` Hessian of ``ln L``."""
        raise NotImplementedError("this backend provides no Hessian")

    def expected_data(self, pars):
        """Expected observations at ``pars``."""
        raise NotImplementedError("this backend provides no expected data")

    def get_sampler(self, pars):
        """Return ``sampler(n) -> array of shape (n, number of observations)``."""
        raise NotImplementedError("this backend provides no sampler")

    def combine(self, other, **kwargs):
        """Return a backend for the joint likelihood of ``self`` and ``other``."""
        raise NotImplementedError("this backend cannot be combined")

    def negative_loglikelihood(
        self, poi_test=1.0, expected=ExpectationType.observed, **kwargs
    ):
        """Fast path for ``StatisticalModel.likelihood``; optional."""
        raise NotImplementedError

    def asimov_negative_loglikelihood(
        self,
        poi_test=1.0,
        expected=ExpectationType.observed,
        test_statistics="qtilde",
        **kwargs,
    ):
        """Fast path for ``StatisticalModel.asimov_likelihood``; optional."""
        raise NotImplementedError

    def minimize_negative_loglikelihood(
        self, expected=ExpectationType.observed, allow_negative_signal=True, **kwargs
    ):
        """Fast path for ``StatisticalModel.maximize_likelihood``; optional."""
        raise NotImplementedError

    def minimize_asimov_negative_loglikelihood(
        self, expected=ExpectationType.observed, test_statistics="qtilde", **kwargs
    ):
        """Fast path for ``StatisticalModel.maximize_asimov_likelihood``; optional."""
        raise NotImplementedError


class ConverterBase(ABC):  # noqa: B024 - abstract by contract, as in spey
    """Abstract base class of objects that turn foreign inputs into a backend.

    The registry instantiates a converter with no arguments; calling the
    instance with the user's arguments must return a :class:`BackendBase`.
    """

    def __call__(self, *args, **kwargs):
        """Build the backend."""
        raise NotImplementedError("Invalid implementation of ConverterBase object")
