"""Sending one outbox row: claim it, send it, mark it sent — so that it goes out once.

The claim is a conditional UPDATE (waiting or failed → being sent): of two workers delivering
the same row at once exactly one changes it and sends; the other sees zero rows and stops. A
claim left by a worker that died mid-send is taken over after ``STALE_CLAIM``. ``claim_row`` is
pulled out so that the race test can show two mails without it. Only the row's key, status and
the failure's class reach the log, never addresses, bodies or tokens."""
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .kinds import label
from .models import MailLanguage, Outbox
from .tokens import preference_token

log = logging.getLogger("kepatuhan.notifications")
STALE_CLAIM = timedelta(minutes=15)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AlreadyDelivered(Exception):
    pass


def claim_row(outbox_id) -> bool:
    now = timezone.now()
    claimable = Q(status__in=[Outbox.Status.PENDING, Outbox.Status.FAILED]) | Q(
        status=Outbox.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return bool(Outbox.objects.filter(claimable, id=outbox_id).update(
        status=Outbox.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1))


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def recipient_language(user) -> str:
    """The language of the recipient's mails; read with the row when the row was fetched with
    ``select_related("recipient__mail_language")`` (as ``deliver`` does), else one query."""
    try:
        return user.mail_language.language
    except MailLanguage.DoesNotExist:
        return settings.LANGUAGE_CODE


def build_message(row: Outbox) -> EmailMultiAlternatives:
    user = row.recipient
    language = recipient_language(user)
    notes = [row.notification] if row.notification_id else list(
        row.digest_of.order_by("created_at", "id"))
    kind = notes[0].kind if len(notes) == 1 and row.notification_id else ""
    token = preference_token(user=user, kind=kind)
    with translation.override(language):
        context = {
            "user": user, "language": language, "digest": not row.notification_id,
            "items": [{"text": note.text(language), "url": absolute(note.url) if note.url
                       else "", "label": label(note.kind, language)} for note in notes],
            "preferences_url": absolute(reverse("notification-unsubscribe", args=[token])),
        }
        subject = render_to_string("notifications/mail_subject.txt", context).strip()
        body = render_to_string("notifications/mail_body.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, to=[user.email],
        headers={"Content-Language": language,
                 "List-Unsubscribe": f"<{context['preferences_url']}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Auto-Submitted": "auto-generated"})
    if row.attachment:
        with default_storage.open(row.attachment, "rb") as handle:
            message.attach(row.attachment_name or row.attachment.rsplit("/", 1)[-1],
                           handle.read(), XLSX if row.attachment.endswith(".xlsx") else None)
    return message


def deliver(outbox_id, *, claim=claim_row) -> bool:
    """True when this call sent the mail; False when another delivery owns or did it. A send
    error is recorded on the row and raised again (the task retries with backoff)."""
    if not claim(outbox_id):
        log.info("outbox %s: already sent or being sent", outbox_id)
        return False
    row = (Outbox.objects.select_related("recipient__mail_language", "notification")
           .get(id=outbox_id))
    try:
        build_message(row).send(fail_silently=False)
    except Exception as exc:
        reason = f"{type(exc).__name__}"[:300]
        Outbox.objects.filter(id=outbox_id).update(status=Outbox.Status.FAILED, reason=reason)
        log.warning("outbox %s: sending failed (%s), attempt %s", row.dedupe_key, reason,
                    row.attempts)
        raise
    Outbox.objects.filter(id=outbox_id).update(status=Outbox.Status.SENT, sent_at=timezone.now(),
                                               reason="")
    log.info("outbox %s: sent", row.dedupe_key)
    return True
