"""A 10,000-point signal scan inside one numba function.

Observed 1-CLs at mu = 1 of the two-bin uncorrelated model (UB-M2 of
reference-values.md) for 10,000 signal scales, computed in one
``@njit(parallel=True)`` function with ``nbspey.numba_api``, against the
same scan as a Python loop over ``exclusion_confidence_level`` of new
models. Reports points per second of both and their ratio (the numba scan on
all of numba's threads and on one).

Run ``python bench/bench_numba_scan.py``; results go to
``bench/results/numba_scan.json``.
"""

import json
import time
from pathlib import Path

import numba
import numpy as np
from _common import environment

import nbspey
from nbspey import numba_api as api

RESULTS = Path(__file__).parent / "results" / "numba_scan.json"
POINTS = 10_000
SIGNAL = np.array([12.0, 15.0])


def model_of(signal):
    return nbspey.get_backend("default.uncorrelated_background")(
        signal_yields=list(signal),
        background_yields=[50.0, 48.0],
        data=[36.0, 33.0],
        absolute_uncertainties=[12.0, 16.0],
    )


@numba.njit(parallel=True)
def scan(reals, integers, scales):
    levels = np.empty(scales.shape[0])
    for i in numba.prange(scales.shape[0]):
        compiled = api.unflatten(reals, integers)
        hypothesis, _ = api.with_signal(compiled, compiled.model.vectors[0] * scales[i])
        result, status = api.exclusion_levels(
            hypothesis,
            1.0,
            api.OBSERVED,
            api.QMU_TILDE,
            api.ASYMPTOTIC,
            api.SPEY_ASIMOV,
        )
        levels[i] = result[0] if status > 0 else np.nan
    return levels


def main():
    scales = np.linspace(0.1, 3.0, POINTS)
    reals, integers = api.flatten(model_of(SIGNAL).compiled)
    scan(reals, integers, scales[:10])
    threads = numba.get_num_threads()
    start = time.perf_counter()
    levels = scan(reals, integers, scales)
    parallel = time.perf_counter() - start
    numba.set_num_threads(1)
    start = time.perf_counter()
    scan(reals, integers, scales)
    single = time.perf_counter() - start
    numba.set_num_threads(threads)
    sample = scales[:: POINTS // 500]
    start = time.perf_counter()
    python = [model_of(SIGNAL * s).exclusion_confidence_level()[0] for s in sample]
    loop = (time.perf_counter() - start) / sample.shape[0] * POINTS
    agreement = float(np.max(np.abs(np.array(python) - levels[:: POINTS // 500])))
    rows = {
        "points": POINTS,
        "numba_points_per_second": POINTS / parallel,
        "numba_points_per_second_1_thread": POINTS / single,
        "python_loop_points_per_second": POINTS / loop,
        "ratio_numba_over_python_loop": loop / parallel,
        "max_difference_to_python_api": agreement,
        "threads": threads,
    }
    report = {
        "benchmark": "10,000-point observed-CLs signal scan inside one njit function",
        **environment(),
        "results": rows,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
