"""Standing evidence offered for carrying forward: for the indicators the round's instrument
marks ``standing`` (a service standard decree, a maklumat, SOPs), what the same unit answered
and attached in its previous round, matched by indicator code. Only indicators the new round
has neither an answer nor evidence for are offered; nothing is copied until the operator
confirms it (``services.standing.standing_confirm``)."""
from collections import defaultdict
from dataclasses import dataclass, field

from ..models import Answer, Assessment, Evidence
from .instruments import round_indicators


@dataclass
class StandingOffer:
    indicator: object
    previous: Assessment
    answer: Answer | None
    evidence: list = field(default_factory=list)


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The same unit's assessment in the latest earlier round (by year)."""
    return (Assessment.objects.filter(agency_id=assessment.agency_id,
                                      round__year__lt=assessment.round.year)
            .select_related("round").order_by("-round__year", "-round_id").first())


def standing_offers(assessment: Assessment, only_indicator_id=None) -> list[StandingOffer]:
    standing = [indicator for indicator in round_indicators(assessment.round.instrument_id)
                if indicator.standing and not indicator.per_product
                and only_indicator_id in (None, indicator.id)]
    if not standing:
        return []
    previous = previous_assessment(assessment)
    if previous is None:
        return []
    ids = [indicator.id for indicator in standing]
    taken = set(Answer.objects.filter(assessment=assessment, indicator_id__in=ids)
                .values_list("indicator_id", flat=True))
    taken |= set(Evidence.objects.filter(assessment=assessment, indicator_id__in=ids)
                 .values_list("indicator_id", flat=True))
    codes = [indicator.code for indicator in standing if indicator.id not in taken]
    if not codes:
        return []
    answers = {answer.indicator.code: answer for answer in Answer.objects.filter(
        assessment=previous, indicator__code__in=codes, product_sample__isnull=True)
        .select_related("indicator")}
    evidence = defaultdict(list)
    for item in (Evidence.objects.filter(assessment=previous, indicator__code__in=codes)
                 .select_related("indicator").order_by("uploaded_at", "id")):
        evidence[item.indicator.code].append(item)
    return [StandingOffer(indicator=indicator, previous=previous,
                          answer=answers.get(indicator.code), evidence=evidence[indicator.code])
            for indicator in standing
            if indicator.code in codes and (indicator.code in answers or evidence[indicator.code])]
