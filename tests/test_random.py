"""Counter-based random kernels: exact bits, distributions, reproducibility.

The bit-level tests compare with a pure-Python SplitMix64 on unbounded ints
masked to 64 bits. The distribution tests draw large samples from fixed seeds
and compare moments and tail fractions with their exact values at 5 standard
errors, and Poisson histograms with the pmf by a chi-square test; each of those
checks also rejects a slightly wrong distribution, so that it can fail.
"""

import math

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nbspey.numerics import random as nbr
from nbspey.numerics import special

MASK = 0xFFFFFFFFFFFFFFFF
GOLDEN = 0x9E3779B97F4A7C15
SEED = 20240611


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def splitmix64_sequence(state, count):
    """The first ``count`` outputs of sequential SplitMix64 seeded with state."""
    outputs = []
    for _ in range(count):
        state = (state + GOLDEN) & MASK
        outputs.append(mix(state))
    return outputs


def reference_key(seed, kind, index):
    h = mix((seed + GOLDEN) & MASK)
    h = mix(h ^ ((kind + 0xD1B54A32D192ED03) & MASK))
    return mix(h ^ ((index + 0x8CB92BA72F3D8DD7) & MASK))


def reference_uniform(key, counter):
    bits = splitmix64_sequence(key, counter + 1)[-1]
    return ((bits >> 12) + 0.5) * 2.0**-52


# Samplers compiled once per test session; each draws a whole sample in
# compiled code, one stream per sample element.


@numba.njit
def uniform_sample(seed, kind, n):
    out = np.empty(n)
    for i in range(n):
        out[i], _ = nbr.uniform(nbr.stream_key(seed, kind, i), 0)
    return out


@numba.njit
def uniform_sequence(key, n):
    out = np.empty(n)
    counter = 0
    for i in range(n):
        out[i], counter = nbr.uniform(key, counter)
    return out


@numba.njit
def normal_sample(seed, kind, n):
    out = np.empty(n)
    for i in range(n):
        out[i], _ = nbr.standard_normal(nbr.stream_key(seed, kind, i), 0)
    return out


@numba.njit
def poisson_sample(seed, kind, n, rate):
    out = np.empty(n)
    for i in range(n):
        out[i], _ = nbr.poisson(nbr.stream_key(seed, kind, i), 0, rate)
    return out


@numba.njit
def poisson_sequence(key, n, rate):
    out = np.empty(n)
    counter = 0
    for i in range(n):
        out[i], counter = nbr.poisson(key, counter, rate)
    return out


def toy(seed, i, out):
    """One toy: several kinds of variates from two streams of index i."""
    key = nbr.stream_key(seed, 0, i)
    counter = 0
    out[0], counter = nbr.poisson(key, counter, 4.2)
    out[1], counter = nbr.poisson(key, counter, 1234.5)
    out[2], counter = nbr.uniform(key, counter)
    counter = nbr.normal_vector(key, counter, out[3:6])
    aux = nbr.stream_key(seed, 1, i)
    out[6], _ = nbr.standard_normal(aux, 0)


toy_compiled = numba.njit(toy)


@numba.njit(parallel=True)
def toys_parallel(seed, n):
    out = np.empty((n, 7))
    for i in numba.prange(n):
        toy_compiled(seed, i, out[i])
    return out


@numba.njit
def toys_serial(seed, n, reverse):
    out = np.empty((n, 7))
    for j in range(n):
        i = n - 1 - j if reverse else j
        toy_compiled(seed, i, out[i])
    return out


def mean_and_variance(sample):
    mean = sample.mean()
    return mean, np.mean((sample - mean) ** 2)


def chi2_pvalue(statistic, dof):
    """Upper tail of the chi-square distribution by Wilson-Hilferty."""
    scale = 2.0 / (9.0 * dof)
    z = ((statistic / dof) ** (1.0 / 3.0) - (1.0 - scale)) / math.sqrt(scale)
    return special.normal_sf(z)


