"""The standard itself: the 14 components of UU 25/2009 Article 21, the scoring methodologies
and their instruments (versioned data: dimensions → indicators), kept as data because the
Ombudsman changes them."""
from decimal import Decimal

from django.core.exceptions import ValidationError
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
    """The English source note (the field keeps its first name: data files, workbooks and code
    call it ``source_note``); ``source_note_id`` is the Indonesian one."""
    return models.TextField(_("source (English)"), blank=True,
                            help_text=_("Where the rule comes from, and how sure it is."))


def source_note_id_field():
    return models.TextField(_("source (Indonesian)"), blank=True,
                            help_text=_("Where the rule comes from, and how sure it is."))


def note_in(language, english, indonesian):
    """The note in ``language`` (Indonesian unless it is English), else in the other language:
    a rule whose note is written in one language only still says where it comes from."""
    if (language or "id")[:2] == "en":
        return english or indonesian
    return indonesian or english


class SourceNoted:
    """A rule with a source note in English (``source_note``) and Indonesian
    (``source_note_id``)."""

    @property
    def localized_source_note(self):
        return note_in(get_language(), self.source_note, self.source_note_id)


def status_valid(name):
    return models.CheckConstraint(condition=Q(status__in=RuleStatus.values), name=name)


class Methodology(Bilingual, SourceNoted, models.Model):
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
    source_note_id = source_note_id_field()

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


class Band(Bilingual, SourceNoted, models.Model):
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
    source_note_id = source_note_id_field()

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



