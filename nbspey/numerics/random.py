"""Counter-based random numbers for reproducible toy Monte Carlo.

Toys that run in a numba ``prange`` loop must not share a generator state: the
order in which threads advance it would change with the thread count and the
chunking of the loop. The kernels here hold no state at all. A toy's stream is
a 64-bit *key*, derived from the user's seed, the *kind* of random quantity
(for example 0 for the main measurement, 1 for auxiliary data) and the toy's
index by :func:`stream_key`. Each draw reads one or more *counters* of that
stream and returns the next unused counter, so a variate is a pure function of
``(seed, kind, index, counter)`` and toy ``i`` gets the same numbers however
the toys are distributed over threads.

What to use when:

* :func:`stream_key` once per toy (and per kind of quantity), then start the
  counter at 0;
* :func:`uniform` for uniform variates in the open interval ``(0, 1)``;
* :func:`standard_normal` and :func:`normal_vector` for normal variates
  (Gaussian constraints, correlated nuisance parameters);
* :func:`poisson` for event counts, exact for any rate;
* :func:`random_bits` for the raw 64-bit output.

The generator is SplitMix64 (G. L. Steele, D. Lea and C. H. Flood, "Fast
splittable pseudorandom number generators", OOPSLA 2014), used in counter
mode: output ``c`` of stream ``key`` is the SplitMix64 finaliser applied to
``key + (c + 1) * 0x9E3779B97F4A7C15``, which is exactly the ``(c + 1)``-th
output of a sequential SplitMix64 generator seeded with ``key``. Normals come
from the Box-Muller transform (G. E. P. Box and M. E. Muller, "A note on the
generation of random normal deviates", Ann. Math. Statist. 29 (1958) 610-611)
and Poisson counts of rate 10 or more from Hörmann's transformed rejection
PTRS (W. Hörmann, "The transformed rejection method for generating Poisson
random variables", Insurance: Mathematics and Economics 12 (1993) 39-45).

All arithmetic on keys is in uint64 with wrap-around, as in the reference
generator; the results do not depend on the platform.

The kernels are meant to be called from compiled code, where a key stays a
uint64. Called from Python, :func:`stream_key` returns a Python int; wrap it in
``numpy.uint64`` before passing it back, because numba's dispatcher takes a
Python int for an int64 and fails with ``OverflowError`` for the half of the
keys that are ``>= 2**63``. Example, inside compiled code::

    @numba.njit(parallel=True)
    def toy_counts(seed, rate, n_toys):
        counts = np.empty(n_toys)
        for i in numba.prange(n_toys):
            key = stream_key(seed, 0, i)
            counts[i], _ = poisson(key, 0, rate)
        return counts
"""

import math

import numpy as np

from nbspey._compile import kernel

__all__ = [
    "stream_key",
    "random_bits",
    "uniform",
    "standard_normal",
    "poisson",
    "normal_vector",
]

# SplitMix64: the increment (2**64 / golden ratio, odd) and the finaliser's
# multipliers and shifts ("variant 13" of Stafford's mix, as in Steele et al.).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_SHIFT_30 = np.uint64(30)
_SHIFT_27 = np.uint64(27)
_SHIFT_31 = np.uint64(31)
_ONE = np.uint64(1)
# Distinct odd offsets so that the seed, the kind and the index enter the key
# through different bijections.
_KIND_OFFSET = np.uint64(0xD1B54A32D192ED03)
_INDEX_OFFSET = np.uint64(0x8CB92BA72F3D8DD7)
# A uniform takes the top 52 bits: (m + 1/2) / 2**52 is exact in float64 for
# every m < 2**52, so the values lie strictly inside (0, 1).
_UNIFORM_SHIFT = np.uint64(12)
_UNIFORM_SCALE = 2.0**-52
_TWO_PI = 2.0 * math.pi
# Below this rate Poisson counts are drawn by inversion, at and above by PTRS.
_PTRS_MIN_RATE = 10.0


