"""Brent's root finder and the bracket search."""

import math

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nbspey.numerics import (
    find_bracket,
    find_bracket_python,
    find_root,
    find_root_python,
    roots,
)


@numba.njit
def cubic(x, args):
    return x**3 - args


@numba.njit
def decreasing_cls_like(x, args):
    """exp(-x / scale) - 0.05: monotone like 1 - CLs - 0.95 in mu."""
    return math.exp(-x / args) - 0.05


@numba.njit
def not_finite_above(x, args):
    return x - 1.0 if x < 2.0 else np.nan


@given(st.floats(-1e6, 1e6))
def test_cube_root_to_tolerance(target):
    root, status, evaluations = find_root(
        cubic, -200.0, 200.0, target, 1e-15, 1e-14, 200
    )
    assert status == roots.ROOT_CONVERGED
    assert root == pytest.approx(np.cbrt(target), rel=1e-13, abs=1e-14)
    assert evaluations < 100


def test_brent_is_much_faster_than_bisection_on_smooth_functions():
    root, status, evaluations = find_root(
        decreasing_cls_like, 0.0, 100.0, 3.0, 1e-12, 0.0, 100
    )
    assert status == roots.ROOT_CONVERGED
    assert root == pytest.approx(-3.0 * math.log(0.05), abs=1e-11)
    assert evaluations <= 15  # bisection would need about 47


def test_status_codes():
    assert (
        find_root(cubic, 2.0, 3.0, 1.0, 1e-12, 0.0, 50)[1] == roots.ROOT_NO_SIGN_CHANGE
    )
    assert (
        find_root(cubic, 1.0, 1.0, 1.0, 1e-12, 0.0, 50)[1] == roots.ROOT_INVALID_INPUT
    )
    root, status, evaluations = find_root(cubic, 0.0, 5.0, 2.0, 1e-15, 0.0, 4)
    assert status == roots.ROOT_MAX_ITERATIONS and evaluations == 4
    assert find_root(not_finite_above, 0.0, 3.0, 0.0, 1e-12, 0.0, 50)[1] == (
        roots.ROOT_NOT_FINITE
    )
    assert "same sign" in roots.root_status_message(roots.ROOT_NO_SIGN_CHANGE)


def test_exact_zero_at_an_end():
    root, status, _ = find_root(cubic, 1.0, 4.0, 1.0, 1e-12, 0.0, 50)
    assert status == roots.ROOT_CONVERGED and root == 1.0


@given(st.floats(1e-3, 1e7))
def test_bracket_grows_geometrically_to_any_scale(scale):
    """A limit search starts at [0, 1]; the root may be anywhere up to 1e8."""
    low, high, f_low, f_high, status, evaluations = find_bracket(
        decreasing_cls_like, 0.0, 1.0, 0.0, np.inf, scale, 2.0, 1, 200
    )
    assert status == roots.ROOT_CONVERGED
    assert f_low > 0 > f_high or f_high == 0
    assert low <= -scale * math.log(0.05) <= high
    # [0, 1] grows by a factor 3 per evaluation: 2 + ceil(log3(root)) values.
    root = -scale * math.log(0.05)
    assert evaluations <= 3 + max(0, math.ceil(math.log(root) / math.log(3)))


def test_bracket_respects_its_limits():
    low, high, f_low, f_high, status, _ = find_bracket(
        decreasing_cls_like, 0.0, 1.0, 0.0, 10.0, 1e3, 2.0, 0, 100
    )
    assert status == roots.ROOT_NO_SIGN_CHANGE
    assert 0.0 <= low < high <= 10.0
    assert high == 10.0


def test_python_routes():
    root, status, _ = find_root_python(lambda x: x * x - 2.0, 0.0, 2.0)
    assert status == roots.ROOT_CONVERGED and root == pytest.approx(
        math.sqrt(2), rel=1e-12
    )
    low, high, _, _, status, _ = find_bracket_python(lambda x: x - 50.0, 0.0, 1.0)
    assert status == roots.ROOT_CONVERGED and low <= 50.0 <= high


def test_state_machine_from_compiled_code():
    @numba.njit
    def solve():
        state = roots.root_start(0.0, 2.0, 1e-14, 0.0, 100)
        while roots.root_running(state):
            x = roots.root_trial(state)
            roots.root_advance(state, x * x - 2.0)
        return roots.root_result(state)

    root, status, _ = solve()
    assert status == roots.ROOT_CONVERGED
    assert root == pytest.approx(math.sqrt(2), abs=1e-14)
