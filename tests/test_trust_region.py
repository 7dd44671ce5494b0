"""The bounded trust-region minimiser on problems with known minima."""

import math

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nbspey.numerics import minimize, minimize_python, minimizer_options
from nbspey.numerics import trust_region as tr

UNBOUNDED = np.inf


@numba.njit
def quadratic(x, gradient, hessian, args):
    """f = x^T A x / 2 - b^T x, args = (A, b)."""
    matrix, linear = args
    n = x.shape[0]
    value = 0.0
    for i in range(n):
        row = 0.0
        for j in range(n):
            row += matrix[i, j] * x[j]
            hessian[i, j] = matrix[i, j]
        gradient[i] = row - linear[i]
        value += 0.5 * x[i] * row - linear[i] * x[i]
    return value


@numba.njit
def quartic_bowl(x, gradient, hessian, args):
    """Sum of (x_i - c_i)^4 + (x_i - c_i)^2 over i: convex, minimum at c."""
    centre = args
    value = 0.0
    hessian[:, :] = 0.0
    for i in range(x.shape[0]):
        d = x[i] - centre[i]
        value += d**4 + d * d
        gradient[i] = 4 * d**3 + 2 * d
        hessian[i, i] = 12 * d * d + 2
    return value


@numba.njit
def rosenbrock(x, gradient, hessian, args):
    a = x[1] - x[0] ** 2
    value = (1 - x[0]) ** 2 + 100 * a * a
    gradient[0] = -2 * (1 - x[0]) - 400 * x[0] * a
    gradient[1] = 200 * a
    hessian[0, 0] = 2 - 400 * (x[1] - 3 * x[0] ** 2)
    hessian[0, 1] = hessian[1, 0] = -400 * x[0]
    hessian[1, 1] = 200.0
    return value


@numba.njit
def double_well(x, gradient, hessian, args):
    """x^4 - 2 x^2 + y^2: a saddle at the origin, minima at (+-1, 0)."""
    value = x[0] ** 4 - 2 * x[0] ** 2 + x[1] ** 2
    gradient[0] = 4 * x[0] ** 3 - 4 * x[0]
    gradient[1] = 2 * x[1]
    hessian[0, 0] = 12 * x[0] ** 2 - 4
    hessian[0, 1] = hessian[1, 0] = 0.0
    hessian[1, 1] = 2.0
    return value


@numba.njit
def log_barrier(x, gradient, hessian, args):
    """x - log(x): minimum 1 at x = 1, NaN for x < 0 (log of a negative)."""
    value = x[0] - math.log(x[0]) if x[0] >= 0 else np.nan
    gradient[0] = 1 - 1 / x[0]
    hessian[0, 0] = 1 / x[0] ** 2
    return value


@numba.njit
def poisson_rates(x, gradient, hessian, args):
    """Independent Poisson counts n_i with rates x_i: NLL = sum x - n ln x."""
    counts = args
    value = 0.0
    hessian[:, :] = 0.0
    for i in range(x.shape[0]):
        value += x[i] - (counts[i] * math.log(x[i]) if counts[i] > 0 else 0.0)
        gradient[i] = 1 - counts[i] / x[i]
        hessian[i, i] = counts[i] / x[i] ** 2
    return value


@numba.njit
def poisson_signal(x, gradient, hessian, args):
    """One bin, n ~ Poisson(mu s + b): the P1 model of spey's tests."""
    signal, background, count = args
    rate = x[0] * signal + background
    gradient[0] = signal * (1 - count / rate)
    hessian[0, 0] = signal * signal * count / rate**2
    return rate - count * math.log(rate) + math.lgamma(count + 1)


def run(objective, x0, lower=None, upper=None, fixed=None, args=0.0, **options):
    x0 = np.asarray(x0, dtype=np.float64)
    n = x0.shape[0]
    lower = np.full(n, -UNBOUNDED) if lower is None else np.asarray(lower, float)
    upper = np.full(n, UNBOUNDED) if upper is None else np.asarray(upper, float)
    fixed = np.zeros(n, np.bool_) if fixed is None else np.asarray(fixed, np.bool_)
    return minimize(
        objective, x0, lower, upper, fixed, args, minimizer_options(**options)
    )


def spd_problem(seed, size):
    rng = np.random.default_rng(seed)
    factor = np.tril(rng.normal(scale=0.5 / np.sqrt(size), size=(size, size)))
    factor[np.diag_indices(size)] = rng.uniform(0.5, 2.0, size)
    return factor @ factor.T, rng.normal(size=size) * 3


seeds = st.integers(0, 2**32 - 1)


