"""Dense linear algebra on matrices built from known factors."""

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nbspey.numerics import linalg


def random_lower_factor(seed, size):
    """A well-conditioned lower-triangular factor: off-diagonal entries of
    order 1/sqrt(size) keep the condition number of L L^T below ~100, so the
    tolerances below test the algorithms rather than the conditioning."""
    rng = np.random.default_rng(seed)
    factor = np.tril(rng.normal(scale=0.5 / np.sqrt(size), size=(size, size)))
    factor[np.diag_indices(size)] = rng.uniform(0.5, 2.0, size)
    return factor


sizes = st.integers(1, 40)
seeds = st.integers(0, 2**32 - 1)


@given(seeds, sizes)
def test_cholesky_recovers_the_factor(seed, size):
    """A = L L^T with positive diagonal has exactly one Cholesky factor: L."""
    factor = random_lower_factor(seed, size)
    matrix = factor @ factor.T
    computed, info = linalg.cholesky(matrix)
    assert info == linalg.OK
    np.testing.assert_allclose(computed, factor, rtol=1e-9, atol=1e-9)


@given(seeds, sizes)
def test_solves_inverse_and_logdet(seed, size):
    factor = random_lower_factor(seed, size)
    matrix = factor @ factor.T
    rhs = np.random.default_rng(seed + 1).normal(size=size)
    solution, info = linalg.solve_spd(matrix, rhs)
    assert info == linalg.OK
    np.testing.assert_allclose(matrix @ solution, rhs, rtol=1e-8, atol=1e-8)
    general, info = linalg.solve(matrix, rhs)
    assert info == linalg.OK
    np.testing.assert_allclose(general, solution, rtol=1e-7, atol=1e-7)
    inverse, info = linalg.inverse_spd(matrix)
    np.testing.assert_allclose(inverse @ matrix, np.eye(size), atol=1e-7)
    assert np.array_equal(inverse, inverse.T)
    logdet, info = linalg.logdet_spd(matrix)
    assert logdet == pytest.approx(2 * np.sum(np.log(np.diag(factor))), rel=1e-12)


@given(seeds, sizes)
def test_triangular_solves(seed, size):
    factor = random_lower_factor(seed, size)
    rhs = np.random.default_rng(seed).normal(size=size)
    out = np.empty(size)
    linalg.solve_lower(factor, rhs, out, size)
    np.testing.assert_allclose(factor @ out, rhs, rtol=1e-8, atol=1e-8)
    linalg.solve_lower_transposed(factor, rhs, out, size)
    np.testing.assert_allclose(factor.T @ out, rhs, rtol=1e-8, atol=1e-8)


def test_lu_handles_a_nonsymmetric_matrix_needing_pivots():
    matrix = np.array([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]])
    rhs = np.array([3.0, 2.0, 4.0])
    solution, info = linalg.solve(matrix, rhs)
    assert info == linalg.OK
    np.testing.assert_allclose(matrix @ solution, rhs, rtol=1e-14)


def test_failures_are_reported_not_raised():
    indefinite = np.array([[1.0, 2.0], [2.0, 1.0]])
    factor, info = linalg.cholesky(indefinite)
    assert info == 1  # the second pivot, 1 - 4 < 0
    solution, info = linalg.solve_spd(indefinite, np.ones(2))
    assert info == 1 and np.all(np.isnan(solution))
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    solution, info = linalg.solve(singular, np.ones(2))
    assert info == 1 and np.all(np.isnan(solution))
    nan_matrix = np.array([[np.nan, 0.0], [0.0, 1.0]])
    assert linalg.cholesky(nan_matrix)[1] == 0


def test_leading_block_only_is_used():
    factor = random_lower_factor(3, 5)
    matrix = factor @ factor.T
    padded = np.full((7, 7), np.nan)
    padded[:5, :5] = matrix
    out = np.zeros((7, 7))
    assert linalg.cholesky_factor(padded, out, 5) == linalg.OK
    np.testing.assert_allclose(out[:5, :5], factor, rtol=1e-10)


def test_norm2_does_not_overflow():
    vector = np.array([1e200, 1e200])
    assert linalg.norm2(vector, 2) == pytest.approx(np.sqrt(2) * 1e200)


def test_kernels_run_inside_njit():
    @numba.njit
    def logdet_and_solution(matrix, rhs):
        value, info = linalg.logdet_spd(matrix)
        solution, info = linalg.solve_spd(matrix, rhs)
        return value, solution

    matrix = np.array([[4.0, 1.0], [1.0, 3.0]])
    value, solution = logdet_and_solution(matrix, np.array([1.0, 2.0]))
    assert value == pytest.approx(np.log(11.0), rel=1e-14)
    np.testing.assert_allclose(matrix @ solution, [1.0, 2.0], rtol=1e-14)
