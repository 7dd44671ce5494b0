"""Packed-model kernels against reference-values.md, and derivative checks."""

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nbspey.likelihood import build, kernels
from nbspey.likelihood.third_moment import compute_third_moments, third_moment_expansion
from nbspey.system.exceptions import InvalidInput

S, B, N = [12.0, 15.0], [50.0, 48.0], np.array([36.0, 33.0])
SYMMETRIC_COVARIANCE = [[144.0, 19.0], [19.0, 256.0]]
SYMMETRIC_CORRELATION = [[1.0, 0.09895833], [0.09895833, 1.0]]
ENVELOPES = [(10.0, 15.0), (13.0, 18.0)]
DETERMINISTIC = {"rtol": 1e-9, "atol": 1e-12}


def models():
    return {
        "UB": build.pack_uncorrelated(S, B, [12.0, 16.0]),
        "CB": build.pack_correlated(S, B, SYMMETRIC_COVARIANCE),
        "TM": build.pack_third_moment(S, B, SYMMETRIC_COVARIANCE, [0.5, 0.8]),
        "ES": build.pack_effective_sigma(S, B, SYMMETRIC_CORRELATION, ENVELOPES),
        "MVN": build.pack_multivariate_normal(S, B, SYMMETRIC_COVARIANCE),
        "P2": build.pack_poisson(S, B),
        "N2": build.pack_normal(S, B, [20.0, 10.0]),
        "P1": build.pack_poisson([12.0], [50.0]),
        "N1": build.pack_normal([12.0], [50.0], [20.0]),
    }


