"""Submitting a checklist and returning it. Each transition locks the assessment row, so a
double click gives one transition and one event."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import notices
from ..models import Assessment, ChecklistEvent
from ..rules import checklist_lock_reason, return_lock_reason
from ..selectors.checklist import missing_indicators
from .answers import ChecklistLocked, lock_round_shared


class ChecklistIncomplete(Exception):
    def __init__(self, missing):
        super().__init__(_("The checklist is not complete."))
        self.missing = missing


def assessment_submit(*, assessment_id: int, user) -> Assessment:
    with transaction.atomic():
        assessment = (Assessment.objects.select_for_update(of=("self",))
                      .select_related("round").get(id=assessment_id))
        lock_round_shared(assessment.round_id)  # the round row is shared, not taken
        reason = checklist_lock_reason(assessment)
        if reason:
            raise ChecklistLocked(reason)
        missing = missing_indicators(assessment)
        if missing:
            raise ChecklistIncomplete(missing)
        assessment.status = Assessment.Status.SUBMITTED
        assessment.full_clean()
        assessment.save(update_fields=["status", "updated_at"])
        event = ChecklistEvent.objects.create(
            assessment=assessment, kind=ChecklistEvent.Kind.SUBMITTED, actor=user)
        notices.on_checklist_event(event)
    return assessment


def assessment_return(*, assessment_id: int, user, comment: str) -> Assessment:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what must be fixed: a comment is required."))
    if len(comment) > 2000:
        raise ValidationError(_("The comment is too long (2000 characters at most)."))
    with transaction.atomic():
        assessment = (Assessment.objects.select_for_update(of=("self",))
                      .select_related("round").get(id=assessment_id))
        lock_round_shared(assessment.round_id)  # a round transition waits for the return
        reason = return_lock_reason(assessment)
        if reason:
            raise ChecklistLocked(reason)
        assessment.status = Assessment.Status.RETURNED
        assessment.save(update_fields=["status", "updated_at"])
        event = ChecklistEvent.objects.create(
            assessment=assessment, kind=ChecklistEvent.Kind.RETURNED, actor=user,
            comment=comment)
        notices.on_checklist_event(event)
    return assessment
