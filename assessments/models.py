"""Rounds, assessments (one agency in one round), answers, stored scores and official results."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Government
from compliance.models import Component, Indicator, Instrument, Methodology, Zone, default_instrument

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


def score_field(verbose_name):
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, null=True,
                               blank=True, validators=SCORE_VALIDATORS)


def score_in_range(field_name, constraint_name):
    return models.CheckConstraint(
        condition=Q(**{f"{field_name}__isnull": True})
        | Q(**{f"{field_name}__gte": 0, f"{field_name}__lte": 100}),
        name=constraint_name,
    )


class Round(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
        VERIFICATION = "verification", _("Verification")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField(_("name"), max_length=150)
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="rounds",
                                    verbose_name=_("methodology"))
    # Frozen for the round's life: its scores always come from this instrument version. Left
    # empty, it becomes the methodology's default (``compliance.models.default_instrument``).
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="rounds",
                                   verbose_name=_("instrument"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.DRAFT)
    is_official = models.BooleanField(
        _("official results only"), default=False,
        help_text=_("A past year that was not run in the app: it holds imported results."))
    self_deadline = models.DateField(_("self-assessment deadline"), null=True, blank=True)
    verification_deadline = models.DateField(_("verification deadline"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="round_name_unique"),
            models.UniqueConstraint(fields=["year"], condition=Q(is_official=True),
                                    name="one_official_round_per_year"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "self_assessment", "verification", "published",
                                       "closed"]),
                name="round_state_valid"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100),
                                   name="round_year_range"),
        ]

    def __str__(self):
        return self.name

    def _default_instrument(self):
        if self.instrument_id is None and self.methodology_id is not None:
            self.instrument_id = default_instrument(self.methodology_id)

    def clean(self):
        self._default_instrument()
        if self.instrument_id is None:
            raise ValidationError({"instrument": _("The methodology has no instrument.")})
        if (self.methodology_id is not None
                and self.instrument.methodology_id != self.methodology_id):
            raise ValidationError({"instrument": _(
                "The instrument belongs to another methodology.")})

    def save(self, *args, **kwargs):
        # A default, like auto_now: existing callers create rounds from a methodology alone.
        self._default_instrument()
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.state in (self.State.PUBLISHED, self.State.CLOSED)


class Assessment(models.Model):
    """One agency in one round, with its scores stored whenever an answer changes."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="assessments",
                              verbose_name=_("round"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assessments",
                               verbose_name=_("agency"))
    sampled = models.BooleanField(_("sampled"), default=False,
                                  help_text=_("Only sampled units count in the government score."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.NOT_STARTED)
    self_score = score_field(_("self-score"))
    verified_score = score_field(_("verified score"))
    survey_score = score_field(_("service users' survey score"))
    answered_count = models.PositiveIntegerField(_("answered indicators"), default=0)
    verified_count = models.PositiveIntegerField(_("verified indicators"), default=0)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "agency__name"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["round", "agency"], name="one_assessment_per_round"),
            score_in_range("self_score", "assessment_self_score_range"),
            score_in_range("verified_score", "assessment_verified_score_range"),
            score_in_range("survey_score", "assessment_survey_score_range"),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "submitted", "returned"]),
                name="assessment_status_valid"),
        ]

    def __str__(self):
        return f"{self.agency} · {self.round}"


class ComponentScore(models.Model):
    """A component's stored score for one assessment, read by dashboards and heat-maps."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="component_scores")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="+")
    self_score = score_field(_("self-score"))
    verified_score = score_field(_("verified score"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "component"],
                                    name="one_component_score"),
            score_in_range("self_score", "component_self_score_range"),
            score_in_range("verified_score", "component_verified_score_range"),
        ]


class ServiceProduct(models.Model):
    """A service product (jenis / produk layanan) of a unit, observed by the assessors. The list
    belongs to the agency, so it carries over from one round to the next by itself."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE = "administrative", _("Administrative")
        GOODS = "goods", _("Goods")
        SERVICES = "services", _("Services")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="products",
                               verbose_name=_("agency"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["agency", "name", "id"]
        verbose_name = _("service product")
        verbose_name_plural = _("service products")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="service_product_unique"),
            models.CheckConstraint(condition=Q(kind__in=["administrative", "goods", "services"]),
                                   name="service_product_kind_valid"),
        ]

    def __str__(self):
        return self.name


