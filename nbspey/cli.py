"""The ``nbspey`` command line.

Commands (``nbspey COMMAND --help`` for the options of each):

* ``demo`` (the default): the CMS-SUS-19-006 simplified likelihood shipped
  with nbspey, tested against the T1tttt signal at three mass points;
* ``backends``: the registered backends and their metadata;
* ``fit MODEL``: ``mu_hat``, the NLL and ``sigma_mu``;
* ``cls MODEL``: ``1 - CLs`` (observed, or the expected band);
* ``limit MODEL``: upper limits on ``mu`` (and on the cross section when
  the model has one);
* ``significance MODEL``: the discovery test;
* ``scan MODEL --signals FILE --out FILE``: many signal hypotheses against
  one background model (:mod:`nbspey.scan`), in parallel, resumable;
* ``plot MODEL --out FILE.png``: the Brazil band and the profile
  likelihood (needs the ``plot`` extra);
* ``warmup``: compile every kernel into numba's on-disk cache.

``MODEL`` is a model file (:mod:`nbspey.io`); a file with several models is
combined (:class:`~nbspey.combiner.UnCorrStatisticsCombiner`). Results are
tables, or JSON with ``--json``. The exit status is 0 on success, 2 for
usage errors and 1 when the computation or the input fails; messages go to
stderr.
"""

import argparse
import json
import math
import sys
import time

__all__ = ["main"]

_EXPECTED = ("observed", "aposteriori", "apriori")


class _Failure(Exception):
    """An error to report on stderr with exit status 1."""


def _load(path):
    from nbspey.combiner import UnCorrStatisticsCombiner
    from nbspey.io import load_models

    models = load_models(path)
    if isinstance(models, dict):
        models = list(models.values())
    if isinstance(models, list):
        return models[0] if len(models) == 1 else UnCorrStatisticsCombiner(*models)
    return models


def _emit(arguments, result, lines):
    if arguments.json:
        print(json.dumps(result, indent=2))
    else:
        print("\n".join(lines))


def _number(value, digits=6):
    return f"{value:.{digits}g}" if math.isfinite(value) else str(value)


def _backends(arguments):
    import nbspey

    rows = [nbspey.get_backend_metadata(name) for name in nbspey.AvailableBackends()]
    lines = [f"{'backend':36s} {'version':10s} author"]
    lines += [f"{r['name']:36s} {str(r['version']):10s} {r['author']}" for r in rows]
    _emit(arguments, rows, lines)
    return 0


def _fit(arguments):
    model = _load(arguments.model)
    mu_hat, nll = model.maximize_likelihood()
    sigma = model.sigma_mu(max(mu_hat, 1e-3) if mu_hat <= 0 else mu_hat)
    result = {"mu_hat": mu_hat, "nll": nll, "sigma_mu": sigma}
    lines = [
        f"mu_hat   = {_number(mu_hat, 10)}",
        f"NLL      = {_number(nll, 12)}",
        f"sigma_mu = {_number(sigma, 6)}",
    ]
    _emit(arguments, result, lines)
    return 0


def _cls(arguments):
    model = _load(arguments.model)
    if arguments.ntoys is not None:
        model.ntoys = arguments.ntoys
    values = (
        model.exclusion_confidence_level(
            poi_test=arguments.mu,
            expected=arguments.expected,
            calculator=arguments.calculator,
            seed=arguments.seed,
            verbose=not arguments.json,
        )
        if arguments.calculator == "toy"
        else model.exclusion_confidence_level(
            poi_test=arguments.mu,
            expected=arguments.expected,
            calculator=arguments.calculator,
        )
    )
    labels = ["observed"] if len(values) == 1 else _BAND_LABELS
    result = {"mu": arguments.mu, "expected": arguments.expected}
    result["one_minus_cls"] = dict(zip(labels, values, strict=True))
    lines = [f"1 - CLs at mu = {arguments.mu} ({arguments.expected}):"]
    lines += [
        f"  {label:9s} {value:.6f}" for label, value in zip(labels, values, strict=True)
    ]
    _emit(arguments, result, lines)
    return 0


_BAND_LABELS = ["-2sigma", "-1sigma", "median", "+1sigma", "+2sigma"]


def _limit(arguments):
    model = _load(arguments.model)
    band = "nominal" if arguments.band is None else arguments.band
    limits = model.poi_upper_limit(
        expected=arguments.expected,
        confidence_level=arguments.cl,
        expected_pvalue=band,
    )
    limits = [limits] if not isinstance(limits, list) else limits
    if len(limits) == 1:
        labels = ["observed" if arguments.expected == "observed" else "median"]
    elif len(limits) == 3:
        labels = _BAND_LABELS[1:4]
    else:
        labels = _BAND_LABELS
    xsection = getattr(model, "xsection", math.nan)
    result = {"confidence_level": arguments.cl, "expected": arguments.expected}
    result["mu"] = dict(zip(labels, limits, strict=True))
    lines = [f"{100 * arguments.cl:g}% CL upper limits ({arguments.expected}):"]
    for label, limit in zip(labels, limits, strict=True):
        line = f"  {label:9s} mu < {_number(limit)}"
        if not math.isnan(xsection):
            line += f"   cross section < {_number(limit * xsection)}"
        lines.append(line)
    if not math.isnan(xsection):
        result["cross_section"] = {k: v * xsection for k, v in result["mu"].items()}
    _emit(arguments, result, lines)
    return 0


