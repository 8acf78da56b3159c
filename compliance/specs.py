"""Adapters from methodology and instrument rows to the plain values ``compliance.scoring``
takes.

Methodologies (bands) and instruments (dimensions, indicators) change a handful of times a
decade, and an instrument a round uses never changes at all (``compliance.instruments``
refuses it), so both are read once per process and cached by primary key; ``clear_cache``
exists for tests and for edits of a draft instrument.
"""
from functools import lru_cache

from .models import Indicator, Instrument, Methodology, RuleStatus
from .scoring import COMPONENT_MEAN, POINTS, BandSpec, DimensionSpec, IndicatorSpec, band_for


class MethodologySpec:
    """The bands of a methodology (on its published scale). Dimensions and the indicator
    scale belong to the round's instrument: ``instrument_spec``."""

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
    methodology = Methodology.objects.prefetch_related("bands").get(id=methodology_id)
    return MethodologySpec(methodology)


class InstrumentSpec:
    """An instrument as plain values: ``dimensions`` (DimensionSpec, ``components`` filled
    from the indicators they hold), ``indicators`` (IndicatorSpec keyed by indicator id, active
    ones only, in checklist order), ``scale_max`` (the top of the widest indicator scale, what
    a page shows when all share one), and ``sql_ready``: whether the set-based recompute
    (``recompute_sql``) can score it — every roll-up one it knows (points or component means;
    per-product indicators, split components and indicators without a component included)."""

    def __init__(self, instrument: Instrument):
        self.id = instrument.id
        self.code = instrument.code
        self.version = instrument.version
        self.methodology_id = instrument.methodology_id
        self.purpose = instrument.purpose
        self.status = instrument.status
        dimensions = list(instrument.dimensions.all())
        rows = sorted((i for i in instrument.indicators.all() if i.active),
                      key=lambda i: (i.component.number if i.component else 99, i.order, i.id))
        codes = {dim.id: dim.code for dim in dimensions}
        self.indicators = [
            IndicatorSpec(key=row.id, dimension=codes[row.dimension_id], weight=row.weight,
                          scale_max=row.scale_max,
                          component=row.component.code if row.component else None,
                          per_product=row.per_product)
            for row in rows
        ]
        members = {}
        for indicator in self.indicators:
            if indicator.component is not None:
                found = members.setdefault(indicator.dimension, [])
                if indicator.component not in found:
                    found.append(indicator.component)
        self.dimensions = [
            DimensionSpec(code=dim.code, weight=dim.weight, is_survey=dim.is_survey,
                          rollup=dim.rollup, components=tuple(members.get(dim.code, ())))
            for dim in dimensions
        ]
        self.dimension_names = {dim.code: (dim.name_id, dim.name_en) for dim in dimensions}
        self.dimension_status = {dim.code: dim.status for dim in dimensions}
        scales = {indicator.scale_max for indicator in self.indicators}
        self.scale_max = max(scales, default=1)
        self.uniform_scale = len(scales) <= 1
        self.has_per_product = any(i.per_product for i in self.indicators)
        self.has_survey = any(dim.is_survey for dim in self.dimensions)
        self.sql_ready = all(dim.is_survey or dim.rollup in (POINTS, COMPONENT_MEAN)
                             for dim in self.dimensions)


@lru_cache(maxsize=64)
def instrument_spec(instrument_id: int) -> InstrumentSpec:
    instrument = Instrument.objects.prefetch_related("dimensions", "indicators__component").get(
        id=instrument_id)
    return InstrumentSpec(instrument)


@lru_cache(maxsize=64)
def round_indicator_rows(instrument_id: int) -> tuple:
    """The active indicators (with component and dimension) of an instrument a round uses, in
    checklist order: read once per process, like ``instrument_spec`` (such an instrument never
    changes). Shared rows: callers read them, never change them."""
    return tuple(Indicator.objects.filter(instrument_id=instrument_id, active=True)
                 .select_related("component", "dimension")
                 .order_by("component__number", "order", "id"))


def clear_cache():
    methodology_spec.cache_clear()
    instrument_spec.cache_clear()
    round_indicator_rows.cache_clear()
