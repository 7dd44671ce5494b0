"""The packed model: one array representation for the built-in likelihoods.

Every built-in simplified likelihood has bin expectations of the form

    lambda_i = mu s_i + beta_i(theta_i),

a main term (Poisson, normal or multivariate normal in the counts ``n``) and,
for the nuisance backends, a constraint on ``theta`` centred on the
auxiliary measurements ``a`` (zeros nominally). Three small integers in
``kinds`` say which forms apply, so a single set of compiled kernels
(:mod:`nbspey.likelihood.kernels`) serves all of them:

=================  ==========================================================
``RATE_NONE``      ``beta_i = A_i`` (no nuisances; simple backends)
``RATE_LINEAR``    ``beta_i = A_i + B_i theta_i`` (uncorrelated, correlated)
``RATE_QUADRATIC`` ``beta_i = A_i + B_i theta_i + C_i theta_i^2`` (third
                   moment)
``RATE_EFFECTIVE`` ``beta_i = A_i + theta_i sigma_eff,i(theta_i)`` with
                   ``sigma_eff^2 = max(B_i + C_i (theta_i - A_i), 1e-10)``,
                   ``A = b``, ``B = sigma+ sigma-``, ``C = sigma+ - sigma-``
                   (effective sigma, in spey's form)
=================  ==========================================================

Main terms ``MAIN_POISSON``, ``MAIN_NORMAL`` (widths in row ``MAIN_SCALE``)
and ``MAIN_MVN`` (precision in ``matrices[MAIN_PRECISION]``); constraints
``CONSTRAINT_NONE``, ``CONSTRAINT_NORMAL`` (independent unit normals) and
``CONSTRAINT_MVN`` (precision ``R^-1`` in ``matrices[CONSTRAINT_PRECISION]``).
The normalisation constants ``(main, constraint)`` are in ``log_norms``.

Parameters are ordered ``[mu, theta_0, ..., theta_{N-1}, u_0, ..., u_{M-1}]``
with ``M`` signal-uncertainty modifier parameters (just ``[mu]`` without
nuisances); each ``u_k`` has a unit normal constraint whose centre follows the
``theta`` centres in the auxiliary data. A packed model is a namedtuple of
arrays, so it can be passed to, cached with and edited inside compiled code.
"""

from collections import namedtuple

__all__ = [
    "PackedModel",
    "SIGNAL",
    "RATE_CONSTANT",
    "RATE_LINEAR_ROW",
    "RATE_QUADRATIC_ROW",
    "MAIN_SCALE",
    "N_VECTORS",
    "MAIN_PRECISION",
    "CONSTRAINT_PRECISION",
    "MODIFIER_UP",
    "MODIFIER_DOWN",
    "KIND_FIRST_STRICT",
    "MAIN_POISSON",
    "MAIN_NORMAL",
    "MAIN_MVN",
    "RATE_NONE",
    "RATE_LINEAR",
    "RATE_QUADRATIC",
    "RATE_EFFECTIVE",
    "CONSTRAINT_NONE",
    "CONSTRAINT_NORMAL",
    "CONSTRAINT_MVN",
    "KIND_MAIN",
    "KIND_RATE",
    "KIND_CONSTRAINT",
    "RATE_FLOOR",
    "EFFECTIVE_VARIANCE_FLOOR",
]

PackedModel = namedtuple(
    "PackedModel", ["kinds", "vectors", "matrices", "modifiers", "log_norms"]
)
PackedModel.__doc__ = """Arrays of a built-in likelihood.

Every array of a namedtuple that a compiled function touches costs
reference-count updates on each evaluation, so the model is kept to four
arrays, indexed by the constants of this module.

Attributes
----------
kinds : ndarray of int64, shape (3 + M,)
    Main term, rate form and constraint (``KIND_MAIN``, ``KIND_RATE``,
    ``KIND_CONSTRAINT``), then for each of the ``M`` modifier parameters 1 if
    its up branch needs ``u > 0`` (normalization) or 0 for ``u >= 0`` (shape).
vectors : ndarray of float64, shape (5, N)
    Rows ``SIGNAL`` (``s``), ``RATE_CONSTANT`` (``A``), ``RATE_LINEAR``
    (``B``), ``RATE_QUADRATIC`` (``C``) and ``MAIN_SCALE`` (widths of the
    normal main term).
matrices : ndarray of float64, shape (2, N, N) or (2, 0, 0)
    ``MAIN_PRECISION`` (inverse covariance of the multivariate-normal main
    term) and ``CONSTRAINT_PRECISION`` (``R^-1`` of the constraint); empty
    when neither is used.
modifiers : ndarray of float64, shape (2, M, N)
    ``L`` of each signal-uncertainty modifier parameter for each bin, for
    positive (``MODIFIER_UP``) and negative (``MODIFIER_DOWN``) parameter
    values: the signal of bin ``i`` is multiplied by ``exp(sum_k u_k L_ki)``.
    ``M = 0`` without modifiers.
log_norms : ndarray of float64, shape (2,)
    Normalisation constants of the main term and the constraints.
"""

# Rows of PackedModel.vectors.
SIGNAL = 0
RATE_CONSTANT = 1
RATE_LINEAR_ROW = 2
RATE_QUADRATIC_ROW = 3
MAIN_SCALE = 4
N_VECTORS = 5

# Entries of PackedModel.modifiers, and where the strictness flags start in
# PackedModel.kinds.
MODIFIER_UP = 0
MODIFIER_DOWN = 1
KIND_FIRST_STRICT = 3

# Entries of PackedModel.matrices.
MAIN_PRECISION = 0
CONSTRAINT_PRECISION = 1

KIND_MAIN = 0
KIND_RATE = 1
KIND_CONSTRAINT = 2

MAIN_POISSON = 0
MAIN_NORMAL = 1
MAIN_MVN = 2

RATE_NONE = 0
RATE_LINEAR = 1
RATE_QUADRATIC = 2
RATE_EFFECTIVE = 3

CONSTRAINT_NONE = 0
CONSTRAINT_NORMAL = 1
CONSTRAINT_MVN = 2

RATE_FLOOR = 1e-20
"""Poisson expectations are clipped from below here (as in spey); a clipped
bin is constant and contributes no derivatives."""

EFFECTIVE_VARIANCE_FLOOR = 1e-10
"""Floor of ``sigma_eff^2`` in the effective-sigma model (as in spey)."""
