"""Reads of the notifications app: always the requesting user's own rows."""
from .kinds import Kind
from .models import Mode, Notification, NotificationPreference


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_of(user, *, limit=100):
    return list(Notification.objects.filter(recipient=user)[:limit])


def own_notification_or_none(user, notification_id):
    return Notification.objects.filter(recipient=user, id=notification_id).first()


def preferences_of(user) -> list[tuple[str, str, str]]:
    """(kind, its label, the chosen mode) for every kind; immediate unless chosen."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "mode"))
    return [(kind, label, chosen.get(kind, Mode.IMMEDIATE)) for kind, label in Kind.choices]
