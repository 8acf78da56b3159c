"""The indicators a round asks for: those of the round's instrument (``Round.instrument``),
active, in checklist order. Every page, export and service that lists or counts a round's
indicators reads them here, so that no two places disagree on what the checklist is."""
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from compliance.models import Indicator, SourceKind
from compliance.specs import round_indicator_rows


def round_indicators(instrument_id: int) -> list[Indicator]:
    """The active indicators of a round's instrument (which never changes once a round uses
    it: read once per process, ``compliance.specs.round_indicator_rows``)."""
    return list(round_indicator_rows(instrument_id))


def round_indicator_or_404(instrument_id: int, indicator_id: int) -> Indicator:
    """One active indicator of a round's instrument (with its component), or 404."""
    for indicator in round_indicator_rows(instrument_id):
        if indicator.id == indicator_id:
            return indicator
    raise Http404


def round_indicator_count(instrument_id: int) -> int:
    return len(round_indicator_rows(instrument_id))


def indicator_code(indicator) -> str:
    """How pages and messages name an indicator: its component letter and order ("A1") when
    it concerns an Art. 21 component, else its code in the instrument."""
    if indicator.component_id:
        return f"{indicator.component.letter}{indicator.order}"
    return indicator.code


def answer_slot_count(instrument_id: int, samples: int) -> int:
    """How many answers a unit's checklist holds: one per per-unit indicator, and one per
    sampled product for each per-product indicator."""
    rows = round_indicator_rows(instrument_id)
    per_product = sum(1 for indicator in rows if indicator.per_product)
    return len(rows) - per_product + per_product * samples


def _by_source(instrument_id, **where):
    return list(Indicator.objects.filter(instrument_id=instrument_id, active=True, **where)
                .select_related("component", "dimension")
                .order_by("dimension__order", "component__number", "order", "id"))


def interview_indicators(instrument_id: int) -> list[Indicator]:
    """The per-unit indicators whose source is an interview of the unit's officials (their
    verified values come from the interviews, not from the verification sheet)."""
    return _by_source(instrument_id, source_kind=SourceKind.INTERVIEW, per_product=False)


def product_indicators(instrument_id: int) -> list[Indicator]:
    """The indicators answered per sampled service product (observed by the assessors)."""
    return _by_source(instrument_id, per_product=True)


def complaint_indicators(instrument_id: int) -> list[Indicator]:
    """The per-unit indicators judged from the unit's complaint records."""
    return _by_source(instrument_id, source_kind=SourceKind.COMPLAINT_RECORD, per_product=False)


FOLLOW_UP_INDICATOR = "tindak-lanjut-produk-ombudsman"


# The 2022–2024 instrument asks the same question in its interviews (its value comes from the
# interview record there); only where it is not an interview question does the record feed it.
_FED_BY_THE_RECORD = (Q(active=True, code=FOLLOW_UP_INDICATOR, per_product=False)
                      & ~Q(source_kind=SourceKind.INTERVIEW))


def follow_up_indicator(instrument_id: int) -> Indicator | None:
    """The 2025 indicator "follow-up of the Ombudsman's products" of an instrument, if it asks
    for it: its value comes from the government's record of those products
    (``selectors.ombudsman_products``), not from a unit's checklist."""
    return (Indicator.objects.filter(_FED_BY_THE_RECORD, instrument_id=instrument_id)
            .select_related("dimension").first())


def asks_follow_up():
    """A queryset filter for rounds (``Round.objects.filter(asks_follow_up())``): those whose
    instrument has the follow-up indicator."""
    return Exists(Indicator.objects.filter(_FED_BY_THE_RECORD,
                                           instrument_id=OuterRef("instrument_id")))
