"""Built-in backends: spey's seven default likelihoods."""

from nbspey.backends.default import (
    CorrelatedBackground,
    EffectiveSigma,
    Gaussian,
    MultivariateNormal,
    Poisson,
    ThirdMomentExpansion,
    UncorrelatedBackground,
)

DEFAULT_BACKENDS = {
    backend.name: backend
    for backend in (
        UncorrelatedBackground,
        CorrelatedBackground,
        ThirdMomentExpansion,
        EffectiveSigma,
        Poisson,
        Gaussian,
        MultivariateNormal,
    )
}
"""The seven built-in backend classes by registry name."""

__all__ = [
    "DEFAULT_BACKENDS",
    "CorrelatedBackground",
    "EffectiveSigma",
    "Gaussian",
    "MultivariateNormal",
    "Poisson",
    "ThirdMomentExpansion",
    "UncorrelatedBackground",
]
