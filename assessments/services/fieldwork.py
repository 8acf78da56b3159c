"""The assessor's four sources for a unit, written as such and fed into the verified side.

- an interview (one per role) records what the official answered for each interview indicator;
  the indicator's verified value is ``compliance.scoring.interview_value`` over the officials
  asked (an assumption, said on the page);
- an observation of a sampled product records the date and whether the visit was unannounced,
  and writes the per-product indicators' verified values for that product;
- the survey record gives the unit's survey score (``Assessment.survey_score``, the Output
  dimension), or the reason there was no survey;
- complaint records per channel (SP4N-LAPOR! and the rest) for the round's period.

Each write is one transaction with the assessment row locked (the verification lock of
``services.verification``: only while the round is in verification and the unit is not
finalised), recorded by the audit trail, and recomputes the stored verified score. Who may call
these is ``agencies.access.may_verify``."""
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.context import acting_user
from compliance.scoring import interview_value, survey_aggregate
from compliance.specs import instrument_spec

from ..models import (Answer, Assessment, ComplaintChannel, ComplaintRecord, Interview,
                      InterviewAnswer, InterviewRole, Observation, ProductSample, Round,
                      SurveyRecord, Visit)
from ..selectors.instruments import complaint_indicators, interview_indicators  # noqa: F401
from ..selectors.instruments import product_indicators
from .answers import AnswerConflict, ChecklistLocked
from .scores import assessment_recompute_verified
from .verification import _locked, survey_refusal  # noqa: F401 (re-exported)

NOTE_MAX = 2000
REASON_MAX = 500
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_QUESTIONS = 20


def _check_date(value, field, required=True):
    if value is None:
        if required:
            raise ValidationError({field: _("Enter a date.")})
        return
    if not EARLIEST <= value <= LATEST:
        raise ValidationError({field: _("Enter a date between 2000 and 2100.")})


def _check_note(note, field="note", limit=NOTE_MAX):
    note = (note or "").strip()
    if len(note) > limit or "\x00" in note:
        raise ValidationError({field: _("The text is too long (%(max)s characters at most).") % {
            "max": limit}})
    return note


def _check_value(indicator, value):
    if value is not None and not 0 <= value <= indicator.scale_max:
        raise ValidationError(_("%(code)s: choose a value between 0 and %(max)s.") % {
            "code": indicator.code, "max": indicator.scale_max})


def _set_verified(assessment, indicator, sample_id, value, not_applicable, user):
    """Write one verified value (creating the answer row the operator may have left empty)."""
    answer = (Answer.objects.select_for_update()
              .filter(assessment=assessment, indicator=indicator,
                      product_sample_id=sample_id).first())
    if answer is None:
        if value is None and not not_applicable:
            return
        answer = Answer(assessment=assessment, indicator=indicator, product_sample_id=sample_id,
                        version=0)
    elif (answer.verified_value, answer.verified_not_applicable) == (
            None if not_applicable else value, not_applicable):
        return
    answer.verified_value = None if not_applicable else value
    answer.verified_not_applicable = not_applicable
    answer.verified_by = user
    answer.verified_at = timezone.now() if (value is not None or not_applicable) else None
    answer.verification_version += 1
    answer.save()


def _check_version(row, expected):
    current = row.version if row is not None and row.pk else 0
    if current != expected:
        raise AnswerConflict(None)


