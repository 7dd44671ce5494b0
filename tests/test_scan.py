"""nbspey scan: results, resumption after an interruption, bad inputs."""

import csv
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import nbspey
import nbspey.io
from nbspey.data import load_cms_sus_19_006
from nbspey.scan import read_signals, run_scan
from nbspey.system.exceptions import InvalidInput


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The CMS background model and 1200 T1tttt-like signal points."""
    directory = tmp_path_factory.mktemp("scan")
    inputs = load_cms_sus_19_006()
    model = {
        "backend": "default.correlated_background",
        "analysis": inputs["analysis"],
        "signal_yields": [0.0] * 40,
        "background_yields": inputs["background"],
        "data": inputs["observed"],
        "covariance_matrix": inputs["covariance"],
    }
    (directory / "model.json").write_text(json.dumps(model))
    efficiencies = np.array(inputs["signal_model"]["efficiencies"])
    rng = np.random.default_rng(5)
    lines = ["name," + ",".join(inputs["regions"]) + ",xsection"]
    for k in range(1200):
        weights = rng.dirichlet([1.0, 1.0, 1.0])
        xsection = 10 ** rng.uniform(-0.5, 1.0)
        signal = weights @ efficiencies * xsection * 137.0
        lines.append(
            f"p{k}," + ",".join(repr(float(x)) for x in signal) + f",{xsection!r}"
        )
    (directory / "signals.csv").write_text("\n".join(lines) + "\n")
    return directory


def read_rows(path):
    with open(path) as handle:
        return list(csv.DictReader(handle))


def scan_command(files, output):
    return [
        sys.executable,
        "-m",
        "nbspey",
        "scan",
        str(files / "model.json"),
        "--signals",
        str(files / "signals.csv"),
        "--out",
        str(output),
    ]


def test_scan_results_match_the_python_api(files, tmp_path):
    model = nbspey.io.load_models(files / "model.json")
    points = read_signals(files / "signals.csv", 40)[:20]
    run_scan(model, points, tmp_path / "out.csv", verbose=False)
    rows = read_rows(tmp_path / "out.csv")
    assert [row["name"] for row in rows] == [p.name for p in points]
    for point, row in zip(points[:3], rows, strict=False):
        single = nbspey.get_backend("default.correlated_background")(
            point.signal.tolist(),
            model.backend.background_yields.tolist(),
            model.backend.data.tolist(),
            load_cms_sus_19_006()["covariance"],
        )
        assert int(row["status"]) > 0
        observed = single.exclusion_confidence_level()[0]
        assert float(row["one_minus_cls_observed"]) == pytest.approx(
            observed, rel=1e-10
        )
        limit = single.poi_upper_limit()
        assert float(row["mu_limit_observed"]) == pytest.approx(limit, rel=1e-9)
        expected = single.poi_upper_limit(expected="apriori")
        assert float(row["mu_limit_expected"]) == pytest.approx(expected, rel=1e-9)
        assert float(row["xsection_limit_observed"]) == pytest.approx(
            limit * point.xsection, rel=1e-9
        )


def test_an_interrupted_scan_resumes_to_the_full_result(files, tmp_path):
    whole = tmp_path / "whole.csv"
    done = subprocess.run(scan_command(files, whole) + ["--quiet"], timeout=900)
    assert done.returncode == 0
    partial = tmp_path / "partial.csv"
    process = subprocess.Popen(
        scan_command(files, partial) + ["--quiet"], stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 600
    while time.time() < deadline:
        if partial.exists() and len(partial.read_text().splitlines()) > 50:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=120)
    interrupted = len(read_rows(partial))
    resumed = subprocess.run(
        scan_command(files, partial) + ["--quiet", "--json"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["skipped"] == interrupted
    assert interrupted < 1200 or process.returncode == 0
    rows = read_rows(partial)
    names = [row["name"] for row in rows]
    assert len(names) == len(set(names)) == 1200
    reference = {row["name"]: row for row in read_rows(whole)}
    for row in rows:
        assert row == reference[row["name"]]


def test_bad_signal_files(files, tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,a,b\np0,1.0,2.0\n")
    with pytest.raises(InvalidInput, match="has 2 signal yields; the model has 40"):
        read_signals(wrong, 40)
    repeated = tmp_path / "repeated.json"
    repeated.write_text(json.dumps([{"name": "x", "signal_yields": [1.0]}] * 2))
    with pytest.raises(InvalidInput, match="repeats"):
        read_signals(repeated, 1)
    result = subprocess.run(
        scan_command(files, tmp_path / "out.csv")[:-4]
        + ["--signals", str(wrong), "--out", str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1 and "signal yields" in result.stderr
