"""ModelConfig against reference-values.md section 4.1."""

import math

import pytest

from nbspey.base.model_config import ModelConfig


@pytest.fixture
def config():
    return ModelConfig(
        poi_index=0,
        minimum_poi=-5.0,
        suggested_init=[0.0] * 3,
        suggested_bounds=[(-10.0, 10.0)] * 3,
        parameter_names=["mu", "theta1", "theta2"],
    )


def test_npar(config):
    assert config.npar == 3


def test_resolve_poi_indices(config):
    assert config.resolve_poi_indices(2.5) == {0: 2.5}
    assert config.resolve_poi_indices({"mu": 1.0, "theta2": 0.5}) == {0: 1.0, 2: 0.5}
    resolved = config.resolve_poi_indices(3)
    assert resolved == {0: 3.0} and isinstance(resolved[0], float)
    with pytest.raises(ValueError, match="POI name 'nope' not found"):
        config.resolve_poi_indices({"nope": 1.0})
    unnamed = ModelConfig(0, -5.0, [0.0], [(-1.0, 1.0)])
    with pytest.raises(ValueError, match="parameter_names not set"):
        unnamed.resolve_poi_indices({"mu": 1.0})


def test_fixed_poi_bounds_multi(config):
    assert config.fixed_poi_bounds_multi({0: 15.0})[0][1] >= 15
    assert config.fixed_poi_bounds_multi({0: 15.0})[0] == (0.0, 16.0)
    assert config.fixed_poi_bounds_multi({0: -20.0})[0][0] == -5.0
    assert config.fixed_poi_bounds_multi({0: 0.5})[0] == (-10.0, 10.0)
    assert config.fixed_poi_bounds_multi(None) == config.suggested_bounds


def test_fixed_poi_bounds(config):
    assert config.fixed_poi_bounds(None) == config.suggested_bounds
    assert config.fixed_poi_bounds(15.0)[0] == (0.0, 16.0)
    assert config.fixed_poi_bounds(-20.0)[0] == (-5.0, -5.0)
    assert config.fixed_poi_bounds(0.5)[0] == (-10.0, 10.0)


def test_nothing_shared_is_mutated(config):
    bounds = config.fixed_poi_bounds(15.0)
    bounds[1] = (0.0, 0.0)
    assert config.suggested_bounds[1] == (-10.0, 10.0)
    assert config.suggested_bounds[0] == (-10.0, 10.0)


def test_change_parameter_names(config):
    config.change_parameter_names({"theta1": "alpha"})
    assert config.parameter_names == ["mu", "alpha", "theta2"]
    with pytest.raises(ValueError, match="unknown parameter name"):
        config.change_parameter_names({"theta1": "beta"})
    with pytest.raises(ValueError, match="duplicate"):
        config.change_parameter_names({"alpha": "mu"})


def test_rescale_poi_bounds(config):
    rescaled = config.rescale_poi_bounds(
        allow_negative_signal=False, poi_upper_bound=5.0
    )
    assert rescaled.suggested_bounds[0] == (0.0, 5.0)
    assert config.suggested_bounds[0] == (-10.0, 10.0)
    assert config.rescale_poi_bounds().suggested_bounds[0] == (-5.0, 10.0)
    unbounded = ModelConfig(0, -math.inf, [1.0], [(None, 10.0)])
    assert unbounded.rescale_poi_bounds().suggested_bounds[0] == (None, 10.0)
