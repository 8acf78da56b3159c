"""The leaders' side of follow-up: the archive of periodic reports ("Laporan berkala"), a
report's workbook, and marking an obstacle seen with an answer."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agencies.access import (agency_or_404, government_or_404, may_answer_obstacle,
                             may_read_leader_reports, require)

from ..models import LeaderReport, Obstacle
from ..services.actions import DESCRIPTION_MAX, obstacle_answer
from .rankings import XLSX


@login_required
@require_safe
def leader_report_list_view(request, gov_id):
    government = government_or_404(request.user, gov_id)
    require(may_read_leader_reports(request.user, government.id))
    reports = LeaderReport.objects.filter(government=government)[:200]
    return render(request, "assessments/leader_reports.html",
                  {"government": government, "reports": reports})


@login_required
@require_safe
def leader_report_download_view(request, gov_id, report_id):
    government = government_or_404(request.user, gov_id)
    require(may_read_leader_reports(request.user, government.id))
    report = get_object_or_404(LeaderReport, id=report_id, government=government)
    if not report.file or not default_storage.exists(report.file):
        raise Http404
    return FileResponse(default_storage.open(report.file, "rb"), as_attachment=True,
                        filename=f"laporan-berkala-{government.id}-{report.period_start}.xlsx",
                        content_type=XLSX)


class AnswerForm(forms.Form):
    answer = forms.CharField(required=False, max_length=DESCRIPTION_MAX)


@login_required
@require_POST
def obstacle_answer_view(request, agency_id, obstacle_id):
    agency = agency_or_404(request.user, agency_id)
    require(may_answer_obstacle(request.user, agency))
    obstacle = get_object_or_404(Obstacle, id=obstacle_id, agency=agency)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("agency-actions", agency.id)
    try:
        obstacle_answer(obstacle=obstacle, by=request.user, answer=form.cleaned_data["answer"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("agency-actions", agency.id)
    messages.success(request, _("The obstacle is marked as seen."))
    return redirect("agency-actions", agency.id)
