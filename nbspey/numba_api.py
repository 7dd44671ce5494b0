"""nbspey from users' own numba code.

``StatisticalModel.compiled`` (for models of built-in backends, and joint
combinations of them) returns a :class:`CompiledModel`: a namedtuple of
arrays that can be passed into an ``@njit`` function, copied and edited there.
The functions of this module are compiled (and cached) numba functions that
take it; they are the same kernels the Python API runs, so the numbers are
the same. Every function returns a status next to its result: positive when
the fits converged, :data:`INVALID_INPUT` when the arguments do not fit the
model (for example an array of the wrong length), a fit's failure status
otherwise. Nothing here raises inside compiled code.

Expectation codes are those of :class:`~nbspey.utils.ExpectationType`:
:data:`APRIORI` (0, the background as data), :data:`APOSTERIORI` (1) and
:data:`OBSERVED` (2); test statistics :data:`QMU`, :data:`QMU_TILDE`,
:data:`Q0`; Asimov conventions :data:`SPEY_ASIMOV` and
:data:`STANDARD_ASIMOV`.
"""

import math
from collections import namedtuple

import numpy as np

from nbspey._compile import kernel
from nbspey.fits import FitProblem, conditional_fit, free_fit
from nbspey.hypothesis_testing.asimov import (
    SPEY_ASIMOV,
    STANDARD_ASIMOV,
    asimov_data,
)
from nbspey.hypothesis_testing.compiled import (
    ASYMPTOTIC,
    CHI_SQUARE,
    exclusion_test,
    upper_limits,
)
from nbspey.hypothesis_testing.test_statistics import Q0, QMU, QMU_TILDE
from nbspey.hypothesis_testing.toys import draw_toy
from nbspey.likelihood.kernels import (
    expected_counts,
    negative_log_likelihood,
    nll_gradient,
)
from nbspey.likelihood.packed import (
    CONSTRAINT_NONE,
    KIND_CONSTRAINT,
    KIND_MAIN,
    MAIN_POISSON,
    SIGNAL,
    PackedModel,
)
from nbspey.numerics.minimize import DEFAULT_OPTIONS
from nbspey.numerics.random import stream_key
from nbspey.numerics.trust_region import INVALID_INPUT

__all__ = [
    "CompiledModel",
    "APRIORI",
    "APOSTERIORI",
    "OBSERVED",
    "QMU",
    "QMU_TILDE",
    "Q0",
    "ASYMPTOTIC",
    "CHI_SQUARE",
    "SPEY_ASIMOV",
    "STANDARD_ASIMOV",
    "INVALID_INPUT",
    "compiled_model",
    "parameter_count",
    "negative_log_likelihood_at",
    "nll_and_gradient",
    "maximum_likelihood",
    "profile_likelihood",
    "exclusion_levels",
    "upper_limit",
    "generate_asimov_data",
    "sample_toy",
    "with_signal",
    "with_data",
    "with_auxiliary",
    "flatten",
    "unflatten",
]

APRIORI = 0
APOSTERIORI = 1
OBSERVED = 2

CompiledModel = namedtuple(
    "CompiledModel",
    [
        "model",
        "data",
        "background",
        "auxiliary",
        "problem",
        "problem_negative",
        "main_factor",
        "constraint_factor",
    ],
)
CompiledModel.__doc__ = """A built-in statistical model for compiled code.

Attributes
----------
model : PackedModel
    The likelihood (see :mod:`nbspey.likelihood.packed`).
data, background : ndarray
    Observed main measurements and background yields (the apriori data).
auxiliary : ndarray
    Auxiliary measurements (constraint centres), zeros nominally.
problem, problem_negative : FitProblem
    Start and bounds of the fits with ``mu >= 0`` and ``mu >= minimum_poi``.
main_factor, constraint_factor : ndarray
    Cholesky factors used to draw pseudo-data (empty when not needed).
"""

# Where a free fit stops raising the POI bound (see nbspey.fits).
_DOMINANCE = 1e12


