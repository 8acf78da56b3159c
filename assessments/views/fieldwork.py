"""The assessor's sources for one unit: one page (``may_read_verification``), and one post per
source (``may_verify``), each answered with a message and a redirect back to its section."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from agencies.access import (may_read_ombudsman_products, may_read_verification, may_verify,
                             require)

from ..forms_fieldwork import (ComplaintForm, InterviewForm, ObservationForm, SurveyForm,
                               VisitForm)
from ..lookups import assessment_or_404
from ..models import ProductSample
from ..selectors.fieldwork import unit_sources
from ..selectors.instruments import (follow_up_indicator, interview_indicators,
                                     product_indicators)
from ..services.answers import AnswerConflict, ChecklistLocked
from ..services.fieldwork import (complaint_record_save, interview_record, observation_record,
                                  parse_decimal, round_period, survey_record, visit_lock_reason,
                                  visit_save)
from ..services.verification import verification_lock_reason
from .checklist import value_options

CONFLICT = gettext_lazy("Someone else saved this record after you opened the page; their version is "
             "shown. Enter yours again to replace it.")


@login_required
@require_safe
def sources_view(request, pk):
    assessment = assessment_or_404(request.user, pk)
    require(may_read_verification(request.user, assessment))
    lock_reason = verification_lock_reason(assessment)
    writer = may_verify(request.user, assessment)
    data = unit_sources(assessment)
    start, end = round_period(assessment.round)
    return render(request, "assessments/fieldwork/sources.html", {
        "assessment": assessment, "lock_reason": lock_reason,
        "can_record": writer and not lock_reason,
        "can_plan": writer and not visit_lock_reason(assessment),
        "can_verify": writer and not lock_reason, "period_start": start, "period_end": end,
        "options": value_options(3), **data,
        # The government's Ombudsman products feed one of this round's indicators.
        "ombudsman_products": may_read_ombudsman_products(
            request.user, assessment.agency.government_id)
        and follow_up_indicator(assessment.round.instrument_id) is not None,
    })


def _back(assessment, section, error=None, message=None, request=None):
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect(reverse("sources", args=[assessment.id]) + f"#{section}")


def _writable(request, pk):
    assessment = assessment_or_404(request.user, pk)
    require(may_verify(request.user, assessment))
    return assessment


def _message(exc):
    if isinstance(exc, AnswerConflict):
        return str(CONFLICT)
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _form_errors(form):
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def interview_save(request, pk):
    assessment = _writable(request, pk)
    form = InterviewForm(request.POST,
                         indicators=interview_indicators(assessment.round.instrument_id))
    if not form.is_valid():
        return _back(assessment, "interviews", _form_errors(form), request=request)
    try:
        interview_record(assessment_id=assessment.id, user=request.user,
                         role=form.cleaned_data["role"],
                         interviewed_on=form.cleaned_data["interviewed_on"],
                         values=form.values(), note=form.cleaned_data["note"],
                         expected_version=form.cleaned_data["version"])
    except (ValidationError, ChecklistLocked, AnswerConflict) as exc:
        return _back(assessment, "interviews", _message(exc), request=request)
    return _back(assessment, "interviews", message=_("Interview saved."), request=request)


@login_required
@require_POST
def observation_save(request, pk, sample_id):
    assessment = _writable(request, pk)
    if not ProductSample.objects.filter(id=sample_id, assessment=assessment).exists():
        raise Http404
    form = ObservationForm(request.POST,
                           indicators=product_indicators(assessment.round.instrument_id))
    section = f"product-{sample_id}"
    if not form.is_valid():
        return _back(assessment, section, _form_errors(form), request=request)
    try:
        observation_record(assessment_id=assessment.id, user=request.user, sample_id=sample_id,
                           observed_on=form.cleaned_data["observed_on"],
                           unannounced=form.cleaned_data["unannounced"],
                           values=form.with_na(), note=form.cleaned_data["note"],
                           expected_version=form.cleaned_data["version"])
    except (ValidationError, ChecklistLocked, AnswerConflict) as exc:
        return _back(assessment, section, _message(exc), request=request)
    return _back(assessment, section, message=_("Observation saved."), request=request)


@login_required
@require_POST
def survey_save(request, pk):
    assessment = _writable(request, pk)
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return _back(assessment, "survey", _form_errors(form), request=request)
    try:
        survey_record(assessment_id=assessment.id, user=request.user,
                      respondents=form.cleaned_data["respondents"],
                      aggregate_score=parse_decimal(form.cleaned_data["aggregate_score"],
                                                    "aggregate_score", 0, 100),
                      question_scores=form.cleaned_data["question_scores"],
                      no_survey_reason=form.cleaned_data["no_survey_reason"],
                      expected_version=form.cleaned_data["version"])
    except (ValidationError, ChecklistLocked, AnswerConflict) as exc:
        return _back(assessment, "survey", _message(exc), request=request)
    return _back(assessment, "survey", message=_("Survey saved."), request=request)


@login_required
@require_POST
def complaint_save(request, pk):
    assessment = _writable(request, pk)
    form = ComplaintForm(request.POST)
    if not form.is_valid():
        return _back(assessment, "complaints", _form_errors(form), request=request)
    try:
        complaint_record_save(
            assessment_id=assessment.id, user=request.user,
            channel=form.cleaned_data["channel"], received=form.cleaned_data["received"],
            resolved=form.cleaned_data["resolved"],
            median_days=parse_decimal(form.cleaned_data["median_days"], "median_days", 0,
                                      36500, "0.1"),
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"])
    except (ValidationError, ChecklistLocked) as exc:
        return _back(assessment, "complaints", _message(exc), request=request)
    return _back(assessment, "complaints", message=_("Complaint record saved."),
                 request=request)


@login_required
@require_POST
def visit_save_view(request, pk):
    assessment = _writable(request, pk)
    form = VisitForm(request.POST)
    if not form.is_valid():
        return _back(assessment, "visits", _form_errors(form), request=request)
    try:
        visit_save(assessment_id=assessment.id, user=request.user,
                   planned_on=form.cleaned_data["planned_on"],
                   done_on=form.cleaned_data["done_on"], note=form.cleaned_data["note"],
                   visit_id=form.cleaned_data["visit"])
    except (ValidationError, ChecklistLocked) as exc:
        return _back(assessment, "visits", _message(exc), request=request)
    return _back(assessment, "visits", message=_("Visit saved."), request=request)
