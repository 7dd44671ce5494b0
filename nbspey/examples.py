"""Built-in example models.

``two_bin_example`` is the two-bin counting experiment used throughout spey's
own tests: signal ``s = [12, 15]``, background ``b = [50, 48]``, observed
``n = [36, 33]`` and absolute background uncertainties ``sigma = [12, 16]``.
It is small enough to check by hand and shows every feature of a fit: the
best fit has a negative signal strength, and a nuisance bound is close.
"""

import numpy as np

from nbspey.fits import fit, positivity_lower_bounds
from nbspey.likelihood.build import pack_uncorrelated
from nbspey.numerics.minimize import minimizer_options

__all__ = ["two_bin_example", "fit_two_bin_example"]

SIGNAL = (12.0, 15.0)
BACKGROUND = (50.0, 48.0)
OBSERVED = (36.0, 33.0)
UNCERTAINTY = (12.0, 16.0)


def two_bin_example():
    """Return ``(model, observed)`` of the two-bin uncorrelated example."""
    return pack_uncorrelated(SIGNAL, BACKGROUND, UNCERTAINTY), np.array(OBSERVED)


def fit_two_bin_example(mu=None):
    """Fit the two-bin example: free fit, or at fixed ``mu`` when given.

    The POI is bounded below by ``-min(b_i / s_i)`` so that every expected
    count stays non-negative, and each nuisance by ``-b_i / sigma_i``.

    Returns
    -------
    MinimizeResult
    """
    model, observed = two_bin_example()
    n_bins = observed.shape[0]
    minimum_poi = -min(b / s for b, s in zip(BACKGROUND, SIGNAL, strict=True))
    lower = np.concatenate([[minimum_poi], positivity_lower_bounds(model)])
    upper = np.full(n_bins + 1, np.inf)
    start = np.ones(n_bins + 1)
    fixed = np.zeros(n_bins + 1, dtype=np.bool_)
    if mu is not None:
        start[0] = mu
        fixed[0] = True
    return fit(
        model,
        observed,
        np.zeros(n_bins),
        start,
        lower,
        upper,
        fixed,
        minimizer_options(),
    )