def compiled_model(backend):
    """The :class:`CompiledModel` of a built-in backend (a PackedBackend)."""
    main, auxiliary = backend.select_data("observed", None)
    main_factor, constraint_factor = backend.sampling_factors()
    return CompiledModel(
        backend.packed_model,
        np.array(main, dtype=np.float64),
        np.array(backend.background_yields, dtype=np.float64),
        np.array(auxiliary, dtype=np.float64),
        _copy_problem(backend.fit_problem(False)),
        _copy_problem(backend.fit_problem(True)),
        main_factor.copy(),
        constraint_factor.copy(),
    )


def _copy_problem(problem):
    return FitProblem(
        problem.start.copy(),
        problem.lower.copy(),
        problem.upper.copy(),
        problem.fixed.copy(),
        float(problem.poi_limit),
    )


@kernel
def parameter_count(compiled):
    """Number of parameters of the model."""
    return compiled.problem.start.shape[0]


@kernel
def _data(compiled, expected):
    return compiled.background if expected == APRIORI else compiled.data


@kernel
def negative_log_likelihood_at(compiled, pars):
    """``(NLL, status)`` at ``pars`` on the observed data."""
    if pars.shape[0] != parameter_count(compiled):
        return math.nan, INVALID_INPUT
    value = negative_log_likelihood(
        compiled.model, compiled.data, compiled.auxiliary, pars
    )
    return value, 1


@kernel
def nll_and_gradient(compiled, pars, gradient):
    """``(NLL, status)``, with the gradient of the NLL written to ``gradient``."""
    size = parameter_count(compiled)
    if pars.shape[0] != size or gradient.shape[0] != size:
        return math.nan, INVALID_INPUT
    value = nll_gradient(
        compiled.model, compiled.data, compiled.auxiliary, pars, gradient
    )
    return value, 1


@kernel
def maximum_likelihood(compiled, expected, allow_negative_signal):
    """``(parameters, NLL, status)`` of the free fit (POI bound grows as needed)."""
    problem = compiled.problem_negative if allow_negative_signal else compiled.problem
    result = free_fit(
        compiled.model,
        _data(compiled, expected),
        compiled.auxiliary,
        problem,
        DEFAULT_OPTIONS,
    )
    return result.x, result.value, result.status


@kernel
def profile_likelihood(compiled, mu, expected):
    """``(parameters, NLL, status)`` of the fit with the POI held at ``mu``."""
    result = conditional_fit(
        compiled.model,
        _data(compiled, expected),
        compiled.auxiliary,
        compiled.problem_negative,
        mu,
        DEFAULT_OPTIONS,
    )
    return result.x, result.value, result.status


@kernel
def exclusion_levels(compiled, mu, expected, code, calculator, convention):
    """``(levels, status)``: ``1 - CLs`` observed and the five-entry band.

    ``levels[0]`` is the observed value, ``levels[1:6]`` the band for shifts
    ``n = 2, 1, 0, -1, -2``; ``code`` is ``QMU`` or ``QMU_TILDE`` (``Q0``
    gives ``1 - CLsb``). All zero when the test is undefined (``q_A = 0``),
    as in the Python API.
    """
    problem = compiled.problem_negative if code == QMU else compiled.problem
    levels, status, _ = exclusion_test(
        compiled.model,
        _data(compiled, expected),
        compiled.auxiliary,
        problem,
        mu,
        code,
        calculator,
        convention,
        DEFAULT_OPTIONS,
    )
    return levels, status


@kernel
def upper_limit(compiled, expected, confidence_level, index, convention):
    """``(limit, status)``: the POI where ``1 - CLs = confidence_level``.

    ``index`` 0 is the observed limit, 1 to 5 the band entries (for shifts
    ``n = 2 ... -2``, so 3 is the median). The search starts on ``[1, 2]``
    like the Python API's default; the status is the root finder's
    (``1`` when converged) or a fit failure; the limit is ``inf`` without a
    root.
    """
    if index < 0 or index > 5 or not 0.0 <= confidence_level <= 1.0:
        return math.nan, INVALID_INPUT
    indices = np.full(1, index, dtype=np.int64)
    limits, statuses, fit_status = upper_limits(
        compiled.model,
        _data(compiled, expected),
        compiled.auxiliary,
        compiled.problem,
        indices,
        confidence_level,
        1.0,
        2.0,
        convention,
        DEFAULT_OPTIONS,
    )
    status = statuses[0] if fit_status > 0 else fit_status
    return limits[0], status