@kernel
def _finalise(z):
    """SplitMix64 finaliser: a bijective avalanche mix of a uint64."""
    z = (z ^ (z >> _SHIFT_30)) * _MIX_1
    z = (z ^ (z >> _SHIFT_27)) * _MIX_2
    return z ^ (z >> _SHIFT_31)


@kernel
def stream_key(seed, kind, index):
    """Key of the random stream for one toy and one kind of random quantity.

    The three integers are folded in one after another, each step a
    SplitMix64 finalisation of the previous result combined with the next
    value: ``h = mix(seed + g)``, ``h = mix(h ^ (kind + c1))``,
    ``h = mix(h ^ (index + c2))``. Every step is a bijection of ``h`` for a
    fixed input and of the input for a fixed ``h``, so triples that differ in
    one entry always give different keys, and the avalanche of the finaliser
    makes the streams of neighbouring triples unrelated.

    Parameters
    ----------
    seed : int
        The user's seed (int64; negative values are taken modulo 2**64).
    kind : int
        Which random quantity the stream is for, so that for example the main
        counts and the auxiliary data of a toy use independent streams.
    index : int
        The toy's index.

    Returns
    -------
    numpy.uint64
        The key (a Python int when called from Python), to pass to
        :func:`random_bits`, :func:`uniform`, :func:`standard_normal`,
        :func:`poisson` or :func:`normal_vector`.
    """
    h = _finalise(np.uint64(seed) + _GOLDEN)
    h = _finalise(h ^ (np.uint64(kind) + _KIND_OFFSET))
    return _finalise(h ^ (np.uint64(index) + _INDEX_OFFSET))


@kernel
def random_bits(key, counter):
    """64 random bits: output number ``counter`` of the stream ``key``.

    Counter-based SplitMix64 (Steele, Lea and Flood, OOPSLA 2014): the
    finaliser applied to ``key + (counter + 1) * 0x9E3779B97F4A7C15`` modulo
    2**64, which equals the ``(counter + 1)``-th output of the sequential
    SplitMix64 generator whose state starts at ``key``.

    Parameters
    ----------
    key : numpy.uint64
        The stream, from :func:`stream_key`.
    counter : int
        The position in the stream (int64).

    Returns
    -------
    numpy.uint64
        The random bits.
    """
    step = np.uint64(counter) + _ONE
    return _finalise(np.uint64(key) + step * _GOLDEN)


@kernel
def uniform(key, counter):
    """Uniform variate in the open interval ``(0, 1)``.

    The top 52 of the 64 bits of :func:`random_bits`, ``m``, give
    ``(m + 1/2) / 2**52``: exact in float64, never 0 or 1 (the extremes are
    ``2**-53`` and ``1 - 2**-53``), and symmetric under ``u -> 1 - u``, so
    ``log(u)`` and ``log(1 - u)`` are finite. (With 53 bits the half-unit
    offset would need a 54-bit significand and ``1 - 2**-54`` would round to
    1.)

    Parameters
    ----------
    key : numpy.uint64
        The stream, from :func:`stream_key`.
    counter : int
        The first unused position in the stream.

    Returns
    -------
    value : float
        The variate.
    counter : int
        ``counter + 1``, the next unused position.
    """
    mantissa = random_bits(key, counter) >> _UNIFORM_SHIFT
    return (float(mantissa) + 0.5) * _UNIFORM_SCALE, counter + 1


@kernel
def standard_normal(key, counter):
    """Standard normal variate by the Box-Muller transform.

    ``z = sqrt(-2 log u1) cos(2 pi u2)`` (Box and Muller, Ann. Math. Statist.
    29 (1958) 610) from two uniforms of :func:`uniform`. The companion variate
    ``sqrt(-2 log u1) sin(2 pi u2)`` is not used, so each call is a pure
    function of its counter. Because ``u1`` is never 0 or 1 and is resolved
    to ``2**-53``, the logarithm is exact to rounding far into the tails;
    ``|z|`` is at most about 8.6, and the probability beyond that is about
    1e-17.

    Parameters
    ----------
    key : numpy.uint64
        The stream, from :func:`stream_key`.
    counter : int
        The first unused position in the stream.

    Returns
    -------
    value : float
        The variate.
    counter : int
        ``counter + 2``, the next unused position.
    """
    u1, counter = uniform(key, counter)
    u2, counter = uniform(key, counter)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(_TWO_PI * u2), counter