def poisson_gof_pvalue(sample, rate):
    """Chi-square goodness of fit of integer counts to Poisson(rate)."""
    n = sample.size
    top = int(rate + 20.0 * math.sqrt(rate) + 20.0)
    pmf = np.array(
        [math.exp(special.poisson_logpmf(float(k), rate)) for k in range(top)]
    )
    expected = n * pmf
    # Pool the tails into the first and last bins with an expectation >= 5.
    large = np.nonzero(expected >= 5.0)[0]
    lo, hi = large[0], large[-1]
    probabilities = np.concatenate(
        ([pmf[: lo + 1].sum()], pmf[lo + 1 : hi], [1.0 - pmf[:hi].sum()])
    )
    observed_all = np.bincount(sample.astype(np.int64), minlength=top + 1)
    observed = np.concatenate(
        (
            [observed_all[: lo + 1].sum()],
            observed_all[lo + 1 : hi],
            [observed_all[hi:].sum()],
        )
    )
    expected = n * probabilities
    statistic = np.sum((observed - expected) ** 2 / expected)
    return chi2_pvalue(statistic, probabilities.size - 1)


# --- bit level ---------------------------------------------------------------


def test_random_bits_is_counter_mode_splitmix64():
    key = np.uint64(nbr.stream_key(SEED, 3, 17))
    expected = splitmix64_sequence(int(key), 300)
    assert [int(nbr.random_bits(key, c)) for c in range(300)] == expected


@given(
    st.integers(min_value=0, max_value=MASK),
    st.integers(min_value=0, max_value=2**62),
)
def test_random_bits_matches_reference_for_any_key(key, counter):
    expected = mix((key + (counter + 1) * GOLDEN) & MASK)
    assert int(nbr.random_bits(np.uint64(key), np.int64(counter))) == expected


@given(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
)
def test_stream_key_matches_reference(seed, kind, index):
    expected = reference_key(seed & MASK, kind & MASK, index & MASK)
    key = nbr.stream_key(np.int64(seed), np.int64(kind), np.int64(index))
    assert int(key) == expected


def test_keys_from_python_and_from_compiled_code_agree():
    # From Python a key is a Python int and must be passed back as np.uint64:
    # numba's dispatcher would take a Python int as int64, and half of all keys
    # are >= 2**63. Check both halves against the draws made in compiled code.
    n = 64
    keys = [np.uint64(nbr.stream_key(SEED, 0, i)) for i in range(n)]
    assert any(key >= 2**63 for key in keys) and any(key < 2**63 for key in keys)
    compiled = uniform_sample(SEED, 0, n)
    assert [nbr.uniform(key, 0)[0] for key in keys] == list(compiled)


def test_integer_kernels_stay_in_uint64():
    nbr.stream_key(1, 2, 3)
    nbr.random_bits(np.uint64(2**64 - 1), 5)
    for kernel in (nbr.stream_key, nbr.random_bits):
        assert kernel.nopython_signatures
        for signature in kernel.nopython_signatures:
            assert signature.return_type == numba.types.uint64
    nbr.uniform(np.uint64(7), 0)
    for signature in nbr.uniform.nopython_signatures:
        assert signature.return_type == numba.types.Tuple(
            (numba.types.float64, numba.types.int64)
        )


@given(st.integers(min_value=0, max_value=MASK), st.integers(min_value=0, max_value=40))
def test_uniform_and_normal_match_reference_formulas(key, counter):
    value, next_counter = nbr.uniform(np.uint64(key), counter)
    assert next_counter == counter + 1
    assert value == reference_uniform(key, counter)
    u1, u2 = reference_uniform(key, counter), reference_uniform(key, counter + 1)
    expected = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
    z, next_counter = nbr.standard_normal(np.uint64(key), counter)
    assert next_counter == counter + 2
    assert z == pytest.approx(expected, rel=1e-13, abs=1e-13)


