"""nbspey: spey-compatible statistics, compiled with numba.

nbspey serves reinterpretation studies in particle physics.

The compiled numerical core lives in :mod:`nbspey.numerics` (special
functions, dense linear algebra, the bounded trust-region minimiser and the
root finder); likelihood kernels live in :mod:`nbspey.likelihood` and the
compiled fits in :mod:`nbspey.fits`.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "version"]


def version():
    """Return the nbspey version string."""
    return __version__
