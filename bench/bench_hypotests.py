"""Time CLs and upper limits, nbspey against spey 0.2.7 on the same models.

Cases (issue targets in brackets):

* observed 1-CLs at mu = 1 of the two-bin uncorrelated model UB-M2 of
  reference-values.md (>= 300x);
* the observed upper limit of the same model (>= 300x);
* the aposteriori upper limits with the two-sigma band (>= 300x);
* observed 1-CLs of a 50-bin correlated-background model with a dense
  covariance (>= 100x).

nbspey is timed through its public API (``StatisticalModel`` methods, which
enter compiled code once per call). spey memoises fits per model, so each
timed spey call uses a new model and the construction time, measured alone,
is subtracted. Each figure is the best of several repeats.

Run ``python bench/bench_hypotests.py`` (spey 0.2.7 installed: ``pip install
-e .[bench]``); results go to ``bench/results/hypotests.json`` and are
printed as a table.
"""

import json
import warnings
from pathlib import Path

import numpy as np
from _common import best_of, environment

import nbspey

RESULTS = Path(__file__).parent / "results" / "hypotests.json"


def two_bin():
    return (
        "default.uncorrelated_background",
        {
            "signal_yields": [12.0, 15.0],
            "background_yields": [50.0, 48.0],
            "data": [36.0, 33.0],
            "absolute_uncertainties": [12.0, 16.0],
        },
    )


def fifty_bin():
    """50 bins, AR(1) correlation 0.6^|i-j| (dense), 10% uncertainties."""
    rng = np.random.default_rng(20261204)
    bins = 50
    background = rng.uniform(20.0, 200.0, bins)
    signal = rng.uniform(1.0, 10.0, bins)
    data = rng.poisson(background).astype(float)
    index = np.arange(bins)
    correlation = 0.6 ** np.abs(index[:, None] - index[None, :])
    sigma = 0.1 * background
    covariance = correlation * np.outer(sigma, sigma)
    return (
        "default.correlated_background",
        {
            "signal_yields": signal.tolist(),
            "background_yields": background.tolist(),
            "data": data.tolist(),
            "covariance_matrix": covariance.tolist(),
        },
    )


CASES = {
    "observed 1-CLs, 2-bin": (two_bin, lambda m: m.exclusion_confidence_level()[0]),
    "observed poi_upper_limit, 2-bin": (two_bin, lambda m: m.poi_upper_limit()),
    "aposteriori poi_upper_limit 2sigma, 2-bin": (
        two_bin,
        lambda m: m.poi_upper_limit(expected="aposteriori", expected_pvalue="2sigma"),
    ),
    "observed 1-CLs, 50-bin correlated": (
        fifty_bin,
        lambda m: m.exclusion_confidence_level()[0],
    ),
}


def time_nbspey(case, call):
    name, arguments = case()
    model = nbspey.get_backend(name)(**arguments)
    value = call(model)  # compiles or loads the cache

    def calls(count):
        return best_of(1, lambda: [call(model) for _ in range(count)])

    count = 10
    while calls(count) < 0.2:
        count *= 2
    per_call = best_of(5, lambda: [call(model) for _ in range(count)]) / count
    return per_call, value


def time_spey(spey, case, call, repeats):
    name, arguments = case()
    backend = spey.get_backend(name)

    def build():
        return backend(**arguments)

    value = call(build())
    with_call = best_of(3, lambda: [call(build()) for _ in range(repeats)])
    build_only = best_of(3, lambda: [build() for _ in range(repeats)])
    return (with_call - build_only) / repeats, value


def main():
    try:
        import spey
    except ImportError:
        spey = None
    rows = {}
    for label, (case, call) in CASES.items():
        nbspey_time, nbspey_value = time_nbspey(case, call)
        row = {"nbspey_us": nbspey_time * 1e6, "nbspey_value": _plain(nbspey_value)}
        if spey is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                spey_time, spey_value = time_spey(spey, case, call, repeats=10)
            row["spey_us"] = spey_time * 1e6
            row["spey_value"] = _plain(spey_value)
            row["ratio_spey_over_nbspey"] = spey_time / nbspey_time
        rows[label] = row
    report = {
        "benchmark": "hypothesis tests through the public API",
        **environment(),
        "spey": spey.version() if spey is not None else None,
        "results": rows,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'case':45s} {'nbspey us':>10s} {'spey us':>10s} {'ratio':>8s}")
    for label, row in rows.items():
        spey_us = row.get("spey_us", float("nan"))
        ratio = row.get("ratio_spey_over_nbspey", float("nan"))
        print(f"{label:45s} {row['nbspey_us']:10.1f} {spey_us:10.0f} {ratio:8.0f}")


def _plain(value):
    if isinstance(value, list | tuple):
        return [float(v) for v in value]
    return float(value)


if __name__ == "__main__":
    main()
