"""One agency's checklist in one round: components in Article 21 order with their indicators,
the current answers and the stored scores (four queries whatever the checklist's size)."""
from dataclasses import dataclass

from django.db.models import Q
from decimal import Decimal

from compliance.models import Component, Indicator
from compliance.scoring import completion
from compliance.specs import instrument_spec, methodology_spec

from ..models import Answer, Assessment, ChecklistEvent, ComponentScore, Evidence
from .instruments import round_indicator_count, round_indicators


@dataclass
class IndicatorLine:
    indicator: Indicator
    answer: Answer | None
    evidence: list = None

    @property
    def claims_without_evidence(self):
        """Answered as (partly) fulfilled but nothing attached: what assessors flag first."""
        return bool(self.answer and self.answer.value and not self.evidence)

    @property
    def version(self):
        return self.answer.version if self.answer else 0

    @property
    def is_answered(self):
        return bool(self.answer and self.answer.is_answered)


@dataclass
class ComponentBlock:
    component: Component
    lines: list
    score: Decimal | None

    @property
    def answered(self):
        return sum(1 for line in self.lines if line.is_answered)


@dataclass
class Checklist:
    assessment: Assessment
    blocks: list
    scale_max: int
    completion: object
    band: object

    events: list = None

    @property
    def lines(self):
        return [line for block in self.blocks for line in block.lines]

    @property
    def unanswered(self):
        return [line for line in self.lines if not line.is_answered]

    @property
    def without_evidence(self):
        return [line for line in self.lines if line.claims_without_evidence]


def value_choices(scale_max: int):
    return list(range(scale_max + 1))


def checklist_indicators_with_components(assessment: Assessment):
    """The round's indicators (its instrument's), with their components, in checklist order."""
    return round_indicators(assessment.round.instrument_id)


def checklist(assessment: Assessment) -> Checklist:
    spec = methodology_spec(assessment.round.methodology_id)
    indicators = checklist_indicators_with_components(assessment)
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment,
                                                                product_sample__isnull=True)}
    evidence = evidence_by_indicator(assessment)
    scores = dict(ComponentScore.objects.filter(assessment=assessment)
                  .values_list("component_id", "self_score"))
    blocks: dict[int, ComponentBlock] = {}
    for indicator in indicators:
        block = blocks.get(indicator.component_id)
        if block is None:
            block = blocks[indicator.component_id] = ComponentBlock(
                component=indicator.component, lines=[],
                score=scores.get(indicator.component_id))
        block.lines.append(IndicatorLine(indicator=indicator, answer=answers.get(indicator.id),
                                         evidence=evidence.get(indicator.id, [])))
    answered = sum(block.answered for block in blocks.values())
    return Checklist(
        assessment=assessment, blocks=list(blocks.values()),
        scale_max=instrument_spec(assessment.round.instrument_id).scale_max,
        completion=completion(answered, len(indicators)), band=spec.band(assessment.self_score),
        events=list(ChecklistEvent.objects.filter(assessment=assessment)
                    .select_related("actor")),
    )


def evidence_by_indicator(assessment, indicator_id=None):
    queryset = Evidence.objects.filter(assessment=assessment)
    if indicator_id is not None:
        queryset = queryset.filter(indicator_id=indicator_id)
    grouped = {}
    for item in queryset:
        grouped.setdefault(item.indicator_id, []).append(item)
    return grouped


def indicator_line(assessment, indicator):
    answer = Answer.objects.filter(assessment=assessment, indicator=indicator,
                                   product_sample__isnull=True).first()
    evidence = evidence_by_indicator(assessment, indicator.id).get(indicator.id, [])
    return IndicatorLine(indicator=indicator, answer=answer, evidence=evidence)


def missing_indicators(assessment) -> list:
    """Active indicators without an answer (a value or N/A), in checklist order."""
    answered = set(Answer.objects.filter(assessment=assessment)
                   .filter(Q(value__isnull=False) | Q(not_applicable=True))
                   .values_list("indicator_id", flat=True))
    return [indicator for indicator in round_indicators(assessment.round.instrument_id)
            if indicator.id not in answered]


def summary(assessment: Assessment):
    """The figures the checklist header shows, refreshed after each save (the link to the
    first unanswered indicator too, so that it moves on and goes away at 0)."""
    spec = methodology_spec(assessment.round.methodology_id)
    missing = missing_indicators(assessment)
    total = round_indicator_count(assessment.round.instrument_id)
    with_evidence = set(Evidence.objects.filter(assessment=assessment)
                        .values_list("indicator_id", flat=True))
    claims_without_evidence = Answer.objects.filter(assessment=assessment, value__gt=0).exclude(
        indicator_id__in=with_evidence).count()
    scores = {
        component_id: score for component_id, score in ComponentScore.objects.filter(
            assessment=assessment).values_list("component_id", "self_score")}
    return {
        "completion": completion(assessment.answered_count, total),
        "band": spec.band(assessment.self_score),
        "component_scores": scores,
        "without_evidence_count": claims_without_evidence,
        "first_unanswered": missing[0] if missing else None,
        "unanswered_count": len(missing),
    }