def interview_record(*, assessment_id: int, user, role: str, interviewed_on: date,
                     values: dict, note: str = "", expected_version: int = 0) -> Interview:
    """Record (or correct) the interview of one official: ``values`` maps interview indicator
    ids to the value the answers earn (None: not asked of this official)."""
    if role not in InterviewRole.values:
        raise ValidationError({"role": _("Choose the role of the official interviewed.")})
    _check_date(interviewed_on, "interviewed_on")
    note = _check_note(note)
    with transaction.atomic():
        assessment = _locked(assessment_id)
        indicators = {i.id: i for i in interview_indicators(assessment.round.instrument_id)}
        unknown = set(values) - set(indicators)
        if unknown:
            raise ValidationError(_("These are not interview indicators of this round."))
        for indicator_id, value in values.items():
            _check_value(indicators[indicator_id], value)
        interview = (Interview.objects.select_for_update()
                     .filter(assessment=assessment, role=role).first())
        _check_version(interview, expected_version)
        if interview is None:
            interview = Interview(assessment=assessment, role=role, version=0)
        interview.interviewed_on = interviewed_on
        interview.note = note
        interview.version += 1
        interview.recorded_by = user
        with acting_user(user):
            interview.save()
            InterviewAnswer.objects.filter(interview=interview).delete()
            InterviewAnswer.objects.bulk_create(
                [InterviewAnswer(interview=interview, indicator_id=indicator_id, value=value)
                 for indicator_id, value in values.items() if value is not None])
            asked = {}
            for indicator_id, value in InterviewAnswer.objects.filter(
                    interview__assessment=assessment).values_list("indicator_id", "value"):
                asked.setdefault(indicator_id, []).append(value)
            for indicator_id, indicator in indicators.items():
                _set_verified(assessment, indicator, None,
                              interview_value(asked.get(indicator_id, [])), False, user)
        assessment_recompute_verified(assessment=assessment)
    return interview


def observation_record(*, assessment_id: int, user, sample_id: int, observed_on: date,
                       unannounced: bool, values: dict, note: str = "",
                       expected_version: int = 0) -> Observation:
    """Record the observation of one sampled product: ``values`` maps per-product indicator
    ids to (value or None, not applicable), written as the product's verified values."""
    _check_date(observed_on, "observed_on")
    note = _check_note(note)
    with transaction.atomic():
        assessment = _locked(assessment_id)
        sample = ProductSample.objects.filter(id=sample_id, assessment=assessment).first()
        if sample is None:
            raise ValidationError(_("This service product is not sampled for this unit."))
        indicators = {i.id: i for i in product_indicators(assessment.round.instrument_id)}
        if set(values) - set(indicators):
            raise ValidationError(_("These are not per-product indicators of this round."))
        for indicator_id, (value, not_applicable) in values.items():
            if not_applicable and value is not None:
                raise ValidationError(
                    _("An indicator is either given a value or marked not applicable."))
            _check_value(indicators[indicator_id], value)
        observation = (Observation.objects.select_for_update()
                       .filter(product_sample=sample).first())
        _check_version(observation, expected_version)
        if observation is None:
            observation = Observation(assessment=assessment, product_sample=sample, version=0)
        observation.observed_on = observed_on
        observation.unannounced = bool(unannounced)
        observation.note = note
        observation.version += 1
        observation.recorded_by = user
        with acting_user(user):
            observation.save()
            for indicator_id, (value, not_applicable) in values.items():
                _set_verified(assessment, indicators[indicator_id], sample.id, value,
                              not_applicable, user)
        assessment_recompute_verified(assessment=assessment)
    return observation


