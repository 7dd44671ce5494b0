"""Small dense linear algebra written as compiled loops.

numba's ``np.linalg`` functions and the ``@`` operator on arrays call LAPACK
and BLAS through scipy, which nbspey does not depend on. The matrices of
simplified likelihoods have at most a few hundred rows, where plain loops are
as fast as library calls once the call overhead is counted.

Conventions:

* Kernels work in place on the leading ``n x n`` block of preallocated
  arrays, so a fit can reuse one workspace for the free-parameter subproblem
  of any size without allocating.
* A factorisation returns an integer *info*: ``-1`` on success, otherwise the
  index of the first pivot that failed. Nothing raises inside compiled code.
* Symmetric inputs are read from their lower triangle only.

The allocating helpers at the end (:func:`cholesky`, :func:`solve_spd`,
:func:`inverse_spd`, :func:`logdet_spd`, :func:`solve`) are for callers that
prefer convenience to reuse.
"""

import math

import numpy as np

from nbspey._compile import kernel

__all__ = [
    "OK",
    "cholesky_factor",
    "solve_lower",
    "solve_lower_transposed",
    "cholesky_solve",
    "cholesky_logdet",
    "cholesky_inverse",
    "lu_factor",
    "lu_solve",
    "matvec",
    "quadratic_form",
    "dot",
    "norm2",
    "cholesky",
    "solve_spd",
    "inverse_spd",
    "logdet_spd",
    "solve",
]

OK = -1
"""The *info* value of a factorisation that succeeded."""


@kernel
def cholesky_factor(matrix, factor, n):
    """Cholesky factorisation ``A = L L^T`` of a symmetric matrix.

    Parameters
    ----------
    matrix : ndarray, shape (>= n, >= n)
        The symmetric matrix; only the lower triangle of the leading block is
        read.
    factor : ndarray, shape (>= n, >= n)
        Receives ``L`` in its lower triangle, zeros above. May be ``matrix``
        itself.
    n : int
        Size of the leading block to factorise.

    Returns
    -------
    int
        ``OK`` (-1) on success. Otherwise the index ``k`` of the first pivot
        that is not positive (or not finite): the matrix is not positive
        definite, and the leading ``k x k`` block of ``factor`` is the factor
        of the leading ``k x k`` block of ``matrix``.
    """
    for j in range(n):
        pivot = matrix[j, j]
        for k in range(j):
            pivot -= factor[j, k] * factor[j, k]
        if not pivot > 0.0 or not math.isfinite(pivot):
            return j
        diagonal = math.sqrt(pivot)
        factor[j, j] = diagonal
        for i in range(j + 1, n):
            value = matrix[i, j]
            for k in range(j):
                value -= factor[i, k] * factor[j, k]
            factor[i, j] = value / diagonal
        for i in range(j):
            factor[i, j] = 0.0
    return OK


@kernel
def solve_lower(factor, rhs, out, n):
    """Forward substitution: solve ``L x = b`` for lower-triangular ``L``.

    ``out`` may be the same array as ``rhs``.
    """
    for i in range(n):
        value = rhs[i]
        for k in range(i):
            value -= factor[i, k] * out[k]
        out[i] = value / factor[i, i]


@kernel
def solve_lower_transposed(factor, rhs, out, n):
    """Back substitution: solve ``L^T x = b`` for lower-triangular ``L``.

    ``out`` may be the same array as ``rhs``.
    """
    for i in range(n - 1, -1, -1):
        value = rhs[i]
        for k in range(i + 1, n):
            value -= factor[k, i] * out[k]
        out[i] = value / factor[i, i]


@kernel
def cholesky_solve(factor, rhs, out, n):
    """Solve ``A x = b`` given the Cholesky factor ``L`` of ``A``.

    ``out`` may be the same array as ``rhs``.
    """
    solve_lower(factor, rhs, out, n)
    solve_lower_transposed(factor, out, out, n)


@kernel
def cholesky_logdet(factor, n):
    """``ln det A = 2 sum_i ln L_ii`` from the Cholesky factor of ``A``."""
    total = 0.0
    for i in range(n):
        total += math.log(factor[i, i])
    return 2.0 * total


@kernel
def cholesky_inverse(factor, out, n):
    """Inverse of ``A`` from its Cholesky factor, written into ``out``.

    Column ``j`` of the inverse solves ``A x = e_j``; the result is exactly
    symmetric because the upper triangle is copied from the lower one.
    """
    column = np.empty(n)
    for j in range(n):
        for i in range(n):
            column[i] = 0.0
        column[j] = 1.0
        cholesky_solve(factor, column, column, n)
        for i in range(j, n):
            out[i, j] = column[i]
    for j in range(n):
        for i in range(j):
            out[i, j] = out[j, i]