# reference-values.md, section 5.1 (UB-M2), the symmetrised-matrix table
# (CB, TM, ES, MVN) and section 5.5 (simple backends): pars, ln L observed,
# ln L apriori, gradient of the NLL, Hessian of ln L.
REFERENCE = [
    (
        "UB",
        [1, 1, 1],
        -37.473916139372,
        -20.052816087791,
        [14.8963393774, 7.16216216216, 10.3164556962],
        [
            [-2.136389593, -0.9466764061, -1.269027399],
            [-0.9466764061, -1.946676406, 0],
            [-1.269027399, 0, -2.353629226],
        ],
    ),
    (
        "UB",
        [0.5, 0.3, -0.2],
        -16.840557714228,
        -8.6359631514493,
        [10.2870507013, 5.05167785235, 5.70439770554],
        [
            [-4.173913936, -1.459393721, -2.89548823],
            [-1.459393721, -2.459393721, 0],
            [-2.89548823, 0, -4.088520778],
        ],
    ),
    (
        "CB",
        [1, 1, 1],
        -37.378948237966,
        -19.957848186385,
        [14.896339377352, 7.072114768797, 10.226408302838],
        [
            [-2.136389593125, -0.946676406136, -1.269027399455],
            [-0.946676406136, -1.956566004251, 0.09993699148],
            [-1.269027399455, 0.09993699148, -2.363518824201],
        ],
    ),
    (
        "CB",
        [1, 0, 0],
        -22.306834285549,
        -10.757461039328,
        [12.175115207373, 5.032258064516, 7.619047619048],
        [
            [-3.219343512639, -1.348595213319, -1.995464852608],
            [-1.348595213319, -2.358484811435, 0.09993699148],
            [-1.995464852608, 0.09993699148, -3.138385440897],
        ],
    ),
    (
        "CB",
        [0.5, 0.3, -0.2],
        -16.842276249554,
        -8.637681686775,
        [10.287050701297, 5.07463213008, 5.672438688478],
        [
            [-4.17391393641, -1.459393721004, -2.895488229767],
            [-1.459393721004, -2.469283319119, 0.09993699148],
            [-2.895488229767, 0.09993699148, -4.098410376534],
        ],
    ),
    (
        "TM",
        [1, 1, 1],
        -37.378948212031,
        -19.957848168949,
        [14.896339373806, 7.072709097153, 10.227014839771],
        [
            [-2.13638959435, -0.946767712172, -1.269110017627],
            [-0.946767712172, -1.957342971227, 0.099936993403],
            [-1.269110017627, 0.099936993403, -2.364301631618],
        ],
    ),
    (
        "TM",
        [1, 0, 0],
        -22.306343584092,
        -10.757225021959,
        [12.17498521327, 5.032193015785, 7.618978323427],
        [
            [-3.219399620449, -1.348620385924, -1.9954978447],
            [-1.348620385924, -2.358995341493, 0.099936993403],
            [-1.9954978447, 0.099936993403, -3.138916667519],
        ],
    ),
    (
        "TM",
        [0.5, 0.3, -0.2],
        -16.841883204791,
        -8.637555750452,
        [10.286896169916, 5.074705561856, 5.672265284165],
        [
            [-4.173991630577, -1.459461737085, -2.895505887791],
            [-1.459461737085, -2.469851860153, 0.099936993403],
            [-2.895505887791, 0.099936993403, -4.098773397813],
        ],
    ),
    (
        "ES",
        [1, 1, 1],
        -44.987458806107,
        -25.113331291523,
        [15.876473611431, 11.975279320345, 14.054014413574],
        [
            [-1.809373614419, -1.272701055329, -1.487821234953],
            [-1.272701055329, -2.963012433967, 0.099936988047],
            [-1.487821234953, 0.099936988047, -3.005241933527],
        ],
    ),
    (
        "ES",
        [1, 0, 0],
        -22.306834285882,
        -10.757461039661,
        [12.175115207373, 8.387096774194, 10.36740050337],
        [
            [-3.219343512639, -2.247658688866, -2.715271560406],
            [-2.247658688866, -4.651148702541, 0.099936988047],
            [-2.715271560406, 0.099936988047, -4.841571916539],
        ],
    ),
    (
        "ES",
        [0.5, 0.3, -0.2],
        -17.396878281335,
        -8.978241372465,
        [10.351889039127, 8.676453477987, 7.507262635047],
        [
            [-4.188025843064, -2.240031690551, -4.129227084278],
            [-2.240031690551, -4.624147578269, 0.099936988047],
            [-4.129227084278, 0.099936988047, -6.934495857023],
        ],
    ),
    (
        "MVN",
        [1],
        -10.830089768382,
        -7.945504939738,
        [3.572911815467],
        [[-1.710106018683]],
    ),
    ("P1", [1], -3.3350542709476, -4.1210476995184, [1.35483870968], [[-2.060353798]]),
    ("P2", [1], -20.473877727181, -8.9245044809591, [12.1751152074], [[-3.219343513]]),
    ("N1", [1], -4.7596708067587, -4.0946708067587, [0.78], [[-0.36]]),
    ("N2", [1], -12.481194432957, -8.4411944329574, [5.28], [[-2.61]]),
]
OBSERVED = {"P1": np.array([55.0]), "N1": np.array([36.0])}
BACKGROUND = {"P1": np.array([50.0]), "N1": np.array([50.0])}


