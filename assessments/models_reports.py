"""The leaders' periodic obstacle and action report: how often each government gets it, and
the dated archive of the reports sent ("Laporan berkala")."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Government


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")


class LeaderReportSetting(models.Model):
    """Chosen per government by an administrator (Django admin); weekly when absent."""
    government = models.OneToOneField(Government, on_delete=models.CASCADE,
                                      related_name="leader_report_setting")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.WEEKLY)

    class Meta:
        verbose_name = _("periodic report setting")
        verbose_name_plural = _("periodic report settings")
        constraints = [models.CheckConstraint(
            condition=models.Q(frequency__in=["weekly", "monthly"]),
            name="leader_report_frequency_known")]

    def __str__(self):
        return f"{self.government}: {self.get_frequency_display()}"


class LeaderReport(models.Model):
    """One report of one government for one period; the unique pair makes a second run of the
    job (beat firing twice, two workers) find the report instead of making another."""
    government = models.ForeignKey(Government, on_delete=models.PROTECT,
                                   related_name="leader_reports")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    file = models.CharField(_("file"), max_length=300, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        constraints = [
            models.UniqueConstraint(fields=["government", "period_start", "period_end"],
                                    name="leader_report_once_per_period"),
            models.CheckConstraint(condition=models.Q(period_start__lte=models.F("period_end")),
                                   name="leader_report_period_ordered"),
        ]

    def __str__(self):
        return f"{self.government} {self.period_start}–{self.period_end}"