def test_uniform_grid_extremes_are_inside_the_open_interval():
    # The smallest and largest values the 52-bit mapping can produce.
    assert (0 + 0.5) * 2.0**-52 > 0.0
    assert ((2**52 - 1) + 0.5) * 2.0**-52 < 1.0


# --- reproducibility and independence ----------------------------------------


def test_same_inputs_give_same_outputs():
    for sampler, args in (
        (uniform_sample, (SEED, 0, 1000)),
        (normal_sample, (SEED, 0, 1000)),
        (poisson_sample, (SEED, 0, 1000, 3.0)),
        (poisson_sample, (SEED, 0, 1000, 500.0)),
    ):
        np.testing.assert_array_equal(sampler(*args), sampler(*args))
    key = np.uint64(nbr.stream_key(SEED, 1, 2))
    assert nbr.poisson(key, 5, 77.0) == nbr.poisson(key, 5, 77.0)
    assert nbr.standard_normal(key, 9) == nbr.standard_normal(key, 9)


def test_different_triples_give_different_keys():
    keys = {
        int(nbr.stream_key(seed, kind, index))
        for seed in range(-5, 5)
        for kind in range(10)
        for index in range(100)
    }
    assert len(keys) == 10 * 10 * 100
    assert nbr.stream_key(1, 2, 3) != nbr.stream_key(2, 1, 3)
    assert nbr.stream_key(1, 2, 3) != nbr.stream_key(1, 3, 2)


def correlation(x, y):
    return np.corrcoef(x, y)[0, 1]


def test_neighbouring_streams_are_uncorrelated():
    n = 400_000
    bound = 5.0 / math.sqrt(n)
    base = uniform_sample(SEED, 0, n)
    others = {
        "next kind": uniform_sample(SEED, 1, n),
        "next seed": uniform_sample(SEED + 1, 0, n),
        "next index": uniform_sample(SEED, 0, n + 1)[1:],
    }
    for name, other in others.items():
        assert abs(correlation(base, other)) < bound, name
    # Successive counters of one stream, and normals of different kinds.
    sequence = uniform_sequence(np.uint64(nbr.stream_key(SEED, 0, 0)), n + 1)
    assert abs(correlation(sequence[:-1], sequence[1:])) < bound
    z0, z1 = normal_sample(SEED, 0, n), normal_sample(SEED, 1, n)
    assert abs(correlation(z0, z1)) < bound
    # The check detects a real correlation of the size it bounds.
    assert abs(correlation(base, others["next kind"] + 0.02 * base)) > bound


def test_prange_gives_the_same_toys_as_a_serial_loop():
    n = 2000
    serial = toys_serial(SEED, n, False)
    np.testing.assert_array_equal(toys_parallel(SEED, n), serial)
    np.testing.assert_array_equal(toys_serial(SEED, n, True), serial)
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        np.testing.assert_array_equal(toys_parallel(SEED, n), serial)
    finally:
        numba.set_num_threads(previous)
    # A subset of the toys is the same as the corresponding rows.
    np.testing.assert_array_equal(toys_parallel(SEED, 100), serial[:100])
    # And the toys themselves differ from each other and with the seed.
    assert np.unique(serial[:, 3]).size == n
    assert not np.array_equal(toys_serial(SEED + 1, n, False), serial)


def test_normal_vector_equals_successive_standard_normals():
    key = np.uint64(nbr.stream_key(SEED, 4, 4))
    out = np.empty(9)
    assert nbr.normal_vector(key, 3, out) == 3 + 2 * 9
    counter = 3
    for value in out:
        expected, counter = nbr.standard_normal(key, counter)
        assert value == expected
    empty = np.empty(0)
    assert nbr.normal_vector(key, 11, empty) == 11


# --- distributions -----------------------------------------------------------


