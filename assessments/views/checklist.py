"""An agency's checklist: read by everyone in scope, answered by the agency's operators.

Saving one indicator posts only that indicator's form; with htmx the row and the summary are
swapped in place, so nothing typed elsewhere on the page is lost. Without JavaScript the same
post redirects back to the page."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.access import can_answer_for, can_view_agency
from compliance.models import Indicator

from ..forms import AnswerForm
from ..models import Answer, Assessment
from ..rules import checklist_lock_reason
from ..selectors.checklist import IndicatorLine, checklist, summary
from ..services.answers import AnswerConflict, ChecklistLocked, answer_save

VALUE_LABELS = {
    1: {0: gettext_lazy("Not fulfilled"), 1: gettext_lazy("Fulfilled")},
    3: {0: gettext_lazy("Not fulfilled"), 1: gettext_lazy("Partly"), 2: gettext_lazy("Mostly"),
        3: gettext_lazy("Fully")},
}


def value_options(scale_max):
    labels = VALUE_LABELS.get(scale_max, {})
    return [(value, labels.get(value, "")) for value in range(scale_max + 1)]


def _assessment_or_404(user, pk):
    assessment = get_object_or_404(
        Assessment.objects.select_related("agency", "agency__government", "round",
                                          "round__methodology"), id=pk)
    if not can_view_agency(user, assessment.agency):
        raise Http404
    return assessment


@login_required
def checklist_view(request, pk):
    assessment = _assessment_or_404(request.user, pk)
    lock_reason = checklist_lock_reason(assessment)
    data = checklist(assessment)
    return render(request, "assessments/checklist.html", {
        "assessment": assessment,
        "checklist": data,
        "lock_reason": lock_reason,
        "can_edit": can_answer_for(request.user, assessment.agency) and not lock_reason,
        "options": value_options(data.scale_max),
    })


def _row_context(request, assessment, line, *, can_edit, message="", error="", form=None):
    scale_max = assessment.round.methodology.scale_max
    return {
        "assessment": assessment, "line": line, "can_edit": can_edit,
        "options": value_options(scale_max), "message": message, "error": error,
        "form_data": form.data if form is not None and form.is_bound and error else None,
    }


@login_required
@require_POST
def answer_save_view(request, pk, indicator_id):
    assessment = _assessment_or_404(request.user, pk)
    if not can_answer_for(request.user, assessment.agency):
        raise PermissionDenied
    indicator = get_object_or_404(Indicator.objects.select_related("component"),
                                  id=indicator_id, active=True)
    form = AnswerForm(request.POST, scale_max=assessment.round.methodology.scale_max)
    message, error = "", ""
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        try:
            answer_save(assessment_id=assessment.id, indicator=indicator, user=request.user,
                        value=form.cleaned_data["value"],
                        not_applicable=form.cleaned_data["not_applicable"],
                        note=form.cleaned_data["note"],
                        expected_version=form.cleaned_data["version"])
            message = _("Saved.")
        except AnswerConflict:
            error = _("This answer was changed by someone else after you opened the page. "
                      "Their version is shown as saved; your input is kept in the form — "
                      "save again to replace it.")
        except ChecklistLocked as exc:
            error = str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, f"{indicator.component.letter}{indicator.order}: {error}")
        else:
            messages.success(request, message)
        return redirect(f"{request.path.rsplit('/answers/', 1)[0]}/#indicator-{indicator.id}")
    assessment.refresh_from_db(fields=["self_score", "answered_count", "status"])
    answer = Answer.objects.filter(assessment=assessment, indicator=indicator).first()
    line = IndicatorLine(indicator=indicator, answer=answer)
    lock_reason = checklist_lock_reason(assessment)
    context = _row_context(request, assessment, line, can_edit=not lock_reason,
                           message=message, error=error, form=form)
    if error and answer is not None and form.is_bound:
        context["conflict_version"] = answer.version
    context.update(summary(assessment))
    context["component"] = indicator.component
    context["component_score"] = context["component_scores"].get(indicator.component_id)
    return render(request, "assessments/includes/answer_saved.html", context)
