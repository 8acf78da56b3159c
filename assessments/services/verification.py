"""The assessor's work: a verified value and a finding per indicator, the users' survey score,
and finalising a unit. Verified values start empty; they never default to the operator's claim.
"""
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.context import acting_user
from compliance.models import Indicator
from compliance.specs import instrument_spec

from .. import notices
from ..selectors.instruments import round_indicators
from ..models import Answer, Assessment, ProductSample, Round, SurveyRecord
from .answers import ChecklistLocked, check_answer_target, check_version, lock_round_shared
from .scores import assessment_recompute_verified


def verification_lock_reason(assessment: Assessment) -> str | None:
    if assessment.round.state != Round.State.VERIFICATION:
        return _("The round is not in verification (state: %(state)s).") % {
            "state": assessment.round.get_state_display()}
    if assessment.finalised_at is not None:
        return _("This unit has been finalised; its verified score is fixed.")
    return None


def _locked(assessment_id):
    assessment = (Assessment.objects.select_for_update(of=("self",))
                  .select_related("round").get(id=assessment_id))
    lock_round_shared(assessment.round_id)  # the round row is shared, not taken
    reason = verification_lock_reason(assessment)
    if reason:
        raise ChecklistLocked(reason)
    return assessment


def answer_verify(*, assessment_id: int, indicator: Indicator, user, verified_value: int | None,
                  verified_not_applicable: bool, finding: str,
                  expected_version: int, product_sample_id: int | None = None) -> Answer:
    finding = (finding or "").strip()
    if len(finding) > 2000:
        raise ValidationError(_("The finding is too long (2000 characters at most)."))
    if verified_not_applicable and verified_value is not None:
        raise ValidationError(
            _("An indicator is either given a value or marked not applicable."))
    with transaction.atomic():
        assessment = _locked(assessment_id)
        check_answer_target(assessment, indicator, verified_value, product_sample_id)
        answer = (Answer.objects.select_for_update()
                  .filter(assessment=assessment, indicator=indicator,
                          product_sample_id=product_sample_id).first())
        current = answer.verification_version if answer else 0
        check_version(answer, current, expected_version)
        if answer is None:  # the operator left it empty; the assessor still scores it
            answer = Answer(assessment=assessment, indicator=indicator,
                            product_sample_id=product_sample_id, version=0)
        new_finding = bool(finding) and not answer.finding
        answer.verified_value = None if verified_not_applicable else verified_value
        answer.verified_not_applicable = verified_not_applicable
        answer.finding = finding
        answer.verified_by = user
        answer.verified_at = timezone.now()
        answer.verification_version = current + 1
        answer.full_clean()
        with acting_user(user):
            answer.save()
        assessment_recompute_verified(assessment=assessment)
        if new_finding:
            notices.on_finding(answer)
    return answer


def parse_survey_score(text) -> Decimal | None:
    text = str(text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("Enter the survey score as a number from 0 to 100.")) from exc
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise ValidationError(_("Enter the survey score as a number from 0 to 100."))
    return value.quantize(Decimal("0.01"))


def assessment_set_survey(*, assessment_id: int, user, score: Decimal | None) -> Assessment:
    """The users' perception survey (the 2022 Output dimension), one score per unit."""
    with transaction.atomic():
        assessment = _locked(assessment_id)
        assessment.survey_score = score
        assessment.full_clean()
        assessment.save(update_fields=["survey_score", "updated_at"])
        if score is not None:  # a score now: no longer "without survey"
            SurveyRecord.objects.filter(assessment=assessment).exclude(
                no_survey_reason="").delete()
        assessment_recompute_verified(assessment=assessment)
    return assessment


def unverified_indicators(assessment) -> list:
    """The indicators still without a verified value (or N/A), in checklist order: a
    per-product indicator until it is verified for every sampled product."""
    verified = set(
        Answer.objects.filter(assessment=assessment)
        .exclude(verified_value__isnull=True, verified_not_applicable=False)
        .values_list("indicator_id", "product_sample_id"))
    samples = list(ProductSample.objects.filter(assessment=assessment)
                   .values_list("id", flat=True))
    missing = []
    for indicator in round_indicators(assessment.round.instrument_id):
        slots = [(indicator.id, sample) for sample in samples] if indicator.per_product \
            else [(indicator.id, None)]
        if not slots or any(slot not in verified for slot in slots):
            missing.append(indicator)
    return missing


def survey_refusal(assessment) -> str | None:
    """Why the unit cannot be finalised for want of a survey, or None: its instrument has a
    survey dimension, no survey score is recorded and no reason either."""
    if not instrument_spec(assessment.round.instrument_id).has_survey:
        return None
    if assessment.survey_score is not None:
        return None
    if SurveyRecord.objects.filter(assessment=assessment).exclude(no_survey_reason="").exists():
        return None
    return _("The unit has no survey score: record the survey, or the reason there is none, "
             "before finalising.")


class VerificationIncomplete(Exception):
    def __init__(self, missing):
        super().__init__(_("Not every indicator is verified."))
        self.missing = missing


class SurveyMissing(Exception):
    """A unit without a survey score is finalised only with the reason there is none."""


def assessment_finalise(*, assessment_id: int, user) -> Assessment:
    """Fix the unit's verified score once every indicator is verified."""
    with transaction.atomic():
        assessment = _locked(assessment_id)
        missing = unverified_indicators(assessment)
        if missing:
            raise VerificationIncomplete(missing)
        refusal = survey_refusal(assessment)
        if refusal:
            raise SurveyMissing(refusal)
        assessment_recompute_verified(assessment=assessment)
        assessment.finalised_at = timezone.now()
        assessment.finalised_by = user
        assessment.save(update_fields=["finalised_at", "finalised_by", "updated_at"])
    return assessment
