"""The assessor's view of one unit: the operator's claim and evidence next to the verified
value and finding, per indicator (a fixed number of queries)."""
from compliance.scoring import completion
from compliance.specs import instrument_spec, methodology_spec

from ..models import Answer, ComponentScore
from .checklist import ComponentBlock, IndicatorLine, checklist_indicators_with_components
from .checklist import evidence_by_indicator


def verification_sheet(assessment):
    spec = methodology_spec(assessment.round.methodology_id)
    instrument = instrument_spec(assessment.round.instrument_id)
    indicators = checklist_indicators_with_components(assessment)
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment,
                                                                product_sample__isnull=True)}
    evidence = evidence_by_indicator(assessment)
    scores = dict(ComponentScore.objects.filter(assessment=assessment)
                  .values_list("component_id", "verified_score"))
    blocks = {}
    for indicator in indicators:
        block = blocks.get(indicator.component_id)
        if block is None:
            block = blocks[indicator.component_id] = ComponentBlock(
                component=indicator.component, lines=[],
                score=scores.get(indicator.component_id))
        block.lines.append(IndicatorLine(indicator=indicator, answer=answers.get(indicator.id),
                                         evidence=evidence.get(indicator.id, [])))
    return {
        "blocks": list(blocks.values()),
        "scale_max": instrument.scale_max,
        "progress": completion(assessment.verified_count, len(indicators)),
        "band": spec.band(assessment.verified_score),
        "has_survey": instrument.has_survey,
    }
