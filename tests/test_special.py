"""Special functions against high-precision references and identities.

The reference tables were computed with mpmath 1.4.1 at 50 significant digits
from the exact binary value of each float input (``mpmath.ncdf``,
``mpmath.erfc`` and, for the quantiles, ``mpmath.findroot`` on
``log ncdf(x) = log p``). The property tests compare with mpmath at random
points as well.
"""

import math

import mpmath
import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nbspey.numerics import special

mpmath.mp.dps = 50

# (z, Phi(z), 1 - Phi(z), ln Phi(z))
CDF_TABLE = [
    (-37.0, 5.7255712225245768e-300, 1.0, -689.03058557689059),
    (-30.0, 4.9067139271481871e-198, 1.0, -454.3212439563432),
    (-20.0, 2.7536241186062337e-89, 1.0, -203.91715537109726),
    (-10.0, 7.6198530241605261e-24, 1.0, -53.231285150512471),
    (-5.0, 2.8665157187919391e-7, 0.99999971334842812, -15.064998393988726),
    (-2.0, 0.022750131948179207, 0.97724986805182079, -3.7831843336820319),
    (-1.0, 0.15865525393145705, 0.84134474606854295, -1.8410216450092635),
    (-0.5, 0.3085375387259869, 0.6914624612740131, -1.1759117615936186),
    (-1e-08, 0.4999999960105772, 0.5000000039894228, -0.69314718853879095),
    (0.0, 0.5, 0.5, -0.69314718055994531),
    (0.5, 0.6914624612740131, 0.3085375387259869, -0.36894641528865639),
    (1.0, 0.84134474606854295, 0.15865525393145705, -0.17275377902344989),
    (2.0, 0.97724986805182079, 0.022750131948179207, -0.023012909328963488),
    (5.0, 0.99999971334842812, 2.8665157187919391e-7, -2.8665161296376359e-7),
    (10.0, 1.0, 7.6198530241605261e-24, -7.6198530241605261e-24),
    (20.0, 1.0, 2.7536241186062337e-89, -2.7536241186062337e-89),
    (37.0, 1.0, 5.7255712225245768e-300, -5.7255712225245768e-300),
]

# (p, Phi^-1(p))
PPF_TABLE = [
    (1e-300, -37.047096299361199),
    (1e-200, -30.205594179579643),
    (1e-100, -21.273453560965324),
    (1e-50, -14.933337534788489),
    (1e-20, -9.2623400897984076),
    (1e-10, -6.3613409024040562),
    (1e-05, -4.2648907939228246),
    (0.001, -3.0902323061678135),
    (0.01, -2.3263478740408411),
    (0.05, -1.6448536269514727),
    (0.075, -1.4395314709384559),
    (0.1, -1.2815515655446004),
    (0.25, -0.67448975019608174),
    (0.3, -0.52440051270804082),
    (0.49, -0.025068908258711058),
    (0.4999999999990905, -2.2797651350911115e-12),
    (0.51, 0.025068908258711058),
    (0.7, 0.52440051270804066),
    (0.9, 1.2815515655446006),
    (0.95, 1.6448536269514723),
    (0.99, 2.3263478740408408),
    (0.9999999999, 6.3613408896974219),
    (0.9999999999999999, 8.2095361516013869),
]

# (x, P(chi2_1 > x))
CHI2_TABLE = [
    (1e-10, 0.9999920211543921),
    (0.01, 0.92034432544594204),
    (0.5, 0.47950012218695346),
    (1.0, 0.3173105078629141),
    (3.841458820694124, 0.050000000000000057),
    (10.0, 0.0015654022580025497),
    (100.0, 1.5239706048321052e-23),
    (1000.0, 1.7958327848007262e-219),
    (1400.0, 2.1010145162642175e-306),
]

RELATIVE = 2e-15


def relative_error(value, reference):
    reference = mpmath.mpf(reference)
    if reference == 0:
        return abs(value)
    return float(abs((mpmath.mpf(value) - reference) / reference))


@pytest.mark.parametrize("z, cdf, sf, logcdf", CDF_TABLE)
def test_normal_cdf_sf_logcdf_match_references(z, cdf, sf, logcdf):
    assert relative_error(special.normal_cdf(z), cdf) < RELATIVE
    assert relative_error(special.normal_sf(-z), cdf) < RELATIVE
    assert relative_error(special.normal_sf(z), sf) < RELATIVE
    assert relative_error(special.normal_logcdf(z), logcdf) < RELATIVE


@pytest.mark.parametrize("p, quantile", PPF_TABLE)
def test_normal_ppf_and_isf_match_references(p, quantile):
    assert relative_error(special.normal_ppf(p), quantile) < RELATIVE
    assert relative_error(special.normal_isf(p), -quantile) < RELATIVE


def test_chi2_table_entries_are_consistent_with_mpmath():
    # Guards the hand-copied table itself.
    for x, reference in CHI2_TABLE:
        exact = mpmath.erfc(mpmath.sqrt(mpmath.mpf(x) / 2))
        assert relative_error(reference, exact) < 1e-15


@pytest.mark.parametrize("x, survival", CHI2_TABLE)
def test_chi2_sf_matches_references(x, survival):
    assert relative_error(special.chi2_sf(x), survival) < RELATIVE