def parse_decimal(text, field, low, high, places="0.01"):
    text = str(text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError({field: _("Enter a number from %(low)s to %(high)s.") % {
            "low": low, "high": high}}) from exc
    if not value.is_finite() or not Decimal(low) <= value <= Decimal(high):
        raise ValidationError({field: _("Enter a number from %(low)s to %(high)s.") % {
            "low": low, "high": high}})
    return value.quantize(Decimal(places))


def survey_record(*, assessment_id: int, user, respondents: int | None,
                  aggregate_score: Decimal | None, question_scores=(),
                  no_survey_reason: str = "", expected_version: int = 0) -> SurveyRecord:
    """The unit's survey: respondents and an aggregate score or per-question scores (their
    mean becomes the score), or the reason there was no survey (then the unit is scored
    without the survey dimension and flagged)."""
    reason = _check_note(no_survey_reason, "no_survey_reason", REASON_MAX)
    questions = [Decimal(score) for score in question_scores if score is not None]
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError({"question_scores": _("At most %(max)s questions.") % {
            "max": MAX_QUESTIONS}})
    if reason:
        if respondents is not None or aggregate_score is not None or questions:
            raise ValidationError(_("Either record the survey or the reason there is none, "
                                    "not both."))
        score = None
    else:
        if respondents is None or respondents < 1:
            raise ValidationError({"respondents": _(
                "Enter the number of respondents (or the reason there is no survey).")})
        if (aggregate_score is None) == (not questions):
            raise ValidationError(_("Enter either the aggregate score or the per-question "
                                    "scores."))
        score = aggregate_score if aggregate_score is not None else survey_aggregate(questions)
    with transaction.atomic():
        assessment = _locked(assessment_id)
        record = SurveyRecord.objects.select_for_update().filter(assessment=assessment).first()
        _check_version(record, expected_version)
        if record is None:
            record = SurveyRecord(assessment=assessment, version=0)
        record.respondents = None if reason else respondents
        record.aggregate_score = None if reason else aggregate_score
        record.question_scores = [str(q) for q in questions]
        record.no_survey_reason = reason
        record.version += 1
        record.recorded_by = user
        record.full_clean(exclude=["assessment", "recorded_by"])
        assessment.survey_score = score
        with acting_user(user):
            record.save()
            assessment.save(update_fields=["survey_score", "updated_at"])
        assessment_recompute_verified(assessment=assessment)
    return record


def round_period(round_) -> tuple[date, date]:
    """The period complaint records cover unless the assessor says otherwise: the round's
    calendar year (ASSUMPTION: the public record does not state the Ombudsman's period)."""
    return date(round_.year, 1, 1), date(round_.year, 12, 31)


def complaint_record_save(*, assessment_id: int, user, channel: str, received: int,
                          resolved: int, median_days: Decimal | None,
                          period_start: date | None = None,
                          period_end: date | None = None) -> ComplaintRecord:
    if channel not in ComplaintChannel.values:
        raise ValidationError({"channel": _("Choose the channel.")})
    for field, number in (("received", received), ("resolved", resolved)):
        if number is None or not 0 <= number <= 1_000_000:
            raise ValidationError({field: _("Enter a whole number from 0 to 1000000.")})
    if resolved > received:
        raise ValidationError({"resolved": _("More complaints resolved than received.")})
    if median_days is not None and resolved == 0:
        raise ValidationError({"median_days": _("No complaint was resolved: leave the median "
                                                "days empty.")})
    with transaction.atomic():
        assessment = _locked(assessment_id)
        default_start, default_end = round_period(assessment.round)
        period_start, period_end = period_start or default_start, period_end or default_end
        _check_date(period_start, "period_start")
        _check_date(period_end, "period_end")
        if period_end < period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})
        record = (ComplaintRecord.objects.select_for_update()
                  .filter(assessment=assessment, channel=channel).first()
                  or ComplaintRecord(assessment=assessment, channel=channel))
        record.received, record.resolved, record.median_days = received, resolved, median_days
        record.period_start, record.period_end = period_start, period_end
        record.recorded_by = user
        record.full_clean(exclude=["assessment", "recorded_by"], validate_unique=False)
        with acting_user(user):
            record.save()
    return record


def visit_lock_reason(assessment) -> str | None:
    if assessment.round.is_official or assessment.round.state in (Round.State.PUBLISHED,
                                                                   Round.State.CLOSED):
        return _("The round is published; its visits can no longer change.")
    return None


def visit_save(*, assessment_id: int, user, planned_on: date, done_on: date | None = None,
               note: str = "", visit_id: int | None = None) -> Visit:
    """Plan a visit to the unit, or record (correct) the day a planned one was done."""
    _check_date(planned_on, "planned_on")
    _check_date(done_on, "done_on", required=False)
    note = _check_note(note, limit=300)
    with transaction.atomic():
        assessment = (Assessment.objects.select_for_update(of=("self",))
                      .select_related("round").get(id=assessment_id))
        reason = visit_lock_reason(assessment)
        if reason:
            raise ChecklistLocked(reason)
        if visit_id is not None:
            visit = Visit.objects.select_for_update().filter(id=visit_id,
                                                             assessment=assessment).first()
            if visit is None:
                raise ValidationError(_("This visit is not planned for this unit."))
        else:
            visit = Visit(assessment=assessment, created_by=user)
        visit.planned_on, visit.done_on, visit.note = planned_on, done_on, note
        with acting_user(user):
            visit.save()
    return visit