class Instrument(Bilingual, SourceNoted, models.Model):
    """One version of an instrument of a methodology: its dimensions and indicators.

    An instrument is versioned data: a change is a new row (same ``code``, new ``version``),
    never an edit of one that a round uses (``compliance.instruments`` refuses that), so a past
    or running round keeps the figures it was scored with.

    ``purpose``: ``assessment`` is the assessing body's own instrument (the Ombudsman's, or
    KemenPAN-RB's PEKPPP); ``self_assessment`` is the app's preparation checklist that operators
    fill. Each methodology has at most one default instrument per purpose (a partial unique
    constraint); a round created without an instrument takes the methodology's default (see
    ``default_instrument``).
    """

    class Purpose(models.TextChoices):
        ASSESSMENT = "assessment", _("Assessment (the assessing body's instrument)")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment (the app's checklist)")

    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT,
                                    related_name="instruments", verbose_name=_("methodology"))
    code = models.SlugField(_("code"), max_length=60)
    version = models.CharField(_("version"), max_length=40)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    status = status_field()
    source_note = source_note_field()
    source_note_id = source_note_id_field()
    is_default = models.BooleanField(_("default of its methodology"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["methodology", "code", "created_at", "id"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_version_unique"),
            models.UniqueConstraint(fields=["methodology", "purpose"],
                                    condition=Q(is_default=True),
                                    name="one_default_instrument_per_purpose"),
            models.CheckConstraint(condition=Q(purpose__in=["assessment", "self_assessment"]),
                                   name="instrument_purpose_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "single_source", "assumption"]),
                name="instrument_status_valid"),
        ]

    def __str__(self):
        return f"{self.code} {self.version}"

    @property
    def name(self):
        return self.localized("name")


def default_instrument(methodology_id):
    """The instrument a round of this methodology uses when none is chosen: the default
    self-assessment instrument (the checklist operators fill and assessors verify, which is
    what the app scores today), else the default assessment instrument; None if it has none."""
    found = {purpose: pk for purpose, pk in Instrument.objects.filter(
        methodology_id=methodology_id, is_default=True).values_list("purpose", "id")}
    return found.get(Instrument.Purpose.SELF_ASSESSMENT) or found.get(
        Instrument.Purpose.ASSESSMENT)


class Dimension(Bilingual, SourceNoted, models.Model):
    """A weighted part of an instrument (2022+: Input, Process, Output, Complaints; PEKPPP's
    aspects). Its indicators point to it (``Indicator.dimension``).

    ``rollup`` is how its indicators become its score on 0-100:
    - ``points``: Σ weight × value / Σ weight × max × 100 over its applicable indicators (each
      on its own scale);
    - ``component_mean``: the mean of the scores of the Art. 21 components whose indicators it
      holds (each component: points over its indicators), the app's rule before instruments.
    A dimension with per-product indicators scores once per sampled product and takes the mean
    over the products. ``is_survey``: a score entered directly per unit (the Output survey of
    service users, the 2025 public-trust part); it holds no indicators.
    """

    class Rollup(models.TextChoices):
        POINTS = "points", _("Points over the indicators")
        COMPONENT_MEAN = "component_mean", _("Mean of the component scores")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE,
                                   related_name="dimensions", verbose_name=_("instrument"))
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    is_survey = models.BooleanField(_("entered as a survey score"), default=False)
    rollup = models.CharField(_("roll-up"), max_length=20, choices=Rollup.choices,
                              default=Rollup.POINTS)
    status = status_field()
    source_note = source_note_field()
    source_note_id = source_note_id_field()

    class Meta:
        ordering = ["instrument", "order", "id"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="dimension_code_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="dimension_weight_not_negative"),
            models.CheckConstraint(condition=Q(rollup__in=["points", "component_mean"]),
                                   name="dimension_rollup_valid"),
        ]

    def __str__(self):
        return f"{self.instrument}: {self.name_en} ({self.weight})"

    @property
    def name(self):
        return self.localized("name")


class Scale(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no (0–1)")
    ZERO_THREE = "0_3", _("0–3")
    ZERO_FIVE = "0_5", _("0–5 rubric")


SCALE_MAX = {Scale.YES_NO: 1, Scale.ZERO_THREE: 3, Scale.ZERO_FIVE: 5}


class SourceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    INTERVIEW = "interview", _("Interview")
    OBSERVATION = "observation", _("Observation")
    SURVEY = "survey", _("Survey")
    COMPLAINT_RECORD = "complaint_record", _("Complaint record")
    SECONDARY_DATA = "secondary_data", _("Secondary data")


class Indicator(Bilingual, SourceNoted, models.Model):
    """One item of an instrument, in one of its dimensions; the evidence hint tells operators
    what to attach, the guidance how the item is judged.

    ``component``: the Art. 21 component it concerns, if any (component scores are stored per
    assessment for dashboards). ``per_product``: answered once per sampled service product
    instead of once per unit. ``standing``: about a standing document (a decree, a pledge) that
    may be carried forward from the previous round. ``code`` is unique within its instrument.
    """

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE,
                                   related_name="indicators", verbose_name=_("instrument"))
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE,
                                  related_name="indicators", verbose_name=_("dimension"))
    component = models.ForeignKey(Component, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="indicators", verbose_name=_("component"))
    code = models.SlugField(_("code"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    text_id = models.CharField(_("text (Indonesian)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300)
    evidence_id = models.CharField(_("evidence (Indonesian)"), max_length=300, blank=True)
    evidence_en = models.CharField(_("evidence (English)"), max_length=300, blank=True)
    guidance_id = models.TextField(_("guidance (Indonesian)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1))
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices,
                             default=Scale.YES_NO)
    source_kind = models.CharField(_("kind of source"), max_length=20,
                                   choices=SourceKind.choices, default=SourceKind.DOCUMENT)
    per_product = models.BooleanField(_("answered per service product"), default=False)
    standing = models.BooleanField(_("standing document (carried forward)"), default=False)
    status = status_field()
    source_note = source_note_field()
    source_note_id = source_note_id_field()
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["instrument", "component__number", "order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="indicator_code_unique"),
            models.UniqueConstraint(fields=["instrument", "component", "order"],
                                    condition=Q(component__isnull=False),
                                    name="indicator_order_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="indicator_weight_not_negative"),
            models.CheckConstraint(condition=Q(scale__in=["yes_no", "0_3", "0_5"]),
                                   name="indicator_scale_valid"),
            models.CheckConstraint(
                condition=Q(source_kind__in=[kind.value for kind in SourceKind]),
                name="indicator_source_kind_valid"),
        ]
        indexes = [models.Index(fields=["instrument", "active"])]

    def __str__(self):
        prefix = f"{self.component.letter}{self.order}" if self.component_id else self.code
        return f"{prefix}. {self.text_id}"

    def clean(self):
        if self.dimension_id is None or self.instrument_id is None:
            return
        if self.dimension.instrument_id != self.instrument_id:
            raise ValidationError({"dimension": _("The dimension belongs to another instrument.")})
        if self.dimension.is_survey:
            raise ValidationError({"dimension": _(
                "A survey dimension is entered as one score; it holds no indicators.")})

    @property
    def scale_max(self) -> int:
        return SCALE_MAX[self.scale]

    @property
    def text(self):
        return self.localized("text")

    @property
    def evidence(self):
        return self.localized("evidence")

    @property
    def guidance(self):
        return self.localized("guidance")


class RubricLevel(Bilingual, models.Model):
    """What one level of a 0–3 or 0–5 indicator means (PEKPPP's rubrics: 0 none … 5 monitored
    and evaluated)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="rubric",
                                  verbose_name=_("indicator"))
    level = models.PositiveSmallIntegerField(_("level"), validators=[MaxValueValidator(5)])
    description_id = models.TextField(_("description (Indonesian)"))
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["indicator", "level"]
        verbose_name = _("rubric level")
        verbose_name_plural = _("rubric levels")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="rubric_level_unique"),
            models.CheckConstraint(condition=Q(level__lte=5), name="rubric_level_range"),
        ]

    @property
    def description(self):
        return self.localized("description")
