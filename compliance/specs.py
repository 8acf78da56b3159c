"""Adapters from methodology rows to the plain values that ``compliance.scoring`` takes.

Methodologies change a handful of times a decade, so their bands and dimensions are read once
per process and cached by primary key; ``clear_cache`` exists for tests and admin edits.
"""
from functools import lru_cache

from .models import Methodology, RuleStatus
from .scoring import BandSpec, DimensionSpec, band_for


class MethodologySpec:
    def __init__(self, methodology: Methodology):
        self.id = methodology.id
        self.code = methodology.code
        self.scale_max = methodology.scale_max
        self.index_max = methodology.index_max
        self.bands = [
            BandSpec(lower_bound=band.lower_bound, zone=band.zone, category=band.category,
                     label=band.label_id)
            for band in methodology.bands.all()
        ]
        self._labels = {band.lower_bound: (band.label_id, band.label_en)
                        for band in methodology.bands.all()}
        self.dimensions = [
            DimensionSpec(code=dim.code, weight=dim.weight, is_survey=dim.is_survey,
                          components=tuple(c.code for c in dim.components.all()))
            for dim in methodology.dimensions.all()
        ]
        self.dimension_names = {dim.code: (dim.name_id, dim.name_en)
                                for dim in methodology.dimensions.all()}
        self.has_categories = any(band.category for band in self.bands)
        # PEKPPP publishes grades and no zones: pages show the grade where a zone would be.
        self.has_zones = any(band.zone for band in self.bands)
        self.status = methodology.status
        self.band_statuses = {band.lower_bound: band.status for band in methodology.bands.all()}

    @property
    def bands_assumed(self) -> bool:
        """Whether any band rests on an assumption (e.g. the 2025 bands, not yet published)."""
        return RuleStatus.ASSUMPTION in self.band_statuses.values()

    def band(self, score):
        return band_for(score, self.bands, self.index_max)

    def label(self, band, language="id"):
        if band is None:
            return ""
        label_id, label_en = self._labels[band.lower_bound]
        return label_en if language == "en" and label_en else label_id


@lru_cache(maxsize=64)
def methodology_spec(methodology_id: int) -> MethodologySpec:
    methodology = Methodology.objects.prefetch_related("bands", "dimensions__components").get(
        id=methodology_id)
    return MethodologySpec(methodology)


def clear_cache():
    methodology_spec.cache_clear()
