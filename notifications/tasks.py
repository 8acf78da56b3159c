"""Background tasks of the notifications app. Arguments are ids only (nothing personal
travels through the broker or its logs)."""
from celery import shared_task
from django.utils import timezone

from . import delivery, services

MAX_RETRIES = 6


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_mail(self, outbox_id: int) -> bool:
    """Send one outbox row; on failure retry after 1, 2, 4 … minutes. The row's status says
    whether it went: a retry of a row already sent sends nothing."""
    try:
        return delivery.deliver(outbox_id)
    except Exception as exc:
        if self.request.is_eager:
            return False  # in-process (no broker): the row stays "failed" for the next sweep
        raise self.retry(exc=exc, countdown=60 * 2 ** min(self.request.retries, 6))


@shared_task
def send_digests() -> int:
    return len(services.digests_queue(day=timezone.localdate()))


@shared_task
def retry_failed_mails() -> int:
    """Rows left failed (retries exhausted, or sent in-process without a broker) get one more
    try per sweep."""
    from .models import Outbox
    ids = list(Outbox.objects.filter(status=Outbox.Status.FAILED, attempts__lt=20)
               .values_list("id", flat=True)[:500])
    for outbox_id in ids:
        deliver_mail.delay(outbox_id)
    return len(ids)
