"""Writing answers: the operator's daily work. One transaction per save, with the assessment
row locked so the stored scores always match the answers, and a version check so that two
people editing the same indicator never silently overwrite each other."""
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from audit.context import acting_user
from compliance.models import Indicator
from compliance.specs import methodology_spec

from ..models import Answer, Assessment
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


def answer_save(*, assessment_id: int, indicator: Indicator, user, value: int | None,
                not_applicable: bool, note: str, expected_version: int) -> Answer:
    with transaction.atomic():
        # Lock the assessment only (not the round, which every save of the round shares);
        # a shared lock on the round still makes a state change wait for saves in flight.
        assessment = (Assessment.objects.select_for_update(of=("self",))
                      .select_related("round").get(id=assessment_id))
        lock_round_shared(assessment.round_id)
        reason = checklist_lock_reason(assessment)
        if reason:
            raise ChecklistLocked(reason)
        spec = methodology_spec(assessment.round.methodology_id)
        if value is not None and not 0 <= value <= spec.scale_max:
            raise ValidationError(
                _("Choose a value between 0 and %(max)s.") % {"max": spec.scale_max})
        answer = (Answer.objects.select_for_update()
                  .filter(assessment=assessment, indicator=indicator).first())
        current_version = answer.version if answer else 0
        check_version(answer, current_version, expected_version)
        if answer is None:
            answer = Answer(assessment=assessment, indicator=indicator, version=0)
        answer.value = None if not_applicable else value
        answer.not_applicable = not_applicable
        answer.note = note
        answer.version = current_version + 1
        answer.updated_by = user
        # Value range is checked above against the methodology; the database constraints
        # refuse anything else, so the per-save uniqueness queries are skipped.
        answer.full_clean(exclude=["assessment", "indicator", "updated_by"],
                          validate_unique=False, validate_constraints=False)
        with acting_user(user):
            answer.save()
        assessment_recompute_scores(assessment=assessment)
    return answer