def test_edge_values():
    assert special.normal_cdf(-np.inf) == 0.0
    assert special.normal_cdf(np.inf) == 1.0
    assert special.normal_logcdf(-np.inf) == -np.inf
    assert special.normal_logcdf(np.inf) == 0.0
    assert math.isnan(special.normal_cdf(np.nan))
    assert special.normal_ppf(0.0) == -np.inf
    assert special.normal_ppf(1.0) == np.inf
    assert math.isnan(special.normal_ppf(-0.1))
    assert math.isnan(special.normal_ppf(1.1))
    assert special.normal_ppf(0.5) == 0.0
    assert special.chi2_sf(0.0) == 1.0
    assert special.chi2_sf(-1e-12) == 1.0
    assert special.chi2_sf(np.inf) == 0.0
    assert special.chi2_isf(1.0) == 0.0
    assert special.chi2_isf(0.0) == np.inf
    assert math.isnan(special.chi2_isf(2.0))


def test_far_tail_logcdf_follows_the_asymptotic_series():
    """ln Phi(z) = -z^2/2 - ln(-z) - ln sqrt(2 pi) - 1/z^2 + O(z^-4)."""
    for z in (-50.0, -1e3, -1e6, -1e100):
        leading = -0.5 * z * z - math.log(-z) - 0.5 * math.log(2 * math.pi)
        assert abs(special.normal_logcdf(z) - leading) <= 1.5 / z**2 + 1e-16 * abs(
            leading
        )


def test_subnormal_lower_tail_is_continuous():
    """Below z = -37.5 the cdf is the exponential of the log-cdf; both sides of
    the switch agree with mpmath up to the spacing of subnormal numbers."""
    for z in (-37.49, -37.5, -37.51, -38.0):
        exact = mpmath.ncdf(z)
        error = abs(mpmath.mpf(special.normal_cdf(z)) - exact)
        assert error <= 1e-13 * exact + 2 * 5e-324


@given(st.floats(-37.5, 37.5))
def test_cdf_against_mpmath_anywhere(z):
    assert relative_error(special.normal_cdf(z), mpmath.ncdf(z)) < RELATIVE
    assert relative_error(special.normal_sf(z), mpmath.ncdf(-z)) < RELATIVE


@given(st.floats(-37.0, 8.2))
def test_ppf_inverts_cdf(z):
    """ppf(cdf(z)) = z up to the rounding of cdf(z) itself (conditioning
    cdf / (z pdf))."""
    p = special.normal_cdf(z)
    back = special.normal_ppf(p)
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    condition = p / max(pdf * abs(z), 1e-300)
    assert abs(back - z) <= 4e-16 * (abs(z) + 1e-300) * max(condition, 1.0) + 1e-300


@given(st.floats(1e-300, 0.5))
def test_ppf_lower_half_against_mpmath(p):
    exact = mpmath.findroot(
        lambda x: mpmath.log(mpmath.ncdf(x)) - mpmath.log(mpmath.mpf(p)),
        special.normal_ppf(p),
    )
    assert relative_error(special.normal_ppf(p), exact) < RELATIVE


@given(st.floats(1e-300, 1.0, exclude_max=True))
def test_symmetry_of_the_quantile(p):
    """isf(p) = -ppf(p), and ppf(1 - q) = -ppf(q) where 1 - q is exact."""
    assert special.normal_isf(p) == -special.normal_ppf(p)
    if p >= 0.5:
        assert special.normal_ppf(p) == -special.normal_ppf(1.0 - p)


@given(st.floats(0.0, 1400.0))
def test_chi2_isf_inverts_sf(x):
    back = special.chi2_isf(special.chi2_sf(x))
    assert abs(back - x) <= 1e-12 * max(x, 1.0)


@given(st.floats(1e-300, 1.0))
def test_chi2_isf_is_the_square_of_the_two_sided_quantile(p):
    z = special.normal_isf(p / 2)
    assert special.chi2_isf(p) == pytest.approx(z * z, rel=1e-15, abs=0)


@given(st.floats(0.0, 1e4), st.floats(1e-10, 1e4))
def test_poisson_logpmf_against_mpmath(count, rate):
    exact = mpmath.mpf(count) * mpmath.log(rate) - rate - mpmath.loggamma(count + 1)
    value = special.poisson_logpmf(count, rate)
    scale = abs(count * math.log(rate)) + rate + abs(math.lgamma(count + 1)) + 1
    assert abs(value - float(exact)) <= 1e-14 * scale


def test_poisson_logpmf_conventions():
    assert special.poisson_logpmf(0.0, 0.0) == 0.0
    assert special.poisson_logpmf(0.0, 3.0) == -3.0
    assert special.poisson_logpmf(2.0, 0.0) == -np.inf
    assert math.isnan(special.poisson_logpmf(-1.0, 3.0))
    # Integer counts reproduce the probability mass function.
    assert math.exp(special.poisson_logpmf(3.0, 2.0)) == pytest.approx(
        8 * math.exp(-2) / 6, rel=1e-14
    )


def test_functions_are_callable_from_compiled_code():
    @numba.njit
    def use_all(z, p, x):
        return (
            special.normal_cdf(z)
            + special.normal_sf(z)
            + special.normal_logcdf(z)
            + special.normal_ppf(p)
            + special.normal_isf(p)
            + special.chi2_sf(x)
            + special.chi2_isf(p)
            + special.poisson_logpmf(x, 2.0)
        )

    expected = (
        special.normal_cdf(0.3)
        + special.normal_sf(0.3)
        + special.normal_logcdf(0.3)
        + special.normal_ppf(0.2)
        + special.normal_isf(0.2)
        + special.chi2_sf(1.5)
        + special.chi2_isf(0.2)
        + special.poisson_logpmf(1.5, 2.0)
    )
    assert use_all(0.3, 0.2, 1.5) == expected
