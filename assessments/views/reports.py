"""Self-score against verified score: a government's comparison and each unit's rapor (page,
print, .xlsx and PDF), and the government's rapor as a PDF.

Verified figures are secret until the round is published (``may_compare`` and
``may_read_rapor`` in the access policy): everyone else in scope gets 403 (they may know the
unit exists, they may not see its verified score yet); outside the scope it is 404."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from agencies.access import government_or_404, may_compare, may_read_rapor, require

from ..downloads import direct, signature
from ..pdf import PDF, render_pdf
from ..selectors.comparison import government_comparison, rapor
from compliance.spreadsheets.print_setup import display_name
from ..spreadsheets.rapor_export import rapor_workbook
from ..lookups import assessment_or_404, round_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_safe
def comparison(request, government_id, round_id):
    government = government_or_404(request.user, government_id)
    round_ = round_or_404(round_id)
    require(may_compare(request.user, government.id, round_))
    return render(request, "assessments/reports/comparison.html", {
        "comparison": government_comparison(government=government, round_=round_)})


def _readable_assessment(request, pk):
    assessment = assessment_or_404(request.user, pk)
    require(may_read_rapor(request.user, assessment))
    return assessment


@login_required
@require_safe
def rapor_view(request, pk):
    assessment = _readable_assessment(request, pk)
    return render(request, "assessments/reports/rapor.html", {"rapor": rapor(assessment)})


@login_required
@require_safe
def rapor_xlsx(request, pk):
    assessment = _readable_assessment(request, pk)
    response = HttpResponse(rapor_workbook(rapor(assessment),
                                           made_by=display_name(request.user)),
                            content_type=XLSX)
    name = slugify(assessment.agency.short_name or assessment.agency.name) or "unit"
    return _attachment(response, f"rapor-{assessment.round.year}-{name}-{assessment.id}.xlsx")


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def rapor_pdf(request, pk):
    assessment = _readable_assessment(request, pk)
    data = rapor(assessment)
    content = render_pdf("assessments/reports/pdf/rapor.html", {
        "rapor": data, "government": assessment.agency.government,
        **signature(assessment.agency.government)}, request)
    name = slugify(assessment.agency.short_name or assessment.agency.name) or "unit"
    return _attachment(HttpResponse(content, content_type=PDF),
                       f"rapor-{assessment.round.year}-{name}-{assessment.id}.pdf")


@login_required
@require_safe
def government_rapor_pdf(request, government_id, round_id):
    """The same readers as the comparison page (``may_compare``): verified figures and
    findings (``assessments.downloads``, shared with the background export)."""
    built = direct("government_rapor", request, {"round": round_id, "government": government_id})
    return _attachment(HttpResponse(built.content, content_type=built.content_type),
                       built.filename)
