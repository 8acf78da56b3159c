"""A government's rapor for one round: its result, the dimensions and components (self against
verified), the units, the assessors' findings and the follow-up actions, for the PDF that a
leader signs.

Figures come from the stored scores through ``government_comparison``. A dimension's figure is
the mean of its components' means (each the mean of the sampled units' stored component
scores), or for the survey dimension the mean of the sampled units' survey scores: the rule of
``compliance.scoring.unit_score`` (a dimension is the mean of its components), applied to the
government's component means. Six queries whatever the number of units; who may read it is the
view's business (``may_compare``)."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from agencies.models import Government
from compliance.models import Dimension
from compliance.specs import instrument_spec, methodology_spec

from ..models import ActionItem, Answer, Assessment, Round
from .comparison import GovernmentComparison, Scores, _language, _mean, _scores, \
    government_comparison
from .instruments import indicator_code

ACTIONS_LISTED = 200


@dataclass(frozen=True)
class DimensionRow:
    dimension: Dimension
    scores: Scores


@dataclass(frozen=True)
class FindingRow:
    answer: Answer

    @property
    def agency(self):
        return self.answer.assessment.agency

    @property
    def code(self) -> str:
        return indicator_code(self.answer.indicator)


@dataclass(frozen=True)
class GovernmentRapor:
    comparison: GovernmentComparison
    dimensions: list  # DimensionRow in the methodology's order
    findings: list  # FindingRow by unit, then in checklist order
    actions: list  # ActionItem of the government's agencies, open first
    today: date

    @property
    def government(self) -> Government:
        return self.comparison.government

    @property
    def round(self) -> Round:
        return self.comparison.round


def _dimension_rows(comparison: GovernmentComparison, spec, survey: Decimal | None) -> list:
    by_code = {row.component.code: row.scores for row in comparison.components}
    language = _language()
    rows = []
    members = {dim.code: dim.components
               for dim in instrument_spec(comparison.round.instrument_id).dimensions}
    if len(members) <= 1:  # one dimension is the unit itself (2016, PEKPPP checklists)
        return rows
    for dimension in (Dimension.objects.filter(instrument_id=comparison.round.instrument_id)
                      .order_by("order")):
        if dimension.is_survey:
            own = verified = survey
        else:
            codes = members.get(dimension.code, ())
            own = _mean(by_code[code].self_score for code in codes if code in by_code)
            verified = _mean(by_code[code].verified_score for code in codes if code in by_code)
        rows.append(DimensionRow(dimension=dimension,
                                 scores=_scores(spec, own, verified, language)))
    return rows


def government_rapor(*, government: Government, round_: Round,
                     today: date | None = None) -> GovernmentRapor:
    comparison = government_comparison(government=government, round_=round_)
    spec = methodology_spec(round_.methodology_id)
    survey = _mean(unit.assessment.survey_score for unit in comparison.units
                   if unit.assessment.sampled)
    findings = [FindingRow(answer=answer) for answer in (
        Answer.objects.filter(assessment__round=round_,
                              assessment__agency__government=government)
        .exclude(finding="").select_related("assessment__agency", "indicator__component")
        .order_by("assessment__agency__name", "indicator__component__number",
                  "indicator__order"))]
    in_round = Assessment.objects.filter(round=round_).values("agency_id")
    actions = list(
        ActionItem.objects.filter(agency__government=government, agency_id__in=in_round)
        .select_related("agency", "component")
        .order_by(Case(When(status=ActionItem.Status.OPEN, then=Value(0)),
                       When(status=ActionItem.Status.IN_PROGRESS, then=Value(1)),
                       default=Value(2), output_field=IntegerField()),
                  F("due_date").asc(nulls_last=True), "agency__name", "id")[:ACTIONS_LISTED])
    return GovernmentRapor(
        comparison=comparison, dimensions=_dimension_rows(comparison, spec, survey),
        findings=findings, actions=actions, today=today or timezone.localdate())
