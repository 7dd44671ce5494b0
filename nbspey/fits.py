"""Profile-likelihood fits run in compiled code.

A fit is the trust-region state machine of
:mod:`nbspey.numerics.trust_region` driven directly by a likelihood kernel:
no Python and no function pointers between the iterations.
"""

from nbspey._compile import kernel
from nbspey.likelihood.simplified import nll_gradient_hessian
from nbspey.numerics.trust_region import (
    TRIAL_GRADIENT,
    TRIAL_HESSIAN,
    TRIAL_X,
    trust_region_advance,
    trust_region_result,
    trust_region_running,
    trust_region_start,
)

__all__ = ["fit_uncorrelated"]


@kernel
def fit_uncorrelated(model, data, auxiliary, x0, lower, upper, fixed, options):
    """Minimise the NLL of an uncorrelated-background model.

    Parameters
    ----------
    model : UncorrelatedModel
    data, auxiliary : ndarray
        Counts and constraint centres (see
        :func:`nbspey.likelihood.simplified.negative_log_likelihood`).
    x0, lower, upper : ndarray
        Start point and bounds of ``[mu, theta...]``.
    fixed : ndarray of bool
        Parameters held at their start value (for a fit at fixed ``mu``, fix
        entry 0).
    options : MinimizerOptions

    Returns
    -------
    MinimizeResult
    """
    state = trust_region_start(
        x0,
        lower,
        upper,
        fixed,
        options.max_iterations,
        options.gradient_tolerance,
        options.value_tolerance,
        options.initial_radius,
        False,
    )
    x = state.vectors[TRIAL_X]
    gradient = state.vectors[TRIAL_GRADIENT]
    hessian = state.matrices[TRIAL_HESSIAN]
    while trust_region_running(state):
        value = nll_gradient_hessian(model, data, auxiliary, x, gradient, hessian)
        trust_region_advance(state, value)
    return trust_region_result(state)