def test_uniform_moments_and_support():
    n = 2_000_000
    sample = uniform_sample(SEED, 0, n)
    assert sample.min() > 0.0
    assert sample.max() < 1.0
    mean, variance = mean_and_variance(sample)
    assert abs(mean - 0.5) < 5.0 * math.sqrt(1.0 / 12.0 / n)
    # Var of the sample variance: (mu4 - sigma**4) / n = (1/80 - 1/144) / n.
    assert abs(variance - 1.0 / 12.0) < 5.0 * math.sqrt((1 / 80 - 1 / 144) / n)
    # Each tenth of the interval gets its share.
    fractions = np.bincount((sample * 10).astype(np.int64), minlength=10) / n
    assert np.all(np.abs(fractions - 0.1) < 5.0 * math.sqrt(0.09 / n))


def test_normal_moments_and_tails():
    n = 4_000_000
    sample = normal_sample(SEED, 0, n)
    mean, variance = mean_and_variance(sample)
    assert abs(mean) < 5.0 / math.sqrt(n)
    assert abs(variance - 1.0) < 5.0 * math.sqrt(2.0 / n)
    for threshold in (1.0, 2.0, 3.0):
        p = special.normal_sf(threshold)
        tolerance = 5.0 * math.sqrt(p * (1.0 - p) / n)
        assert abs(np.mean(sample > threshold) - p) < tolerance, threshold
        assert abs(np.mean(sample < -threshold) - p) < tolerance, -threshold
    # The tail check resolves a 10 % error of P(z > 3).
    p3 = special.normal_sf(3.0)
    assert 0.1 * p3 > 5.0 * math.sqrt(p3 / n)


RATES = [0.3, 3.0, 9.99, 10.0, 50.0, 1e4, 1e8, 1e9]


@pytest.mark.parametrize("rate", RATES)
def test_poisson_mean_and_variance(rate):
    n = 1_000_000
    sample = poisson_sample(SEED, 2, n, rate)
    assert np.all(sample >= 0.0)
    np.testing.assert_array_equal(sample, np.floor(sample))
    mean, variance = mean_and_variance(sample)
    assert abs(mean - rate) < 5.0 * math.sqrt(rate / n)
    # Var of the sample variance: (mu4 - sigma**4) / n with mu4 = r (1 + 3 r).
    assert abs(variance - rate) < 5.0 * math.sqrt((rate + 2.0 * rate**2) / n)


def test_poisson_counters_are_consumed_as_documented():
    key = np.uint64(nbr.stream_key(SEED, 0, 0))
    assert nbr.poisson(key, 10, 3.0)[1] == 11
    for rate in (10.0, 1e6):
        counters = [nbr.poisson(key, 2 * c, rate)[1] - 2 * c for c in range(200)]
        assert all(step >= 2 and step % 2 == 0 for step in counters)
        assert np.mean(counters) < 2 * 1.5
    # A sequence of draws from one stream has the right mean as well.
    sample = poisson_sequence(key, 200_000, 25.0)
    assert abs(sample.mean() - 25.0) < 5.0 * math.sqrt(25.0 / 200_000)


@pytest.mark.parametrize("rate", [3.0, 10.0, 25.0])
def test_poisson_pmf_goodness_of_fit(rate):
    n = 4_000_000
    sample = poisson_sample(SEED, 5, n, rate)
    assert poisson_gof_pvalue(sample, rate) > 1e-6
    # The same test rejects a sample whose rate is off by 1 %.
    shifted = poisson_sample(SEED, 5, n, 1.01 * rate)
    assert poisson_gof_pvalue(shifted, rate) < 1e-6


def test_poisson_special_rates():
    key = np.uint64(nbr.stream_key(SEED, 0, 0))
    assert nbr.poisson(key, 4, 0.0) == (0.0, 4)
    assert nbr.poisson(key, 4, -2.5) == (0.0, 4)
    for rate in (np.nan, np.inf, -np.inf):
        value, counter = nbr.poisson(key, 4, rate)
        assert math.isnan(value)
        assert counter == 4
    assert np.all(poisson_sample(SEED, 0, 1000, 0.0) == 0.0)
    # Tiny rates give almost always 0 and never a negative count.
    tiny = poisson_sample(SEED, 0, 100_000, 1e-12)
    assert np.all(tiny == 0.0)
