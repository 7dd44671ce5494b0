"""Utility functions for covariance matrices and bin merging.

These mirror spey's ``helper_functions``, with nbspey's input checks.
"""

import numpy as np

from nbspey.system.exceptions import InvalidInput

__all__ = [
    "correlation_to_covariance",
    "covariance_to_correlation",
    "merge_correlated_bins",
]


def correlation_to_covariance(correlation, sigmas):
    """``diag(sigma) rho diag(sigma)``."""
    correlation = np.asarray(correlation, dtype=np.float64)
    sigmas = np.asarray(sigmas, dtype=np.float64)
    return correlation * np.outer(sigmas, sigmas)


def covariance_to_correlation(covariance):
    """``D^-1 Sigma D^-1`` with ``D = diag(sqrt(diag(Sigma)))``.

    Raises
    ------
    InvalidInput
        When a diagonal entry is not positive.
    """
    covariance = np.asarray(covariance, dtype=np.float64)
    diagonal = np.diag(covariance)
    if np.any(diagonal <= 0):
        bad = np.flatnonzero(diagonal <= 0).tolist()
        raise InvalidInput(f"covariance has non-positive diagonal entries at {bad}")
    sigma = np.sqrt(diagonal)
    return covariance / np.outer(sigma, sigma)


def merge_correlated_bins(
    background_yields,
    data,
    covariance_matrix,
    merge_groups,
    signal_yields=None,
    return_group_indices=False,
):
    """Merge groups of correlated bins into single bins.

    The new bins are the merge groups in the order given, then every bin not
    in a group, in ascending order. Yields, data and signal are summed within
    a group; the covariance of two new bins is the sum of the covariance block
    between their groups.

    Returns
    -------
    dict
        ``background_yields``, ``data``, ``covariance_matrix``, plus
        ``signal_yields`` when given and ``group_indices`` when requested.

    Raises
    ------
    InvalidInput
        For mismatched lengths, a non-square covariance, indices out of range,
        or groups that overlap.
    """
    background = np.asarray(background_yields, dtype=np.float64)
    observed = np.asarray(data, dtype=np.float64)
    covariance = np.asarray(covariance_matrix, dtype=np.float64)
    size = background.shape[0]
    if observed.shape != (size,):
        raise InvalidInput(f"data has shape {observed.shape}; expected ({size},)")
    if covariance.shape != (size, size):
        raise InvalidInput(
            f"covariance_matrix has shape {covariance.shape}; expected ({size}, {size})"
        )
    signal = None
    if signal_yields is not None:
        signal = np.asarray(signal_yields, dtype=np.float64)
        if signal.shape != (size,):
            raise InvalidInput(
                f"signal_yields has shape {signal.shape}; expected ({size},)"
            )
    seen = set()
    for group in merge_groups:
        for index in group:
            if not 0 <= int(index) < size:
                raise InvalidInput(
                    f"merge_groups contains bin {index}, outside 0..{size - 1}"
                )
            if int(index) in seen:
                raise InvalidInput(f"merge_groups uses bin {index} more than once")
            seen.add(int(index))
    groups = [[int(i) for i in group] for group in merge_groups]
    groups += [[i] for i in range(size) if i not in seen]

    result = {
        "background_yields": np.array([background[g].sum() for g in groups]),
        "data": np.array([observed[g].sum() for g in groups]),
        "covariance_matrix": np.array(
            [[covariance[np.ix_(a, b)].sum() for b in groups] for a in groups]
        ),
    }
    if signal is not None:
        result["signal_yields"] = np.array([signal[g].sum() for g in groups])
    if return_group_indices:
        result["group_indices"] = groups
    return result
