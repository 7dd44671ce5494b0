"""Combining statistical models: the joint likelihood and the combiner."""

import math

import pytest

import nbspey
from nbspey.system.exceptions import (
    AnalysisQueryError,
    CombinerNotAvailable,
    UnknownCrossSection,
)

SIGNAL, BACKGROUND, DATA = [1.0, 1.0, 1.0], [2.0, 1.0, 3.0], [2.0, 2.0, 2.0]


def make(name, *args, **kwargs):
    return nbspey.get_backend(name)(*args, **kwargs)


def one_bin_models(name, extra=()):
    return [
        make(
            name,
            [SIGNAL[i]],
            [BACKGROUND[i]],
            [DATA[i]],
            *[[value] for value in extra],
            analysis=f"bin{i}",
        )
        for i in range(3)
    ]


@pytest.mark.parametrize(
    "name, extra",
    [
        ("default.normal", (1.0,)),
        ("default.poisson", ()),
        ("default.uncorrelated_background", (1.0,)),
    ],
)
def test_single_bins_combine_to_the_multi_bin_model(name, extra):
    parts = one_bin_models(name, extra)
    multi = make(name, SIGNAL, BACKGROUND, DATA, *[[v] * 3 for v in extra])
    joint = parts[0] @ parts[1] @ parts[2]
    combiner = nbspey.UnCorrStatisticsCombiner(*parts)
    for model in (joint, combiner):
        for expected in ("observed", "aposteriori", "apriori"):
            assert model.exclusion_confidence_level(expected=expected) == (
                pytest.approx(multi.exclusion_confidence_level(expected=expected))
            )
        assert model.poi_upper_limit() == pytest.approx(multi.poi_upper_limit())
        band = model.poi_upper_limit(expected="apriori", expected_pvalue="2sigma")
        assert band == pytest.approx(
            multi.poi_upper_limit(expected="apriori", expected_pvalue="2sigma")
        )
    if name == "default.normal":
        # reference-values.md, test_combiner
        value = combiner.exclusion_confidence_level()[0]
        assert value == pytest.approx(0.9167354833364497, rel=1e-5)


def mixed_members():
    return [
        make(
            "default.uncorrelated_background",
            [12.0, 15.0],
            [50.0, 48.0],
            [36, 33],
            [12.0, 16.0],
            analysis="uncorrelated",
        ),
        make(
            "default.correlated_background",
            [3.0, 4.0],
            [20.0, 25.0],
            [22, 24],
            [[4.0, 1.0], [1.0, 9.0]],
            analysis="correlated",
        ),
        make(
            "default.third_moment_expansion",
            [3.0, 4.0],
            [20.0, 25.0],
            [22, 24],
            [[4.0, 1.0], [1.0, 9.0]],
            [0.1, 0.2],
            analysis="skewed",
        ),
    ]


def test_joint_profile_equals_the_sum_of_member_profiles():
    members = mixed_members()
    combiner = nbspey.UnCorrStatisticsCombiner(*members)
    assert combiner.joint_model is not None
    for mu in (-0.5, 0.0, 0.7, 2.0):
        total = sum(member.likelihood(mu) for member in members)
        assert combiner.likelihood(mu) == pytest.approx(total, abs=1e-8)
    joint_mu, joint_nll = combiner.maximize_likelihood()
    nested_mu, nested_nll = combiner._nested_fit(
        "observed", True, None, None, None, None
    )
    assert joint_nll == pytest.approx(nested_nll, abs=1e-8)
    assert joint_nll <= nested_nll + 1e-12
    assert joint_mu == pytest.approx(nested_mu, abs=1e-4)


def test_toys_of_a_combination():
    members = [
        make(
            "default.uncorrelated_background",
            [30.0],
            [600.0],
            [600.0],
            [15.0],
            analysis="a",
        ),
        make(
            "default.correlated_background",
            [30.0, 20.0],
            [500.0, 400.0],
            [500.0, 400.0],
            [[144.0, 20.0], [20.0, 100.0]],
            analysis="b",
        ),
    ]
    combiner = nbspey.UnCorrStatisticsCombiner(*members, ntoys=3000)
    assert "toy" in combiner.available_calculators
    toys = combiner.exclusion_confidence_level(calculator="toy", seed=3, verbose=False)
    again = combiner.exclusion_confidence_level(calculator="toy", seed=3, verbose=False)
    assert toys == again
    asymptotic = combiner.exclusion_confidence_level()
    assert toys[0] == pytest.approx(asymptotic[0], abs=0.03)


