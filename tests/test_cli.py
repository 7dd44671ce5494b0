"""The command line, end to end through a subprocess."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nbspey
import nbspey.io

MODEL = {
    "backend": "default.uncorrelated_background",
    "analysis": "SR",
    "xsection": 0.5,
    "signal_yields": [12.0, 15.0],
    "background_yields": [50.0, 48.0],
    "data": [36, 33],
    "absolute_uncertainties": [12.0, 16.0],
}


ROOT = Path(nbspey.__file__).resolve().parent.parent


def run(*arguments, cwd=None, code=None):
    """``python -m nbspey ARGUMENTS`` (or ``python -c CODE``) in ``cwd``."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), environment.get("PYTHONPATH", "")]
    )
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "nbspey"]
    return subprocess.run(
        [*command, *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=environment,
    )


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(MODEL))
    return path


def test_demo_prints_the_cms_table(tmp_path):
    result = run("demo", "--json", "--plot", "", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    points = json.loads(result.stdout)["points"]
    assert [p["m_gluino_GeV"] for p in points] == [1000.0, 1500.0, 1950.0]
    # spey 0.2.7 on the same model: 0.87088 and 1.29172 (1500 / 610 GeV).
    assert points[1]["one_minus_cls_observed"] == pytest.approx(0.8708768, rel=1e-4)
    assert points[1]["excluded_xsection_fb_observed"] == pytest.approx(
        1.2917159, rel=1e-4
    )
    text = run("demo", cwd=tmp_path)
    assert text.returncode == 0 and "CMS-SUS-19-006" in text.stdout
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "nbspey-demo.png").stat().st_size > 10_000


def test_plot_writes_a_png_or_says_how_to_get_matplotlib(model_file, tmp_path):
    out = tmp_path / "brazil.png"
    if importlib.util.find_spec("matplotlib") is not None:
        result = run("plot", str(model_file), "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    hidden = (
        "import sys; sys.modules['matplotlib'] = None; from nbspey.cli import main; "
        f"sys.exit(main(['plot', {str(model_file)!r}, '--out', {str(out)!r}]))"
    )
    result = run(code=hidden)
    assert result.returncode == 1
    assert 'pip install "nbspey[plot]"' in result.stderr


def test_model_commands(model_file):
    reference = nbspey.io.load_models(model_file)
    fit = json.loads(run("fit", str(model_file), "--json").stdout)
    assert fit["mu_hat"] == pytest.approx(reference.maximize_likelihood()[0])
    cls = json.loads(run("cls", str(model_file), "--json").stdout)
    assert cls["one_minus_cls"]["observed"] == pytest.approx(
        reference.exclusion_confidence_level()[0]
    )
    band = json.loads(
        run("cls", str(model_file), "--expected", "apriori", "--json").stdout
    )
    assert list(band["one_minus_cls"]) == [
        "-2sigma",
        "-1sigma",
        "median",
        "+1sigma",
        "+2sigma",
    ]
    limit = json.loads(run("limit", str(model_file), "--json").stdout)
    assert limit["mu"]["observed"] == pytest.approx(reference.poi_upper_limit())
    assert limit["cross_section"]["observed"] == pytest.approx(
        0.5 * reference.poi_upper_limit()
    )
    bands = json.loads(
        run(
            "limit",
            str(model_file),
            "--expected",
            "aposteriori",
            "--band",
            "1sigma",
            "--json",
        ).stdout
    )
    assert list(bands["mu"]) == ["-1sigma", "median", "+1sigma"]
    toys = run(
        "cls",
        str(model_file),
        "--calculator",
        "toy",
        "--ntoys",
        "50",
        "--seed",
        "1",
        "--json",
    )
    assert toys.returncode == 0, toys.stderr
    significance = json.loads(run("significance", str(model_file), "--json").stdout)
    assert 0.0 <= significance["p_observed"] <= 1.0
    listing = run("backends")
    assert "default.multivariate_normal" in listing.stdout


