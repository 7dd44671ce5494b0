"""Asimov data of a packed model, in compiled code.

The Asimov data for a test at ``mu_A`` (0 for exclusion, 1 for discovery)
are the expectations at the profile fit with the POI held at ``mu_A``:

* ``SPEY_ASIMOV``: main measurements ``lambda(p_A)`` (Poisson expectations
  clipped at 1e-20), auxiliary measurements at their nominal 0, as spey
  builds them;
* Poisson expectations below ``ASIMOV_ZERO`` (1e-12 events) become 0: they
  arise where the fit puts a background on its positivity bound, and are
  rounding errors of zero. A count of 1e-17 next to a rate of 1e-17 has a
  curvature of 1e17 that no fit can follow, while the NLL differs from that
  of a zero count by less than 1e-15;
* ``STANDARD_ASIMOV``: the same main measurements, and the auxiliary
  measurements set to the fitted constrained nuisances of ``p_A``, so every
  fit to them centres its constraints there (the convention of ROOT and
  pyhf).
"""

from nbspey._compile import kernel
from nbspey.fits import conditional_fit
from nbspey.likelihood.kernels import expected_counts
from nbspey.likelihood.packed import (
    CONSTRAINT_NONE,
    KIND_CONSTRAINT,
    KIND_MAIN,
    MAIN_POISSON,
)
from nbspey.system.exceptions import InvalidInput

__all__ = [
    "SPEY_ASIMOV",
    "STANDARD_ASIMOV",
    "ASIMOV_ZERO",
    "asimov_code",
    "asimov_data",
]

ASIMOV_ZERO = 1e-12
"""Poisson Asimov counts below this many events are set to 0."""

SPEY_ASIMOV = 0
STANDARD_ASIMOV = 1

_CODES = {"spey": SPEY_ASIMOV, "standard": STANDARD_ASIMOV}


def asimov_code(name):
    """The kernel code of the Asimov convention ``"spey"`` or ``"standard"``.

    Raises
    ------
    InvalidInput
        For any other value.
    """
    code = _CODES.get(name) if isinstance(name, str) else None
    if code is None:
        raise InvalidInput(f"asimov must be 'spey' or 'standard'; got {name!r}")
    return code


@kernel
def asimov_data(
    model, data, auxiliary, problem, mu_asimov, convention, options, main_out, aux_out
):
    """Write the Asimov data of the fit at ``mu_asimov`` into the outputs.

    Parameters
    ----------
    model : PackedModel
    data, auxiliary : ndarray
        The measurements the conditional fit is made to.
    problem : FitProblem
    mu_asimov : float
    convention : int
        ``SPEY_ASIMOV`` or ``STANDARD_ASIMOV``.
    options : MinimizerOptions
    main_out, aux_out : ndarray
        Receive the main and auxiliary Asimov measurements (shapes of
        ``data`` and ``auxiliary``).

    Returns
    -------
    MinimizeResult
        The conditional fit.
    """
    result = conditional_fit(model, data, auxiliary, problem, mu_asimov, options)
    expected_counts(model, result.x, main_out)
    if model.kinds[KIND_MAIN] == MAIN_POISSON:
        for i in range(main_out.shape[0]):
            if main_out[i] < ASIMOV_ZERO:
                main_out[i] = 0.0
    aux_out[:] = 0.0
    constrained = model.kinds[KIND_CONSTRAINT] != CONSTRAINT_NONE
    if convention == STANDARD_ASIMOV and constrained:
        for i in range(result.x.shape[0] - 1):
            aux_out[i] = result.x[1 + i]
    return result