class ProductSample(models.Model):
    """A service product sampled for one assessment: its per-product indicators are answered
    for it, and the unit's per-product dimensions are the mean over its samples."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="product_samples", verbose_name=_("assessment"))
    product = models.ForeignKey(ServiceProduct, on_delete=models.PROTECT,
                                related_name="samples", verbose_name=_("service product"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("chosen by"))
    chosen_at = models.DateTimeField(_("chosen at"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "order", "id"]
        verbose_name = _("sampled product")
        verbose_name_plural = _("sampled products")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "product"],
                                    name="one_sample_per_product"),
        ]

    def __str__(self):
        return f"{self.assessment} · {self.product}"


class Answer(models.Model):
    """An answer to one indicator: for the unit (``product_sample`` empty) or, for a per-product
    indicator, for one sampled product. ``version`` guards against lost updates."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    product_sample = models.ForeignKey(ProductSample, on_delete=models.CASCADE, null=True,
                                       blank=True, related_name="answers",
                                       verbose_name=_("sampled product"))
    value = models.PositiveSmallIntegerField(_("value"), null=True, blank=True,
                                             validators=[MaxValueValidator(5)])
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # The assessor's side: empty until verified (never defaulted to the operator's claim).
    verified_value = models.PositiveSmallIntegerField(_("verified value"), null=True, blank=True,
                                                      validators=[MaxValueValidator(5)])
    verified_not_applicable = models.BooleanField(_("verified not applicable"), default=False)
    finding = models.TextField(_("finding"), max_length=2000, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"],
                                    condition=Q(product_sample__isnull=True),
                                    name="one_answer_per_indicator"),
            models.UniqueConstraint(fields=["assessment", "indicator", "product_sample"],
                                    condition=Q(product_sample__isnull=False),
                                    name="one_answer_per_indicator_and_product"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__lte=5),
                                   name="answer_value_range"),
            models.CheckConstraint(condition=~Q(not_applicable=True, value__isnull=False),
                                   name="answer_value_or_not_applicable"),
            models.CheckConstraint(
                condition=Q(verified_value__isnull=True) | Q(verified_value__lte=5),
                name="answer_verified_value_range"),
            models.CheckConstraint(
                condition=~Q(verified_not_applicable=True, verified_value__isnull=False),
                name="answer_verified_value_or_not_applicable"),
        ]

    @property
    def is_verified(self):
        return self.verified_not_applicable or self.verified_value is not None

    @property
    def is_answered(self):
        return self.not_applicable or self.value is not None


class GovernmentResult(models.Model):
    """A government's result in a round: imported official figures for past years, or the
    figures computed when a round is published."""

    class Source(models.TextChoices):
        IMPORTED = "imported", _("Imported official result")
        COMPUTED = "computed", _("Computed from verified scores")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="results",
                              verbose_name=_("round"))
    government = models.ForeignKey(Government, on_delete=models.PROTECT, related_name="results",
                                   verbose_name=_("government"))
    score = score_field(_("score"))
    category = models.CharField(_("category"), max_length=3, blank=True)
    zone = models.CharField(_("zone"), max_length=10, choices=Zone.choices, blank=True)
    published_rank = models.CharField(_("published rank"), max_length=120, blank=True)
    not_assessed = models.BooleanField(_("not assessed"), default=False)
    not_assessed_reason = models.CharField(_("reason not assessed"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.IMPORTED)
    # Stored when a round is published (peer group = same level); imported rows leave them empty.
    rank_province = models.PositiveIntegerField(_("rank in the province"), null=True, blank=True)
    rank_province_all = models.PositiveIntegerField(_("rank among all governments of the "
                                                      "province"), null=True, blank=True)
    rank_national = models.PositiveIntegerField(_("national rank"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("government result")
        verbose_name_plural = _("government results")
        constraints = [
            models.UniqueConstraint(fields=["round", "government"], name="one_result_per_round"),
            score_in_range("score", "result_score_range"),
            models.CheckConstraint(
                condition=Q(not_assessed=True, score__isnull=True)
                | Q(not_assessed=False, score__isnull=False),
                name="result_score_unless_not_assessed"),
        ]
        indexes = [models.Index(fields=["round", "score"])]

    def __str__(self):
        return f"{self.government} · {self.round}: {self.score}"


def evidence_path(instance, filename):
    """A generated storage name: nothing of the uploader's file name reaches the disk."""
    import uuid

    return f"evidence/{instance.assessment_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file or a link that supports one indicator's answer: the unit's (``product_sample``
    empty) or, for a per-product indicator, the answer for one sampled product."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    # Not "evidence": Indicator.evidence is the expected-evidence text, and a reverse accessor of
    # that name replaced it (templates printed "assessments.Evidence.None").
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT,
                                  related_name="evidence_items")
    product_sample = models.ForeignKey(ProductSample, on_delete=models.CASCADE, null=True,
                                       blank=True, related_name="evidence_items",
                                       verbose_name=_("sampled product"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="file") & ~Q(file="") & Q(url="") & ~Q(sha256=""))
                | (Q(kind="link") & Q(file="") & ~Q(url="")),
                name="evidence_file_or_link"),
        ]
        indexes = [models.Index(fields=["assessment", "indicator"])]

    def __str__(self):
        return self.original_name or self.url