def test_bad_inputs_give_clear_messages(tmp_path):
    missing = run("fit", str(tmp_path / "missing.json"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run("fit", str(broken))
    assert result.returncode == 1 and "not valid JSON" in result.stderr
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({**MODEL, "data": [1.0, 2.0, 3.0]}))
    result = run("cls", str(wrong))
    assert result.returncode == 1 and "data" in result.stderr
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({**MODEL, "backend": "default.nothing"}))
    result = run("fit", str(unknown))
    assert result.returncode == 1 and "'backend'" in result.stderr
    usage = run("limit", "--band", "3sigma", "x.json")
    assert usage.returncode == 2
    assert run("cls").returncode == 2


def test_model_files_round_trip(tmp_path):
    model = nbspey.io.model_from_dict(MODEL)
    nbspey.io.save_models(model, tmp_path / "a.json")
    again = nbspey.io.load_models(tmp_path / "a.json")
    assert nbspey.io.model_to_dict(again) == nbspey.io.model_to_dict(model)
    assert json.loads((tmp_path / "a.json").read_text()) == MODEL
    nbspey.io.save_models({"one": model, "two": again}, tmp_path / "b.json")
    both = nbspey.io.load_models(tmp_path / "b.json")
    assert [m.analysis for m in both.values()] == ["one", "two"]


@pytest.fixture
def cms_model_file(tmp_path):
    """The shipped CMS-SUS-19-006 likelihood with the 1500/610 GeV signal."""
    from nbspey.data import load_cms_sus_19_006

    inputs = load_cms_sus_19_006()
    efficiency = inputs["signal_model"]["efficiencies"][1]
    model = {
        "backend": "default.correlated_background",
        "analysis": inputs["analysis"],
        "xsection": 1.0,
        "signal_yields": [e * 137.0 for e in efficiency],
        "background_yields": inputs["background"],
        "data": inputs["observed"],
        "covariance_matrix": inputs["covariance"],
    }
    path = tmp_path / "cms.json"
    path.write_text(json.dumps(model))
    return path


def test_every_command_on_the_shipped_example(cms_model_file, tmp_path):
    fit = run("fit", str(cms_model_file), "--json")
    assert fit.returncode == 0, fit.stderr
    cls = json.loads(run("cls", str(cms_model_file), "--json").stdout)
    # spey 0.2.7 on the same model: 0.8708768 and 1.2917159.
    assert cls["one_minus_cls"]["observed"] == pytest.approx(0.8708768, rel=1e-4)
    limit = json.loads(run("limit", str(cms_model_file), "--json").stdout)
    assert limit["cross_section"]["observed"] == pytest.approx(1.2917159, rel=1e-4)
    band = run(
        "limit", str(cms_model_file), "--expected", "apriori", "--band", "2sigma"
    )
    assert band.returncode == 0 and "+2sigma" in band.stdout
    assert run("significance", str(cms_model_file)).returncode == 0
    if importlib.util.find_spec("matplotlib") is not None:
        plot = run("plot", str(cms_model_file), "--out", str(tmp_path / "cms.png"))
        assert plot.returncode == 0, plot.stderr


def test_missing_fields_and_wrong_shapes(tmp_path):
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({k: v for k, v in MODEL.items() if k != "data"}))
    result = run("fit", str(missing))
    assert result.returncode == 1
    assert "missing.json" in result.stderr and "data" in result.stderr
    no_backend = tmp_path / "nobackend.json"
    no_backend.write_text(
        json.dumps({k: v for k, v in MODEL.items() if k != "backend"})
    )
    result = run("fit", str(no_backend))
    assert result.returncode == 1 and "'backend' is missing" in result.stderr
    shape = tmp_path / "shape.json"
    shape.write_text(json.dumps({**MODEL, "absolute_uncertainties": [[1.0, 2.0]]}))
    result = run("fit", str(shape))
    assert result.returncode == 1 and "absolute_uncertainties" in result.stderr
