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


def ombudsman_products_lock_reason(round_: Round) -> str | None:
    """Why a government's record of the Ombudsman's products in this round cannot change now,
    or None when it can: it is kept from the draft through verification; once the round is
    published (or closed) the figures it fed are fixed. A round of imported results has none."""
    if round_.is_official:
        return _("This round holds imported results only; it has no record of Ombudsman "
                 "products.")
    if round_.is_published:
        return _("The round is published (state: %(state)s); its record of Ombudsman "
                 "products can no longer change.") % {"state": round_.get_state_display()}
    return None


def ombudsman_verify_lock_reason(round_: Round) -> str | None:
    """Why an assessor cannot verify the Ombudsman products (nor write the follow-up
    indicator into the units) now, or None: only while the round is in verification."""
    if round_.state != Round.State.VERIFICATION:
        return _("The round is not in verification (state: %(state)s); the Ombudsman "
                 "products are verified during verification.") % {
            "state": round_.get_state_display()}
    return None
