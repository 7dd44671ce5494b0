"""Typed errors and warnings of nbspey.

The names follow spey's ``spey.system.exceptions`` where spey has one; new
refusals of bad input raise :class:`InvalidInput`, which is a
:class:`ValueError`.
"""

__all__ = ["InvalidInput"]


class InvalidInput(ValueError):
    """An argument was refused.

    The message names the argument, the value and what was expected.
    """
