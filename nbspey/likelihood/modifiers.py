"""Signal-uncertainty modifiers: normalization and shape variations.

They vary the signal yields of the nuisance backends.

A modifier is a dict with ``"type"`` (``"normalization"`` or ``"shape"``),
``"uncertainties"`` (per-bin absolute variations: one value per bin for a
symmetric variation, or ``(up, down)`` pairs) and an optional ``"name"``. Each
bin's signal is multiplied by

    F_i = exp(sum over modifier parameters u of u L_i(u)),

with ``L_i(u) = ln(1 + up_i / s_i)`` for a positive ``u`` (``u >= 0`` for
shape parameters) and ``ln(1 + down_i / s_i)`` otherwise. A normalization
modifier has one parameter acting on every bin; a shape modifier has one
parameter per bin. Every parameter has a unit normal constraint.
"""

import logging

import numpy as np

from nbspey.system.exceptions import InvalidInput, InvalidUncertaintyDefinition

__all__ = ["MODIFIER_TYPES", "signal_uncertainty_synthesizer"]

MODIFIER_TYPES = ("normalization", "shape")

_log = logging.getLogger(__name__)


def _variations(name, uncertainties, size):
    """Per-bin ``(up, down)`` absolute variations of one modifier."""
    values = np.asarray(uncertainties, dtype=np.float64)
    if values.ndim == 0 or values.shape[0] != size:
        got = values.shape[0] if values.ndim else 0
        raise InvalidUncertaintyDefinition(
            f"Modifier '{name}': expected {size} bins, got {got}"
        )
    if values.ndim == 1:
        up = down = values
    elif values.ndim == 2 and values.shape[1] == 2:
        up, down = values[:, 0], values[:, 1]
    else:
        raise InvalidUncertaintyDefinition(
            f"Modifier '{name}': unsupported uncertainty shape ({values.ndim}D array "
            f"of shape {values.shape}); expected one value or an (up, down) pair "
            "per bin"
        )
    if not (np.all(np.isfinite(up)) and np.all(np.isfinite(down))):
        raise InvalidInput(f"Modifier '{name}': uncertainties must be finite")
    if np.any(up < 0) or np.any(down < 0):
        raise InvalidInput(
            f"Modifier '{name}': uncertainties are absolute yield variations and must "
            "be non-negative"
        )
    return up, down


def _log_delta(name, direction, variation, signal):
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(signal != 0, 1.0 + variation / signal, 1.0)
    invalid = ~(delta >= 1.0)
    if np.any(invalid):
        # Only a negative signal yield can get here (variations are >= 0).
        _log.warning(
            "Modifier '%s': invalid delta_%s at bins %s; clamping to 1.0.",
            name,
            direction,
            np.flatnonzero(invalid).tolist(),
        )
        delta = np.where(invalid, 1.0, delta)
    return np.log(delta)


def signal_uncertainty_synthesizer(
    signal_yields, modifiers, n_signal_parameters=0, domain_start=None
):
    """Expand a list of modifiers into their parameters and factor.

    Parameters
    ----------
    signal_yields : array_like, shape (N,)
        Nominal signal yields ``s``.
    modifiers : list of dict
        The modifiers, in order.
    n_signal_parameters : int
        Number of signal parameters before the background nuisances.
    domain_start : int, optional
        Index of the first modifier parameter; ``1 + n_signal_parameters + N``
        (after ``mu``, the signal parameters and the background nuisances) by
        default.

    Returns
    -------
    dict
        ``lambda``: ``pars -> F`` (per-bin factor); ``constraint``: the unit
        normal constraint of the modifier parameters, as spey describes it
        (``distribution_type``, ``args``, ``kwargs`` with the ``domain``
        slice); ``n_parameters``; ``parameter_names``; and for the compiled
        kernels ``log_up`` and ``log_down`` (``(n_parameters, N)`` arrays of
        ``L`` for positive and negative parameter values) and ``strict``
        (True for normalization parameters, whose positive branch needs
        ``u > 0`` rather than ``u >= 0``).
    """
    signal = np.asarray(signal_yields, dtype=np.float64).reshape(-1)
    size = signal.shape[0]
    start = (
        1 + int(n_signal_parameters) + size if domain_start is None else domain_start
    )
    log_up, log_down, strict, names = [], [], [], []
    for position, modifier in enumerate(modifiers or []):
        kind = modifier.get("type")
        if kind not in MODIFIER_TYPES:
            raise InvalidUncertaintyDefinition(
                f"Unknown modifier type '{kind}'. Expected one of {MODIFIER_TYPES}."
            )
        name = modifier.get("name", f"mod{position}")
        if "uncertainties" not in modifier:
            raise InvalidUncertaintyDefinition(
                f"Modifier '{name}' has no 'uncertainties' entry"
            )
        up, down = _variations(name, modifier["uncertainties"], size)
        up_logs = _log_delta(name, "up", up, signal)
        down_logs = _log_delta(name, "dn", down, signal)
        if kind == "normalization":
            log_up.append(up_logs)
            log_down.append(down_logs)
            strict.append(True)
            names.append(f"theta_sig_{name}")
        else:
            for i in range(size):
                row_up = np.zeros(size)
                row_down = np.zeros(size)
                row_up[i] = up_logs[i]
                row_down[i] = down_logs[i]
                log_up.append(row_up)
                log_down.append(row_down)
                strict.append(False)
                names.append(f"theta_sig_{name}_{i}")

    count = len(names)
    log_up = np.array(log_up).reshape(count, size)
    log_down = np.array(log_down).reshape(count, size)
    strict = np.array(strict, dtype=np.bool_)

    def factor(pars):
        values = np.asarray(pars, dtype=np.float64)[start : start + count]
        positive = np.where(strict, values > 0, values >= 0)
        logs = np.where(positive[:, None], log_up, log_down)
        return np.exp(values @ logs) if count else np.ones(size)

    constraint = []
    if count:
        constraint.append(
            {
                "distribution_type": "normal",
                "args": [np.zeros(count), np.ones(count)],
                "kwargs": {"domain": slice(start, start + count)},
            }
        )
    return {
        "lambda": factor,
        "constraint": constraint,
        "n_parameters": count,
        "parameter_names": names,
        "log_up": log_up,
        "log_down": log_down,
        "strict": strict,
    }
