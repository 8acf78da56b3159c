"""The assessor's fieldwork for one unit: the four sources of the 2022+ instrument (interviews
of officials, observation of the sampled service products, the service users' survey and the
complaint records) and the plan of visits. INSTRUMENTS.md §1 (single source).

What these rows hold feeds the verified side of the unit's answers (``Answer.verified_value``,
per sampled product where the indicator is per product) and the survey score
(``Assessment.survey_score``), so scoring and publication read the answers as before. The
services in ``services/fieldwork.py`` are the only writers."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.models import Indicator

from .models import SCORE_VALIDATORS, Assessment, ProductSample, score_field, score_in_range


class InterviewRole(models.TextChoices):
    """The four officials interviewed per unit (2023 instrument, single source)."""

    HEAD = "head", _("Head or secretary of the office")
    SECTION_HEAD = "section_head", _("Head of the service section")
    COMPLAINT_OFFICER = "complaint_officer", _("Complaint officer")
    FRONT_LINE = "front_line", _("Front-line officer")


class Interview(models.Model):
    """One interviewed official of a unit, by role (one per role), and when."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="interviews", verbose_name=_("assessment"))
    role = models.CharField(_("role interviewed"), max_length=20, choices=InterviewRole.choices)
    interviewed_on = models.DateField(_("date of the interview"))
    note = models.TextField(_("note"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["assessment", "role", "id"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "role"], name="one_interview_per_role"),
            models.CheckConstraint(condition=Q(role__in=InterviewRole.values),
                                   name="interview_role_valid"),
        ]

    def __str__(self):
        return f"{self.assessment} · {self.get_role_display()}"


class InterviewAnswer(models.Model):
    """What one interviewed official answered for one interview indicator (a value on the
    indicator's scale); an indicator not asked of this official has no row."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("value"), validators=[MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["interview", "indicator"],
                                    name="one_interview_answer_per_indicator"),
            models.CheckConstraint(condition=Q(value__lte=5), name="interview_answer_range"),
        ]


class Observation(models.Model):
    """The observation of one sampled service product: when, and whether the visit was
    unannounced. The per-product indicator values are the verified side of the product's
    answers."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="observations", verbose_name=_("assessment"))
    product_sample = models.OneToOneField(ProductSample, on_delete=models.CASCADE,
                                          related_name="observation",
                                          verbose_name=_("sampled product"))
    observed_on = models.DateField(_("date of the observation"))
    unannounced = models.BooleanField(_("unannounced visit"), default=False)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["assessment", "product_sample__order", "id"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")


class SurveyRecord(models.Model):
    """The service users' survey of a unit: the respondent count and either an aggregate score
    or per-question scores (their mean), or the reason there was no survey. The score the
    scoring reads is ``Assessment.survey_score`` (set from this record by the service); a unit
    with a reason and no score is scored "without survey" and flagged wherever its score
    shows."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE,
                                      related_name="survey", verbose_name=_("assessment"))
    respondents = models.PositiveIntegerField(_("respondents"), null=True, blank=True,
                                              validators=[MinValueValidator(1)])
    aggregate_score = score_field(_("aggregate score"))
    question_scores = models.JSONField(_("per-question scores"), default=list, blank=True)
    no_survey_reason = models.CharField(_("reason there is no survey"), max_length=500,
                                        blank=True)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("survey record")
        verbose_name_plural = _("survey records")
        constraints = [
            score_in_range("aggregate_score", "survey_aggregate_range"),
            # Either a survey (respondents) or the reason there is none, never both.
            models.CheckConstraint(
                condition=(Q(no_survey_reason="") & Q(respondents__gte=1))
                | (~Q(no_survey_reason="") & Q(respondents__isnull=True)
                   & Q(aggregate_score__isnull=True)),
                name="survey_or_reason"),
        ]

    @property
    def without_survey(self):
        return bool(self.no_survey_reason)


class ComplaintChannel(models.TextChoices):
    SP4N_LAPOR = "sp4n_lapor", "SP4N-LAPOR!"
    DESK = "desk", _("In person (complaint desk)")
    PHONE = "phone", _("Telephone, SMS or WhatsApp")
    LETTER = "letter", _("Letter or e-mail")
    WEBSITE = "website", _("Website or app")
    SOCIAL_MEDIA = "social_media", _("Social media")
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
    OTHER = "other", _("Other channel")


class ComplaintRecord(models.Model):
    """A unit's complaints through one channel over a period: received, resolved and the
    median days to resolve them."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="complaint_records",
                                   verbose_name=_("assessment"))
    channel = models.CharField(_("channel"), max_length=20, choices=ComplaintChannel.choices)
    received = models.PositiveIntegerField(_("received"))
    resolved = models.PositiveIntegerField(_("resolved"))
    median_days = models.DecimalField(_("median days to resolve"), max_digits=6,
                                      decimal_places=1, null=True, blank=True,
                                      validators=[MinValueValidator(0)])
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["assessment", "channel"]
        verbose_name = _("complaint record")
        verbose_name_plural = _("complaint records")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "channel"],
                                    name="one_complaint_record_per_channel"),
            models.CheckConstraint(condition=Q(channel__in=ComplaintChannel.values),
                                   name="complaint_channel_valid"),
            models.CheckConstraint(condition=Q(resolved__lte=models.F("received")),
                                   name="complaints_resolved_not_above_received"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="complaint_period_ordered"),
            models.CheckConstraint(condition=Q(median_days__isnull=True) | Q(median_days__gte=0),
                                   name="complaint_median_not_negative"),
        ]


class Visit(models.Model):
    """A planned visit of the assessors to a unit, and the day it was done."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="visits",
                                   verbose_name=_("assessment"))
    planned_on = models.DateField(_("planned for"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["assessment", "planned_on", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["assessment", "planned_on"])]


__all__ = ["SCORE_VALIDATORS", "ComplaintChannel", "ComplaintRecord", "Interview",
           "InterviewAnswer", "InterviewRole", "Observation", "SurveyRecord", "Visit"]
