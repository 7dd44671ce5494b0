"""Typed errors and warnings of nbspey.

The names follow spey's ``spey.system.exceptions``, so code written for spey
catches the same exceptions. New refusals of bad input raise
:class:`InvalidInput`, which is also a :class:`ValueError`.
"""

__all__ = [
    "FrozenInstanceError",
    "AnalysisQueryError",
    "NegativeExpectedYields",
    "UnknownCrossSection",
    "UnknownTestStatistics",
    "InvalidInput",
    "PluginError",
    "MethodNotAvailable",
    "CanNotFindRoots",
    "UnknownComputer",
    "CalculatorNotAvailable",
    "CombinerNotAvailable",
    "DistributionError",
    "AsimovTestStatZero",
    "MissingMetaData",
    "AbstractModel",
    "InvalidUncertaintyDefinition",
    "FitFailedWarning",
]


class FrozenInstanceError(Exception):
    """An attempt to modify an object that does not allow it."""


class AnalysisQueryError(Exception):
    """An analysis was looked up by a name that is not there."""

    def __init__(self, message="This analysis has not been found."):
        super().__init__(message)


class NegativeExpectedYields(Exception):
    """A backend produced negative expected yields."""


class UnknownCrossSection(Exception):
    """A cross-section limit was asked of a model without a cross section."""

    def __init__(self, message="Please initialise cross section value."):
        super().__init__(message)


class UnknownTestStatistics(Exception):
    """A test statistic was asked for by a name that does not exist."""

    def __init__(self, message="Unknown test statistics."):
        super().__init__(message)


class InvalidInput(ValueError):
    """An argument was refused.

    The message names the argument, the value and what was expected.
    """


class PluginError(Exception):
    """A backend could not be found, loaded or registered."""


class MethodNotAvailable(Exception):
    """The backend does not implement a method that was needed."""


class CanNotFindRoots(Exception):
    """A root search found no root."""


class UnknownComputer(Exception):
    """An unknown computation method was requested."""


class CalculatorNotAvailable(Exception):
    """The requested calculator needs a method the backend does not have."""


class CombinerNotAvailable(Exception):
    """The backends cannot be combined."""


class DistributionError(Exception):
    """An unknown distribution type was requested."""


class AsimovTestStatZero(Exception):
    """The Asimov test statistic is zero, so the CLs formula is undefined."""

    def __init__(
        self,
        message=(
            "Asimov test statistic is zero. Note: Asimov test statistic of zero "
            "indicates a lack of evidence for a signal or deviation from a null "
            "hypothesis."
        ),
    ):
        super().__init__(message)


class MissingMetaData(Exception):
    """A backend class lacks metadata needed to register it."""


class AbstractModel(Exception):
    """A backend class still has abstract methods."""


class InvalidUncertaintyDefinition(Exception):
    """A signal-uncertainty modifier is malformed."""


class FitFailedWarning(UserWarning):
    """A fit did not converge; the message gives the reason.

    The result of the failed fit is still returned (spey's return values are
    kept), and the status is available on the model as ``last_fit_status``.
    """