@kernel
def generate_asimov_data(compiled, expected, mu, convention):
    """``(main, auxiliary, status)``: Asimov data of the fit at ``mu``."""
    main = np.empty_like(compiled.data)
    auxiliary = np.empty_like(compiled.auxiliary)
    result = asimov_data(
        compiled.model,
        _data(compiled, expected),
        compiled.auxiliary,
        compiled.problem_negative,
        mu,
        convention,
        DEFAULT_OPTIONS,
        main,
        auxiliary,
    )
    return main, auxiliary, result.status


@kernel
def sample_toy(compiled, pars, seed, index):
    """``(main, auxiliary, status)``: pseudo-data drawn at ``pars``.

    Toy ``index`` of ``seed`` always gives the same numbers (the stream
    ``stream_key(seed, 0, index)``, the one of the Python API's signal toys).
    """
    if pars.shape[0] != parameter_count(compiled):
        return compiled.data.copy(), compiled.auxiliary.copy(), INVALID_INPUT
    model = compiled.model
    bins = model.vectors.shape[1]
    rates = np.empty(bins)
    expected_counts(model, pars, rates)
    constrained = model.kinds[KIND_CONSTRAINT] != CONSTRAINT_NONE
    centres = pars[1:] if constrained else pars[:0]
    main = np.empty(bins)
    auxiliary = np.empty_like(compiled.auxiliary)
    key = stream_key(seed, 0, index)
    draw_toy(
        model,
        rates,
        centres,
        compiled.main_factor,
        compiled.constraint_factor,
        key,
        main,
        auxiliary,
    )
    return main, auxiliary, 1


@kernel
def _limits_of_signal(signal, data, background, problem, problem_negative):
    """Fresh problems whose POI bounds follow ``signal`` (and the data)."""
    minimum = math.inf
    largest = 0.0
    for i in range(signal.shape[0]):
        if signal[i] > 0.0:
            minimum = min(minimum, background[i] / signal[i])
            largest = max(largest, signal[i])
    scale = 0.0
    for i in range(data.shape[0]):
        scale = max(scale, abs(data[i]), abs(background[i]))
    limit = _DOMINANCE * (1.0 + scale) / largest if largest > 0.0 else 1e5
    negative = FitProblem(
        problem_negative.start,
        problem_negative.lower.copy(),
        problem_negative.upper,
        problem_negative.fixed,
        limit,
    )
    negative.lower[0] = -minimum
    plain = FitProblem(
        problem.start, problem.lower, problem.upper, problem.fixed, limit
    )
    return plain, negative


@kernel
def _replace(compiled, model, data, auxiliary):
    plain, negative = _limits_of_signal(
        model.vectors[SIGNAL],
        data,
        compiled.background,
        compiled.problem,
        compiled.problem_negative,
    )
    return CompiledModel(
        model,
        data,
        compiled.background,
        auxiliary,
        plain,
        negative,
        compiled.main_factor,
        compiled.constraint_factor,
    )


@kernel
def _finite(values):
    for i in range(values.shape[0]):
        if not math.isfinite(values[i]):
            return False
    return True


@kernel
def with_signal(compiled, signal):
    """``(model, status)``: a copy of the model with other signal yields.

    The POI bounds (``minimum_poi``, the free fit's growth limit) follow the
    new signal. With a wrong length or non-finite yields the model is
    returned unchanged with ``INVALID_INPUT``.
    """
    vectors = compiled.model.vectors
    if signal.shape[0] != vectors.shape[1] or not _finite(signal):
        return compiled, INVALID_INPUT
    vectors = vectors.copy()
    vectors[SIGNAL, :] = signal
    model = PackedModel(
        compiled.model.kinds,
        vectors,
        compiled.model.matrices,
        compiled.model.modifiers,
        compiled.model.log_norms,
    )
    return _replace(compiled, model, compiled.data, compiled.auxiliary), 1


@kernel
def with_data(compiled, data):
    """``(model, status)``: a copy of the model with other observed data.

    Poisson counts must be non-negative; invalid data leave the model
    unchanged with ``INVALID_INPUT``.
    """
    if data.shape[0] != compiled.data.shape[0] or not _finite(data):
        return compiled, INVALID_INPUT
    if compiled.model.kinds[KIND_MAIN] == MAIN_POISSON:
        for i in range(data.shape[0]):
            if data[i] < 0.0:
                return compiled, INVALID_INPUT
    return _replace(compiled, compiled.model, data.copy(), compiled.auxiliary), 1


