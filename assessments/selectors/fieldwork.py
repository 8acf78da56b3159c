"""The assessor's sources page for one unit: interviews by role, the observation of each
sampled product, the survey, the complaint records and the visits, with the progress of each
source (a fixed number of queries whatever the number of indicators and products)."""
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from compliance.specs import instrument_spec

from ..models import (Answer, ComplaintChannel, ComplaintRecord, Interview, InterviewAnswer,
                      InterviewRole, Observation, SurveyRecord, Visit)
from .checklist import IndicatorLine, evidence_by_indicator, sample_progress
from .instruments import complaint_indicators, interview_indicators, product_indicators

INTERVIEWS_NEEDED = len(InterviewRole.values)  # the four officials of INSTRUMENTS.md §1


def without_survey():
    """An annotation for assessment querysets: True when the assessor recorded why the unit
    has no survey (its score is flagged "without survey" wherever it is shown)."""
    return Exists(SurveyRecord.objects.filter(assessment=OuterRef("pk"))
                  .exclude(no_survey_reason=""))


@dataclass
class Progress:
    """One source's progress: ``done`` of ``needed`` (needed 0: the instrument does not ask
    for this source)."""

    done: int
    needed: int
    state: str = ""  # the survey's: "recorded", "without", "missing", "" (not asked)

    @property
    def complete(self):
        if self.state:
            return self.state in ("recorded", "without")
        return self.needed > 0 and self.done >= self.needed


@dataclass
class InterviewRow:
    role: str
    label: str
    interview: Interview | None
    cells: list = field(default_factory=list)  # (indicator, value or None, possible values)


@dataclass
class ProductRow:
    progress: object  # checklist.SampleProgress on the verified side
    observation: Observation | None
    lines: list  # (indicator, answer or None, possible values)


def choices(indicator):
    return list(range(indicator.scale_max + 1))


def unit_sources(assessment) -> dict:
    instrument_id = assessment.round.instrument_id
    spec = instrument_spec(instrument_id)
    asked = interview_indicators(instrument_id)
    per_product = product_indicators(instrument_id)
    by_complaints = complaint_indicators(instrument_id)

    interviews = {i.role: i for i in Interview.objects.filter(assessment=assessment)}
    values = {}
    for interview_id, indicator_id, value in InterviewAnswer.objects.filter(
            interview__assessment=assessment).values_list("interview_id", "indicator_id",
                                                          "value"):
        values.setdefault(interview_id, {})[indicator_id] = value
    interview_rows = []
    for role, label in InterviewRole.choices:
        given = values.get(interviews[role].id, {}) if role in interviews else {}
        interview_rows.append(InterviewRow(
            role=role, label=label, interview=interviews.get(role),
            cells=[(indicator, given.get(indicator.id), choices(indicator))
                   for indicator in asked]))

    answers = {(a.indicator_id, a.product_sample_id): a
               for a in Answer.objects.filter(assessment=assessment)}
    observations = {o.product_sample_id: o
                    for o in Observation.objects.filter(assessment=assessment)}
    samples = sample_progress(assessment, "verified") if per_product else []
    product_rows = [
        ProductRow(progress=row, observation=observations.get(row.sample.id),
                   lines=[(indicator, answers.get((indicator.id, row.sample.id)),
                           choices(indicator)) for indicator in per_product])
        for row in samples]

    evidence = evidence_by_indicator(assessment)
    complaint_lines = [IndicatorLine(indicator=indicator,
                                     answer=answers.get((indicator.id, None)),
                                     evidence=evidence.get(indicator.id, []))
                       for indicator in by_complaints]
    records = {r.channel: r for r in ComplaintRecord.objects.filter(assessment=assessment)}
    survey = SurveyRecord.objects.filter(assessment=assessment).first()

    if not spec.has_survey:
        survey_state = ""
    elif assessment.survey_score is not None:
        survey_state = "recorded"
    elif survey is not None and survey.without_survey:
        survey_state = "without"
    else:
        survey_state = "missing"
    complaint_verified = sum(1 for line in complaint_lines
                             if line.answer is not None and line.answer.is_verified)
    return {
        "interview_indicators": asked,
        "interviews": interview_rows,
        "product_indicators": per_product,
        "products": product_rows,
        "survey": survey,
        "has_survey": spec.has_survey,
        "complaint_lines": complaint_lines,
        "complaint_channels": [(value, label, records.get(value))
                               for value, label in ComplaintChannel.choices],
        "complaint_records": list(records.values()),
        "visits": list(Visit.objects.filter(assessment=assessment)),
        "progress": {
            "interviews": Progress(done=len(interviews),
                                   needed=INTERVIEWS_NEEDED if asked else 0),
            "products": Progress(done=sum(1 for row in product_rows
                                          if row.observation and row.progress.complete),
                                 needed=len(product_rows)),
            "survey": Progress(done=int(survey_state in ("recorded", "without")),
                               needed=int(spec.has_survey), state=survey_state),
            "complaints": Progress(done=complaint_verified + (1 if records else 0),
                                   needed=len(complaint_lines) + 1),
        },
    }
