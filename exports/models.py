"""Background exports: one row per file a user asked for, the file kept in the media storage
(shared by every app server) for ``RETENTION`` and then removed by a periodic task.

Only ids travel to the worker (``params``), so the export can be authorised again when the
worker starts and at every download. The database refuses a progress outside 0–100, an unknown
status or kind, and a finished job without its file."""
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

RETENTION = timedelta(days=7)


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("National workbook (.xlsx)")
        PROVINCE = "province", _("Province round workbook (.xlsx)")
        GOVERNMENT = "government", _("Government round workbook (.xlsx)")
        GOVERNMENT_RAPOR = "government_rapor", _("Government rapor (PDF)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("being prepared")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("removed after 7 days")

    class Error(models.TextChoices):
        NONE = "", "-"
        ACCESS = "access", _("You may no longer have this export (your role has changed).")
        MISSING = "missing", _("What this export was about no longer exists.")
        FAILED = "failed", _("The export failed. Please request it again; if it fails again, "
                             "tell an administrator.")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="export_jobs", verbose_name=_("requested by"))
    kind = models.CharField(_("export"), max_length=20, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=10, default="id")
    base_url = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.CharField(_("error"), max_length=10, choices=Error.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.CharField(_("file"), max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background export")
        verbose_name_plural = _("background exports")
        indexes = [models.Index(fields=["user", "-created_at"]),
                   models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100),
                                   name="export_job_progress_in_range"),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed",
                                               "expired"]),
                name="export_job_status_known"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["national", "province", "government",
                                             "government_rapor"]),
                name="export_job_kind_known"),
            models.CheckConstraint(
                condition=~models.Q(status="done") | (~models.Q(file="")
                                                      & models.Q(expires_at__isnull=False)),
                name="export_job_done_has_file"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)
