"""The ``nbspey`` command line.

``nbspey demo`` (the default) fits the built-in two-bin example and prints
the result; ``nbspey warmup`` compiles every kernel into numba's on-disk cache,
which is worth doing once after installation, and with ``NUMBA_CACHE_DIR``
pointing to a writable directory where the installation is read-only.
"""

import argparse
import sys
import time

__all__ = ["main"]


def _demo(arguments):
    from nbspey.examples import fit_two_bin_example
    from nbspey.numerics.trust_region import status_message

    start = time.perf_counter()
    free = fit_two_bin_example()
    at_one = fit_two_bin_example(mu=1.0)
    elapsed = time.perf_counter() - start
    print("nbspey demo: two-bin counting experiment")
    print("  signal [12, 15], background [50, 48] +- [12, 16], observed [36, 33]")
    print(f"  free fit:     mu_hat = {free.x[0]:.10f}   NLL = {free.value:.10f}")
    print(f"                {status_message(free.status)}")
    print(f"  fit at mu=1:  NLL = {at_one.value:.10f}")
    q_mu = 2.0 * (at_one.value - free.value)
    print(f"  q(mu=1) = 2 (NLL(1) - NLL_min) = {q_mu:.10f}")
    start = time.perf_counter()
    model = _two_bin_model()
    cls = model.exclusion_confidence_level()[0]
    band = model.exclusion_confidence_level(expected="aposteriori")
    limit = model.poi_upper_limit()
    elapsed += time.perf_counter() - start
    print(f"  observed 1-CLs at mu=1: {cls:.10f}")
    print("  expected 1-CLs (-2s..+2s): " + ", ".join(f"{v:.4f}" for v in band))
    print(f"  observed 95% CL upper limit on mu: {limit:.10f}")
    print(f"  (first calls including compilation or cache load: {elapsed:.2f} s)")
    return 0


def _two_bin_model():
    import nbspey

    return nbspey.get_backend("default.uncorrelated_background")(
        signal_yields=[12.0, 15.0],
        background_yields=[50.0, 48.0],
        data=[36.0, 33.0],
        absolute_uncertainties=[12.0, 16.0],
    )


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


def _parser():
    parser = argparse.ArgumentParser(
        prog="nbspey", description="Compiled spey-compatible statistics."
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("demo", help="fit the built-in example and print it")
    commands.add_parser("warmup", help="compile all kernels into the cache")
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    arguments = _parser().parse_args(argv)
    handlers = {None: _demo, "demo": _demo, "warmup": _warmup}
    return handlers[arguments.command](arguments)


if __name__ == "__main__":
    sys.exit(main())