@kernel
def with_auxiliary(compiled, auxiliary):
    """``(model, status)``: a copy with other auxiliary measurements."""
    if auxiliary.shape[0] != compiled.auxiliary.shape[0] or not _finite(auxiliary):
        return compiled, INVALID_INPUT
    return _replace(compiled, compiled.model, compiled.data, auxiliary.copy()), 1


# -- flat form, for prange loops --------------------------------------------
#
# numba cannot hand a namedtuple of arrays to the body of a prange loop (the
# parallel region takes arrays and scalars only). flatten() turns a compiled
# model into one float and one integer array, which a parallel loop can use;
# unflatten() rebuilds an independent copy inside each iteration.

_REAL_SHAPES = 15  # arrays stored in the float buffer, each with 3 shape slots


def flatten(compiled):
    """``(reals, integers)``: the model as two arrays, for ``prange`` loops.

    :func:`unflatten` rebuilds it (inside compiled code). See the module
    notes: numba does not pass namedtuples of arrays into parallel loops.
    """
    model, problem, negative = (
        compiled.model,
        compiled.problem,
        compiled.problem_negative,
    )
    reals = [
        model.vectors,
        model.matrices,
        model.modifiers,
        model.log_norms,
        compiled.data,
        compiled.background,
        compiled.auxiliary,
        problem.start,
        problem.lower,
        problem.upper,
        negative.start,
        negative.lower,
        negative.upper,
        compiled.main_factor,
        compiled.constraint_factor,
    ]
    header = []
    for array in reals:
        shape = list(array.shape) + [1] * (3 - array.ndim)
        header.extend(shape)
    integers = [
        model.kinds,
        problem.fixed.astype(np.int64),
        negative.fixed.astype(np.int64),
    ]
    header.extend(array.shape[0] for array in integers)
    flat_reals = np.concatenate(
        [np.ravel(a).astype(np.float64) for a in reals]
        + [np.array([problem.poi_limit, negative.poi_limit])]
    )
    flat_integers = np.concatenate(
        [np.array(header, dtype=np.int64)] + [a.astype(np.int64) for a in integers]
    )
    return flat_reals, flat_integers


@kernel
def _take(reals, start, count):
    out = np.empty(count)
    for i in range(count):
        out[i] = reals[start + i]
    return out


@kernel
def unflatten(reals, integers):
    """The :class:`CompiledModel` stored by :func:`flatten` (a fresh copy)."""
    shapes = integers[: 3 * _REAL_SHAPES]
    lengths = integers[3 * _REAL_SHAPES : 3 * _REAL_SHAPES + 3]
    arrays = []
    position = 0
    for k in range(_REAL_SHAPES):
        count = shapes[3 * k] * shapes[3 * k + 1] * shapes[3 * k + 2]
        arrays.append(_take(reals, position, count))
        position += count
    limit, negative_limit = reals[position], reals[position + 1]
    first = 3 * _REAL_SHAPES + 3
    kinds = integers[first : first + lengths[0]].copy()
    fixed = integers[first + lengths[0] : first + lengths[0] + lengths[1]] != 0
    start = first + lengths[0] + lengths[1]
    negative_fixed = integers[start : start + lengths[2]] != 0
    vectors = arrays[0].reshape((shapes[0], shapes[1]))
    matrices = arrays[1].reshape((shapes[3], shapes[4], shapes[5]))
    modifiers = arrays[2].reshape((shapes[6], shapes[7], shapes[8]))
    model = PackedModel(kinds, vectors, matrices, modifiers, arrays[3])
    problem = FitProblem(arrays[7], arrays[8], arrays[9], fixed, limit)
    negative = FitProblem(
        arrays[10], arrays[11], arrays[12], negative_fixed, negative_limit
    )
    main_factor = arrays[13].reshape((shapes[39], shapes[40]))
    constraint_factor = arrays[14].reshape((shapes[42], shapes[43]))
    return CompiledModel(
        model,
        arrays[4],
        arrays[5],
        arrays[6],
        problem,
        negative,
        main_factor,
        constraint_factor,
    )
