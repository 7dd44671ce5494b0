"""nbspey: spey-compatible statistics, compiled with numba.

nbspey serves reinterpretation studies in particle physics.

The compiled numerical core lives in :mod:`nbspey.numerics` (special
functions, dense linear algebra, the bounded trust-region minimiser and the
root finder); likelihood kernels live in :mod:`nbspey.likelihood` and the
compiled fits in :mod:`nbspey.fits`.
"""

__version__ = "0.1.0"

from nbspey.base.backend_base import BackendBase, ConverterBase  # noqa: E402
from nbspey.combiner import UnCorrStatisticsCombiner  # noqa: E402
from nbspey.interface.statistical_model import StatisticalModel  # noqa: E402
from nbspey.registry import (  # noqa: E402
    AvailableBackends,
    get_backend,
    get_backend_metadata,
    register_backend,
    reset_backend_entries,
)
from nbspey.system.environment import about  # noqa: E402
from nbspey.utils import ExpectationType  # noqa: E402

__all__ = [
    "__version__",
    "about",
    "version",
    "AvailableBackends",
    "BackendBase",
    "ConverterBase",
    "ExpectationType",
    "StatisticalModel",
    "UnCorrStatisticsCombiner",
    "get_backend",
    "get_backend_metadata",
    "register_backend",
    "reset_backend_entries",
]


def version():
    """Return the nbspey version string."""
    return __version__
