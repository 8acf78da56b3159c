"""The indicators a round asks for: those of the round's instrument (``Round.instrument``),
active, in checklist order. Every page, export and service that lists or counts a round's
indicators reads them here, so that no two places disagree on what the checklist is."""
from compliance.models import Indicator


def round_indicators_queryset(instrument_id: int):
    return (Indicator.objects.filter(instrument_id=instrument_id, active=True)
            .select_related("component", "dimension")
            .order_by("component__number", "order", "id"))


def round_indicators(instrument_id: int) -> list[Indicator]:
    return list(round_indicators_queryset(instrument_id))


def round_indicator_count(instrument_id: int) -> int:
    return Indicator.objects.filter(instrument_id=instrument_id, active=True).count()
