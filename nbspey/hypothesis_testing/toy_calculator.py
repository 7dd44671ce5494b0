"""p-values from toy distributions, and reusable toy results.

With test statistics ``t_s`` of toys drawn under the signal hypothesis and
``t_b`` under the background-only hypothesis, and the observed ``t_obs``:

* ``p(v) = #{t >= v} / m`` over a sample of size ``m``;
* observed ``CLsb = p_s(t_obs)``, ``CLb = p_b(t_obs)``,
  ``CLs = CLsb / CLb`` (0 when ``CLb = 0``);
* expected band: ``v_k`` is the linear-interpolation percentile of ``t_b`` at
  ``Phi(k)`` for ``k = 2, 1, 0, -1, -2``, and the p-values are evaluated there.

:class:`ToyResult` keeps the distributions with the settings that produced
them, so results can be saved (``.npz``), loaded and merged: a large number
of toys can be split over many jobs with one seed and disjoint toy ranges.
"""

import dataclasses
import json
import math

import numpy as np

from nbspey.hypothesis_testing.asymptotic_calculator import BAND_SHIFTS
from nbspey.hypothesis_testing.test_statistics import Q0, statistic_code
from nbspey.numerics.special import normal_cdf
from nbspey.system.exceptions import InvalidInput

__all__ = ["ToyResult", "compute_toy_confidence_level", "toy_pvalues"]


def _pvalue(sample, value):
    """Fraction of a sorted ``sample`` at or above ``value``."""
    if sample.size == 0:
        return math.nan
    return (sample.size - np.searchsorted(sample, value, side="left")) / sample.size


def toy_pvalues(signal, background, observed, code):
    """``(p_observed, [p_k for k = 2 ... -2])``: CLs, or CLsb for ``q0``."""
    signal = np.sort(np.asarray(signal, dtype=np.float64))
    background = np.sort(np.asarray(background, dtype=np.float64))

    def pvalue(value):
        clsb = _pvalue(signal, value)
        if code == Q0:
            return clsb
        clb = _pvalue(background, value)
        return clsb / clb if clb > 0 else 0.0

    if background.size == 0:
        return math.nan, [math.nan] * 5
    quantiles = [normal_cdf(shift) for shift in BAND_SHIFTS]
    cuts = np.percentile(background, np.array(quantiles) * 100.0, method="linear")
    return pvalue(float(observed)), [pvalue(float(cut)) for cut in cuts]


def compute_toy_confidence_level(
    signal_samples, background_samples, test_statistic_observed, test_stat="qtilde"
):
    """Observed and expected p-values from toys, as spey's function.

    Returns
    -------
    tuple of list
        ``([p_observed], [p_k for k = 2, 1, 0, -1, -2])`` with ``p`` CLs
        (CLsb for ``"q0"``).
    """
    observed, band = toy_pvalues(
        signal_samples,
        background_samples,
        test_statistic_observed,
        statistic_code(test_stat),
    )
    return [observed], band


@dataclasses.dataclass(frozen=True)
class ToyResult:
    """Test-statistic distributions of a toy hypothesis test.

    Attributes
    ----------
    model : str
        Digest of the model and the data the toys were drawn from; only
        results of the same model can be merged.
    poi_test : float
        Tested POI.
    test_statistic : str
        ``"qtilde"`` or ``"q"``.
    expected : str
        Which data the sampling fits used.
    observed : float
        ``t_obs``, the statistic of the observed data.
    signal, background : ndarray
        Statistics of the toys under the signal and background-only
        hypotheses; NaN for toys whose fits failed.
    runs : tuple of (int, int, int)
        ``(seed, first toy, number of toys)`` of each run merged here.
    """

    model: str
    poi_test: float
    test_statistic: str
    expected: str
    observed: float
    signal: np.ndarray
    background: np.ndarray
    runs: tuple

    @property
    def ntoys(self):
        """Number of toys per hypothesis."""
        return int(self.signal.shape[0])

    @property
    def failed(self):
        """``(signal, background)`` counts of toys whose fits failed."""
        return (
            int(np.count_nonzero(np.isnan(self.signal))),
            int(np.count_nonzero(np.isnan(self.background))),
        )

    def pvalues(self):
        """``(p_observed, band)`` from the toys whose fits converged."""
        code = statistic_code(self.test_statistic)
        signal = self.signal[~np.isnan(self.signal)]
        background = self.background[~np.isnan(self.background)]
        return toy_pvalues(signal, background, self.observed, code)

    def confidence_levels(self):
        """``([1 - CLs observed], [1 - CLs band])``, p-values clipped to [0, 1]."""
        observed, band = self.pvalues()

        def level(p):
            return 1.0 - min(max(p, 0.0), 1.0) if not math.isnan(p) else math.nan

        return [level(observed)], [level(p) for p in band]

    def merge(self, *others):
        """One result holding the toys of this and ``others``.

        Raises
        ------
        InvalidInput
            When a result comes from another model, hypothesis, statistic or
            data, or repeats toys of the same seed.
        """
        results = (self, *others)
        for other in others:
            for field in ("model", "poi_test", "test_statistic", "expected"):
                if getattr(other, field) != getattr(self, field):
                    raise InvalidInput(
                        f"cannot merge toy results with different {field}: "
                        f"{getattr(self, field)!r} and {getattr(other, field)!r}"
                    )
        runs = [run for result in results for run in result.runs]
        _check_disjoint(runs)
        return dataclasses.replace(
            self,
            signal=np.concatenate([result.signal for result in results]),
            background=np.concatenate([result.background for result in results]),
            runs=tuple(runs),
        )

    def save(self, path):
        """Write the result to ``path`` (numpy ``.npz``)."""
        settings = {
            "model": self.model,
            "poi_test": self.poi_test,
            "test_statistic": self.test_statistic,
            "expected": self.expected,
            "observed": self.observed,
            "runs": [list(run) for run in self.runs],
            "format": 1,
        }
        np.savez(
            path,
            settings=np.array(json.dumps(settings)),
            signal=self.signal,
            background=self.background,
        )

    @classmethod
    def load(cls, path):
        """Read a result written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as stored:
            settings = json.loads(str(stored["settings"]))
            signal = np.array(stored["signal"], dtype=np.float64)
            background = np.array(stored["background"], dtype=np.float64)
        if settings.get("format") != 1:
            raise InvalidInput(f"{path}: not a toy result of this nbspey version")
        return cls(
            model=settings["model"],
            poi_test=float(settings["poi_test"]),
            test_statistic=settings["test_statistic"],
            expected=settings["expected"],
            observed=float(settings["observed"]),
            signal=signal,
            background=background,
            runs=tuple(tuple(int(x) for x in run) for run in settings["runs"]),
        )


def _check_disjoint(runs):
    """Refuse runs of one seed whose toy ranges overlap."""
    by_seed = {}
    for seed, first, count in runs:
        by_seed.setdefault(seed, []).append((first, first + count))
    for seed, ranges in by_seed.items():
        ranges.sort()
        for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
            if start < end:
                raise InvalidInput(
                    f"toy results repeat toys {start} to {end - 1} of seed {seed}; "
                    "give split runs disjoint first_toy ranges or other seeds"
                )
