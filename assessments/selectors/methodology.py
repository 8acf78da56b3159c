"""The public Methodology page: one methodology's dimensions with weights, the indicators of
one of its instruments, its bands and the rules across methodologies, each with its status
and source note (docs/methodology.md). A constant number of queries."""
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from compliance.method_rules import rules_for
from compliance.models import Dimension, Indicator, Instrument, Methodology, default_instrument


@dataclass
class MethodologyPage:
    methodology: Methodology
    bands: list
    instruments: list
    instrument: Instrument | None
    dimensions: list = field(default_factory=list)
    rules: list = field(default_factory=list)

    @property
    def has_zones(self):
        return any(band.zone for band in self.bands)


def methodologies():
    return list(Methodology.objects.order_by("first_year", "code"))


def methodology_page(*, code: str, instrument_id=None) -> MethodologyPage:
    """``instrument_id``: one of the methodology's instruments (a round's); anything else falls
    back to the methodology's default assessment instrument (the assessing body's own, whose
    weights are the published rule), else to its default instrument."""
    methodology = get_object_or_404(Methodology, code=code)
    instruments = list(Instrument.objects.filter(methodology=methodology)
                       .order_by("purpose", "code", "created_at", "id"))
    by_id = {instrument.id: instrument for instrument in instruments}
    try:
        chosen = by_id.get(int(instrument_id)) if instrument_id else None
    except (TypeError, ValueError):
        chosen = None
    if chosen is None:  # the assessing body's own instrument first: its weights are the rule
        chosen = next((i for i in instruments if i.is_default
                       and i.purpose == Instrument.Purpose.ASSESSMENT), None)
    if chosen is None:
        chosen = by_id.get(default_instrument(methodology.id))
    dimensions = []
    if chosen is not None:
        indicators = (Indicator.objects.filter(active=True).select_related("component")
                      .order_by("order", "component__number", "id"))
        dimensions = list(Dimension.objects.filter(instrument=chosen).order_by("order", "id")
                          .prefetch_related(Prefetch("indicators", queryset=indicators)))
    return MethodologyPage(
        methodology=methodology, bands=list(methodology.bands.order_by("lower_bound")),
        instruments=instruments, instrument=chosen, dimensions=dimensions,
        rules=rules_for(methodology.code))
