"""Keep the stored scores of an assessment in step with its answers.

Pages read stored scores instead of recomputing; this module is the one place that writes them.
The arithmetic itself is ``compliance.scoring``; here we only gather the inputs.
"""
from dataclasses import dataclass
from decimal import Decimal

from compliance.models import Indicator
from compliance.scoring import AnswerInput, component_score, round2, unit_score
from compliance.specs import MethodologySpec, methodology_spec

from ..models import Answer, Assessment, ComponentScore, Round


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    component_id: int
    component_code: str
    weight: Decimal


def checklist_indicators() -> list[IndicatorRow]:
    return [
        IndicatorRow(*row)
        for row in Indicator.objects.filter(active=True)
        .order_by("component__number", "order")
        .values_list("id", "component_id", "component__code", "weight")
    ]


@dataclass(frozen=True)
class UnitResult:
    component_scores: dict  # component id -> Decimal | None (unrounded)
    score: Decimal | None  # unrounded
    answered: int


def compute_unit(indicators: list[IndicatorRow], answers: dict, spec: MethodologySpec,
                 survey_score=None) -> UnitResult:
    """answers: indicator id -> (value, not_applicable)."""
    grouped: dict[int, list[AnswerInput]] = {}
    codes: dict[int, str] = {}
    answered = 0
    for indicator in indicators:
        value, not_applicable = answers.get(indicator.id, (None, False))
        if not_applicable or value is not None:
            answered += 1
        codes[indicator.component_id] = indicator.component_code
        grouped.setdefault(indicator.component_id, []).append(
            AnswerInput(value=value, weight=indicator.weight, not_applicable=not_applicable))
    scores = {cid: component_score(items, spec.scale_max) for cid, items in grouped.items()}
    by_code = {codes[cid]: score for cid, score in scores.items()}
    surveys = {dim.code: survey_score for dim in spec.dimensions if dim.is_survey}
    score = unit_score(by_code, spec.dimensions, surveys)
    return UnitResult(component_scores=scores, score=score, answered=answered)


def _rounded(value):
    return None if value is None else round2(value)


def assessment_recompute_scores(*, assessment: Assessment) -> Assessment:
    """Recompute and store the self-score of one assessment (call inside the writer's
    transaction, with the assessment row locked)."""
    spec = methodology_spec(assessment.round.methodology_id)
    indicators = checklist_indicators()
    answers = {
        indicator_id: (value, not_applicable)
        for indicator_id, value, not_applicable in Answer.objects.filter(
            assessment=assessment).values_list("indicator_id", "value", "not_applicable")
    }
    result = compute_unit(indicators, answers, spec, assessment.survey_score)
    ComponentScore.objects.bulk_create(
        [ComponentScore(assessment=assessment, component_id=cid, self_score=_rounded(score))
         for cid, score in result.component_scores.items()],
        update_conflicts=True, unique_fields=["assessment", "component"],
        update_fields=["self_score"],
    )
    assessment.self_score = _rounded(result.score)
    assessment.answered_count = result.answered
    if assessment.status == Assessment.Status.NOT_STARTED and result.answered:
        assessment.status = Assessment.Status.IN_PROGRESS
    assessment.save(update_fields=["self_score", "answered_count", "status", "updated_at"])
    return assessment


def assessment_recompute_verified(*, assessment: Assessment) -> Assessment:
    """Recompute and store the verified score from the assessor's values (inside the writer's
    transaction, with the assessment row locked)."""
    spec = methodology_spec(assessment.round.methodology_id)
    indicators = checklist_indicators()
    answers = {
        indicator_id: (value, not_applicable)
        for indicator_id, value, not_applicable in Answer.objects.filter(
            assessment=assessment).values_list("indicator_id", "verified_value",
                                               "verified_not_applicable")
    }
    result = compute_unit(indicators, answers, spec, assessment.survey_score)
    # A component with no verified indicator yet has no verified score (not 0.00: nothing was
    # found wanting, nothing was looked at).
    looked_at = {indicator.component_id for indicator in indicators
                 if answers.get(indicator.id, (None, False)) != (None, False)}
    ComponentScore.objects.bulk_create(
        [ComponentScore(assessment=assessment, component_id=cid,
                        verified_score=_rounded(score) if cid in looked_at else None)
         for cid, score in result.component_scores.items()],
        update_conflicts=True, unique_fields=["assessment", "component"],
        update_fields=["verified_score"],
    )
    assessment.verified_score = _rounded(result.score) if result.answered else None
    assessment.verified_count = result.answered
    assessment.save(update_fields=["verified_score", "verified_count", "updated_at"])
    return assessment


def round_scores_python(round_id, chunk=2000) -> tuple[dict, dict]:
    """The reference figures of a whole round from ``compute_unit``, without writing:
    ({assessment id: (score, answered)}, {(assessment id, component id): score}), rounded to
    two decimals; read in chunks of assessments to keep memory flat."""
    indicators = checklist_indicators()
    spec = methodology_spec(Round.objects.only("methodology_id").get(id=round_id)
                            .methodology_id)
    surveys = dict(Assessment.objects.filter(round_id=round_id).order_by("id")
                   .values_list("id", "survey_score"))
    ids = list(surveys)
    units, components = {}, {}
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        answers = {assessment_id: {} for assessment_id in part}
        for assessment_id, indicator_id, value, not_applicable in Answer.objects.filter(
                assessment_id__in=part).values_list("assessment_id", "indicator_id", "value",
                                                    "not_applicable"):
            answers[assessment_id][indicator_id] = (value, not_applicable)
        for assessment_id in part:
            result = compute_unit(indicators, answers[assessment_id], spec,
                                  surveys[assessment_id])
            units[assessment_id] = (_rounded(result.score), result.answered)
            for component_id, score in result.component_scores.items():
                components[(assessment_id, component_id)] = _rounded(score)
    return units, components
