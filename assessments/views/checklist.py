"""An agency's checklist: read by everyone in scope, answered by the agency's operators.

Saving one indicator posts only that indicator's answer form. With htmx (the page saves each
answer as it is chosen) the response fills only that answer's state line and, out of band, its
version, status, component score and the summary: the inputs themselves are never replaced,
so what the operator is typing meanwhile, or their input after a conflict, stays. Without
JavaScript the same post redirects back to the page."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from agencies.access import may_answer, may_return, may_sample_products, require
from compliance.models import Indicator

from ..forms import AnswerForm, ReturnForm
from ..lookups import assessment_or_404
from ..rules import checklist_lock_reason, return_lock_reason
from ..row_cache import render_blocks
from ..selectors.checklist import after_save, checklist
from ..selectors.standing import standing_offers
from ..services.answers import AnswerConflict, ChecklistLocked, answer_save
from ..services.standing import standing_confirm
from ..services.workflow import ChecklistIncomplete, assessment_return, assessment_submit
from .confirm import ask_confirmation, is_confirmed
from ..selectors.instruments import indicator_code, round_indicator_or_404

VALUE_LABELS = {
    1: {0: gettext_lazy("Not fulfilled"), 1: gettext_lazy("Fulfilled")},
    3: {0: gettext_lazy("Not fulfilled"), 1: gettext_lazy("Partly"), 2: gettext_lazy("Mostly"),
        3: gettext_lazy("Fully")},
}


def value_options(scale_max):
    labels = VALUE_LABELS.get(scale_max, {})
    return [(value, labels.get(value, "")) for value in range(scale_max + 1)]


@login_required
@require_safe
def checklist_view(request, pk):
    assessment = assessment_or_404(request.user, pk)
    lock_reason = checklist_lock_reason(assessment)
    data = checklist(assessment)
    is_operator = may_answer(request.user, assessment)
    can_edit = is_operator and not lock_reason
    options = value_options(data.scale_max)
    token = get_token(request)  # one token for the whole page, cached rows included
    return render(request, "assessments/checklist.html", {
        "csrf_token": token,
        "blocks": render_blocks(token, assessment, data.blocks, can_edit, options),
        "assessment": assessment,
        "checklist": data,
        "lock_reason": lock_reason,
        "can_edit": can_edit,
        "can_submit": can_edit,
        "can_sample": may_sample_products(request.user, assessment),
        "can_return": may_return(request.user, assessment)
        and not return_lock_reason(assessment),
        "options": options,
        "without_evidence_count": len(data.without_evidence),
        "unanswered_count": data.unanswered_count,
        "first_unanswered": data.unanswered[0].indicator if data.unanswered else None,
        "standing_offers": standing_offers(assessment) if is_operator and not lock_reason
        else [],
    })


@login_required
@require_POST
def answer_save_view(request, pk, indicator_id):
    assessment = assessment_or_404(request.user, pk)
    require(may_answer(request.user, assessment))
    indicator = round_indicator_or_404(assessment.round.instrument_id, indicator_id)
    form = AnswerForm(request.POST, scale_max=indicator.scale_max)
    message, error, conflict, answer = "", "", False, None
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        try:
            answer = answer_save(
                assessment_id=assessment.id, indicator=indicator, user=request.user,
                value=form.cleaned_data["value"],
                not_applicable=form.cleaned_data["not_applicable"],
                note=form.cleaned_data["note"], expected_version=form.cleaned_data["version"])
            message = _("Saved.")
        except AnswerConflict:
            conflict = True
            error = (_("This answer was changed by someone else after you opened the page. "
                       "Your input is still in the form; Retry replaces their version with "
                       "yours.") if request.htmx else
                     _("This answer was changed by someone else after you opened the page; "
                       "their version is shown. Enter yours again to replace it."))
        except ChecklistLocked as exc:
            error = str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, f"{indicator_code(indicator)}: {error}")
        else:
            messages.success(request, message)
        return redirect(reverse("checklist", args=[assessment.id]) + f"#indicator-{indicator.id}")
    figures = after_save(assessment, indicator, answer)
    assessment = figures["assessment"]
    context = {
        **figures,
        "can_edit": not checklist_lock_reason(assessment),
        "options": value_options(indicator.scale_max),
        "message": message, "error": error, "conflict": conflict,
        "component": indicator.component,
    }
    context["component_score"] = context["component_scores"].get(indicator.component_id)
    return render(request, "assessments/includes/answer_saved.html", context)


@login_required
@require_POST
def checklist_submit(request, pk):
    assessment = assessment_or_404(request.user, pk)
    require(may_answer(request.user, assessment))
    if not is_confirmed(request):
        return ask_confirmation(request, "checklist-submit-confirm", assessment.id)
    try:
        assessment_submit(assessment_id=assessment.id, user=request.user)
        messages.success(request, _("The checklist has been submitted to the coordinator."))
    except ChecklistIncomplete as exc:
        missing = ", ".join(indicator_code(i) for i in exc.missing)
        messages.error(request, _("The checklist cannot be submitted yet: %(count)s indicators "
                                  "are not answered (%(missing)s).") % {
            "count": len(exc.missing), "missing": missing})
    except ChecklistLocked as exc:
        messages.error(request, str(exc))
    return redirect("checklist", pk=assessment.id)


@login_required
@require_POST
def checklist_return(request, pk):
    assessment = assessment_or_404(request.user, pk)
    require(may_return(request.user, assessment))
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values()
                                         for e in errors))
        return redirect("checklist", pk=assessment.id)
    try:
        assessment_return(assessment_id=assessment.id, user=request.user,
                          comment=form.cleaned_data["comment"])
        messages.success(request, _("The checklist has been returned to the agency."))
    except (ValidationError, ChecklistLocked) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    return redirect("checklist", pk=assessment.id)


@login_required
@require_POST
def standing_confirm_view(request, pk, indicator_id):
    """The operator confirms that last round's standing document is still valid: it is
    copied to this round's answer (``services.standing``)."""
    assessment = assessment_or_404(request.user, pk)
    require(may_answer(request.user, assessment))
    indicator = get_object_or_404(Indicator, id=indicator_id,
                                  instrument_id=assessment.round.instrument_id)
    try:
        copied = standing_confirm(assessment_id=assessment.id, indicator=indicator,
                                  user=request.user)
        messages.success(request, _("Confirmed still valid: %(count)s evidence item(s) carried "
                                    "forward.") % {"count": copied})
    except (ValidationError, ChecklistLocked, AnswerConflict) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    return redirect(reverse("checklist", args=[assessment.id]) + f"#indicator-{indicator.id}")
