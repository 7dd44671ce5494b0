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
    print(f"  (first call including compilation or cache load: {elapsed:.2f} s)")
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
