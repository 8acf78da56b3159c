"""Self-score against verified score: a government's comparison and each unit's rapor (page,
print and .xlsx).

Verified figures are secret until the round is published: before that only administrators and
the government's assessors read them. Everyone else in scope gets 403 (they may know the unit
exists, they may not see its verified score yet); outside the scope it is 404. The government
comparison is for those who manage the whole government (coordinators, leaders); an operator
reads only their own agency's rapor."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify

from agencies.access import government_or_404, scope_of

from ..models import Round
from ..selectors.comparison import government_comparison, rapor
from ..spreadsheets.print_setup import display_name
from ..spreadsheets.rapor_export import rapor_workbook
from .checklist import assessment_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sees_verified_before_publication(user, government_id) -> bool:
    scope = scope_of(user)
    return scope.administrator or government_id in scope.assessor_governments


def can_compare(user, government_id, round_) -> bool:
    """Administrators and assessors always; coordinators and leaders once published."""
    if sees_verified_before_publication(user, government_id):
        return True
    scope = scope_of(user)
    return round_.is_published and government_id in (scope.coordinator_governments
                                                     | scope.leader_governments)


def can_read_rapor(user, assessment) -> bool:
    """Call after ``assessment_or_404``: whoever is in scope reads it once published."""
    return (assessment.round.is_published
            or sees_verified_before_publication(user, assessment.agency.government_id))


@login_required
def comparison(request, government_id, round_id):
    government = government_or_404(request.user, government_id)
    round_ = get_object_or_404(Round.objects.select_related("methodology"), id=round_id)
    if not can_compare(request.user, government.id, round_):
        raise PermissionDenied
    return render(request, "assessments/reports/comparison.html", {
        "comparison": government_comparison(government=government, round_=round_)})


def _readable_assessment(request, pk):
    assessment = assessment_or_404(request.user, pk)
    if not can_read_rapor(request.user, assessment):
        raise PermissionDenied
    return assessment


@login_required
def rapor_view(request, pk):
    assessment = _readable_assessment(request, pk)
    return render(request, "assessments/reports/rapor.html", {"rapor": rapor(assessment)})


@login_required
def rapor_xlsx(request, pk):
    assessment = _readable_assessment(request, pk)
    response = HttpResponse(rapor_workbook(rapor(assessment),
                                           made_by=display_name(request.user)),
                            content_type=XLSX)
    name = slugify(assessment.agency.short_name or assessment.agency.name) or "unit"
    filename = f"rapor-{assessment.round.year}-{name}-{assessment.id}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
