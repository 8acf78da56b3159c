"""Background tasks of the exports. Arguments are ids only."""
from celery import shared_task

from . import services

MAX_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def export_job_task(self, job_id: int) -> str:
    """Build one job's file; a database or storage failure (also while taking the job) is
    tried again after 30 s, 1 and 2 minutes (safe: building only reads, and the file is
    written under the same name)."""
    last_try = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        return services.export_job_run(job_id, last_try=last_try)
    except services.Transient as exc:
        raise self.retry(exc=exc, countdown=services.RETRY_DELAY * 2 ** self.request.retries)


@shared_task
def expire_export_jobs() -> int:
    """Periodic (django-celery-beat, "Remove expired exports"): files older than 7 days."""
    return services.export_jobs_expire()
