"""Helpers shared by the benchmark scripts: timing and the machine report."""

import platform
import time

import numba
import numpy as np

import nbspey

__all__ = ["best_of", "environment"]


def best_of(repeats, function):
    """The shortest of ``repeats`` wall-clock timings of ``function()``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def environment():
    """Versions and machine, for the results files."""
    return {
        "nbspey": nbspey.version(),
        "numba": numba.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
