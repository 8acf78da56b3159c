"""Background exports: the request (a POST that answers at once with the job's page), the job's
page with its progress (htmx polls a small fragment), the list of one's exports, and the file.

A job is its requester's alone (anyone else gets 404); the download asks the export's own rule
again, through the same lookups as the direct download, because the requester may have lost
the role since the file was made."""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.http import require_POST, require_safe

from assessments.downloads import KINDS

from . import selectors, services
from .models import RETENTION, ExportJob


def _request(request, kind, **params):
    job = services.export_job_request(user=request.user, kind=kind, params=params,
                                      language=get_language(),
                                      base_url=request.build_absolute_uri("/"))
    return redirect("export-job", job.id)


@login_required
@require_POST
def request_national(request, round_id):
    return _request(request, ExportJob.Kind.NATIONAL, round=round_id)


@login_required
@require_POST
def request_province(request, round_id, province_id):
    return _request(request, ExportJob.Kind.PROVINCE, round=round_id, province=province_id)


@login_required
@require_POST
def request_government(request, round_id, government_id):
    return _request(request, ExportJob.Kind.GOVERNMENT, round=round_id,
                    government=government_id)


@login_required
@require_POST
def request_government_rapor(request, round_id, government_id):
    return _request(request, ExportJob.Kind.GOVERNMENT_RAPOR, round=round_id,
                    government=government_id)


@login_required
@require_safe
def job_list(request):
    return render(request, "exports/list.html", {"jobs": selectors.jobs_of(request.user),
                                                 "retention_days": RETENTION.days})


@login_required
@require_safe
def job_page(request, job_id):
    return render(request, "exports/job.html", {
        "job": selectors.job_or_404(request.user, job_id), "retention_days": RETENTION.days})


@login_required
@require_safe
def job_status(request, job_id):
    """The fragment htmx polls while the job waits or runs (it stops polling when done)."""
    return render(request, "exports/includes/job_status.html", {
        "job": selectors.job_or_404(request.user, job_id), "retention_days": RETENTION.days})


@login_required
@require_safe
def job_download(request, job_id):
    job = selectors.job_or_404(request.user, job_id)
    if job.status != ExportJob.Status.DONE:
        return redirect("export-job", job.id)
    with translation.override(job.language):
        KINDS[job.kind].authorize(request.user, job.params)  # 404 / 403 as the direct download
    try:
        handle = services.open_file(job)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.filename,
                            content_type=job.content_type)
    response["Cache-Control"] = "no-store"
    return response
