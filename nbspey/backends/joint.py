"""The joint likelihood of independent built-in models sharing ``mu``.

:class:`JointBackend` packs its members into one model
(:func:`nbspey.likelihood.combine.combine_packed`), so the combination is
fitted like any built-in model: one compiled fit over ``mu`` and every
member's nuisances (the exact profile likelihood, no nested fits), with the
compiled CLs, limits and toys. Its parameters are ``[mu, theta of all
members' bins, signal-uncertainty parameters of all members]``; names carry
the member's position, ``"m0:theta_bkg_0"``. Data and auxiliary measurements
are the members' concatenated in the same order.
"""

import numpy as np

from nbspey.backends.packed_backend import PackedBackend
from nbspey.likelihood.combine import combine_packed
from nbspey.system.exceptions import CombinerNotAvailable

__all__ = ["JointBackend", "joint_members"]


def joint_members(backend):
    """The built-in members a backend stands for (itself unless joint)."""
    if isinstance(backend, JointBackend):
        return list(backend.members)
    return [backend]


class JointBackend(PackedBackend):
    """One packed likelihood for several built-in backends.

    Parameters
    ----------
    members : sequence of PackedBackend
        The models to combine (joint backends are flattened).

    Raises
    ------
    CombinerNotAvailable
        When the members' likelihood forms do not fit one packed model (for
        example Poisson counts with Gaussian measurements, or third-moment
        with effective-sigma backgrounds).
    """

    name = "nbspey.joint"

    def __init__(self, members):
        flat = [member for backend in members for member in joint_members(backend)]
        if not flat or not all(isinstance(m, PackedBackend) for m in flat):
            raise CombinerNotAvailable(
                "only built-in backends can be combined into one joint likelihood"
            )
        model = combine_packed([member.packed_model for member in flat])
        if model is None:
            kinds = ", ".join(sorted({member.name for member in flat}))
            raise CombinerNotAvailable(
                f"the likelihoods of {kinds} do not fit one joint model"
            )
        self._members = tuple(flat)
        self._background = np.concatenate([m.background_yields for m in flat])
        super().__init__(model, np.concatenate([m.data for m in flat]))

    @property
    def members(self):
        """The member backends, in parameter order."""
        return self._members

    def _parameter_names(self):
        names = ["mu"]
        if not self._has_nuisances:
            return names
        modifier_names = []
        for index, member in enumerate(self._members):
            member_names = member.config().parameter_names
            bins = member.packed_model.vectors.shape[1]
            if member_names is None:
                member_names = ["mu"] + [f"theta_bkg_{i}" for i in range(bins)]
            names += [f"m{index}:{name}" for name in member_names[1 : 1 + bins]]
            modifier_names += [f"m{index}:{name}" for name in member_names[1 + bins :]]
        return names + modifier_names

    def combine(self, other, **kwargs):
        """The joint backend of this and ``other``."""
        return JointBackend([self, other])
