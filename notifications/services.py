"""Writes of the notifications app: record a notification, queue its mail, mark as read,
choose how to be told.

Callers (the assessments services) call ``notify_on_commit`` inside their own transaction: the
notification is recorded only once that transaction commits, so a rolled-back submission tells
nobody. Every notification carries a dedupe key; recording the same key again does nothing,
which makes the periodic jobs safe to run twice."""
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Value
from django.utils import timezone

from .kinds import Kind
from .models import MailLanguage, Mode, Notification, NotificationPreference, Outbox

log = logging.getLogger("kepatuhan.notifications")


def mode_of(user, kind) -> str:
    row = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return row.mode if row else Mode.IMMEDIATE


def language_of(user) -> str:
    row = MailLanguage.objects.filter(user=user).first()
    from django.conf import settings
    return row.language if row else settings.LANGUAGE_CODE


def _insert_once(model, **values):
    """Insert, or None when the unique dedupe key is already there (another worker, an earlier
    run). INSERT … ON CONFLICT DO NOTHING (OR IGNORE on SQLite): a duplicate raises nothing and
    needs no savepoint, so the caller's transaction (and, in tests, the connection a live
    server shares) is never left broken. Two racing callers may both get the row back; the
    delivery's claim still sends its mail once."""
    key = values["dedupe_key"]
    if model.objects.filter(dedupe_key=key).exists():
        return None
    model.objects.bulk_create([model(**values)], ignore_conflicts=True)
    return model.objects.filter(dedupe_key=key).first()


def notify(*, recipients, kind: str, key: str, params: dict, url: str = "", subject=None,
           attachment: str = "", attachment_name: str = "") -> list[Outbox]:
    """Record one notification per recipient under ``key`` + recipient, and queue the mails of
    those who want them now. Returns the outbox rows created (whose delivery the caller's
    commit starts).

    A fixed number of queries whatever the number of recipients (a report to every leader of
    a government, a state change to everyone taking part): the recipients' preferences in one
    query, the keys already recorded (notifications and mails) in one, and the new
    notifications and mails in one insert each. No savepoint of its own: inside the caller's
    transaction the rows commit (or roll back) with the caller's change; alone, they commit
    together."""
    assert kind in Kind.values, kind
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    users = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    if not users:
        return []
    keys = {user.pk: f"{key}:u{user.pk}" for user in users}
    with transaction.atomic(savepoint=False):
        modes = modes_of(users, kind)
        noted, mailed = recorded_keys(keys.values())
        fresh = [user for user in users if keys[user.pk] not in noted]
        notes = _insert_returning(Notification, [Notification(
            recipient=user, kind=kind, params=params, url=url, subject_type=subject_type,
            subject_id=subject.pk if subject is not None else None, dedupe_key=keys[user.pk],
            digest_pending=modes[user.pk] == Mode.DIGEST and bool(user.email))
            for user in fresh])
        queued = _insert_returning(Outbox, [Outbox(
            recipient=user, dedupe_key=keys[user.pk], notification=note,
            attachment=attachment, attachment_name=attachment_name)
            for user, note in zip(fresh, notes)
            if modes[user.pk] == Mode.IMMEDIATE and user.email
            and keys[user.pk] not in mailed])
        ids = [row.id for row in queued]
        if ids:
            transaction.on_commit(lambda: enqueue_delivery(ids))
    return queued


def modes_of(users, kind) -> dict:
    """{user id: how the user wants ``kind``} for several users (one query)."""
    chosen = dict(NotificationPreference.objects.filter(
        user__in=[user.pk for user in users], kind=kind).values_list("user_id", "mode"))
    return {user.pk: chosen.get(user.pk, Mode.IMMEDIATE) for user in users}


def recorded_keys(keys) -> tuple[set, set]:
    """The dedupe keys already taken by notifications and by mails (one query)."""
    keys = list(keys)
    found = (Notification.objects.filter(dedupe_key__in=keys).order_by()
             .annotate(table=Value("n")).values_list("dedupe_key", "table")
             .union(Outbox.objects.filter(dedupe_key__in=keys).order_by()
                    .annotate(table=Value("o")).values_list("dedupe_key", "table"),
                    all=True))
    noted, mailed = set(), set()
    for dedupe_key, table in found:
        (noted if table == "n" else mailed).add(dedupe_key)
    return noted, mailed


def _insert_returning(model, rows: list) -> list:
    """Insert rows whose keys were free a moment ago, in one statement, with their ids. A row
    that another worker inserted meanwhile (the same key) is not an error: INSERT … ON CONFLICT
    (dedupe_key) DO UPDATE leaves it as it is (the key is set to itself) and returns it, as
    ``_insert_once`` does; the delivery's claim still sends its mail once."""
    if not rows:
        return []
    return model.objects.bulk_create(rows, update_conflicts=True, unique_fields=["dedupe_key"],
                                     update_fields=["dedupe_key"])


def notify_on_commit(**kwargs) -> None:
    """``notify`` once the caller's transaction commits (nothing for a rolled-back change)."""
    transaction.on_commit(lambda: notify(**kwargs))


def enqueue_delivery(outbox_ids) -> None:
    from .tasks import deliver_mail
    for outbox_id in outbox_ids:
        deliver_mail.delay(outbox_id)


def notification_mark_read(*, user, notification_id=None) -> int:
    """Mark one of the user's notifications read (or all of them); someone else's is never
    touched (the query is the user's own)."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        queryset = queryset.filter(id=notification_id)
    return queryset.update(read_at=timezone.now())


@transaction.atomic
def preference_set(*, user, kind: str, mode: str) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=user, kind=kind)
    preference.mode = mode
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def mail_language_set(*, user, language: str) -> MailLanguage:
    row, _created = MailLanguage.objects.get_or_create(user=user)
    row.language = language
    row.full_clean()
    row.save()
    return row


def digests_queue(*, day) -> list[Outbox]:
    """One digest mail per user for the notifications waiting for it (key: user + day, so a
    second run the same day queues nothing new)."""
    queued = []
    waiting = (Notification.objects.filter(digest_pending=True)
               .values_list("recipient_id", flat=True).distinct())
    for recipient_id in list(waiting):
        with transaction.atomic():
            notes = list(Notification.objects.select_for_update()
                         .filter(recipient_id=recipient_id, digest_pending=True))
            if not notes:
                continue
            row = _insert_once(Outbox, recipient_id=recipient_id,
                               dedupe_key=f"digest:{day.isoformat()}:u{recipient_id}")
            if row is None:
                continue
            row.digest_of.set(notes)
            Notification.objects.filter(id__in=[n.id for n in notes]).update(
                digest_pending=False)
            queued.append(row)
    if queued:
        enqueue_delivery([row.id for row in queued])
    return queued
