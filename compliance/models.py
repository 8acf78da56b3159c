"""The standard itself: the 14 components of UU 25/2009 Article 21, their checklist indicators,
and the scoring methodologies (kept as data because the Ombudsman changes them)."""
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Bilingual:
    """Pick the Indonesian or English text of a row for the active language."""

    def localized(self, field):
        lang = (get_language() or "id")[:2]
        value = getattr(self, f"{field}_{lang}", "") if lang in ("id", "en") else ""
        return value or getattr(self, f"{field}_id")


class Component(Bilingual, models.Model):
    class Group(models.TextChoices):
        DELIVERY = "delivery", _("Service delivery")
        MANAGEMENT = "management", _("Service management")

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    letter = models.CharField(_("letter"), max_length=1, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    must_publish = models.BooleanField(_("must be published"), default=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("component")
        verbose_name_plural = _("components")
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=14),
                                   name="component_number_1_14"),
        ]

    def __str__(self):
        return f"{self.letter}. {self.name_id}"

    @property
    def name(self):
        return self.localized("name")


class Indicator(Bilingual, models.Model):
    """One checklist item under a component; the evidence hint tells operators what to attach."""

    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="indicators",
                                  verbose_name=_("component"))
    code = models.SlugField(_("code"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    text_id = models.CharField(_("text (Indonesian)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300)
    evidence_id = models.CharField(_("evidence (Indonesian)"), max_length=300, blank=True)
    evidence_en = models.CharField(_("evidence (English)"), max_length=300, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["component__number", "order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["component", "order"], name="indicator_order_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="indicator_weight_not_negative"),
        ]

    def __str__(self):
        return f"{self.component.letter}{self.order}. {self.text_id}"

    @property
    def text(self):
        return self.localized("text")

    @property
    def evidence(self):
        return self.localized("evidence")


class RuleStatus(models.TextChoices):
    """How strong the public record behind a rule is (docs/methodology.md, "Status")."""

    CONFIRMED = "confirmed", _("Confirmed")
    SINGLE_SOURCE = "single_source", _("Single source")
    ASSUMPTION = "assumption", _("Assumption")


def status_field():
    """A rule's status; unknown defaults to assumption, never to confirmed."""
    return models.CharField(_("status"), max_length=20, choices=RuleStatus.choices,
                            default=RuleStatus.ASSUMPTION)


def source_note_field():
    return models.TextField(_("source"), blank=True,
                            help_text=_("Where the rule comes from, and how sure it is."))


def status_valid(name):
    return models.CheckConstraint(condition=Q(status__in=RuleStatus.values), name=name)


class Methodology(Bilingual, models.Model):
    """How answers become scores and scores become bands, for one era of the assessment.

    ``scale_max`` is the top of the indicator scale (1 for yes/no, 3 or 5 for rubrics).
    ``index_max`` is the top of the published scale (100, or 5 for the PEKPPP index); bands are
    stored on that published scale while the app computes every score on 0-100.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    scale_max = models.PositiveSmallIntegerField(
        _("indicator scale maximum"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    index_max = models.DecimalField(_("published scale maximum"), max_digits=6, decimal_places=2,
                                    default=Decimal(100))
    first_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    status = status_field()
    source_note = source_note_field()

    class Meta:
        ordering = ["first_year", "code"]
        verbose_name = _("methodology")
        verbose_name_plural = _("methodologies")
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gte=1, scale_max__lte=5),
                                   name="methodology_scale_1_5"),
            models.CheckConstraint(condition=Q(index_max__gt=0), name="methodology_index_positive"),
            status_valid("methodology_status_valid"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.localized("name")


class Zone(models.TextChoices):
    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")


class Band(Bilingual, models.Model):
    """A score band; the lower bound is inclusive and on the methodology's published scale.

    ``zone`` is blank for a methodology that publishes no zones (PEKPPP publishes grades only):
    pages and exports then show the grade (category and label) where they would show a zone.
    """

    methodology = models.ForeignKey(Methodology, on_delete=models.CASCADE, related_name="bands")
    lower_bound = models.DecimalField(_("lower bound"), max_digits=6, decimal_places=2)
    category = models.CharField(_("category"), max_length=3, blank=True)
    label_id = models.CharField(_("label (Indonesian)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    zone = models.CharField(_("zone"), max_length=10, choices=Zone.choices, blank=True)
    status = status_field()
    source_note = source_note_field()

    class Meta:
        ordering = ["methodology", "lower_bound"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "lower_bound"], name="band_bound_unique"),
            models.CheckConstraint(condition=Q(lower_bound__gte=0), name="band_bound_not_negative"),
            status_valid("band_status_valid"),
            models.CheckConstraint(condition=Q(zone__in=["", *Zone.values]),
                                   name="band_zone_valid"),
        ]

    def __str__(self):
        return f"{self.methodology.code} ≥ {self.lower_bound}: {self.category or self.zone}"

    @property
    def label(self):
        return self.localized("label")


class Dimension(Bilingual, models.Model):
    """A weighted group of components (2022+: Input, Process, Output, Complaints).

    A dimension without components is entered directly as one score per unit (the Output
    survey of service users).
    """

    methodology = models.ForeignKey(Methodology, on_delete=models.CASCADE,
                                    related_name="dimensions")
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    is_survey = models.BooleanField(_("entered as a survey score"), default=False)
    components = models.ManyToManyField(Component, blank=True, related_name="dimensions")

    class Meta:
        ordering = ["methodology", "order"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "code"], name="dimension_code_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="dimension_weight_not_negative"),
        ]

    def __str__(self):
        return f"{self.methodology.code}: {self.name_en} ({self.weight})"

    @property
    def name(self):
        return self.localized("name")
