"""Combinations of statistical models that share the POI."""

from nbspey.combiner.uncorrelated_statistics_combiner import UnCorrStatisticsCombiner

__all__ = ["UnCorrStatisticsCombiner"]
