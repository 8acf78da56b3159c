"""Notifications in the app, each user's choice of how to receive them, and the outbox of mails.

The outbox's unique ``dedupe_key`` is the exactly-once guard: whoever inserts the row first
owns the sending, a second insert of the same key (beat firing twice, two workers, a retried
task) finds the row and stops. A row is claimed for sending by a conditional update, so two
deliveries of the same row at once send one mail."""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .kinds import Kind


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("By email, immediately")
    DIGEST = "digest", _("By email, in a daily digest")
    APP = "app", _("In the app only")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    params = models.JSONField(_("text parts"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Waiting for the daily digest: set when the recipient chose the digest for this kind.
    digest_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"]),
                   models.Index(fields=["digest_pending", "recipient"])]

    def text(self, language):
        from .kinds import render
        return render(self.kind, self.params, language)


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices,
                            default=Mode.IMMEDIATE)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(condition=models.Q(mode__in=["immediate", "digest", "app"]),
                                   name="notification_preference_mode_known"),
        ]


class MailLanguage(models.Model):
    """The language of a user's mails (Indonesian unless they chose English)."""
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="mail_language")
    language = models.CharField(_("language of the mails"), max_length=10,
                                choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)


class Outbox(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+", verbose_name=_("recipient"))
    dedupe_key = models.CharField(_("key"), max_length=200, unique=True)
    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, null=True,
                                        blank=True, related_name="mail")
    digest_of = models.ManyToManyField(Notification, blank=True, related_name="digests")
    attachment = models.CharField(_("attachment"), max_length=300, blank=True,
                                  help_text=_("Path in the media storage."))
    attachment_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    reason = models.CharField(_("reason of the last failure"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed"]),
                name="outbox_status_known"),
            models.CheckConstraint(condition=models.Q(status="sent", sent_at__isnull=False)
                                   | ~models.Q(status="sent"), name="outbox_sent_has_time"),
        ]

    def __str__(self):
        return self.dedupe_key
