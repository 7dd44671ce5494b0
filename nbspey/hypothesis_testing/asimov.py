"""Asimov data of a packed model, in compiled code.

The Asimov data for a test at ``mu_A`` (0 for exclusion, 1 for discovery)
are the expectations at the profile fit with the POI held at ``mu_A``:

* ``SPEY_ASIMOV``: main measurements ``lambda(p_A)`` (Poisson expectations
  clipped at 1e-20), auxiliary measurements at their nominal 0, as spey
  builds them;
* ``STANDARD_ASIMOV``: the same main measurements, and the auxiliary
  measurements set to the fitted constrained nuisances of ``p_A``, so every
  fit to them centres its constraints there (the convention of ROOT and
  pyhf).
"""

from nbspey._compile import kernel
from nbspey.fits import conditional_fit
from nbspey.likelihood.kernels import expected_counts
from nbspey.likelihood.packed import CONSTRAINT_NONE, KIND_CONSTRAINT
from nbspey.system.exceptions import InvalidInput

__all__ = ["SPEY_ASIMOV", "STANDARD_ASIMOV", "asimov_code", "asimov_data"]

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
    aux_out[:] = 0.0
    constrained = model.kinds[KIND_CONSTRAINT] != CONSTRAINT_NONE
    if convention == STANDARD_ASIMOV and constrained:
        for i in range(result.x.shape[0] - 1):
            aux_out[i] = result.x[1 + i]
    return result
