"""Time a fresh process from ``import nbspey`` to its first CLs.

The child process imports nbspey, builds the two-bin uncorrelated model and
computes the observed 1-CLs once; it reports its own peak memory. Measured
twice: with numba's on-disk cache warm (the usual case after ``nbspey
warmup``), and with an empty cache in a temporary ``NUMBA_CACHE_DIR`` (the
first use after installation, everything compiled). Targets: warm <= 1 s wall
and <= 160 MiB peak.

Run ``python bench/bench_startup.py``; results go to
``bench/results/startup.json``.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "startup.json"

CHILD = """
import resource
import nbspey
model = nbspey.get_backend("default.uncorrelated_background")(
    signal_yields=[12.0, 15.0], background_yields=[50.0, 48.0],
    data=[36.0, 33.0], absolute_uncertainties=[12.0, 16.0])
value = model.exclusion_confidence_level()[0]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(value, peak)
"""


def run(environment):
    start = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return time.perf_counter() - start, float(output[0]), float(output[1])


def main():
    environment = dict(os.environ)
    run(environment)  # make sure the default cache is warm
    warm = min((run(environment) for _ in range(5)), key=lambda r: r[0])
    with tempfile.TemporaryDirectory() as cache:
        cold = run({**environment, "NUMBA_CACHE_DIR": cache})
    report = {
        "benchmark": "fresh process: import nbspey to first observed 1-CLs",
        "warm_cache_seconds": warm[0],
        "warm_cache_peak_mib": warm[2],
        "empty_cache_seconds": cold[0],
        "empty_cache_peak_mib": cold[2],
        "value": warm[1],
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