class ChecklistEvent(models.Model):
    """Submission and return of a checklist: who, when and why. Never edited."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["submitted", "returned"]),
                                   name="checklist_event_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="returned", comment=""),
                                   name="checklist_return_needs_comment"),
        ]


class RoundGovernment(models.Model):
    """A government taking part in a round; it may be "not assessed" (e.g. for security)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participants")
    government = models.ForeignKey(Government, on_delete=models.PROTECT, related_name="+")
    not_assessed = models.BooleanField(_("not assessed"), default=False)
    not_assessed_reason = models.CharField(_("reason not assessed"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "government"], name="one_participation"),
            models.CheckConstraint(condition=~Q(not_assessed=True, not_assessed_reason=""),
                                   name="not_assessed_needs_reason"),
        ]


class RoundTransition(models.Model):
    """Every change of a round's state (and every republication), with who, when and why."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=20)
    to_state = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]


class ActionItem(models.Model):
    """A follow-up action (rencana aksi): from an assessor's finding, or a weak component."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="actions")
    source_answer = models.ForeignKey(Answer, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="actions")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    title = models.CharField(_("action"), max_length=500)
    owner = models.CharField(_("owner"), max_length=150, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "in_progress", "done"]),
                                   name="action_status_valid"),
            models.UniqueConstraint(fields=["agency", "source_answer"],
                                    condition=Q(source_answer__isnull=False),
                                    name="one_action_per_finding"),
        ]

    def __str__(self):
        return self.title


class Obstacle(models.Model):
    """An obstacle (kendala) an agency reports to its leaders, periodically, until resolved."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="obstacles")
    action = models.ForeignKey(ActionItem, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="obstacles")
    description = models.TextField(_("obstacle"), max_length=2000)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # The leaders' side: seen, and their answer (which the operator reads on the agency page).
    seen_at = models.DateTimeField(_("seen by a leader at"), null=True, blank=True)
    answer = models.TextField(_("leader's answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "id"]

    def __str__(self):
        return self.description[:80]


from .models_reports import Frequency, LeaderReport, LeaderReportSetting  # noqa: E402,F401
from .models_fieldwork import (ComplaintChannel, ComplaintRecord, Interview,  # noqa: E402,F401
                               InterviewAnswer, InterviewRole, Observation, SurveyRecord, Visit)


class OmbudsmanProduct(models.Model):
    """One of the Ombudsman's products addressed to a government in a round (a corrective
    action, a suggestion, a recommendation) and its follow-up. Entered by the government's
    coordinator, read and verified by its assessors; it feeds the 2025 indicator
    "tindak-lanjut-produk-ombudsman" (``compliance.scoring.follow_up_value``)."""

    class Kind(models.TextChoices):
        CORRECTIVE_ACTION = "corrective_action", _("Corrective action (tindakan korektif)")
        SUGGESTION = "suggestion", _("Suggestion (saran)")
        RECOMMENDATION = "recommendation", _("Recommendation (rekomendasi)")

    class Status(models.TextChoices):
        OPEN = "open", _("Not yet followed up")
        FOLLOWED_UP = "followed_up", _("Followed up")

    government = models.ForeignKey(Government, on_delete=models.PROTECT,
                                   related_name="ombudsman_products")
    round = models.ForeignKey(Round, on_delete=models.PROTECT,
                              related_name="ombudsman_products")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=120)
    issued_on = models.DateField(_("date"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="ombudsman-products/%Y/",
                                     blank=True, max_length=200)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "government", "due_on", "id"]
        verbose_name = _("Ombudsman product")
        verbose_name_plural = _("Ombudsman products")
        constraints = [
            models.UniqueConstraint(fields=["round", "government", "reference"],
                                    name="ombudsman_product_reference_unique"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("issued_on")),
                                   name="ombudsman_product_due_after_issue"),
            models.CheckConstraint(
                condition=Q(kind__in=["corrective_action", "suggestion", "recommendation"]),
                name="ombudsman_product_kind_valid"),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(followed_up_on__isnull=True))
                | (Q(status="followed_up") & Q(followed_up_on__isnull=False)),
                name="ombudsman_product_followed_up_has_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def on_time(self) -> bool:
        return (self.status == self.Status.FOLLOWED_UP and self.followed_up_on is not None
                and self.followed_up_on <= self.due_on)
