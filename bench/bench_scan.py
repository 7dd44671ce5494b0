"""``nbspey scan`` over 10,000 signal points of the CMS-SUS-19-006 likelihood.

The 40-region correlated-background model of the published CMS search
(shipped in ``nbspey.data``) against 10,000 T1tttt-like signals (random
mixtures of the three published efficiency maps with random cross
sections, seeded). nbspey's scan computes per point the observed and the
expected 1-CLs at mu = 1 and the observed and expected upper limits; spey
0.2.7 computes the observed 1-CLs and the observed upper limit on a sample
of the points. Target: >= 200 points/s on this 2-core machine.

Run ``python bench/bench_scan.py``; results go to ``bench/results/scan.json``.
"""

import json
import tempfile
import time
import warnings
from pathlib import Path

import numba
import numpy as np
from _common import environment

import nbspey
from nbspey.data import load_cms_sus_19_006
from nbspey.scan import SignalPoint, run_scan

RESULTS = Path(__file__).parent / "results" / "scan.json"
POINTS = 10_000
SPEY_SAMPLE = 20


def signal_points(inputs, count):
    efficiencies = np.array(inputs["signal_model"]["efficiencies"])
    rng = np.random.default_rng(20261204)
    points = []
    for k in range(count):
        weights = rng.dirichlet([1.0, 1.0, 1.0])
        xsection = 10 ** rng.uniform(-0.5, 1.0)
        signal = weights @ efficiencies * xsection * 137.0
        points.append(SignalPoint(f"p{k}", signal, xsection))
    return points


def main():
    inputs = load_cms_sus_19_006()
    model = nbspey.get_backend("default.correlated_background")(
        [0.0] * 40, inputs["background"], inputs["observed"], inputs["covariance"]
    )
    points = signal_points(inputs, POINTS)
    with tempfile.TemporaryDirectory() as directory:
        run_scan(model, points[:50], Path(directory) / "warm.csv", verbose=False)
        start = time.perf_counter()
        run_scan(model, points, Path(directory) / "scan.csv", verbose=False)
        seconds = time.perf_counter() - start
        text = (Path(directory) / "scan.csv").read_text().splitlines()
    failed = sum(1 for line in text[1:] if int(line.rsplit(",", 1)[1]) <= 0)
    rows = {
        "points": POINTS,
        "nbspey_seconds": seconds,
        "nbspey_points_per_second": POINTS / seconds,
        "nbspey_failed_points": failed,
        "threads": numba.get_num_threads(),
    }
    try:
        import spey
    except ImportError:
        spey = None
    if spey is not None:
        factory = spey.get_backend("default.correlated_background")
        sample = points[:SPEY_SAMPLE]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            for point in sample:
                spey_model = factory(
                    signal_yields=point.signal,
                    background_yields=np.array(inputs["background"]),
                    data=np.array(inputs["observed"]),
                    covariance_matrix=np.array(inputs["covariance"]),
                )
                spey_model.exclusion_confidence_level()
                spey_model.poi_upper_limit()
            spey_seconds = (time.perf_counter() - start) / SPEY_SAMPLE
        rows["spey_points_per_second"] = 1.0 / spey_seconds
        rows["spey_sample"] = SPEY_SAMPLE
        rows["ratio_nbspey_over_spey"] = (POINTS / seconds) * spey_seconds
    report = {
        "benchmark": "nbspey scan, CMS-SUS-19-006 (40 regions), 10,000 points",
        **environment(),
        "spey": spey.version() if spey is not None else None,
        "results": rows,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