@kernel
def _poisson_inversion(key, counter, rate):
    """Poisson count for a rate below 10 by sequential search of the cdf."""
    u, counter = uniform(key, counter)
    count = 0.0
    probability = math.exp(-rate)
    cumulative = probability
    # The probabilities underflow to 0 long before the count overflows; the
    # check stops the search if rounding kept the sum of the pmf below u.
    while u > cumulative and probability > 0.0:
        count += 1.0
        probability *= rate / count
        cumulative += probability
    return count, counter


@kernel
def _poisson_ptrs(key, counter, rate):
    """Poisson count for a rate of 10 or more by Hörmann's PTRS."""
    sqrt_rate = math.sqrt(rate)
    log_rate = math.log(rate)
    b = 0.931 + 2.53 * sqrt_rate
    a = -0.059 + 0.02483 * b
    log_inv_alpha = math.log(1.1239 + 1.1328 / (b - 3.4))
    v_r = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u, counter = uniform(key, counter)
        v, counter = uniform(key, counter)
        u -= 0.5
        us = 0.5 - abs(u)
        count = math.floor((2.0 * a / us + b) * u + rate + 0.43)
        if us >= 0.07 and v <= v_r:
            return count, counter
        if count < 0.0 or (us < 0.013 and v > us):
            continue
        log_hat = math.log(v) + log_inv_alpha - math.log(a / (us * us) + b)
        if log_hat <= count * log_rate - rate - math.lgamma(count + 1.0):
            return count, counter


@kernel
def poisson(key, counter, rate):
    """Poisson variate: an exact draw of a count with expectation ``rate``.

    Rates below 10 use inversion: one uniform is compared with the running
    sum of the pmf, ``exp(-rate) rate**k / k!``, so a draw costs about
    ``rate + 1`` multiply-adds. Rates of 10 and more use Hörmann's
    transformed rejection with squeeze, PTRS (W. Hörmann, Insurance:
    Mathematics and Economics 12 (1993) 39-45): a transformed uniform
    proposes a count, which is accepted by a squeeze or by comparison with
    ``log`` of the pmf (via ``math.lgamma``); the mean number of proposals
    is about 1.33 at rate 10 and falls to 1.12 for large rates, so the cost
    does not grow with the rate. Both are exact up to float64 rounding, for
    rates up to about 1e15 (beyond 2**53 the counts are no longer exact
    integers in float64).

    Parameters
    ----------
    key : numpy.uint64
        The stream, from :func:`stream_key`.
    counter : int
        The first unused position in the stream.
    rate : float
        The expectation. A rate of 0 or less gives 0, NaN or infinity gives
        NaN; neither consumes a counter.

    Returns
    -------
    value : float
        The count, an integer stored as float64.
    counter : int
        The next unused position: one more for inversion, two more per
        proposal for PTRS.
    """
    rate = float(rate)
    if not math.isfinite(rate):
        return np.nan, counter
    if rate <= 0.0:
        return 0.0, counter
    if rate < _PTRS_MIN_RATE:
        return _poisson_inversion(key, counter, rate)
    return _poisson_ptrs(key, counter, rate)


@kernel
def normal_vector(key, counter, out):
    """Fill an array with independent standard normal variates.

    Element ``j`` is the value :func:`standard_normal` returns at counter
    ``counter + 2 j``, so the result equals ``len(out)`` successive calls.

    Parameters
    ----------
    key : numpy.uint64
        The stream, from :func:`stream_key`.
    counter : int
        The first unused position in the stream.
    out : numpy.ndarray
        One-dimensional float64 array, overwritten.

    Returns
    -------
    int
        ``counter + 2 * len(out)``, the next unused position.
    """
    for j in range(out.shape[0]):
        out[j], counter = standard_normal(key, counter)
    return counter