@kernel
def lu_factor(matrix, lu, pivots, n):
    """LU factorisation with partial pivoting, ``P A = L U``.

    For a general square matrix.

    ``lu`` receives the unit-lower ``L`` below the diagonal and ``U`` on and
    above it (it may be ``matrix`` itself); ``pivots[i]`` is the row swapped
    with row ``i``. Returns ``OK`` or the index of the first zero pivot.
    """
    for i in range(n):
        for j in range(n):
            lu[i, j] = matrix[i, j]
    info = OK
    for k in range(n):
        best = k
        largest = abs(lu[k, k])
        for i in range(k + 1, n):
            if abs(lu[i, k]) > largest:
                largest = abs(lu[i, k])
                best = i
        pivots[k] = best
        if not largest > 0.0:
            if info == OK:
                info = k
            continue
        if best != k:
            for j in range(n):
                lu[k, j], lu[best, j] = lu[best, j], lu[k, j]
        for i in range(k + 1, n):
            lu[i, k] /= lu[k, k]
            multiplier = lu[i, k]
            for j in range(k + 1, n):
                lu[i, j] -= multiplier * lu[k, j]
    return info


@kernel
def lu_solve(lu, pivots, rhs, out, n):
    """Solve ``A x = b`` from the output of :func:`lu_factor`.

    ``out`` may be the same array as ``rhs``.
    """
    for i in range(n):
        out[i] = rhs[i]
    for k in range(n):
        swap = pivots[k]
        if swap != k:
            out[k], out[swap] = out[swap], out[k]
    for i in range(n):
        value = out[i]
        for k in range(i):
            value -= lu[i, k] * out[k]
        out[i] = value
    for i in range(n - 1, -1, -1):
        value = out[i]
        for k in range(i + 1, n):
            value -= lu[i, k] * out[k]
        out[i] = value / lu[i, i]


@kernel
def matvec(matrix, vector, out, n):
    """``out = A v`` over the leading block; ``out`` must not be ``v``."""
    for i in range(n):
        value = 0.0
        for j in range(n):
            value += matrix[i, j] * vector[j]
        out[i] = value


@kernel
def quadratic_form(matrix, vector, n):
    """``v^T A v`` over the leading block."""
    total = 0.0
    for i in range(n):
        row = 0.0
        for j in range(n):
            row += matrix[i, j] * vector[j]
        total += vector[i] * row
    return total


@kernel
def dot(left, right, n):
    """Inner product of the first ``n`` entries."""
    total = 0.0
    for i in range(n):
        total += left[i] * right[i]
    return total


@kernel
def norm2(vector, n):
    """Euclidean norm of the first ``n`` entries, safe from overflow."""
    largest = 0.0
    for i in range(n):
        largest = max(largest, abs(vector[i]))
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    total = 0.0
    for i in range(n):
        scaled = vector[i] / largest
        total += scaled * scaled
    return largest * math.sqrt(total)


@kernel
def cholesky(matrix):
    """Allocating Cholesky factorisation: returns ``(L, info)``."""
    n = matrix.shape[0]
    factor = np.zeros((n, n))
    info = cholesky_factor(matrix, factor, n)
    return factor, info


@kernel
def solve_spd(matrix, rhs):
    """Solve ``A x = b`` for symmetric positive definite ``A``.

    Returns ``(x, info)``; ``x`` is NaN when ``A`` is not positive definite.
    """
    n = matrix.shape[0]
    factor = np.zeros((n, n))
    solution = np.full(n, np.nan)
    info = cholesky_factor(matrix, factor, n)
    if info == OK:
        cholesky_solve(factor, rhs, solution, n)
    return solution, info


@kernel
def inverse_spd(matrix):
    """Inverse of a symmetric positive definite matrix: ``(inverse, info)``."""
    n = matrix.shape[0]
    factor = np.zeros((n, n))
    inverse = np.full((n, n), np.nan)
    info = cholesky_factor(matrix, factor, n)
    if info == OK:
        cholesky_inverse(factor, inverse, n)
    return inverse, info


@kernel
def logdet_spd(matrix):
    """``ln det A`` of a symmetric positive definite matrix: ``(value, info)``."""
    n = matrix.shape[0]
    factor = np.zeros((n, n))
    info = cholesky_factor(matrix, factor, n)
    if info != OK:
        return np.nan, info
    return cholesky_logdet(factor, n), info


@kernel
def solve(matrix, rhs):
    """Solve ``A x = b`` for a general square ``A`` by pivoted LU.

    Returns ``(x, info)``; ``x`` is NaN when ``A`` is singular.
    """
    n = matrix.shape[0]
    lu = np.empty((n, n))
    pivots = np.empty(n, dtype=np.int64)
    solution = np.full(n, np.nan)
    info = lu_factor(matrix, lu, pivots, n)
    if info == OK:
        lu_solve(lu, pivots, rhs, solution, n)
    return solution, info
