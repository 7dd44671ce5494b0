"""A combination of ten analyses: nbspey's joint fit against spey's combiner.

Ten analyses of twenty bins each, alternately uncorrelated and correlated
backgrounds (AR(1) correlation 0.5^|i-j|, 10% uncertainties), seeded inputs.
Both tools get the same ``UnCorrStatisticsCombiner`` of the same models;
nbspey fits the joint likelihood once per fit, spey nests a fit per analysis
inside an outer fit over mu. Timed: observed 1-CLs at mu = 1 and the observed
upper limit (target: >= 100x). spey memoises fits per model, so each spey
call gets new models; their construction time, measured alone, is
subtracted.

Run ``python bench/bench_combination.py``; results go to
``bench/results/combination.json``.
"""

import json
import warnings
from pathlib import Path

import numpy as np
from _common import best_of, environment

import nbspey

RESULTS = Path(__file__).parent / "results" / "combination.json"
ANALYSES, BINS = 10, 20


def inputs():
    rng = np.random.default_rng(20261204)
    index = np.arange(BINS)
    correlation = 0.5 ** np.abs(index[:, None] - index[None, :])
    members = []
    for k in range(ANALYSES):
        background = rng.uniform(20.0, 200.0, BINS)
        signal = rng.uniform(0.2, 2.0, BINS)
        data = rng.poisson(background).astype(float)
        sigma = 0.1 * background
        if k % 2 == 0:
            members.append(
                (
                    "default.uncorrelated_background",
                    dict(
                        signal_yields=signal.tolist(),
                        background_yields=background.tolist(),
                        data=data.tolist(),
                        absolute_uncertainties=sigma.tolist(),
                    ),
                )
            )
        else:
            members.append(
                (
                    "default.correlated_background",
                    dict(
                        signal_yields=signal.tolist(),
                        background_yields=background.tolist(),
                        data=data.tolist(),
                        covariance_matrix=(
                            correlation * np.outer(sigma, sigma)
                        ).tolist(),
                    ),
                )
            )
    return members


def combiner_of(package):
    models = [
        package.get_backend(name)(**arguments, analysis=f"analysis_{k}")
        for k, (name, arguments) in enumerate(inputs())
    ]
    return package.UnCorrStatisticsCombiner(*models)


CALLS = {
    "observed 1-CLs": lambda c: c.exclusion_confidence_level()[0],
    "observed poi_upper_limit": lambda c: c.poi_upper_limit(),
}


def measure(spey, call):
    """Times and values of one call, nbspey and (if installed) spey."""
    combiner = combiner_of(nbspey)
    value = call(combiner)
    count = 20
    seconds = best_of(3, lambda: [call(combiner) for _ in range(count)]) / count
    row = {"nbspey_ms": seconds * 1e3, "nbspey_value": float(value)}
    if spey is None:
        return row
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spey_value = call(combiner_of(spey))
        with_call = best_of(1, lambda: call(combiner_of(spey)))
        build = best_of(3, lambda: combiner_of(spey))
    row["spey_ms"] = (with_call - build) * 1e3
    row["spey_value"] = float(spey_value)
    row["ratio_spey_over_nbspey"] = (with_call - build) / seconds
    return row


def main():
    try:
        import spey
    except ImportError:
        spey = None
    rows = {label: measure(spey, call) for label, call in CALLS.items()}
    report = {
        "benchmark": f"combination of {ANALYSES} analyses x {BINS} bins",
        **environment(),
        "spey": spey.version() if spey is not None else None,
        "results": rows,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
