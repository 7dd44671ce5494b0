"""The plugin example of spey 0.2.7's documentation runs with nbspey.

The class below is the example of spey's ``BackendBase`` docstring (MIT
licence) with ``spey`` replaced by ``nbspey`` and nothing else changed. It
goes through the generic (Python) route and must give the CLs values and
limits of the compiled ``default.poisson`` model; its log-likelihood lacks the
factorial term, a constant that cancels in every test statistic.
"""

import numpy as np
import pytest

import nbspey
from nbspey.base.model_config import ModelConfig


def define_the_example():
    @nbspey.register_backend
    class PoissonModel(nbspey.BackendBase):
        name = "my_package.poisson"
        version = "1.0.0"
        author = "Jane Doe"
        spey_requires = ">=0.1.0"

        def __init__(self, signal, background, data):
            self._signal = np.array(signal, dtype=float)
            self._background = np.array(background, dtype=float)
            self._data = np.array(data, dtype=float)

        @property
        def is_alive(self):
            return bool(np.any(self._signal > 0.0))

        def config(self, allow_negative_signal=True, poi_upper_bound=10.0):
            minimum_poi = -10.0 if allow_negative_signal else 0.0
            return ModelConfig(
                poi_index=0,
                minimum_poi=minimum_poi,
                suggested_init=[1.0],
                suggested_bounds=[(minimum_poi, poi_upper_bound)],
            )

        def get_logpdf_func(self, expected=nbspey.ExpectationType.observed, data=None):
            obs = self._data if data is None else np.array(data)
            if expected is nbspey.ExpectationType.apriori:
                obs = self._background

            def logpdf(pars):
                mu = pars[0]
                rate = mu * self._signal + self._background
                return float(np.sum(obs * np.log(rate) - rate))

            return logpdf

        def expected_data(self, pars):
            mu = pars[0]
            return list(mu * self._signal + self._background)

    # Use the model
    model = nbspey.get_backend("my_package.poisson")(
        signal=[5.0, 3.0],
        background=[10.0, 8.0],
        data=[12, 9],
        analysis="example",
        xsection=0.05,
    )
    print(model.exclusion_confidence_level())
    return model


@pytest.fixture
def models(isolated_registry):
    plugin = define_the_example()
    compiled = nbspey.get_backend("default.poisson")([5.0, 3.0], [10.0, 8.0], [12, 9])
    return plugin, compiled


@pytest.mark.parametrize("expected", ["observed", "aposteriori", "apriori"])
def test_plugin_example_matches_default_poisson(models, expected):
    plugin, compiled = models
    for mu in (0.5, 1.0, 2.0):
        assert plugin.exclusion_confidence_level(mu, expected=expected) == (
            pytest.approx(compiled.exclusion_confidence_level(mu, expected=expected))
        )
    pvalue = "nominal" if expected == "observed" else "1sigma"
    assert plugin.poi_upper_limit(
        expected=expected, expected_pvalue=pvalue
    ) == pytest.approx(
        compiled.poi_upper_limit(expected=expected, expected_pvalue=pvalue),
        rel=1e-6,
    )


def test_plugin_example_chi_square_and_significance(models):
    plugin, compiled = models
    assert plugin.exclusion_confidence_level(calculator="chi_square") == (
        pytest.approx(compiled.exclusion_confidence_level(calculator="chi_square"))
    )
    assert plugin.significance()[:2] == pytest.approx(compiled.significance()[:2])
    assert plugin.available_calculators == ["asymptotic", "chi_square"]