@given(seeds, st.integers(1, 12))
def test_unbounded_quadratic_reaches_the_exact_minimum(seed, size):
    matrix, linear = spd_problem(seed, size)
    result = run(quadratic, np.zeros(size), args=(matrix, linear))
    exact = np.linalg.solve(matrix, linear)
    assert result.status > 0
    np.testing.assert_allclose(result.x, exact, rtol=1e-10, atol=1e-10)
    assert result.value == pytest.approx(-0.5 * linear @ exact, rel=1e-13, abs=1e-13)


@given(seeds, st.integers(1, 10))
def test_bounded_quadratic_satisfies_the_optimality_conditions(seed, size):
    """For a strictly convex problem the KKT point is the minimum: the
    gradient vanishes at free coordinates and points into the box at active
    bounds."""
    matrix, linear = spd_problem(seed, size)
    rng = np.random.default_rng(seed + 7)
    lower = rng.uniform(-1.0, 0.0, size)
    upper = lower + rng.uniform(0.1, 1.5, size)
    result = run(
        quadratic, rng.normal(size=size) * 5, lower, upper, args=(matrix, linear)
    )
    assert result.status > 0
    x, gradient = result.x, result.gradient
    assert np.all(x >= lower) and np.all(x <= upper)
    at_lower = x == lower
    at_upper = x == upper
    free = ~(at_lower | at_upper)
    assert np.all(np.abs(gradient[free]) < 1e-9)
    assert np.all(gradient[at_lower] > -1e-9)
    assert np.all(gradient[at_upper] < 1e-9)


def test_rosenbrock_newton_and_quasi_newton():
    for quasi_newton in (False, True):
        result = run(rosenbrock, [-1.2, 1.0], quasi_newton=quasi_newton)
        assert result.status > 0, tr.status_message(result.status)
        np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-9)
        assert result.value < 1e-18


def test_rosenbrock_with_an_active_bound():
    result = run(rosenbrock, [-1.2, 1.0], lower=[-2.0, -2.0], upper=[0.5, 2.0])
    assert result.status > 0
    assert result.x[0] == 0.5
    assert result.x[1] == pytest.approx(0.25, abs=1e-12)


def test_poisson_rates_have_the_counts_as_maximum_and_respect_zero_counts():
    """The maximum-likelihood rate of a Poisson count is the count; a zero
    count puts the rate on its lower bound."""
    counts = np.array([3.0, 17.5, 0.0, 250.0])
    lower = np.full(4, 1e-12)
    result = run(poisson_rates, [1.0, 1.0, 1.0, 1.0], lower=lower, args=counts)
    assert result.status > 0
    np.testing.assert_allclose(result.x[[0, 1, 3]], counts[[0, 1, 3]], rtol=1e-12)
    assert result.x[2] == lower[2]


def test_single_bin_poisson_signal_fit():
    """P1 of spey's tests: mu_hat = (55 - 50) / 12 and the minimum NLL is
    55 - 55 ln 55 + lgamma(56) = 2.92412026064175 (reference-values.md quotes
    spey's loosely converged 2.9241202643, within its rtol of 1e-5)."""
    result = run(
        poisson_signal, [1.0], lower=[-50 / 12], upper=[10.0], args=(12.0, 50.0, 55.0)
    )
    assert result.status > 0
    assert result.x[0] == pytest.approx(5 / 12, rel=1e-14)
    exact = 55 - 55 * math.log(55) + math.lgamma(56)
    assert result.value == pytest.approx(exact, rel=1e-14)
    assert result.value == pytest.approx(2.9241202643, rel=1e-5)


def test_fixed_parameters_never_move_even_outside_their_bounds():
    matrix, linear = spd_problem(3, 4)
    fixed = np.array([False, True, False, True])
    x0 = np.array([0.0, 7.0, 0.0, -3.0])
    result = run(
        quadratic,
        x0,
        lower=np.full(4, -1.0),
        upper=np.full(4, 1.0),
        fixed=fixed,
        args=(matrix, linear),
    )
    assert result.status > 0
    assert result.x[1] == 7.0 and result.x[3] == -3.0
    # The free part solves the reduced problem A_ff x_f = b_f - A_fx x_x.
    free = ~fixed
    reduced = linear[free] - matrix[np.ix_(free, fixed)] @ x0[fixed]
    exact = np.clip(np.linalg.solve(matrix[np.ix_(free, free)], reduced), -1, 1)
    if np.all(np.abs(exact) < 1):
        np.testing.assert_allclose(result.x[free], exact, atol=1e-10)


