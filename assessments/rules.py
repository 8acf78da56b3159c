"""Small rules about when a checklist may change, shared by services and pages."""
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Assessment, Round


def checklist_lock_reason(assessment: Assessment, today=None) -> str | None:
    """Why operators cannot change this checklist now, or None when they can."""
    round_ = assessment.round
    today = today or timezone.localdate()
    if round_.state != Round.State.SELF_ASSESSMENT:
        return _("The round is not open for self-assessment (state: %(state)s).") % {
            "state": round_.get_state_display()}
    if round_.self_deadline and today > round_.self_deadline:
        return _("The self-assessment deadline (%(date)s) has passed.") % {
            "date": date_format(round_.self_deadline, "DATE_FORMAT")}
    if assessment.status == Assessment.Status.SUBMITTED:
        return _("This checklist has been submitted; it can be changed only after the "
                 "coordinator returns it.")
    return None


def return_lock_reason(assessment: Assessment) -> str | None:
    """Why a coordinator cannot send this checklist back now, or None when they can: only a
    submitted checklist, and only while the round is in self-assessment (once verification has
    begun, the assessors work from what was submitted)."""
    round_ = assessment.round
    if round_.state != Round.State.SELF_ASSESSMENT:
        return _("The round is not open for self-assessment (state: %(state)s); a checklist "
                 "can no longer be returned.") % {"state": round_.get_state_display()}
    if assessment.status != Assessment.Status.SUBMITTED:
        return _("Only a submitted checklist can be returned.")
    return None
