"""Confirmation pages for the steps that cannot be undone: an operator submitting a checklist,
an assessor finalising a unit, an administrator moving a round on.

The buttons on the checklist, verification and round pages are links (GET) to these pages,
which say in figures what the step will do. Their Confirm button posts to the existing action
endpoint with ``confirmed=1``; an action endpoint refuses a POST without it (it redirects here
and changes nothing), so neither a stale form nor a script skips the step. Who may see a page is
who may take the step (``may_answer``, ``may_verify``, ``may_administer``).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from agencies.access import may_administer, may_answer, may_verify, require

from ..lookups import assessment_or_404
from ..models import Round, RoundTransition
from ..selectors.confirmation import finalise_impact, round_impact, submit_impact
from ..services.verification import (survey_refusal, unverified_indicators,
                                     verification_lock_reason)

CONFIRMED = "confirmed"


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def ask_confirmation(request, url_name, *args):
    """The answer to an unconfirmed POST: nothing changes; the confirmation page says why."""
    messages.info(request, _("Nothing has changed yet: check what this step does, then "
                             "confirm it."))
    return redirect(url_name, *args)


@login_required
@require_safe
def checklist_submit_confirm(request, pk):
    assessment = assessment_or_404(request.user, pk)
    require(may_answer(request.user, assessment))
    return render(request, "assessments/confirm/checklist_submit.html", {
        "assessment": assessment, "impact": submit_impact(assessment)})


@login_required
@require_safe
def verify_finalise_confirm(request, pk):
    assessment = assessment_or_404(request.user, pk)
    require(may_verify(request.user, assessment))
    return render(request, "assessments/confirm/verify_finalise.html", {
        "assessment": assessment,
        "impact": finalise_impact(assessment, missing=unverified_indicators(assessment),
                                  lock_reason=verification_lock_reason(assessment),
                                  survey_refusal=survey_refusal(assessment))})


@login_required
@require_safe
def round_transition_confirm(request, pk, to_state):
    from .rounds_admin import round_steps  # the steps the round page offers

    require(may_administer(request.user))
    round_ = get_object_or_404(Round.objects.select_related("methodology"), pk=pk)
    transitions = list(RoundTransition.objects.filter(round=round_))
    step = next((step for step in round_steps(round_, transitions)
                 if step["to_state"] == to_state), None)
    return render(request, "assessments/confirm/round_transition.html", {
        "round": round_, "step": step, "impact": round_impact(round_) if step else None,
        "state": Round.State,
        "confirm_style": "primary" if to_state == Round.State.SELF_ASSESSMENT else "danger"})
