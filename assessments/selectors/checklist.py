"""One agency's checklist in one round: components in Article 21 order with their indicators,
the current answers and the stored scores (four queries whatever the checklist's size)."""
from dataclasses import dataclass
from decimal import Decimal

from compliance.models import Component, Indicator
from compliance.scoring import completion
from compliance.specs import methodology_spec

from ..models import Answer, Assessment, ComponentScore


@dataclass
class IndicatorLine:
    indicator: Indicator
    answer: Answer | None

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

    @property
    def unanswered(self):
        return [line for block in self.blocks for line in block.lines if not line.is_answered]


def value_choices(scale_max: int):
    return list(range(scale_max + 1))


def checklist(assessment: Assessment) -> Checklist:
    spec = methodology_spec(assessment.round.methodology_id)
    indicators = list(Indicator.objects.filter(active=True).select_related("component")
                      .order_by("component__number", "order"))
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    scores = dict(ComponentScore.objects.filter(assessment=assessment)
                  .values_list("component_id", "self_score"))
    blocks: dict[int, ComponentBlock] = {}
    for indicator in indicators:
        block = blocks.get(indicator.component_id)
        if block is None:
            block = blocks[indicator.component_id] = ComponentBlock(
                component=indicator.component, lines=[],
                score=scores.get(indicator.component_id))
        block.lines.append(IndicatorLine(indicator=indicator,
                                         answer=answers.get(indicator.id)))
    answered = sum(block.answered for block in blocks.values())
    return Checklist(
        assessment=assessment, blocks=list(blocks.values()), scale_max=spec.scale_max,
        completion=completion(answered, len(indicators)), band=spec.band(assessment.self_score),
    )


def summary(assessment: Assessment):
    """The figures the checklist header shows, refreshed after each save."""
    spec = methodology_spec(assessment.round.methodology_id)
    total = Indicator.objects.filter(active=True).count()
    scores = {
        component_id: score for component_id, score in ComponentScore.objects.filter(
            assessment=assessment).values_list("component_id", "self_score")}
    return {
        "completion": completion(assessment.answered_count, total),
        "band": spec.band(assessment.self_score),
        "component_scores": scores,
    }