def _significance(arguments):
    model = _load(arguments.model)
    sqrt_q0_asimov, sqrt_q0, observed, expected = model.significance()
    result = {
        "sqrt_q0": sqrt_q0,
        "sqrt_q0_asimov": sqrt_q0_asimov,
        "p_observed": observed[0],
        "p_expected": dict(zip(_BAND_LABELS, expected, strict=True)),
    }
    lines = [
        f"observed significance {sqrt_q0:.4f} sigma (p = {observed[0]:.4g})",
        f"expected significance {sqrt_q0_asimov:.4f} sigma (p = {expected[2]:.4g})",
    ]
    _emit(arguments, result, lines)
    return 0


def _scan(arguments):
    from nbspey.scan import read_signals, run_scan

    model = _load(arguments.model)
    if not hasattr(model, "backend"):
        raise _Failure("a scan takes a file with one model")
    bins = len(model.backend.data)
    points = read_signals(arguments.signals, bins)
    start = time.perf_counter()
    computed = run_scan(
        model,
        points,
        arguments.out,
        confidence_level=arguments.cl,
        verbose=not arguments.quiet,
    )
    elapsed = time.perf_counter() - start
    result = {
        "points": len(points),
        "computed": computed,
        "skipped": len(points) - computed,
        "seconds": elapsed,
        "output": str(arguments.out),
    }
    lines = [
        f"{computed} points computed, {len(points) - computed} already in "
        f"{arguments.out}, in {elapsed:.1f} s"
        + (f" ({computed / elapsed:.0f} points/s)" if computed and elapsed else "")
    ]
    _emit(arguments, result, lines)
    return 0


def _plot(arguments):
    from nbspey.plotting import brazil_plot

    model = _load(arguments.model)
    limits = brazil_plot(
        model, arguments.out, expected=arguments.expected, title=str(arguments.model)
    )
    result = {"output": str(arguments.out), "limits": limits}
    _emit(arguments, result, [f"plot written to {arguments.out}"])
    return 0


def _demo(arguments):
    import numpy as np

    import nbspey
    from nbspey.data import load_cms_sus_19_006

    start = time.perf_counter()
    inputs = load_cms_sus_19_006()
    efficiencies = np.array(inputs["signal_model"]["efficiencies"])
    luminosity = inputs["luminosity_fb"]
    reference = 1.0  # fb
    factory = nbspey.get_backend("default.correlated_background")
    rows = []
    for masses, efficiency in zip(
        inputs["signal_model"]["mass_points_GeV"], efficiencies, strict=True
    ):
        model = factory(
            (efficiency * reference * luminosity).tolist(),
            inputs["background"],
            inputs["observed"],
            inputs["covariance"],
            analysis=inputs["analysis"],
            xsection=reference,
        )
        mu_hat, nll = model.maximize_likelihood()
        observed, band = model.exclusion_confidence_level(expected="all")
        limit = model.poi_upper_limit()
        limits = model.poi_upper_limit(expected="aposteriori", expected_pvalue="2sigma")
        rows.append(
            {
                "m_gluino_GeV": masses[0],
                "m_neutralino_GeV": masses[1],
                "mu_hat": mu_hat,
                "nll": nll,
                "one_minus_cls_observed": observed[0],
                "one_minus_cls_expected": band[2],
                "excluded_xsection_fb_observed": limit * reference,
                "excluded_xsection_fb_expected": [x * reference for x in limits],
            }
        )
    elapsed = time.perf_counter() - start
    lines = [
        "nbspey demo: CMS-SUS-19-006 (arXiv:1908.04722, JHEP 10 (2019) 244),",
        f"  {len(inputs['regions'])} aggregated signal regions, 137/fb at 13 TeV,"
        " correlated-background simplified likelihood;",
        "  T1tttt signal (efficiencies from the SModelS database),"
        f" 1 - CLs at a reference cross section of {reference:g} fb.",
        "",
        f"{'m(g~)':>6s} {'m(chi)':>6s} {'mu_hat':>8s} {'1-CLs obs':>9s} "
        f"{'1-CLs exp':>9s} {'s95 obs':>8s}   s95 expected [fb]: -2s   -1s  "
        "median  +1s   +2s",
    ]
    for row in rows:
        expected = " ".join(f"{x:6.3f}" for x in row["excluded_xsection_fb_expected"])
        lines.append(
            f"{row['m_gluino_GeV']:6.0f} {row['m_neutralino_GeV']:6.0f} "
            f"{row['mu_hat']:8.4f} {row['one_minus_cls_observed']:9.4f} "
            f"{row['one_minus_cls_expected']:9.4f} "
            f"{row['excluded_xsection_fb_observed']:8.3f}   {expected}"
        )
    lines += ["", f"(all fits, limits and bands in {elapsed:.2f} s)"]
    plot = None
    if arguments.plot:
        from nbspey.plotting import MissingPlotDependency, brazil_plot

        try:
            brazil_plot(
                model,
                arguments.plot,
                title=f"CMS-SUS-19-006, T1tttt m(g~) = {masses[0]:.0f} GeV, "
                f"m(chi) = {masses[1]:.0f} GeV, 1 fb",
            )
            plot = str(arguments.plot)
            lines.append(f"Brazil plot of the last point written to {plot}")
        except MissingPlotDependency as error:
            lines.append(f"(no plot: {error})")
    result = {"analysis": inputs["analysis"], "points": rows, "plot": plot}
    _emit(arguments, result, lines)
    return 0


