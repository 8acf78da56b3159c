"""Verification by the Ombudsman's assessors (who writes and who reads: ``may_verify`` and
``may_read_verification`` in the access policy). Others in scope get 403 (verified values stay
hidden until publication); outsiders 404."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agencies.access import may_read_verification, may_verify, require
from compliance.models import Indicator

from ..forms import VerifyForm
from ..selectors.checklist import indicator_line
from ..selectors.verification import verification_sheet
from ..services.answers import AnswerConflict, ChecklistLocked
from ..selectors.instruments import indicator_code
from ..services.verification import (SurveyMissing, VerificationIncomplete, answer_verify,
                                     assessment_finalise, assessment_set_survey,
                                     parse_survey_score, verification_lock_reason)
from ..lookups import assessment_or_404
from .checklist import value_options
from .confirm import ask_confirmation, is_confirmed


def _readable(user, pk):
    assessment = assessment_or_404(user, pk)
    require(may_read_verification(user, assessment))
    return assessment


def _writable(user, pk):
    assessment = assessment_or_404(user, pk)
    require(may_verify(user, assessment))
    return assessment


@login_required
@require_safe
def verify_view(request, pk):
    assessment = _readable(request.user, pk)
    lock_reason = verification_lock_reason(assessment)
    sheet = verification_sheet(assessment)
    return render(request, "assessments/verify.html", {
        "assessment": assessment, "lock_reason": lock_reason,
        "can_verify": may_verify(request.user, assessment) and not lock_reason,
        "options": value_options(sheet["scale_max"]), **sheet,
    })


@login_required
@require_POST
def verify_save(request, pk, indicator_id):
    assessment = _writable(request.user, pk)
    indicator = get_object_or_404(Indicator.objects.select_related("component"),
                                  id=indicator_id, active=True,
                                  instrument_id=assessment.round.instrument_id)
    form = VerifyForm(request.POST, scale_max=indicator.scale_max)
    message, error = "", ""
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        try:
            answer_verify(assessment_id=assessment.id, indicator=indicator, user=request.user,
                          verified_value=form.cleaned_data["verified_value"],
                          verified_not_applicable=form.cleaned_data["verified_not_applicable"],
                          finding=form.cleaned_data["finding"],
                          expected_version=form.cleaned_data["version"])
            message = _("Saved.")
        except AnswerConflict:
            error = _("Another assessor changed this verification after you opened the page. "
                      "Their version is shown as saved; your input is kept in the form — "
                      "save again to replace it.")
        except (ChecklistLocked, ValidationError) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if not request.htmx:
        if error:
            messages.error(request, f"{indicator_code(indicator)}: {error}")
        else:
            messages.success(request, message)
        return redirect(reverse("verify", args=[assessment.id]) + f"#indicator-{indicator.id}")
    assessment.refresh_from_db(fields=["verified_score", "verified_count"])
    sheet = verification_sheet(assessment)
    return render(request, "assessments/includes/verify_saved.html", {
        "assessment": assessment, "line": indicator_line(assessment, indicator),
        "can_verify": not verification_lock_reason(assessment),
        "options": value_options(sheet["scale_max"]), "message": message, "error": error,
        "form_data": form.data if error else None, **sheet,
        # The page the form is on: the sources page has no summary or component score.
        "verify_page": "sources" if request.POST.get("page") == "sources" else "sheet",
        "component_score": next((block.score for block in sheet["blocks"] if block.component
                                 and block.component.id == indicator.component_id), None),
    })


@login_required
@require_POST
def verify_survey(request, pk):
    assessment = _writable(request.user, pk)
    try:
        score = parse_survey_score(request.POST.get("survey_score", ""))
        assessment_set_survey(assessment_id=assessment.id, user=request.user, score=score)
        messages.success(request, _("Survey score saved."))
    except (ChecklistLocked, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError)
                       else str(exc))
    return redirect("verify", pk=assessment.id)


@login_required
@require_POST
def verify_finalise(request, pk):
    assessment = _writable(request.user, pk)
    if not is_confirmed(request):
        return ask_confirmation(request, "verify-finalise-confirm", assessment.id)
    try:
        assessment_finalise(assessment_id=assessment.id, user=request.user)
        messages.success(request, _("The unit is finalised; its verified score is fixed."))
    except VerificationIncomplete as exc:
        missing = ", ".join(indicator_code(i) for i in exc.missing)
        messages.error(request, _("%(count)s indicators are not verified yet (%(missing)s).") % {
            "count": len(exc.missing), "missing": missing})
    except (ChecklistLocked, SurveyMissing) as exc:
        messages.error(request, str(exc))
    return redirect("verify", pk=assessment.id)
