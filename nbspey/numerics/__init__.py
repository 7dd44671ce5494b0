"""The compiled numerical core that replaces scipy in nbspey.

What to use when:

* :mod:`nbspey.numerics.special`: normal and chi-square distribution
  functions and quantiles, accurate far into the tails, and the Poisson
  log-probability for real-valued counts;
* :mod:`nbspey.numerics.linalg`: Cholesky, LU, triangular and full solves,
  inverses and log-determinants of small dense matrices;
* :mod:`nbspey.numerics.trust_region`: the bounded trust-region minimiser as
  a state machine, for callers that evaluate their own objective in compiled
  code (this is how nbspey's fits run);
* :mod:`nbspey.numerics.minimize`: ready-made drivers of that minimiser for a
  compiled objective (:func:`minimize`) or a plain Python one
  (:func:`minimize_python`);
* :mod:`nbspey.numerics.roots`: Brent's root finder and a bracket search,
  as state machines and as drivers.

Every function here is compiled with :func:`nbspey._compile.kernel` and can
be called from Python and from users' own ``@njit`` functions alike.
"""

from nbspey.numerics.minimize import (
    MinimizerOptions,
    minimize,
    minimize_python,
    minimizer_options,
)
from nbspey.numerics.roots import (
    find_bracket,
    find_bracket_python,
    find_root,
    find_root_python,
    root_status_message,
)
from nbspey.numerics.trust_region import MinimizeResult, status_message

__all__ = [
    "MinimizeResult",
    "MinimizerOptions",
    "find_bracket",
    "find_bracket_python",
    "find_root",
    "find_root_python",
    "minimize",
    "minimize_python",
    "minimizer_options",
    "root_status_message",
    "status_message",
]
