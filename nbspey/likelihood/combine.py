"""One packed model for several independent measurements sharing ``mu``.

The members' likelihoods multiply, so the joint NLL is the sum of the
members' NLLs with a common POI and each member's own nuisances. When the
members' forms fit one packed model, :func:`combine_packed` builds it:

* main terms: all Poisson, or all Gaussian (normal members become diagonal
  blocks of a multivariate normal when any member is one);
* rates: Poisson members without nuisances combine only with each other;
  members with nuisances combine when their rate forms share a family, since
  a linear background ``b + sigma theta`` is the quadratic form with
  ``C = 0`` and the effective-sigma form with symmetric envelopes
  (``sigma_eff^2 = sigma^2``). Third-moment and effective-sigma members do
  not combine with each other;
* constraints: independent unit normals, or a block-diagonal correlation
  when any member is correlated; signal-uncertainty modifiers keep their own
  parameters.

The joint parameters are ``[mu, theta of every bin (members in order), u of
every modifier parameter (members in order)]``, the data and auxiliary
measurements are concatenated the same way, and the normalisation constants
add up, so the joint NLL equals the sum of the members' NLLs at matching
parameters.
"""

import numpy as np

from nbspey.likelihood.packed import (
    CONSTRAINT_MVN,
    CONSTRAINT_NONE,
    CONSTRAINT_NORMAL,
    CONSTRAINT_PRECISION,
    KIND_CONSTRAINT,
    KIND_FIRST_STRICT,
    KIND_MAIN,
    KIND_RATE,
    MAIN_MVN,
    MAIN_NORMAL,
    MAIN_POISSON,
    MAIN_PRECISION,
    MAIN_SCALE,
    N_VECTORS,
    RATE_EFFECTIVE,
    RATE_LINEAR,
    RATE_LINEAR_ROW,
    RATE_NONE,
    RATE_QUADRATIC,
    RATE_QUADRATIC_ROW,
    PackedModel,
)

__all__ = ["combine_packed", "parameter_map"]


def _joint_main(kinds):
    if all(kind == MAIN_POISSON for kind in kinds):
        return MAIN_POISSON
    if MAIN_POISSON in kinds:
        return None
    return MAIN_MVN if MAIN_MVN in kinds else MAIN_NORMAL


def _joint_rate(kinds):
    kinds = set(kinds)
    if kinds == {RATE_NONE}:
        return RATE_NONE
    if RATE_NONE in kinds or {RATE_QUADRATIC, RATE_EFFECTIVE} <= kinds:
        return None
    for kind in (RATE_QUADRATIC, RATE_EFFECTIVE):
        if kind in kinds:
            return kind
    return RATE_LINEAR


def _joint_constraint(kinds):
    kinds = set(kinds)
    if kinds == {CONSTRAINT_NONE}:
        return CONSTRAINT_NONE
    return CONSTRAINT_MVN if CONSTRAINT_MVN in kinds else CONSTRAINT_NORMAL


def combine_packed(models):
    """The joint packed model of ``models``, or None if they do not fit one.

    Parameters
    ----------
    models : sequence of PackedModel

    Returns
    -------
    PackedModel or None
    """
    main = _joint_main([int(m.kinds[KIND_MAIN]) for m in models])
    rate = _joint_rate([int(m.kinds[KIND_RATE]) for m in models])
    constraint = _joint_constraint([int(m.kinds[KIND_CONSTRAINT]) for m in models])
    if main is None or rate is None:
        return None
    sizes = [m.vectors.shape[1] for m in models]
    counts = [m.modifiers.shape[1] for m in models]
    bins, n_modifiers = sum(sizes), sum(counts)
    vectors = np.zeros((N_VECTORS, bins))
    dense = main == MAIN_MVN or constraint == CONSTRAINT_MVN
    matrices = np.zeros((2, bins, bins) if dense else (2, 0, 0))
    modifiers = np.zeros((2, n_modifiers, bins))
    strict = []
    log_norms = np.zeros(2)
    start, first = 0, 0
    for model, size, count in zip(models, sizes, counts, strict=True):
        block = slice(start, start + size)
        vectors[:, block] = model.vectors
        member_rate = int(model.kinds[KIND_RATE])
        if rate == RATE_EFFECTIVE and member_rate == RATE_LINEAR:
            # b + sigma theta is sigma_eff^2 = sigma^2 + 0 (theta - b).
            vectors[RATE_LINEAR_ROW, block] = model.vectors[RATE_LINEAR_ROW] ** 2
            vectors[RATE_QUADRATIC_ROW, block] = 0.0
        if dense:
            _place_matrices(matrices, model, block, size)
        modifiers[:, first : first + count, block] = model.modifiers
        strict.extend(int(flag) for flag in model.kinds[KIND_FIRST_STRICT:])
        log_norms += model.log_norms
        start += size
        first += count
    kinds = np.array([main, rate, constraint, *strict], dtype=np.int64)
    return PackedModel(kinds, vectors, matrices, modifiers, log_norms)


def _place_matrices(matrices, model, block, size):
    """Write a member's precision matrices into its diagonal block."""
    main_kind = int(model.kinds[KIND_MAIN])
    if main_kind == MAIN_MVN:
        matrices[MAIN_PRECISION, block, block] = model.matrices[MAIN_PRECISION]
    elif main_kind == MAIN_NORMAL:
        widths = model.vectors[MAIN_SCALE]
        matrices[MAIN_PRECISION, block, block] = np.diag(1.0 / widths**2)
    constraint = int(model.kinds[KIND_CONSTRAINT])
    if constraint == CONSTRAINT_MVN:
        matrices[CONSTRAINT_PRECISION, block, block] = model.matrices[
            CONSTRAINT_PRECISION
        ]
    elif constraint == CONSTRAINT_NORMAL:
        matrices[CONSTRAINT_PRECISION, block, block] = np.eye(size)


def parameter_map(models):
    """Joint index of every member parameter.

    Returns
    -------
    list of ndarray
        For each member, the joint index of each of its parameters (entry 0,
        the POI, maps to 0).
    """
    sizes = [m.vectors.shape[1] for m in models]
    counts = [m.modifiers.shape[1] for m in models]
    bins = sum(sizes)
    maps = []
    start, first = 0, 0
    for model, size, count in zip(models, sizes, counts, strict=True):
        indices = [0]
        if int(model.kinds[KIND_RATE]) != RATE_NONE:
            indices += list(range(1 + start, 1 + start + size))
            indices += list(range(1 + bins + first, 1 + bins + first + count))
        maps.append(np.array(indices, dtype=np.int64))
        start += size
        first += count
    return maps
