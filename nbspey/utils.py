"""Small shared types: the expectation type of a hypothesis test."""

from enum import Enum

from nbspey.system.exceptions import InvalidInput

__all__ = ["ExpectationType"]


class ExpectationType(Enum):
    """Which data a hypothesis test uses and what it returns.

    * ``observed``: fits use the observed data; one value is returned.
    * ``aposteriori``: the same likelihood as observed; the expected band comes
      from Asimov data built with the post-fit nuisances.
    * ``apriori``: the background yields replace the observed data everywhere,
      including the fit that builds the Asimov data.

    A member compares equal to its name as a string, and ``True`` stands for
    ``apriori``, ``False`` for ``observed``, as in spey.
    """

    apriori = 0
    aposteriori = 1
    observed = 2

    def __repr__(self):
        return self.name

    def __str__(self):
        return self.name

    def __eq__(self, other):
        if isinstance(other, ExpectationType):
            return self.name == other.name
        if isinstance(other, str):
            return self.name == other
        if isinstance(other, bool):
            return self.name == ("apriori" if other else "observed")
        if other is None:
            return False
        raise ValueError(f"Unknown comparison: {other!r}")

    def __hash__(self):
        return Enum.__hash__(self)

    @classmethod
    def from_value(cls, value):
        """Turn a member, its name, or a bool into a member.

        Raises
        ------
        InvalidInput
            For any other value.
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, bool):
            return cls.apriori if value else cls.observed
        if isinstance(value, str) and value in cls.__members__:
            return cls[value]
        raise InvalidInput(
            f"expected must be one of 'observed', 'aposteriori', 'apriori' (or an "
            f"ExpectationType, or a bool); got {value!r}"
        )
