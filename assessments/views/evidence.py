"""Attach, remove and download evidence. Downloads go only through this scoped view, as
attachments that the browser must not sniff or cache."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agencies.access import may_answer, require
from compliance.models import Indicator

from ..models import Evidence, ProductSample
from ..rules import checklist_lock_reason
from ..selectors.checklist import indicator_line, product_indicator_line, summary
from ..services.answers import ChecklistLocked
from ..services.evidence import evidence_add_file, evidence_add_link, evidence_remove
from ..lookups import assessment_or_404, evidence_or_404
from ..selectors.instruments import indicator_code


def _respond(request, assessment, indicator, *, message="", error="", sample_id=None):
    """The checklist again, or the sampled product's page for its evidence (or, with htmx,
    the evidence block and, on the checklist, the figures it changes)."""
    if not request.htmx:
        if error:
            messages.error(request, f"{indicator_code(indicator)}: {error}")
        elif message:
            messages.success(request, message)
        page = (reverse("checklist-product", args=[assessment.id, sample_id])
                if sample_id is not None else reverse("checklist", args=[assessment.id]))
        return redirect(page + f"#indicator-{indicator.id}")
    if sample_id is not None:
        sample = ProductSample.objects.get(id=sample_id)
        return render(request, "assessments/includes/evidence_block.html", {
            "assessment": assessment, "sample": sample,
            "line": product_indicator_line(assessment, indicator, sample),
            "can_edit": not checklist_lock_reason(assessment), "message": message,
            "error": error})
    assessment.refresh_from_db(fields=["self_score", "answered_count", "status"])
    context = {
        "assessment": assessment, "line": indicator_line(assessment, indicator),
        "can_edit": not checklist_lock_reason(assessment), "message": message, "error": error,
        **summary(assessment),
    }
    return render(request, "assessments/includes/evidence_saved.html", context)


@login_required
@require_POST
def evidence_add(request, pk, indicator_id):
    assessment = assessment_or_404(request.user, pk)
    require(may_answer(request.user, assessment))
    indicator = get_object_or_404(Indicator.objects.select_related("component"),
                                  id=indicator_id, active=True,
                                  instrument_id=assessment.round.instrument_id)
    sample_id = _sample_id(request, assessment)
    message, error = "", ""
    try:
        upload = request.FILES.get("file")  # parsing the body runs the size-limit handler
        url = request.POST.get("url", "").strip()
        if getattr(request, "upload_too_large", False):
            raise ValidationError(_("The file is larger than %(limit)s.") % {
                "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)})
        if upload is not None:
            evidence_add_file(assessment_id=assessment.id, indicator=indicator,
                              user=request.user, upload=upload, product_sample_id=sample_id)
            message = _("File attached.")
        elif url:
            evidence_add_link(assessment_id=assessment.id, indicator=indicator,
                              user=request.user, url=url, product_sample_id=sample_id)
            message = _("Link added.")
        else:
            error = _("Choose a file or enter a link.")
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except ChecklistLocked as exc:
        error = str(exc)
    return _respond(request, assessment, indicator, message=message, error=error,
                    sample_id=sample_id)


def _sample_id(request, assessment):
    """The sampled product a piece of evidence is for (the form's ``product_sample``), None
    for the unit's own indicators; another unit's sample, or anything not an id, is a 404."""
    value = request.POST.get("product_sample", "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not ProductSample.objects.filter(
            id=int(value), assessment=assessment).exists():
        raise Http404
    return int(value)


@login_required
@require_POST
def evidence_remove_view(request, pk, evidence_id):
    assessment = assessment_or_404(request.user, pk)
    require(may_answer(request.user, assessment))
    evidence = get_object_or_404(Evidence.objects.select_related("indicator__component"),
                                 id=evidence_id, assessment=assessment)
    indicator = evidence.indicator
    message, error = _("Evidence removed."), ""
    try:
        evidence_remove(assessment_id=assessment.id, evidence_id=evidence.id, user=request.user)
    except ChecklistLocked as exc:
        message, error = "", str(exc)
    return _respond(request, assessment, indicator, message=message, error=error,
                    sample_id=evidence.product_sample_id)


@login_required
@require_safe
def evidence_download(request, evidence_id):
    evidence = evidence_or_404(request.user, evidence_id)
    if evidence.kind != Evidence.Kind.FILE:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
