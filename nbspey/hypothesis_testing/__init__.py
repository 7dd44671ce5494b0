"""Test statistics, calculators and the compiled hypothesis tests.

* :mod:`~nbspey.hypothesis_testing.test_statistics`: ``q_mu``, ``q~_mu``,
  ``q0`` from profile fits (arXiv:1007.1727);
* :mod:`~nbspey.hypothesis_testing.asymptotic_calculator`: asymptotic
  p-values and the expected band;
* :mod:`~nbspey.hypothesis_testing.toy_calculator`: p-values from toy
  distributions, and :class:`ToyResult`;
* :mod:`~nbspey.hypothesis_testing.asimov`, ``compiled`` and ``toys``: the
  compiled Asimov data, tests, limits and toys of the built-in backends.
"""

from nbspey.hypothesis_testing.asymptotic_calculator import (
    compute_asymptotic_confidence_level,
)
from nbspey.hypothesis_testing.test_statistics import (
    compute_teststatistics,
    get_test_statistic,
    q0,
    qmu,
    qmu_tilde,
)
from nbspey.hypothesis_testing.toy_calculator import (
    ToyResult,
    compute_toy_confidence_level,
)

__all__ = [
    "ToyResult",
    "compute_asymptotic_confidence_level",
    "compute_teststatistics",
    "compute_toy_confidence_level",
    "get_test_statistic",
    "q0",
    "qmu",
    "qmu_tilde",
]
