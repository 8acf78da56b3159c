"""Who is assessed (provinces, governments, agencies) and who may do what where (memberships)."""
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The Ministry of Home Affairs codes: "74" for a province (and its provincial government),
# "74.13" for a kabupaten (01-69) or kota (71-99). The synthetic nation writes "S74", "S74.13".
code_validator = RegexValidator(r"^S?\d{2}(\.\d{2})?\Z",
                                _("a code like 74 (province) or 74.13 (kabupaten or kota)"))


class TimeZone(models.TextChoices):
    """Indonesia's three time zones, by their IANA names."""
    WIB = "Asia/Jakarta", _("WIB (UTC+7)")
    WITA = "Asia/Makassar", _("WITA (UTC+8)")
    WIT = "Asia/Jayapura", _("WIT (UTC+9)")


class Province(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.CharField(_("code"), max_length=8, blank=True, default="",
                            validators=[code_validator],
                            help_text=_("The Ministry of Home Affairs code, e.g. 74."))
    time_zone = models.CharField(_("time zone"), max_length=20, blank=True, default="",
                                 choices=TimeZone.choices)
    synthetic = models.BooleanField(_("synthetic"), default=False, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""),
                                    name="province_code_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def zone_abbreviation(self) -> str:
        """"WIB", "WITA" or "WIT" ("" when unknown), as Indonesians write times."""
        return TimeZone(self.time_zone).name if self.time_zone else ""

    def localtime(self, value=None):
        """``value`` (default now) in the province's time, or in the site's time when the
        province's zone is unknown."""
        zone = ZoneInfo(self.time_zone) if self.time_zone else None
        return timezone.localtime(value, zone)


class Level(models.TextChoices):
    PROVINSI = "provinsi", _("Province")
    KABUPATEN = "kabupaten", _("Regency (kabupaten)")
    KOTA = "kota", _("City (kota)")


class Government(models.Model):
    """An assessed body: a provincial government, a kabupaten or a kota."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="governments",
                                 verbose_name=_("province"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    name = models.CharField(_("name"), max_length=150)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    code = models.CharField(_("code"), max_length=8, blank=True, default="",
                            validators=[code_validator],
                            help_text=_("The Ministry of Home Affairs code, e.g. 74.13."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("government")
        verbose_name_plural = _("governments")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="government_name_unique"),
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""),
                                    name="government_code_unique"),
            models.UniqueConstraint(fields=["province"], condition=Q(level="provinsi"),
                                    name="one_provincial_government"),
            models.CheckConstraint(condition=Q(level__in=["provinsi", "kabupaten", "kota"]),
                                   name="government_level_valid"),
        ]
        indexes = [models.Index(fields=["level", "province"])]

    def __str__(self):
        return self.name


class Alias(models.Model):
    """Another spelling of a province (``government`` empty) or of a government: an old name
    ("Toba Samosir"), an abbreviation ("Sultra"), a spelling an import met. Stored by its key
    (see ``agencies.identity.name_key``), so that case, spaces and punctuation do not matter."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="aliases",
                                 verbose_name=_("province"))
    government = models.ForeignKey(Government, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="aliases", verbose_name=_("government"))
    name = models.CharField(_("spelling"), max_length=150)
    key = models.CharField(_("key"), max_length=150, editable=False)

    class Meta:
        ordering = ["province", "key"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(government__isnull=True),
                                    name="alias_province_key_unique"),
            models.UniqueConstraint(fields=["province", "key"],
                                    condition=Q(government__isnull=False),
                                    name="alias_government_key_unique"),
            models.CheckConstraint(condition=~Q(key=""), name="alias_key_not_empty"),
        ]

    def __str__(self):
        return f"{self.name} → {self.government or self.province}"


class AgencyKind(models.TextChoices):
    DPMPTSP = "dpmptsp", _("Investment and one-stop licensing (DPMPTSP)")
    DISDUKCAPIL = "disdukcapil", _("Civil registry (Disdukcapil)")
    PENDIDIKAN = "pendidikan", _("Education office")
    KESEHATAN = "kesehatan", _("Health office")
    SOSIAL = "sosial", _("Social affairs office")
    PUSKESMAS = "puskesmas", _("Community health centre (Puskesmas)")
    OTHER = "other", _("Other agency")


# The units sampled in a regency since 2022 (docs/methodology.md, "Units"): five offices and
# two Puskesmas.
SAMPLED_KINDS = ("dpmptsp", "disdukcapil", "pendidikan", "kesehatan", "sosial", "puskesmas")


class Agency(models.Model):
    """An OPD (or a Puskesmas): the unit whose checklist is filled and scored."""

    government = models.ForeignKey(Government, on_delete=models.PROTECT, related_name="agencies",
                                   verbose_name=_("government"))
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices,
                            default=AgencyKind.OTHER)

    class Meta:
        ordering = ["government", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["government", "name"], name="agency_name_unique"),
        ]

    def __str__(self):
        return self.short_name or self.name


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator (agency staff)")
    COORDINATOR = "coordinator", _("Coordinator (Bagian Organisasi)")
    ASSESSOR = "assessor", _("Assessor (Ombudsman)")
    LEADER = "leader", _("Leader (Bupati, Sekda)")
    ADMINISTRATOR = "administrator", _("Administrator")


class Membership(models.Model):
    """A user's role with its scope. Operators hold an agency; coordinators, leaders and
    assessors a government (an assessor has one membership per assigned government);
    administrators hold no scope (everything)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    government = models.ForeignKey(Government, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="memberships", verbose_name=_("government"))
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="memberships", verbose_name=_("agency"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role="operator", agency__isnull=False, government__isnull=True)
                    | Q(role__in=["coordinator", "assessor", "leader"], agency__isnull=True,
                        government__isnull=False)
                    | Q(role="administrator", agency__isnull=True, government__isnull=True)
                ),
            ),
            models.UniqueConstraint(fields=["user", "agency"], condition=Q(role="operator"),
                                    name="membership_operator_unique"),
            models.UniqueConstraint(fields=["user", "role", "government"],
                                    condition=Q(government__isnull=False),
                                    name="membership_government_unique"),
            models.UniqueConstraint(fields=["user"], condition=Q(role="administrator"),
                                    name="membership_administrator_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.agency or self.government or '*'}"
