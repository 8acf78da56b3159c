"""Writing answers: the operator's daily work. One transaction per save, with the assessment
row locked so the stored scores always match the answers, and a version check so that two
people editing the same indicator never silently overwrite each other."""
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from audit.context import acting_user
from compliance.models import Indicator
from compliance.prepared import prepared

from ..models import Answer, Assessment, ProductSample
from ..rules import checklist_lock_reason
from .scores import assessment_recompute_scores


def lock_round_shared(round_id):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM assessments_round WHERE id = %s FOR SHARE", [round_id])


class ChecklistLocked(Exception):
    """The checklist cannot change now (round state, deadline or submission)."""


class AnswerConflict(Exception):
    """Someone saved this indicator after the user loaded it."""

    def __init__(self, current: Answer | None):
        super().__init__(_("This answer was changed by someone else after you opened the page."))
        self.current = current


def check_version(answer: Answer | None, current: int, expected: int) -> None:
    """The optimistic lock shared by the operator's and the assessor's saves: the version the
    user loaded must still be the one in the (locked) row. A function of its own so that the
    race tests can take it out and show the lost update it prevents."""
    if current != expected:
        raise AnswerConflict(answer)


def check_answer_target(assessment: Assessment, indicator: Indicator, value: int | None,
                        product_sample_id: int | None = None) -> None:
    """The rules an answer (the operator's or the assessor's) must meet before it is written:
    the indicator belongs to the round's instrument, the value is on the indicator's own scale,
    and a per-product indicator is answered for one of the assessment's sampled products (a
    per-unit one without a product)."""
    if indicator.instrument_id != assessment.round.instrument_id:
        raise ValidationError(_("This indicator is not part of this round's instrument."))
    if value is not None and not 0 <= value <= indicator.scale_max:
        raise ValidationError(
            _("Choose a value between 0 and %(max)s.") % {"max": indicator.scale_max})
    if indicator.per_product != (product_sample_id is not None):
        raise ValidationError(_("This indicator is answered per sampled service product.")
                              if indicator.per_product else
                              _("This indicator is answered once for the unit."))
    if product_sample_id is not None and not ProductSample.objects.filter(
            id=product_sample_id, assessment=assessment).exists():
        raise ValidationError(_("This service product is not sampled for this unit."))


@prepared(int)
def _locked_assessment(assessment_id):
    """The unit with its round, its row locked (not the round's: ``lock_round_shared``)."""
    return (Assessment.objects.select_for_update(of=("self",)).select_related("round")
            .filter(id=assessment_id))


@prepared(int, int)
def _locked_unit_answer(assessment_id, indicator_id):
    return (Answer.objects.select_for_update()
            .filter(assessment_id=assessment_id, indicator_id=indicator_id,
                    product_sample__isnull=True))


@prepared(int, int, int)
def _locked_product_answer(assessment_id, indicator_id, product_sample_id):
    return (Answer.objects.select_for_update()
            .filter(assessment_id=assessment_id, indicator_id=indicator_id,
                    product_sample_id=product_sample_id))


OPERATOR_FIELDS = ("value", "not_applicable", "note", "version", "updated_by", "updated_at")


def answer_save(*, assessment_id: int, indicator: Indicator, user, value: int | None,
                not_applicable: bool, note: str, expected_version: int,
                product_sample_id: int | None = None) -> Answer:
    with transaction.atomic():
        # Lock the assessment only (not the round, which every save of the round shares);
        # a shared lock on the round still makes a state change wait for saves in flight.
        found = _locked_assessment(assessment_id)
        if not found:
            raise Assessment.DoesNotExist(f"assessment {assessment_id}")
        assessment = found[0]
        lock_round_shared(assessment.round_id)
        reason = checklist_lock_reason(assessment)
        if reason:
            raise ChecklistLocked(reason)
        check_answer_target(assessment, indicator, value, product_sample_id)
        found = (_locked_unit_answer(assessment.id, indicator.id) if product_sample_id is None
                 else _locked_product_answer(assessment.id, indicator.id, product_sample_id))
        answer = found[0] if found else None
        current_version = answer.version if answer else 0
        check_version(answer, current_version, expected_version)
        is_new = answer is None
        if is_new:
            answer = Answer(assessment=assessment, indicator=indicator,
                            product_sample_id=product_sample_id, version=0)
        answer.value = None if not_applicable else value
        answer.not_applicable = not_applicable
        answer.note = note
        answer.version = current_version + 1
        answer.updated_by = user
        # Value range is checked above against the indicator; the database constraints
        # refuse anything else, so the per-save uniqueness queries are skipped.
        answer.full_clean(exclude=["assessment", "indicator", "product_sample", "updated_by"],
                          validate_unique=False, validate_constraints=False)
        with acting_user(user):
            # The operator's columns only: the assessor's side of the row is not this save's.
            answer.save(update_fields=None if is_new else OPERATOR_FIELDS)
        assessment_recompute_scores(assessment=assessment)
    answer.assessment = assessment  # with the figures this save left
    return answer
