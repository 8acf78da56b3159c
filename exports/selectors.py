"""Reads of the background exports: a user's own jobs only."""
from django.http import Http404

from agencies.access import may_read_export_job

from .models import ExportJob

LIST_SIZE = 50


def jobs_of(user):
    return ExportJob.objects.filter(user=user).order_by("-created_at", "-id")[:LIST_SIZE]


def job_or_404(user, job_id) -> ExportJob:
    """The job, for its requester; for anyone else it does not exist."""
    job = ExportJob.objects.filter(id=job_id).first()
    if job is None or not may_read_export_job(user, job):
        raise Http404
    return job
