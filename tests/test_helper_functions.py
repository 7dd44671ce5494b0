"""Covariance utilities and bin merging (reference-values.md section 4.2)."""

import numpy as np
import pytest

from nbspey.helper_functions import (
    correlation_to_covariance,
    covariance_to_correlation,
    merge_correlated_bins,
)
from nbspey.system.exceptions import InvalidInput

BACKGROUND = [10, 20, 30, 40, 50, 60, 70]
DATA = [12, 22, 32, 42, 52, 62, 72]
SIGNAL = [5, 15, 25, 35, 45, 55, 65]
COVARIANCE = [
    [4, 1, 0.5, 0.2, 0.1, 0.2, 0.3],
    [1, 3, 0.3, 0.1, 0.1, 0.1, 0.2],
    [0.5, 0.3, 5, 0.2, 0.1, 0, 0],
    [0.2, 0.1, 0.2, 4, 0.1, 0.2, 0.1],
    [0.1, 0.1, 0.1, 0.1, 6, 2, 0.3],
    [0.2, 0.1, 0, 0.2, 2, 5, 0.4],
    [0.3, 0.2, 0, 0.1, 0.3, 0.4, 7],
]


def test_correlation_and_covariance_round_trip():
    covariance = correlation_to_covariance([[1, 0.3], [0.3, 1]], [2, 4])
    np.testing.assert_allclose(covariance, [[4, 2.4], [2.4, 16]])
    np.testing.assert_allclose(
        covariance_to_correlation(covariance), [[1, 0.3], [0.3, 1]]
    )
    with pytest.raises(InvalidInput, match="non-positive diagonal"):
        covariance_to_correlation([[0.0, 0.0], [0.0, 1.0]])


def test_merge_correlated_bins_reference():
    merged = merge_correlated_bins(
        BACKGROUND,
        DATA,
        COVARIANCE,
        [[0, 1], [2, 3]],
        SIGNAL,
        return_group_indices=True,
    )
    np.testing.assert_allclose(merged["background_yields"], [30, 70, 50, 60, 70])
    np.testing.assert_allclose(merged["data"], [34, 74, 52, 62, 72])
    np.testing.assert_allclose(merged["signal_yields"], [20, 60, 45, 55, 65])
    np.testing.assert_allclose(
        merged["covariance_matrix"],
        [
            [9, 1.1, 0.2, 0.3, 0.5],
            [1.1, 9.4, 0.2, 0.2, 0.1],
            [0.2, 0.2, 6, 2, 0.3],
            [0.3, 0.2, 2, 5, 0.4],
            [0.5, 0.1, 0.3, 0.4, 7],
        ],
    )
    assert merged["group_indices"] == [[0, 1], [2, 3], [4], [5], [6]]


def test_merge_refuses_overlaps_and_out_of_range():
    with pytest.raises(InvalidInput, match="more than once"):
        merge_correlated_bins(BACKGROUND, DATA, COVARIANCE, [[0, 1], [1, 2]])
    with pytest.raises(InvalidInput, match="outside"):
        merge_correlated_bins(BACKGROUND, DATA, COVARIANCE, [[0, 9]])
    with pytest.raises(InvalidInput, match="data has shape"):
        merge_correlated_bins(BACKGROUND, DATA[:3], COVARIANCE, [[0, 1]])
