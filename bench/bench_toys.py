"""Toy throughput: nbspey on one and two threads against spey 0.2.7.

The model is the two-bin uncorrelated model UB-M2 of reference-values.md;
the test is ``exclusion_confidence_level(calculator="toy")`` at mu = 1 with
q~_mu, so every toy of both hypotheses (signal plus background, background
only) is drawn and fitted. A "toy" below is one pseudo-experiment: a run of
``ntoys`` per hypothesis is ``2 ntoys`` toys.

nbspey is timed with numba's thread count set to 1 and to 2 (the toys run in
a ``prange`` loop); spey with a smaller number of toys on a new model per
call. Run ``python bench/bench_toys.py``; results go to
``bench/results/toys.json``. Targets: >= 50,000 toys/s per core, >= 1,000x
spey, >= 1.7x faster on two threads than on one.
"""

import json
import time
import warnings
from pathlib import Path

import numba
from _common import environment

import nbspey

RESULTS = Path(__file__).parent / "results" / "toys.json"
ARGUMENTS = {
    "signal_yields": [12.0, 15.0],
    "background_yields": [50.0, 48.0],
    "data": [36.0, 33.0],
    "absolute_uncertainties": [12.0, 16.0],
}
NTOYS = 50_000
SPEY_NTOYS = 200


def nbspey_seconds(threads):
    model = nbspey.get_backend("default.uncorrelated_background")(**ARGUMENTS)
    numba.set_num_threads(threads)
    model.toy_test(ntoys=1000, seed=1, verbose=False)  # compile or load the cache
    times = []
    for repeat in range(3):
        start = time.perf_counter()
        result = model.toy_test(ntoys=NTOYS, seed=100 + repeat, verbose=False)
        times.append(time.perf_counter() - start)
    return min(times), result


def spey_seconds():
    import spey

    backend = spey.get_backend("default.uncorrelated_background")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = backend(**ARGUMENTS, ntoys=SPEY_NTOYS)
        start = time.perf_counter()
        value = model.exclusion_confidence_level(calculator="toy", verbose=False)[0]
        return time.perf_counter() - start, spey.version(), value


def main():
    threads = numba.get_num_threads()
    one, result = nbspey_seconds(1)
    two, _ = nbspey_seconds(min(2, numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(threads)
    rows = {
        "toys_per_run": 2 * NTOYS,
        "nbspey_toys_per_second_1_thread": 2 * NTOYS / one,
        "nbspey_toys_per_second_2_threads": 2 * NTOYS / two,
        "speedup_2_threads_over_1": one / two,
        "nbspey_failed_toys": list(result.failed),
        "nbspey_one_minus_cls": result.confidence_levels()[0][0],
    }
    try:
        seconds, version, value = spey_seconds()
    except ImportError:
        version = None
    else:
        spey_rate = 2 * SPEY_NTOYS / seconds
        rows["spey_toys_per_second"] = spey_rate
        rows["spey_one_minus_cls"] = value
        rows["ratio_nbspey_1_thread_over_spey"] = (
            rows["nbspey_toys_per_second_1_thread"] / spey_rate
        )
    report = {
        "benchmark": "toys of the two-bin model, qtilde, both hypotheses",
        **environment(),
        "spey": version,
        "results": rows,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