def test_container_behaviour():
    parts = one_bin_models("default.normal", (1.0,))
    combiner = nbspey.UnCorrStatisticsCombiner(*parts[:2])
    combiner.append(parts[2])
    assert combiner.analyses == ["bin0", "bin1", "bin2"]
    assert len(combiner) == 3 and list(combiner) == parts
    assert combiner[0] is parts[0] and combiner[-1] is parts[2]
    assert combiner["bin1"] is parts[1] and combiner[1:] == parts[1:]
    assert dict(combiner.items())["bin2"] is parts[2]
    assert combiner.statistical_models == tuple(parts)
    with pytest.raises(AnalysisQueryError, match="exceeds"):
        combiner[3]
    with pytest.raises(AnalysisQueryError, match="not among"):
        combiner["bin9"]
    with pytest.raises(AnalysisQueryError, match="already exists"):
        combiner.append(parts[0])
    with pytest.raises(TypeError, match="Can not append"):
        combiner.append(3)
    combiner.remove("bin2")
    assert combiner.analyses == ["bin0", "bin1"]
    with pytest.raises(AnalysisQueryError):
        combiner.remove("bin2")
    bigger = combiner @ parts[2]
    assert bigger.analyses == ["bin0", "bin1", "bin2"] and len(combiner) == 2
    with pytest.raises(ValueError, match="Can not combine"):
        combiner @ 3
    assert combiner.minimum_poi == max(p.config().minimum_poi for p in parts[:2])
    with pytest.raises(ValueError):
        _ = nbspey.UnCorrStatisticsCombiner().minimum_poi
    assert combiner.is_alive


def test_find_most_sensitive_needs_cross_sections():
    parts = one_bin_models("default.normal", (1.0,))
    combiner = nbspey.UnCorrStatisticsCombiner(*parts)
    with pytest.raises(UnknownCrossSection):
        combiner.find_most_sensitive()
    for part in parts:
        part.xsection = 1.0
    best = combiner.find_most_sensitive()
    assert best.s95exp == min(part.s95exp for part in parts)


def test_chi2_sigma_mu_and_dict_poi_of_a_combination():
    combiner = nbspey.UnCorrStatisticsCombiner(
        *one_bin_models("default.normal", (1.0,))
    )
    # Three unit-width normal bins with s = 1: chi2(mu) = 3 mu^2 around 0.
    assert combiner.chi2(1.0, allow_negative_signal=True) == pytest.approx(3.0)
    assert combiner.sigma_mu(1.0) == pytest.approx(1.0 / math.sqrt(3.0))
    assert combiner.exclusion_confidence_level({0: 1.0}) == (
        combiner.exclusion_confidence_level(1.0)
    )


def test_combinations_that_do_not_fit_one_model():
    skewed = mixed_members()[2]
    effective = make(
        "default.effective_sigma",
        [3.0, 4.0],
        [20.0, 25.0],
        [22, 24],
        [[1.0, 0.1], [0.1, 1.0]],
        [(2.0, 3.0), (3.0, 4.0)],
        analysis="effective",
    )
    with pytest.raises(CombinerNotAvailable, match="do not fit one joint model"):
        skewed @ effective
    with pytest.raises(TypeError):
        skewed @ 3
    # The combiner falls back to nested fits, which give the exact profile.
    combiner = nbspey.UnCorrStatisticsCombiner(skewed, effective)
    assert combiner.joint_model is None
    assert "toy" not in combiner.available_calculators
    for mu in (0.0, 1.0):
        total = skewed.likelihood(mu) + effective.likelihood(mu)
        assert combiner.likelihood(mu) == pytest.approx(total, rel=1e-12)
    assert 0.0 < combiner.exclusion_confidence_level()[0] < 1.0
    limit = combiner.poi_upper_limit()
    assert combiner.exclusion_confidence_level(limit)[0] == pytest.approx(
        0.95, abs=1e-6
    )
    mu_hat, nll = combiner.maximize_likelihood()
    for mu in (mu_hat - 0.1, mu_hat + 0.1):
        assert combiner.likelihood(mu) > nll