def test_indefinite_start_escapes_the_saddle():
    """Starting exactly at the saddle's x = 0 the gradient in x is zero and
    the curvature negative; the minimiser must follow the negative curvature
    to a minimum at x = +-1."""
    result = run(double_well, [0.0, 1.0])
    assert result.status > 0
    assert abs(result.x[0]) == pytest.approx(1.0, abs=1e-10)
    assert result.x[1] == pytest.approx(0.0, abs=1e-10)
    assert result.value == pytest.approx(-1.0, abs=1e-14)


def test_nan_region_is_stepped_around():
    result = run(log_barrier, [20.0])
    assert result.status > 0
    assert result.x[0] == pytest.approx(1.0, abs=1e-10)
    assert np.isfinite(result.value)


def test_non_finite_start_is_a_failure_not_a_result():
    result = run(log_barrier, [-1.0])
    assert result.status == tr.NOT_FINITE_START
    assert "not finite" in tr.status_message(result.status)


def test_start_outside_the_bounds_is_projected():
    result = run(
        quartic_bowl,
        [10.0, -10.0],
        lower=[-1.0, -1.0],
        upper=[1.0, 1.0],
        args=np.array([0.5, -0.5]),
    )
    assert result.status > 0
    np.testing.assert_allclose(result.x, [0.5, -0.5], atol=1e-10)


def test_invalid_input_is_reported():
    result = run(quartic_bowl, [0.0], lower=[1.0], upper=[0.0], args=np.zeros(1))
    assert result.status == tr.INVALID_INPUT
    result = run(quartic_bowl, [np.nan], args=np.zeros(1))
    assert result.status == tr.INVALID_INPUT


def test_iteration_limit_is_a_failure():
    result = run(rosenbrock, [-1.2, 1.0], max_iterations=2)
    assert result.status == tr.MAX_ITERATIONS
    assert result.iterations == 2


@given(
    seeds,
    st.integers(1, 6),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_result_is_never_worse_inside_bounds_and_keeps_fixed_values(seed, size, mask):
    """Whatever the start, bounds and fixed mask: the result lies inside the
    bounds exactly, the fixed entries are bit-for-bit their start values, and
    the objective is no larger than at the (projected) start."""
    rng = np.random.default_rng(seed)
    centre = rng.normal(size=size) * 3
    lower = rng.uniform(-4, 0, size)
    upper = lower + rng.uniform(0, 4, size)
    fixed = np.array(mask[:size])
    x0 = rng.normal(size=size) * 4
    start = np.where(fixed, x0, np.clip(x0, lower, upper))
    result = run(quartic_bowl, x0, lower, upper, fixed, args=centre)
    gradient = np.zeros(size)
    hessian = np.zeros((size, size))
    start_value = quartic_bowl(start, gradient, hessian, centre)
    assert result.status > 0
    assert result.value <= start_value
    free = ~fixed
    assert np.all(result.x[free] >= lower[free]) and np.all(
        result.x[free] <= upper[free]
    )
    assert np.array_equal(result.x[fixed], x0[fixed])
    # The bowl is separable, so the exact answer is the clipped centre.
    np.testing.assert_allclose(
        result.x[free], np.clip(centre, lower, upper)[free], atol=1e-8
    )


def test_python_route_matches_the_compiled_route():
    matrix, linear = spd_problem(5, 3)

    def value(x):
        return 0.5 * x @ matrix @ x - linear @ x

    def gradient(x):
        return matrix @ x - linear

    exact = np.linalg.solve(matrix, linear)
    finite_difference = minimize_python(value, np.zeros(3))
    assert finite_difference.status > 0
    np.testing.assert_allclose(finite_difference.x, exact, atol=1e-6)
    analytic = minimize_python(value, np.zeros(3), jac=gradient, hess=lambda x: matrix)
    assert analytic.status > 0
    np.testing.assert_allclose(analytic.x, exact, atol=1e-12)
    paired = minimize_python(lambda x: (value(x), gradient(x)), np.zeros(3), jac=True)
    assert paired.status > 0
    np.testing.assert_allclose(paired.x, exact, atol=1e-8)


def test_python_route_respects_bounds_and_fixed_parameters():
    def bowl(x):
        return float(np.sum((x - np.array([2.0, -2.0, 0.5])) ** 2))

    result = minimize_python(
        bowl,
        [0.0, 0.0, 9.0],
        lower=[-1, -1, -1],
        upper=[1, 1, 1],
        fixed=[False, False, True],
    )
    assert result.status > 0
    np.testing.assert_allclose(result.x[:2], [1.0, -1.0])
    assert result.x[2] == 9.0


def test_python_route_rejects_wrong_lengths():
    with pytest.raises(ValueError, match="lower has 2 entries; expected 3"):
        minimize_python(lambda x: 0.0, np.zeros(3), lower=[0.0, 0.0])