def _warmup(arguments):
    from nbspey.examples import fit_two_bin_example
    from nbspey.numerics import special

    start = time.perf_counter()
    fit_two_bin_example()
    for function in (
        special.normal_cdf,
        special.normal_sf,
        special.normal_logcdf,
        special.normal_ppf,
        special.normal_isf,
        special.chi2_sf,
        special.chi2_isf,
    ):
        function(0.5)
    special.poisson_logpmf(1.0, 2.0)
    model = _two_bin_model()
    for calculator in ("asymptotic", "chi_square"):
        model.exclusion_confidence_level(calculator=calculator)
    model.poi_upper_limit(expected="aposteriori", expected_pvalue="2sigma")
    model.significance()
    model.sigma_mu(1.0)
    model.toy_test(ntoys=10, seed=0, verbose=False)
    print(f"nbspey kernels compiled and cached in {time.perf_counter() - start:.1f} s")
    return 0


def _two_bin_model():
    import nbspey

    return nbspey.get_backend("default.uncorrelated_background")(
        signal_yields=[12.0, 15.0],
        background_yields=[50.0, 48.0],
        data=[36.0, 33.0],
        absolute_uncertainties=[12.0, 16.0],
    )


def _parser():
    parser = argparse.ArgumentParser(
        prog="nbspey", description="Compiled spey-compatible statistics."
    )
    commands = parser.add_subparsers(dest="command")

    def command(name, help_text, model=True):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if model:
            sub.add_argument("model", help="model file (JSON, see nbspey.io)")
        sub.add_argument("--json", action="store_true", help="print JSON")
        return sub

    demo = command("demo", "the CMS-SUS-19-006 example", model=False)
    demo.add_argument(
        "--plot",
        default="nbspey-demo.png",
        help="where to write the Brazil plot (needs matplotlib; '' for none)",
    )
    command("backends", "list the registered backends", model=False)
    command("fit", "maximum-likelihood fit")
    cls = command("cls", "1 - CLs of a signal hypothesis")
    cls.add_argument("--mu", type=float, default=1.0, help="tested POI (1)")
    cls.add_argument("--expected", choices=_EXPECTED, default="observed")
    cls.add_argument(
        "--calculator",
        choices=("asymptotic", "toy", "chi_square"),
        default="asymptotic",
    )
    cls.add_argument("--ntoys", type=int, help="toys per hypothesis")
    cls.add_argument("--seed", type=int, help="seed of the toys")
    limit = command("limit", "upper limits on the POI")
    limit.add_argument("--expected", choices=_EXPECTED, default="observed")
    limit.add_argument("--band", choices=("1sigma", "2sigma"), help="expected band")
    limit.add_argument("--cl", type=float, default=0.95, help="confidence level")
    command("significance", "discovery test")
    plot = command("plot", "Brazil band and profile likelihood (PNG)")
    plot.add_argument("--out", required=True, help="the image file")
    plot.add_argument("--expected", choices=_EXPECTED[1:], default="aposteriori")
    scan = command("scan", "many signal hypotheses against one model")
    scan.add_argument("--signals", required=True, help="signal points (CSV or JSON)")
    scan.add_argument(
        "--out", required=True, help="results (.csv, or .json for JSON lines)"
    )
    scan.add_argument("--cl", type=float, default=0.95, help="confidence level")
    scan.add_argument("--quiet", action="store_true", help="no progress bar")
    commands.add_parser("warmup", help="compile all kernels into the cache")
    return parser


_HANDLERS = {
    None: _demo,
    "demo": _demo,
    "backends": _backends,
    "fit": _fit,
    "cls": _cls,
    "limit": _limit,
    "significance": _significance,
    "scan": _scan,
    "plot": _plot,
    "warmup": _warmup,
}


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    if not hasattr(arguments, "json"):
        arguments.json = False
    if arguments.command is None:
        arguments.plot = "nbspey-demo.png"
    if (
        getattr(arguments, "cl", 0.5) is not None
        and not 0.0 < getattr(arguments, "cl", 0.5) < 1.0
    ):
        parser.error(f"--cl must be between 0 and 1; got {arguments.cl}")
    try:
        return _HANDLERS[arguments.command](arguments)
    except KeyboardInterrupt:
        print("nbspey: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # reported, not a traceback: exit status 1
        print(f"nbspey: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
