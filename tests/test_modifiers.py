"""Signal-uncertainty modifiers (reference-values.md sections 4.5 and 6.6)."""

import numpy as np
import pytest

from nbspey.likelihood.modifiers import signal_uncertainty_synthesizer
from nbspey.system.exceptions import InvalidInput, InvalidUncertaintyDefinition


def test_factor_of_the_worked_example():
    """s = [10, 20]; normalization [1, 2] at index 3, shape [0.5, 1.0] at 4, 5;
    pars[3:6] = (1, -1, 2) gives F = [1.0476190476190477, 1.21275]."""
    synthesized = signal_uncertainty_synthesizer(
        [10.0, 20.0],
        [
            {"type": "normalization", "uncertainties": [1.0, 2.0]},
            {"type": "shape", "uncertainties": [0.5, 1.0]},
        ],
    )
    pars = np.array([1.0, 0.0, 0.0, 1.0, -1.0, 2.0])
    np.testing.assert_allclose(
        synthesized["lambda"](pars), [1.0476190476190477, 1.21275], rtol=1e-12
    )
    assert synthesized["n_parameters"] == 3
    np.testing.assert_allclose(synthesized["lambda"](np.zeros(6)), [1.0, 1.0])


@pytest.mark.parametrize(
    "modifiers, n_signal_parameters, domain_start, indices, names",
    [
        (
            [{"type": "normalization", "uncertainties": [1, 1], "name": "pdf"}],
            0,
            None,
            (3, 4),
            ["theta_sig_pdf"],
        ),
        (
            [{"type": "normalization", "uncertainties": [1, 1]}],
            2,
            None,
            (5, 6),
            ["theta_sig_mod0"],
        ),
        (
            [{"type": "normalization", "uncertainties": [1, 1]}],
            0,
            7,
            (7, 8),
            ["theta_sig_mod0"],
        ),
        (
            [{"type": "shape", "uncertainties": [1, 1], "name": "scale"}],
            0,
            None,
            (3, 5),
            ["theta_sig_scale_0", "theta_sig_scale_1"],
        ),
        (
            [
                {"type": "normalization", "uncertainties": [1, 1], "name": "pdf"},
                {"type": "shape", "uncertainties": [1, 1], "name": "scale"},
            ],
            0,
            None,
            (3, 6),
            ["theta_sig_pdf", "theta_sig_scale_0", "theta_sig_scale_1"],
        ),
    ],
)
def test_parameter_layout(modifiers, n_signal_parameters, domain_start, indices, names):
    synthesized = signal_uncertainty_synthesizer(
        [12.0, 15.0], modifiers, n_signal_parameters, domain_start
    )
    (constraint,) = synthesized["constraint"]
    assert constraint["kwargs"]["domain"] == slice(*indices)
    assert constraint["distribution_type"] == "normal"
    assert synthesized["parameter_names"] == names


def test_up_and_down_branches():
    """Per-bin (up, down) pairs: a positive parameter uses the up variation,
    a negative one the down variation."""
    synthesized = signal_uncertainty_synthesizer(
        [10.0, 10.0],
        [{"type": "normalization", "uncertainties": [(5.0, 1.0), (5.0, 1.0)]}],
    )
    factor = synthesized["lambda"]
    np.testing.assert_allclose(factor(np.array([1, 0, 0, 1.0])), [1.5, 1.5])
    np.testing.assert_allclose(factor(np.array([1, 0, 0, -1.0])), [1 / 1.1, 1 / 1.1])
    assert synthesized["strict"][0]  # normalization: the up branch needs t > 0


def test_no_modifiers():
    synthesized = signal_uncertainty_synthesizer([1.0, 2.0], None)
    assert synthesized["n_parameters"] == 0
    assert synthesized["constraint"] == []
    np.testing.assert_array_equal(synthesized["lambda"](np.ones(3)), [1.0, 1.0])


@pytest.mark.parametrize(
    "modifier, error, message",
    [
        (
            {"type": "unknown", "uncertainties": [1, 1]},
            InvalidUncertaintyDefinition,
            "Unknown modifier type",
        ),
        (
            {"uncertainties": [1, 1]},
            InvalidUncertaintyDefinition,
            "Unknown modifier type",
        ),
        ({"type": "shape"}, InvalidUncertaintyDefinition, "no 'uncertainties'"),
        (
            {"type": "shape", "uncertainties": [1, 1, 1]},
            InvalidUncertaintyDefinition,
            "expected 2 bins, got 3",
        ),
        (
            {"type": "shape", "uncertainties": np.ones((2, 2, 2))},
            InvalidUncertaintyDefinition,
            "unsupported uncertainty shape",
        ),
        ({"type": "shape", "uncertainties": [1, -1]}, InvalidInput, "non-negative"),
        ({"type": "shape", "uncertainties": [1, np.nan]}, InvalidInput, "finite"),
    ],
)
def test_bad_modifiers(modifier, error, message):
    with pytest.raises(error, match=message):
        signal_uncertainty_synthesizer([12.0, 15.0], [modifier])


def test_negative_signal_bins_are_clamped_with_a_warning(caplog):
    synthesized = signal_uncertainty_synthesizer(
        [-10.0, 10.0], [{"type": "normalization", "uncertainties": [1.0, 1.0]}]
    )
    assert "clamping to 1.0" in caplog.text
    np.testing.assert_allclose(synthesized["log_up"][0], [0.0, np.log(1.1)])
