"""``ModelConfig``: the parameter layout of a statistical model.

The configuration a backend gives the hypothesis tests: which parameter is
the parameter of interest (POI), its lowest physical value, start values,
bounds, names and fixed flags. nbspey returns a fresh configuration from every
``config()`` call and never writes into one during fits, so results do not
depend on the order of calls.
"""

import copy
import math
from dataclasses import dataclass

__all__ = ["ModelConfig"]


@dataclass
class ModelConfig:
    """Parameter layout of a statistical model (spey's ``ModelConfig``).

    Attributes
    ----------
    poi_index : int
        Index of the POI (0 for every built-in backend).
    minimum_poi : float
        Lowest POI value that keeps every expected yield non-negative,
        ``-min(b_i / s_i)`` over bins with ``s_i > 0``; ``-inf`` without such
        a bin.
    suggested_init : list of float
        Start point of the fits.
    suggested_bounds : list of tuple
        ``(low, high)`` per parameter; ``None`` on a side means unbounded.
    parameter_names : list of str, optional
    suggested_fixed : list of bool, optional
        Parameters held fixed in every fit.
    """

    poi_index: int
    minimum_poi: float
    suggested_init: list
    suggested_bounds: list
    parameter_names: list | None = None
    suggested_fixed: list | None = None

    @property
    def npar(self):
        """Number of parameters."""
        return len(self.suggested_init)

    def fixed_poi_bounds(self, poi_value=None):
        """Bounds for a fit with the POI fixed at ``poi_value``.

        If ``poi_value`` lies outside the POI bounds, the POI bound becomes
        ``(m, max(poi_value + 1, m))`` with ``m = minimum_poi`` for a negative
        value and 0 otherwise, so that the fixed value is inside. Bounds with
        an open (``None``) POI side are returned unchanged. A copy is returned
        in every case.
        """
        bounds = copy.deepcopy(self.suggested_bounds)
        if poi_value is None:
            return bounds
        low, high = bounds[self.poi_index]
        if low is None or high is None:
            return bounds
        if not low < poi_value < high:
            floor = self.minimum_poi if poi_value < 0 else 0.0
            bounds[self.poi_index] = (floor, max(poi_value + 1.0, floor))
        return bounds

    def resolve_poi_indices(self, poi_test):
        """``{parameter index: value}`` for a POI value or a mapping.

        A number is the value of the POI; a mapping may use indices or the
        names of ``parameter_names`` as keys.
        """
        if not isinstance(poi_test, dict):
            return {self.poi_index: float(poi_test)}
        resolved = {}
        for key, value in poi_test.items():
            if isinstance(key, str):
                if self.parameter_names is None:
                    raise ValueError(
                        "Cannot resolve POI name: parameter_names not set in "
                        "ModelConfig."
                    )
                if key not in self.parameter_names:
                    raise ValueError(
                        f"POI name '{key}' not found in parameter_names: "
                        f"{self.parameter_names}"
                    )
                resolved[self.parameter_names.index(key)] = float(value)
            else:
                resolved[int(key)] = float(value)
        return resolved

    def fixed_poi_bounds_multi(self, poi_values=None):
        """Bounds for a fit with several parameters fixed (``{index: value}``).

        A value outside its bounds widens them to ``(minimum_poi if value < 0
        else 0, value + 1)``; parameters with an open side are left alone.
        """
        bounds = copy.deepcopy(self.suggested_bounds)
        for index, value in (poi_values or {}).items():
            low, high = bounds[index]
            if low is None or high is None:
                continue
            if not low < value < high:
                bounds[index] = (self.minimum_poi if value < 0 else 0.0, value + 1.0)
        return bounds

    def change_parameter_names(self, name_map):
        """Rename parameters in place, ``{old name: new name}``.

        Raises
        ------
        ValueError
            For an unknown old name, when names are not set, or when the
            renaming would give two parameters the same name.
        """
        if self.parameter_names is None:
            raise ValueError("parameter_names are not set; nothing to rename")
        names = list(self.parameter_names)
        for old, new in name_map.items():
            if old not in names:
                raise ValueError(f"unknown parameter name '{old}'; names are {names}")
            names[names.index(old)] = new
        if len(set(names)) != len(names):
            raise ValueError(f"renaming gives duplicate parameter names: {names}")
        self.parameter_names = names

    def rescale_poi_bounds(self, allow_negative_signal=True, poi_upper_bound=None):
        """A copy with the POI bound ``(low, high)`` reset.

        ``low`` is ``minimum_poi`` when negative signal is allowed and 0
        otherwise; ``high`` is ``poi_upper_bound``, or the current upper bound
        when it is not given.
        """
        config = copy.deepcopy(self)
        low, high = config.suggested_bounds[self.poi_index]
        new_low = self.minimum_poi if allow_negative_signal else 0.0
        if not math.isfinite(new_low):
            new_low = None
        new_high = high if poi_upper_bound is None else float(poi_upper_bound)
        config.suggested_bounds[self.poi_index] = (new_low, new_high)
        return config
