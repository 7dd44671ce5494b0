"""The CMS-SUS-19-006 simplified likelihood (40 regions, real data).

One region has no observed event, so fits put its background on the
positivity bound; the Asimov fits that follow must still converge. The
reference numbers are spey 0.2.7's on the same inputs (its fits stop early,
hence the 1e-4 tolerance).
"""

import warnings

import numpy as np
import pytest

import nbspey
from nbspey.data import load_cms_sus_19_006

# spey 0.2.7: observed 1-CLs at a signal of efficiency x 1 fb x 137/fb and
# the observed upper limit on mu, for the second and third mass points.
SPEY = {
    1: (0.8708768362695164, 1.2917158658229724),
    2: (0.7685867213261885, 1.5921689091537892),
}


@pytest.mark.parametrize("point", [0, 1, 2])
def test_tests_of_the_published_model_converge(point):
    inputs = load_cms_sus_19_006()
    signal = np.array(inputs["signal_model"]["efficiencies"][point]) * 137.0
    model = nbspey.get_backend("default.correlated_background")(
        signal.tolist(),
        inputs["background"],
        inputs["observed"],
        inputs["covariance"],
        analysis=inputs["analysis"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        observed, band = model.exclusion_confidence_level(expected="all")
        limit = model.poi_upper_limit()
        limits = model.poi_upper_limit(expected="aposteriori", expected_pvalue="2sigma")
    assert limits == sorted(limits)
    assert band == sorted(band, reverse=True)
    if point in SPEY:
        assert observed[0] == pytest.approx(SPEY[point][0], rel=1e-4)
        assert limit == pytest.approx(SPEY[point][1], rel=1e-4)
