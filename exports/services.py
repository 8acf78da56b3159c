"""Writes of the background exports: request one, run it (in the worker), expire old files.

A request answers at once: the row is made and the task is queued once the row is committed
(so that a worker never looks for a row that is not there yet). With no broker configured the
task runs in-process at that moment (``make run``). The worker asks the export's rule again
before building (the requester may have lost the role while it waited), builds with the same
code as the direct download, and stores the file in the media storage."""
import logging
from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone, translation

from assessments.downloads import KINDS

from .models import RETENTION, ExportJob

log = logging.getLogger(__name__)
PENDING = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
STALE_RUN = timedelta(minutes=30)  # far beyond the national workbook's half minute
RETRY_DELAY = 30  # seconds before the first retry of a transient failure; doubles each time


class Transient(Exception):
    """A failure worth another try (the database or the storage was unavailable): building
    reads only, and the file is written under the same name again, so a retry is harmless."""


def export_job_request(*, user, kind: str, params: dict, language: str,
                       base_url: str) -> ExportJob:
    """The user's job for this export: the one still waiting or running if there is one (a
    second click makes no second job), else a new one, queued. The export's own rule is asked
    first (``KINDS[kind].authorize``: Http404 outside the scope, PermissionDenied without the
    right), exactly as the direct download asks it."""
    from .tasks import export_job_task

    exporter = KINDS[kind]
    objects = exporter.authorize(user, params)
    with transaction.atomic():
        pending = (ExportJob.objects.select_for_update()
                   .filter(user=user, kind=kind, params=params, status__in=PENDING,
                           language=language).order_by("-id").first())
        if pending is not None:
            return pending
        job = ExportJob(user=user, kind=kind, params=params, language=language,
                        base_url=base_url[:200], subject=exporter.subject(objects)[:300])
        job.full_clean()
        job.save()
        transaction.on_commit(lambda: export_job_task.delay(job.id))
    return job


def _progress(job_id):
    last = {"percent": -1}

    def tell(percent):
        percent = max(0, min(99, int(percent)))
        if percent >= last["percent"] + 5:  # at most ~20 small updates per job
            last["percent"] = percent
            ExportJob.objects.filter(id=job_id, status=ExportJob.Status.RUNNING).update(
                progress=percent)
    return tell


def _claim(job_id) -> ExportJob | None:
    """Take the job for this run: a queued job, or one left running for ``STALE_RUN`` by a
    worker that died (the task is acknowledged late, so a lost worker's task comes back). A
    finished job, or one another worker is building now, is left alone: a task delivered twice
    builds once."""
    now = timezone.now()
    claimable = Q(status=ExportJob.Status.QUEUED) | Q(status=ExportJob.Status.RUNNING,
                                                      started_at__lt=now - STALE_RUN)
    claimed = ExportJob.objects.filter(claimable, id=job_id).update(
        status=ExportJob.Status.RUNNING, started_at=now, progress=0,
        attempts=F("attempts") + 1)
    if not claimed:
        return None
    return ExportJob.objects.select_related("user").get(id=job_id)


def _fail(job_id, error):
    ExportJob.objects.filter(id=job_id).update(status=ExportJob.Status.FAILED, error=error,
                                               finished_at=timezone.now())


def export_job_run(job_id: int, *, last_try: bool = True) -> str:
    """Build the job's file; returns the status it ends in. A transient failure raises
    ``Transient`` (the task retries it) unless this is the last try."""
    try:
        job = _claim(job_id)
    except (OperationalError, InterfaceError) as exc:
        # Nothing was taken: the job is still queued (or still stale) for the next try.
        log.warning("export job %s: %s while claiming (%s)", job_id, type(exc).__name__,
                    "giving up" if last_try else "will retry")
        if last_try:
            raise
        raise Transient(str(exc)) from exc
    if job is None:
        return "skipped"
    exporter = KINDS[job.kind]
    try:
        with translation.override(job.language):
            objects = exporter.authorize(job.user, job.params)
            built = exporter.build(job.user, objects, base_url=job.base_url,
                                   progress=_progress(job.id))
        path = f"exports/{job.id}/{built.filename}"
        if default_storage.exists(path):
            default_storage.delete(path)
        stored = default_storage.save(path, ContentFile(built.content))
    except (Http404, PermissionDenied):
        _fail(job.id, ExportJob.Error.ACCESS)
        return ExportJob.Status.FAILED
    except ObjectDoesNotExist:
        _fail(job.id, ExportJob.Error.MISSING)
        return ExportJob.Status.FAILED
    except (OperationalError, InterfaceError, OSError) as exc:
        log.warning("export job %s: %s (%s)", job.id, type(exc).__name__,
                    "giving up" if last_try else "will retry")
        if last_try:
            _fail(job.id, ExportJob.Error.FAILED)
            return ExportJob.Status.FAILED
        ExportJob.objects.filter(id=job.id).update(status=ExportJob.Status.QUEUED)
        raise Transient(str(exc)) from exc
    except Exception:  # a defect: another try would fail the same way
        log.exception("export job %s failed", job.id)
        _fail(job.id, ExportJob.Error.FAILED)
        return ExportJob.Status.FAILED
    finished = timezone.now()
    ExportJob.objects.filter(id=job.id).update(
        status=ExportJob.Status.DONE, progress=100, file=stored, filename=built.filename,
        content_type=built.content_type, size=len(built.content), finished_at=finished,
        expires_at=finished + RETENTION, error="")
    return ExportJob.Status.DONE


def export_jobs_expire(*, now=None) -> int:
    """Remove the files kept past their date and mark the rows expired (a failed job's row
    expires too, after the same time). Returns how many rows expired."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        try:
            if job.file and default_storage.exists(job.file):
                default_storage.delete(job.file)
        except OSError:
            log.warning("export job %s: the file could not be removed; next sweep", job.id)
            continue
        count += ExportJob.objects.filter(id=job.id, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.EXPIRED, file="", size=0)
    count += ExportJob.objects.filter(status=ExportJob.Status.FAILED,
                                      finished_at__lte=now - RETENTION).update(
        status=ExportJob.Status.EXPIRED)
    return count


def open_file(job: ExportJob):
    """The stored file, for the download (FileNotFoundError when it is gone)."""
    if not job.file or not default_storage.exists(job.file):
        raise FileNotFoundError(job.file)
    return default_storage.open(job.file, "rb")
