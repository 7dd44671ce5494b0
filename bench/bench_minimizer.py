"""Time one profile-likelihood fit of the two-bin uncorrelated model.

The model is UB-M2 of reference-values.md (s = [12, 15], b = [50, 48],
n = [36, 33], sigma = [12, 16]; parameters [mu, theta_0, theta_1]), fitted
from all ones, the start point spey uses. Three timings, each the best of
several repeats:

* from compiled code: a ``@njit`` loop calling the fit kernel, per fit;
* from Python: one call of the compiled fit kernel per fit;
* spey 0.2.7 (if installed): ``maximize_likelihood()`` on the same model,
  which runs scipy's SLSQP.

Run ``python bench/bench_minimizer.py``; the results are written to
``bench/results/minimizer.json`` and printed as a table.
"""

import json
import platform
from pathlib import Path

import numba
import numpy as np
from _common import best_of

import nbspey
from nbspey.examples import fit_two_bin_example, two_bin_example
from nbspey.fits import fit, positivity_lower_bounds
from nbspey.numerics import minimizer_options

RESULTS = Path(__file__).parent / "results" / "minimizer.json"


def problem():
    model, observed = two_bin_example()
    lower = np.concatenate([[-50.0 / 12.0], positivity_lower_bounds(model)])
    upper = np.full(3, np.inf)
    return (
        model,
        observed,
        np.zeros(2),
        np.ones(3),
        lower,
        upper,
        np.zeros(3, dtype=np.bool_),
        minimizer_options(),
    )


@numba.njit
def fits_in_a_loop(arguments, count):
    model, observed, auxiliary, start, lower, upper, fixed, options = arguments
    total = 0.0
    for _ in range(count):
        total += fit(
            model, observed, auxiliary, start, lower, upper, fixed, options
        ).value
    return total


def spey_timings(spey, compiled, from_python):
    """spey memoises ``maximize_likelihood`` per model, so every timed fit uses
    a new model; the construction time, measured alone, is subtracted."""
    backend = spey.get_backend("default.uncorrelated_background")

    def build():
        return backend(
            signal_yields=[12.0, 15.0],
            background_yields=[50.0, 48.0],
            data=[36.0, 33.0],
            absolute_uncertainties=[12.0, 16.0],
        )

    build().maximize_likelihood()
    repeats = 100
    with_fit = best_of(
        3, lambda: [build().maximize_likelihood() for _ in range(repeats)]
    )
    build_only = best_of(3, lambda: [build() for _ in range(repeats)])
    per_fit = (with_fit - build_only) / repeats
    mu_hat, nll = build().maximize_likelihood()
    return {
        "spey_version": spey.version(),
        "spey_us_per_fit": per_fit * 1e6,
        "spey_mu_hat": float(mu_hat),
        "spey_nll": float(nll),
        "ratio_spey_over_compiled": per_fit / compiled,
        "ratio_spey_over_python": per_fit / from_python,
    }


def main():
    arguments = problem()
    fits_in_a_loop(arguments, 1)
    count = 200_000
    compiled = best_of(5, lambda: fits_in_a_loop(arguments, count)) / count

    def python_loop():
        for _ in range(20_000):
            fit(*arguments)

    from_python = best_of(5, python_loop) / 20_000
    result = fit_two_bin_example()

    timings = {
        "compiled_us_per_fit": compiled * 1e6,
        "python_us_per_fit": from_python * 1e6,
        "iterations": int(result.iterations),
        "evaluations": int(result.evaluations),
        "mu_hat": float(result.x[0]),
        "nll": float(result.value),
    }
    try:
        import spey
    except ImportError:
        spey = None
    if spey is not None:
        timings.update(spey_timings(spey, compiled, from_python))
    else:
        timings["spey_version"] = None

    report = {
        "benchmark": "one free fit of the two-bin uncorrelated model (UB-M2)",
        "nbspey": nbspey.__version__,
        "numba": numba.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cores": __import__("os").cpu_count(),
        "results": timings,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
