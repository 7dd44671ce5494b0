"""``StatisticalModel``: a backend with its analysis name and cross section.

This module holds the model's construction and attributes; the hypothesis
tests (fits, CLs, limits, toys) are added on top of it.
"""

import math

from nbspey.base.backend_base import BackendBase

__all__ = ["StatisticalModel"]


class StatisticalModel:
    """A statistical model: a backend plus the analysis it describes.

    Parameters
    ----------
    backend : BackendBase
        The likelihood.
    analysis : str
        A name for the analysis (used to tell models apart in combinations).
    xsection : float, optional
        The signal cross section, for limits on the cross section.
    ntoys : int, optional
        Default number of toys of the toy calculator.
    """

    def __init__(self, backend, analysis, xsection=math.nan, ntoys=1000):
        if not isinstance(backend, BackendBase):
            raise TypeError(
                f"backend must be a BackendBase instance; got {type(backend).__name__}"
            )
        self._backend = backend
        self.analysis = str(analysis)
        self.xsection = float(xsection)
        self.ntoys = int(ntoys)

    @property
    def backend(self):
        """The backend object."""
        return self._backend

    @property
    def backend_type(self):
        """The registry name of the backend."""
        return getattr(self._backend, "name", "__unknown_model__")

    @property
    def is_alive(self):
        """Whether the signal can change the likelihood."""
        return self._backend.is_alive

    def __repr__(self):
        return (
            f"StatisticalModel(analysis='{self.analysis}', "
            f"xsection={self.xsection:.3e} pb, backend={self.backend_type})"
        )
