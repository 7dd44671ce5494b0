"""Plots of a hypothesis test: the Brazil band and the profile likelihood.

Needs matplotlib (``python -m pip install "nbspey[plot]"``); nbspey itself
does not depend on it, and :func:`brazil_plot` raises
:class:`MissingPlotDependency` with that hint when it is absent.
"""

import math
import warnings

import numpy as np

from nbspey.numerics.special import chi2_isf
from nbspey.system.exceptions import FitFailedWarning

__all__ = ["MissingPlotDependency", "brazil_plot"]


class MissingPlotDependency(ImportError):
    """matplotlib is not installed."""


def _pyplot():
    try:
        import matplotlib
    except ImportError as error:
        raise MissingPlotDependency(
            'plots need matplotlib: python -m pip install "nbspey[plot]"'
        ) from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    return pyplot


def brazil_plot(model, path, expected="aposteriori", confidence_level=0.95, title=None):
    """Write the Brazil band and the profile-likelihood scan of ``model``.

    Left: ``1 - CLs`` against ``mu``, observed and the expected median with
    its one- and two-sigma bands (``expected`` data), the confidence level
    and the observed and expected upper limits marked. Right: ``2 (NLL(mu) -
    NLL_min)`` with the chi-square threshold of ``confidence_level``, from
    ``minimum_poi`` (where expectations stay positive) up; points whose
    fits fail are left out of the curve.

    Returns
    -------
    dict
        The observed and expected limits shown.
    """
    pyplot = _pyplot()
    observed_limit = model.poi_upper_limit(confidence_level=confidence_level)
    band_limits = model.poi_upper_limit(
        expected=expected, confidence_level=confidence_level, expected_pvalue="2sigma"
    )
    top = 1.3 * max([observed_limit, *band_limits])
    if not math.isfinite(top):
        top = 10.0
    grid = np.linspace(top / 200.0, top, 60)
    observed, bands = [], []
    for mu in grid:
        observed.append(model.exclusion_confidence_level(mu)[0])
        bands.append(model.exclusion_confidence_level(mu, expected=expected))
    bands = np.array(bands)

    figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4.2))
    left.fill_between(grid, bands[:, 0], bands[:, 4], color="#ffdd44", label="±2σ")
    left.fill_between(grid, bands[:, 1], bands[:, 3], color="#44bb44", label="±1σ")
    left.plot(grid, bands[:, 2], "k--", label=f"expected ({expected})")
    left.plot(grid, observed, "k-", lw=2, label="observed")
    left.axhline(confidence_level, color="red", lw=1)
    left.axvline(observed_limit, color="black", lw=1, ls=":")
    left.axvline(band_limits[2], color="gray", lw=1, ls=":")
    left.set_xlabel("signal strength μ")
    left.set_ylabel("1 − CLs")
    left.set_ylim(0.0, 1.02)
    left.legend(loc="lower right", fontsize=8)
    left.set_title(
        f"μ < {observed_limit:.3g} observed, {band_limits[2]:.3g} expected",
        fontsize=9,
    )

    mu_hat, _ = model.maximize_likelihood()
    low = min(mu_hat, 0.0) - 0.5 * top
    minimum = model._test_config().minimum_poi
    if math.isfinite(minimum):
        # Below minimum_poi some expectation is negative: no likelihood there.
        low = max(low, minimum + 0.01 * (top - minimum))
    profile, curve = [], []
    for mu in np.linspace(low, top, 80):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FitFailedWarning)
            value = model.chi2(mu, allow_negative_signal=True)
        # Points whose fits failed are left out of the curve, not drawn.
        if not any(issubclass(w.category, FitFailedWarning) for w in caught):
            profile.append(mu)
            curve.append(value)
    right.plot(profile, curve, "k.-", ms=2)
    right.axhline(chi2_isf(1.0 - confidence_level), color="red", lw=1)
    right.axvline(mu_hat, color="gray", lw=1, ls=":")
    right.set_xlabel("signal strength μ")
    right.set_ylabel("2 (NLL(μ) − NLL_min)")
    right.set_title(f"profile likelihood, μ̂ = {mu_hat:.3g}", fontsize=9)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return {"observed": observed_limit, "expected": list(band_limits)}
