"""The backend registry: built-ins, registered classes and metadata."""

import math

import numpy as np
import pytest

import nbspey
from nbspey import registry
from nbspey.system.exceptions import AbstractModel, MissingMetaData, PluginError

DEFAULTS = [
    "default.correlated_background",
    "default.effective_sigma",
    "default.multivariate_normal",
    "default.normal",
    "default.poisson",
    "default.third_moment_expansion",
    "default.uncorrelated_background",
]


class CountingModel(nbspey.BackendBase):
    """A one-bin Poisson counting plugin written in plain numpy."""

    name = "test.counting"
    version = "1.0.0"
    author = "test suite"
    spey_requires = ">=0.1.0, <0.3.0"

    def __init__(self, signal, background, observed):
        self.signal, self.background, self.observed = signal, background, observed

    def config(self, allow_negative_signal=True, poi_upper_bound=10.0):
        low = -self.background / self.signal if allow_negative_signal else 0.0
        return nbspey.base.ModelConfig(0, low, [1.0], [(low, poi_upper_bound)])

    def get_logpdf_func(self, expected=nbspey.ExpectationType.observed, data=None):
        count = self.background if expected == "apriori" else self.observed
        count = count if data is None else data[0]

        def logpdf(pars):
            rate = pars[0] * self.signal + self.background
            return count * np.log(rate) - rate - math.lgamma(count + 1)

        return logpdf


@pytest.fixture(autouse=True)
def clean_registry():
    saved = dict(registry._registry)
    yield
    registry._registry.clear()
    registry._registry.update(saved)


def test_available_backends_are_sorted_and_complete():
    assert nbspey.AvailableBackends() == DEFAULTS


def test_get_backend_builds_a_statistical_model():
    model = nbspey.get_backend("default.uncorrelated_background")(
        signal_yields=[12.0, 15.0],
        background_yields=[50.0, 48.0],
        data=[36.0, 33.0],
        absolute_uncertainties=[12.0, 16.0],
        analysis="two-bin",
        xsection=0.25,
    )
    assert isinstance(model, nbspey.StatisticalModel)
    assert model.analysis == "two-bin" and model.xsection == 0.25
    assert model.ntoys == 1000
    assert model.backend.get_logpdf_func()(np.ones(3)) == pytest.approx(
        -37.47391613937222, rel=1e-12
    )
    assert "default.uncorrelated_background" in repr(model)


def test_registered_plugin_is_retrievable():
    """spey 0.2.7 cannot retrieve a class registered this way; nbspey can."""
    nbspey.register_backend(CountingModel)
    assert "test.counting" in nbspey.AvailableBackends()
    model = nbspey.get_backend("test.counting")(12.0, 50.0, 55.0, analysis="count")
    assert model.backend.get_logpdf_func()([0.0]) == pytest.approx(
        55 * math.log(50) - 50 - math.lgamma(56)
    )
    metadata = nbspey.get_backend_metadata("test.counting")
    assert metadata == {
        "name": "test.counting",
        "author": "test suite",
        "version": "1.0.0",
        "spey_requires": ">=0.1.0, <0.3.0",
        "doi": [],
        "arXiv": [],
        "zenodo": [],
    }


def test_registration_checks():
    with pytest.raises(TypeError):
        nbspey.register_backend(dict)

    class Abstract(nbspey.BackendBase):
        name = "test.abstract"
        spey_requires = "*"

    with pytest.raises(AbstractModel):
        nbspey.register_backend(Abstract)

    class Nameless(CountingModel):
        name = None

    with pytest.raises(MissingMetaData):
        nbspey.register_backend(Nameless)

    class TooNew(CountingModel):
        name = "test.too_new"
        spey_requires = ">=0.3.0"

    with pytest.raises(PluginError, match="requires spey >=0.3.0"):
        nbspey.register_backend(TooNew)

    nbspey.register_backend(CountingModel)
    with pytest.raises(ValueError, match="already registered"):
        nbspey.register_backend(CountingModel)


def test_unknown_backend():
    with pytest.raises(PluginError, match="The backend nope is unavailable"):
        nbspey.get_backend("nope")
    with pytest.raises(PluginError):
        nbspey.get_backend_metadata("nope")


def test_default_metadata():
    metadata = nbspey.get_backend_metadata("default.effective_sigma")
    assert metadata["arXiv"] == ["physics/0406120"]
    assert metadata["version"] == nbspey.__version__


@pytest.mark.parametrize(
    "specifier, satisfied",
    [
        (">=0.1.0", True),
        (">=0.1.0,<0.3", True),
        ("<0.2.7", False),
        ("==0.2.7", True),
        ("0.2.7", True),
        ("!=0.2.7", False),
        ("~=0.2.0", True),
        ("~=0.1.0", False),
        ("^0.2.0", True),
        ("~0.2.5", True),
        ("~0.1.0", False),
        ("0.2.*", True),
        ("0.1.*", False),
        ("*", True),
    ],
)
def test_version_specifiers(specifier, satisfied):
    assert registry.version_satisfies("0.2.7", specifier) is satisfied


def test_about_lists_versions_and_backends(capsys):
    nbspey.about()
    printed = capsys.readouterr().out
    assert f"nbspey version:  {nbspey.version()}" in printed
    assert "numba:" in printed
    assert "default.third_moment_expansion" in printed