@pytest.mark.parametrize("name, pars, observed, apriori, gradient, hessian", REFERENCE)
def test_reference_points(name, pars, observed, apriori, gradient, hessian):
    model = models()[name]
    pars = np.array(pars, dtype=float)
    data = OBSERVED.get(name, N)
    background = BACKGROUND.get(name, np.array(B))
    nominal = np.zeros(data.shape[0])
    logpdf = -kernels.negative_log_likelihood(model, data, nominal, pars)
    np.testing.assert_allclose(logpdf, observed, **DETERMINISTIC)
    logpdf = -kernels.negative_log_likelihood(model, background, nominal, pars)
    np.testing.assert_allclose(logpdf, apriori, **DETERMINISTIC)
    g = np.zeros(pars.shape[0])
    h = np.zeros((pars.shape[0], pars.shape[0]))
    value = kernels.nll_gradient_hessian(model, data, nominal, pars, g, h)
    np.testing.assert_allclose(-value, observed, **DETERMINISTIC)
    np.testing.assert_allclose(g, gradient, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(-h, hessian, rtol=1e-8, atol=1e-11)
    g_only = np.zeros(pars.shape[0])
    assert kernels.nll_gradient(model, data, nominal, pars, g_only) == value
    np.testing.assert_array_equal(g_only, g)


def test_expected_counts_and_effective_sigma_at_zero():
    all_models = models()
    out = np.zeros(2)
    kernels.expected_counts(all_models["UB"], np.array([1.0, 1.0, 1.0]), out)
    np.testing.assert_allclose(out, [74.0, 79.0])
    kernels.expected_counts(all_models["TM"], np.array([1.0, 0.0, 0.0]), out)
    np.testing.assert_allclose(out, [61.9994212963, 62.9994791667], rtol=1e-10)
    # reference-values.md 6.3: sigma_eff(theta = 0) = [20, sqrt(474)].
    es = all_models["ES"]
    slopes = [kernels.background_rate(es, i, 0.0)[1] for i in range(2)]
    np.testing.assert_allclose(slopes, [20.0, np.sqrt(474.0)], rtol=1e-14)


@pytest.mark.parametrize(
    "m1, covariance, m3, expected",
    [
        (
            [50, 48],
            [[144, 19], [19, 256]],
            [0.5, 0.8],
            (
                [49.999421296295, 47.999479166666],
                [11.999999972092, 15.999999983046],
                [5.7870370460409e-4, 5.2083333371765e-4],
            ),
        ),
        ([10, 20], [[4, 0], [0, 9]], [0, 0], ([10, 20], [2, 3], [0, 0])),
        (
            [1, 2],
            [[4, 1], [1, 9]],
            [0.5, 0.5],
            (
                [0.97916515929863, 1.9907406819372],
                [1.999782942928, 2.9999714215402],
                [0.020834840701373, 0.0092593180627713],
            ),
        ),
        (
            [10, 20],
            [[4, 1], [1, 9]],
            [-20, 100],
            ([11, 20], [1.4142135623731, 3], [-1, 0]),
        ),
    ],
)
def test_third_moment_expansion_coefficients(m1, covariance, m3, expected):
    """reference-values.md 6.1."""
    coefficients = third_moment_expansion(m1, covariance, m3)
    for computed, reference in zip(coefficients, expected, strict=True):
        np.testing.assert_allclose(computed, reference, rtol=1e-9, atol=1e-14)


def test_third_moment_modified_correlation():
    _, _, _, rho = third_moment_expansion(
        [1, 2], [[4, 1], [1, 9]], [0.5, 0.5], return_correlation_matrix=True
    )
    np.testing.assert_allclose(rho[0, 1], 0.1666845549531, rtol=1e-9)
    np.testing.assert_allclose(np.diag(rho), [0.99999979164704, 0.99999995882751])
    _, _, _, rho = third_moment_expansion(
        [10, 20], [[4, 1], [1, 9]], [-20, 100], return_correlation_matrix=True
    )
    np.testing.assert_allclose(
        rho,
        [[0.99999333337407, 0.23570252230034], [0.23570252230034, 1.0000000827404]],
        rtol=1e-9,
    )


def test_compute_third_moments():
    """reference-values.md 6.2."""
    np.testing.assert_allclose(
        compute_third_moments([1, 2], [0.5, 1.5]), [0.99735570100358, 4.9867785050179]
    )
    np.testing.assert_allclose(
        compute_third_moments([10, 13], [15, 18]), [-2593.1248226093, -3933.5708847581]
    )
    assert np.all(np.abs(compute_third_moments([3, 4], [3, 4])) < 1e-10)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: build.pack_uncorrelated([1, 2], [1], [1, 1]),
            "background_yields has 1",
        ),
        (lambda: build.pack_uncorrelated([1, 2], [1, 2], [1, -1]), "non-negative"),
        (lambda: build.pack_uncorrelated([1, np.nan], [1, 2], [1, 1]), "non-finite"),
        (lambda: build.pack_correlated(S, B, [[144, 13], [25, 256]]), "not symmetric"),
        (lambda: build.pack_correlated(S, B, [[1, 2], [2, 1]]), "positive definite"),
        (lambda: build.pack_correlated(S, B, [[-1, 0], [0, 1]]), "positive diagonal"),
        (lambda: build.pack_multivariate_normal(S, B, [1, 2]), "shape"),
        (lambda: build.pack_normal(S, B, [1, 0]), "positive"),
        (lambda: build.pack_effective_sigma(S, B, np.eye(2), [(1, 2)]), "one (upper"),
    ],
)
def test_bad_input_is_refused_with_the_argument_named(call, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        call()


def test_nearly_symmetric_matrix_is_symmetrised():
    nudged = [[144.0, 19.0], [19.0 + 1e-5, 256.0]]
    a = build.pack_correlated(S, B, nudged)
    b = build.pack_correlated(S, B, SYMMETRIC_COVARIANCE)
    np.testing.assert_allclose(a.matrices[1], b.matrices[1], rtol=1e-6)
    assert np.array_equal(a.matrices[1], a.matrices[1].T)


# Generic derivative properties over every packed form.
@st.composite
def model_and_point(draw):
    size = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    signal = rng.uniform(0.5, 20, size)
    background = rng.uniform(5, 100, size)
    sigma = rng.uniform(0.5, 0.3 * background)
    factor = np.tril(rng.normal(scale=0.3 / np.sqrt(size), size=(size, size)))
    factor[np.diag_indices(size)] = 1.0
    correlation_like = factor @ factor.T
    d = np.sqrt(np.diag(correlation_like))
    correlation = correlation_like / np.outer(d, d)
    covariance = correlation * np.outer(sigma, sigma)
    kind = draw(st.sampled_from(["UB", "CB", "TM", "ES", "P", "N", "MVN"]))
    if kind == "UB":
        model = build.pack_uncorrelated(signal, background, sigma)
    elif kind == "CB":
        model = build.pack_correlated(signal, background, covariance)
    elif kind == "TM":
        m3 = rng.uniform(-0.5, 0.5, size) * np.sqrt(8 * sigma**6)
        model = build.pack_third_moment(signal, background, covariance, m3)
    elif kind == "ES":
        envelopes = np.stack([sigma, sigma * rng.uniform(0.5, 1.5, size)], axis=1)
        model = build.pack_effective_sigma(signal, background, correlation, envelopes)
    elif kind == "P":
        model = build.pack_poisson(signal, background)
    elif kind == "N":
        model = build.pack_normal(signal, background, sigma)
    else:
        model = build.pack_multivariate_normal(signal, background, covariance)
    n_pars = kernels.parameter_count(model)
    pars = np.concatenate([[rng.uniform(-0.3, 2)], rng.uniform(-1, 1, n_pars - 1)])
    data = np.round(rng.uniform(0.5, 1.5, size) * background)
    auxiliary = rng.normal(scale=0.5, size=size)
    return model, data, auxiliary, pars


@given(model_and_point())
def test_gradient_and_hessian_match_finite_differences(case):
    """The analytic gradient equals central differences of the NLL, and the
    analytic Hessian is symmetric and equals central differences of the
    gradient."""
    model, data, auxiliary, pars = case
    n = pars.shape[0]
    g = np.zeros(n)
    h = np.zeros((n, n))
    kernels.nll_gradient_hessian(model, data, auxiliary, pars, g, h)
    assert np.array_equal(h, h.T)
    step = 1e-6
    for k in range(n):
        up, down = pars.copy(), pars.copy()
        up[k] += step
        down[k] -= step
        numeric = (
            kernels.negative_log_likelihood(model, data, auxiliary, up)
            - kernels.negative_log_likelihood(model, data, auxiliary, down)
        ) / (2 * step)
        assert numeric == pytest.approx(g[k], rel=1e-6, abs=1e-6)
        g_up, g_down = np.zeros(n), np.zeros(n)
        kernels.nll_gradient(model, data, auxiliary, up, g_up)
        kernels.nll_gradient(model, data, auxiliary, down, g_down)
        np.testing.assert_allclose(
            (g_up - g_down) / (2 * step), h[k], rtol=1e-5, atol=1e-5
        )


def test_kernels_inside_njit():
    @numba.njit
    def evaluate(model, data, pars):
        g = np.zeros(pars.shape[0])
        h = np.zeros((pars.shape[0], pars.shape[0]))
        return kernels.nll_gradient_hessian(model, data, np.zeros(2), pars, g, h)

    model = models()["CB"]
    assert -evaluate(model, N, np.ones(3)) == pytest.approx(-37.378948237966, rel=1e-12)


# reference-values.md section 6.6: UB-M2 with modifiers. Normalization "pdf"
# [1.8, 2.25] (index 3) and shape "scale" with per-bin (up, down) (2.4, 1.8),
# (3.75, 3.0) (indices 4, 5); values at all ones and at
# (1, 0.3, -0.2, 0.5, -0.7, 0.9) truncated to npar.
PDF = {"type": "normalization", "name": "pdf", "uncertainties": [1.8, 2.25]}
SCALE = {"type": "shape", "name": "scale", "uncertainties": [(2.4, 1.8), (3.75, 3.0)]}
MIXED_POINT = np.array([1.0, 0.3, -0.2, 0.5, -0.7, 0.9])


@pytest.mark.parametrize(
    "modifiers, ones, mixed",
    [
        ([], -37.47391613937222, -22.465126760365152),
        ([PDF], -41.15092152407408, -24.396052681302145),
        ([SCALE], -43.78234615984767, -24.40498083617573),
        ([PDF, SCALE], -48.0671439194785, -28.033523445208967),
    ],
)
def test_modifier_logpdf_reference(modifiers, ones, mixed):
    model = build.pack_uncorrelated(S, B, [12.0, 16.0], modifiers)
    n_pars = kernels.parameter_count(model)
    n_aux = n_pars - 1
    logpdf = -kernels.negative_log_likelihood(
        model, N, np.zeros(n_aux), np.ones(n_pars)
    )
    assert logpdf == pytest.approx(ones, rel=1e-10)
    point = MIXED_POINT[:n_pars].copy()
    logpdf = -kernels.negative_log_likelihood(model, N, np.zeros(n_aux), point)
    assert logpdf == pytest.approx(mixed, rel=1e-10)


def test_modifier_down_branch_reference():
    """UB-M2 + normalization "scale" [2, 3] + normalization "pdf" with
    (up, down) = (1, 5), (5, 3) at (1, 1, 2, -0.5, -1.5)."""
    modifiers = [
        {"type": "normalization", "name": "scale", "uncertainties": [2.0, 3.0]},
        {"type": "normalization", "name": "pdf", "uncertainties": [(1, 5), (5, 3)]},
    ]
    model = build.pack_uncorrelated(S, B, [12.0, 16.0], modifiers)
    pars = np.array([1.0, 1.0, 2.0, -0.5, -1.5])
    logpdf = -kernels.negative_log_likelihood(model, N, np.zeros(4), pars)
    assert logpdf == pytest.approx(-46.34658490143999, rel=1e-10)
    pars = np.array([1.0, 1.0, 2.0, 3.0, 4.0])
    logpdf = -kernels.negative_log_likelihood(model, N, np.zeros(4), pars)
    assert logpdf == pytest.approx(-120.45716310340197, rel=1e-6)


@given(model_and_point(), st.integers(0, 2**32 - 1))
def test_derivatives_with_modifiers_match_finite_differences(case, seed):
    """Adding normalization and shape modifiers keeps the analytic gradient
    and Hessian equal to central differences (away from the kinks at 0)."""
    model, data, auxiliary, pars = case
    if kernels.parameter_count(model) == 1:
        return  # modifiers belong to the nuisance backends only
    rng = np.random.default_rng(seed)
    size = data.shape[0]
    signal = model.vectors[0]
    modifiers = [
        {
            "type": "normalization",
            "uncertainties": rng.uniform(0.1, 0.5, (size, 2)) * signal[:, None],
        },
        {"type": "shape", "uncertainties": rng.uniform(0.1, 0.5, size) * signal},
    ]
    rebuilt = _with_modifiers(model, signal, modifiers)
    n = kernels.parameter_count(rebuilt)
    values = rng.uniform(0.2, 1.0, n - pars.shape[0]) * rng.choice(
        [-1, 1], n - pars.shape[0]
    )
    point = np.concatenate([pars, values])
    centres = np.concatenate([auxiliary, rng.normal(scale=0.3, size=n - pars.shape[0])])
    g = np.zeros(n)
    h = np.zeros((n, n))
    kernels.nll_gradient_hessian(rebuilt, data, centres, point, g, h)
    assert np.allclose(h, h.T, rtol=1e-12, atol=1e-12)
    step = 1e-6
    for k in range(n):
        up, down = point.copy(), point.copy()
        up[k] += step
        down[k] -= step
        numeric = (
            kernels.negative_log_likelihood(rebuilt, data, centres, up)
            - kernels.negative_log_likelihood(rebuilt, data, centres, down)
        ) / (2 * step)
        assert numeric == pytest.approx(g[k], rel=1e-6, abs=1e-6)
        g_up, g_down = np.zeros(n), np.zeros(n)
        kernels.nll_gradient(rebuilt, data, centres, up, g_up)
        kernels.nll_gradient(rebuilt, data, centres, down, g_down)
        np.testing.assert_allclose(
            (g_up - g_down) / (2 * step), h[k], rtol=1e-5, atol=1e-5
        )


def _with_modifiers(model, signal, modifiers):
    """The same model with modifiers (only the modifier arrays change)."""
    from nbspey.likelihood.modifiers import signal_uncertainty_synthesizer

    synthesized = signal_uncertainty_synthesizer(signal, modifiers)
    count = synthesized["n_parameters"]
    return model._replace(
        kinds=np.concatenate([model.kinds[:3], synthesized["strict"].astype(np.int64)]),
        modifiers=np.stack([synthesized["log_up"], synthesized["log_down"]]),
        log_norms=model.log_norms + np.array([0.0, 0.5 * count * np.log(2 * np.pi)]),
    )


@st.composite
def correlated_inputs(draw):
    size = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    signal = rng.uniform(0.5, 20, size)
    background = rng.uniform(5, 100, size)
    sigma = rng.uniform(0.5, 0.3 * background)
    factor = np.tril(rng.normal(scale=0.3 / np.sqrt(size), size=(size, size)))
    factor[np.diag_indices(size)] = 1.0
    correlation = factor @ factor.T
    d = np.sqrt(np.diag(correlation))
    correlation /= np.outer(d, d)
    data = np.round(rng.uniform(0.5, 1.5, size) * background)
    pars = np.concatenate([[rng.uniform(-0.3, 2)], rng.uniform(-1, 1, size)])
    auxiliary = rng.normal(scale=0.5, size=size)
    return signal, background, sigma, correlation, data, pars, auxiliary, rng


def nll_and_gradient(model, data, auxiliary, pars):
    gradient = np.zeros(pars.shape[0])
    return kernels.nll_gradient(model, data, auxiliary, pars, gradient), gradient


@given(correlated_inputs())
def test_equivalent_models_agree(inputs):
    """Uncorrelated equals correlated with a diagonal covariance; effective
    sigma with symmetric envelopes equals correlated; third moment with zero
    third moments equals correlated up to its 1e-5 regulariser."""
    signal, background, sigma, correlation, data, pars, auxiliary, _ = inputs
    covariance = correlation * np.outer(sigma, sigma)
    diagonal = build.pack_correlated(signal, background, np.diag(sigma**2))
    uncorrelated = build.pack_uncorrelated(signal, background, sigma)
    value, gradient = nll_and_gradient(uncorrelated, data, auxiliary, pars)
    other, other_gradient = nll_and_gradient(diagonal, data, auxiliary, pars)
    assert other == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(other_gradient, gradient, rtol=1e-10, atol=1e-12)

    correlated = build.pack_correlated(signal, background, covariance)
    envelopes = np.stack([sigma, sigma], axis=1)
    effective = build.pack_effective_sigma(signal, background, correlation, envelopes)
    value, gradient = nll_and_gradient(correlated, data, auxiliary, pars)
    other, other_gradient = nll_and_gradient(effective, data, auxiliary, pars)
    assert other == pytest.approx(value, rel=1e-10)
    np.testing.assert_allclose(other_gradient, gradient, rtol=1e-8, atol=1e-10)

    # With C = 0 spey's modified correlation is (sqrt(x^2 + e) - x) / e' with
    # e ~ 1e-10: the subtraction loses about eps * Sigma_ii / 1e-10 relative,
    # so the two models agree only to that precision (kept as spey has it).
    third = build.pack_third_moment(
        signal, background, covariance, np.zeros_like(sigma)
    )
    other, other_gradient = nll_and_gradient(third, data, auxiliary, pars)
    precision = 5e-7 * np.max(sigma**2) * (1.0 + np.sum((pars[1:] - auxiliary) ** 2))
    assert abs(other - value) <= precision
    np.testing.assert_allclose(other_gradient, gradient, rtol=1e-3, atol=precision)


@given(correlated_inputs(), st.sampled_from(["UB", "CB", "TM", "ES", "P", "N", "MVN"]))
def test_consistent_bin_permutations_change_nothing(inputs, kind):
    """Reordering the bins, and the nuisances with them, leaves the NLL
    unchanged and reorders the gradient."""
    signal, background, sigma, correlation, data, pars, auxiliary, rng = inputs
    covariance = correlation * np.outer(sigma, sigma)
    order = rng.permutation(signal.shape[0])

    def make(permutation):
        s, b, w = signal[permutation], background[permutation], sigma[permutation]
        cov = covariance[np.ix_(permutation, permutation)]
        corr = correlation[np.ix_(permutation, permutation)]
        return {
            "UB": lambda: build.pack_uncorrelated(s, b, w),
            "CB": lambda: build.pack_correlated(s, b, cov),
            "TM": lambda: build.pack_third_moment(s, b, cov, 0.1 * w**1.5),
            "ES": lambda: build.pack_effective_sigma(
                s, b, corr, np.stack([w, 1.3 * w], axis=1)
            ),
            "P": lambda: build.pack_poisson(s, b),
            "N": lambda: build.pack_normal(s, b, w),
            "MVN": lambda: build.pack_multivariate_normal(s, b, cov),
        }[kind]()

    identity = np.arange(signal.shape[0])
    original = make(identity)
    permuted = make(order)
    n_pars = kernels.parameter_count(original)
    point = pars[:n_pars]
    permuted_point = (
        np.concatenate([[point[0]], point[1:][order]]) if n_pars > 1 else point
    )
    value, gradient = nll_and_gradient(original, data, auxiliary, point)
    other, other_gradient = nll_and_gradient(
        permuted, data[order], auxiliary[order], permuted_point
    )
    assert other == pytest.approx(value, rel=1e-11)
    assert other_gradient[0] == pytest.approx(gradient[0], rel=1e-9, abs=1e-10)
    if n_pars > 1:
        np.testing.assert_allclose(
            other_gradient[1:], gradient[1:][order], rtol=1e-9, atol=1e-10
        )
