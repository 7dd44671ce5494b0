"""The toy calculator: agreement with asymptotics, seeding, merging, failures."""

import math

import numba
import numpy as np
import pytest

import nbspey
from nbspey.base.hypotest_base import ToyFitWarning
from nbspey.hypothesis_testing.toy_calculator import (
    ToyResult,
    compute_toy_confidence_level,
)
from nbspey.interface import statistical_model
from nbspey.numerics.minimize import minimizer_options
from nbspey.system.exceptions import InvalidInput


def high_count_model(ntoys):
    """One bin with 1000 background events: asymptotics are accurate."""
    return nbspey.get_backend("default.uncorrelated_background")(
        signal_yields=[60.0],
        background_yields=[1000.0],
        data=[1000.0],
        absolute_uncertainties=[20.0],
        ntoys=ntoys,
    )


def two_bin(ntoys=200):
    return nbspey.get_backend("default.uncorrelated_background")(
        signal_yields=[12.0, 15.0],
        background_yields=[50.0, 48.0],
        data=[36.0, 33.0],
        absolute_uncertainties=[12.0, 16.0],
        ntoys=ntoys,
    )


def test_spey_reference_toy_pvalues():
    observed, band = compute_toy_confidence_level([2.0], [1.0], 1.5)
    assert observed == [0.0]
    assert band == [1.0] * 5


def test_toys_agree_with_asymptotics_at_high_counts():
    ntoys = 4000
    model = high_count_model(ntoys)
    asymptotic = model.exclusion_confidence_level()[0]
    toys = model.exclusion_confidence_level(calculator="toy", seed=11, verbose=False)[0]
    result = model.last_toy_result
    assert result.failed == (0, 0)
    # Binomial error of CLs = CLsb / CLb, with CLsb and CLb from the toys.
    observed = result.observed
    clsb = np.mean(result.signal >= observed)
    clb = np.mean(result.background >= observed)
    error = math.sqrt(clsb * (1 - clsb) / ntoys) / clb
    error += clsb / clb**2 * math.sqrt(clb * (1 - clb) / ntoys)
    assert abs(toys - asymptotic) < 4 * error + 1e-3


def test_same_seed_same_toys_on_one_and_two_threads():
    model = two_bin()
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = model.toy_test(seed=5, verbose=False)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        double = model.toy_test(seed=5, verbose=False)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(single.signal, double.signal)
    assert np.array_equal(single.background, double.background)
    other = model.toy_test(seed=6, verbose=False)
    assert not np.array_equal(single.signal, other.signal)


def test_split_runs_merge_to_the_whole_run(tmp_path):
    model = two_bin()
    whole = model.toy_test(ntoys=300, seed=9, verbose=False)
    first = model.toy_test(ntoys=100, seed=9, verbose=False)
    second = model.toy_test(ntoys=200, seed=9, first_toy=100, verbose=False)
    second.save(tmp_path / "second.npz")
    merged = first.merge(ToyResult.load(tmp_path / "second.npz"))
    assert np.array_equal(merged.signal, whole.signal)
    assert np.array_equal(merged.background, whole.background)
    assert merged.confidence_levels() == whole.confidence_levels()
    assert merged.runs == ((9, 0, 100), (9, 100, 200))
    with pytest.raises(InvalidInput, match="repeat toys"):
        whole.merge(first)
    shifted = two_bin().toy_test(poi_test=2.0, ntoys=10, seed=1, verbose=False)
    with pytest.raises(InvalidInput, match="poi_test"):
        whole.merge(shifted)


def test_failed_toy_fits_are_counted(monkeypatch):
    model = two_bin(ntoys=50)
    monkeypatch.setattr(
        statistical_model, "_OPTIONS", minimizer_options(max_iterations=1)
    )
    with pytest.warns(ToyFitWarning, match="left out"):
        with pytest.warns(nbspey.system.exceptions.FitFailedWarning):
            model.toy_test(seed=2, verbose=False)
    failed = model.last_toy_result.failed
    assert failed[0] > 0 and failed[1] > 0


def test_toy_levels_are_probabilities_and_band_is_ordered():
    model = two_bin(ntoys=300)
    observed, band = model.exclusion_confidence_level(
        calculator="toy", expected="all", seed=4, verbose=False
    )
    assert 0.0 <= observed[0] <= 1.0
    assert all(0.0 <= value <= 1.0 for value in band)
    assert band == sorted(band, reverse=True)


def test_bad_toy_arguments():
    model = two_bin()
    with pytest.raises(InvalidInput, match="seed"):
        model.toy_test(seed=-1)
    with pytest.raises(InvalidInput, match="ntoys"):
        model.toy_test(ntoys=0)


class CountingWithSampler(nbspey.BackendBase):
    """One Poisson bin in plain numpy, with a seeded sampler."""

    name = "test.counting_with_sampler"
    spey_requires = "*"

    def __init__(self, signal, background, data):
        self.signal, self.background, self.data = signal, background, data

    def config(self, allow_negative_signal=True, poi_upper_bound=10.0):
        minimum = -self.background / self.signal
        low = minimum if allow_negative_signal else 0.0
        return nbspey.base.ModelConfig(0, minimum, [1.0], [(low, poi_upper_bound)])

    def get_logpdf_func(self, expected=nbspey.ExpectationType.observed, data=None):
        count = self.background if expected == "apriori" else self.data
        if data is not None:
            count = float(np.asarray(data).reshape(-1)[0])

        def logpdf(pars):
            rate = max(pars[0] * self.signal + self.background, 1e-20)
            return count * math.log(rate) - rate - math.lgamma(count + 1.0)

        return logpdf

    def expected_data(self, pars):
        return np.array([pars[0] * self.signal + self.background])

    def get_sampler(self, pars):
        rate = pars[0] * self.signal + self.background

        def sampler(size, seed=None):
            generator = np.random.default_rng(seed)
            return generator.poisson(rate, size=(size, 1)).astype(float)

        return sampler


def test_toys_of_a_python_backend(isolated_registry):
    nbspey.register_backend(CountingWithSampler)
    plugin = nbspey.get_backend("test.counting_with_sampler")(
        10.0, 20.0, 22.0, ntoys=300
    )
    assert plugin.available_calculators == ["toy", "asymptotic", "chi_square"]
    first = plugin.toy_test(seed=8, verbose=False)
    again = plugin.toy_test(seed=8, verbose=False)
    assert np.array_equal(first.signal, again.signal)
    assert first.failed == (0, 0)
    compiled = nbspey.get_backend("default.poisson")([10.0], [20.0], [22.0])
    # Same observed statistic (the factorial term cancels) and toy levels
    # compatible with the compiled model's within statistics.
    reference = compiled.toy_test(ntoys=3000, seed=8, verbose=False)
    assert first.observed == pytest.approx(reference.observed, rel=1e-8)
    level = first.confidence_levels()[0][0]
    assert abs(level - reference.confidence_levels()[0][0]) < 0.08
