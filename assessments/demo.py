"""Demo data for ``manage.py seed_demo``: the official list of provinces and governments,
Sulawesi Tenggara's published results and Muna Barat's current round (2026, on the 2025
"Opini Ombudsman" methodology and instrument), written through the same
services the app uses (the results find their governments by the import's identity rules,
nothing is created by name). Idempotent: running it again adds nothing that is already there.
Demo passwords live only here."""
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Government, Membership, Role
from agencies.regions import regions_load
from compliance.models import Methodology
from compliance.spreadsheets.reading import read_sheet

from .models import Answer, Assessment, OmbudsmanProduct, Round, RoundGovernment
from .selectors.instruments import round_indicators
from .services.answers import answer_save
from .services.ombudsman_products import ombudsman_product_add
from .services.scores import assessment_recompute_scores, assessment_recompute_verified
from .services.results import results_import

DATA = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "demo-Kepatuhan-2026"
PROVINCE = "Sulawesi Tenggara"
MUNA_BARAT = "Kabupaten Muna Barat"
MUNA_BARAT_UNITS = [
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", AgencyKind.DPMPTSP),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", AgencyKind.DISDUKCAPIL),
    ("Dinas Pendidikan dan Kebudayaan", "Dinas Pendidikan", AgencyKind.PENDIDIKAN),
    ("Dinas Kesehatan", "Dinas Kesehatan", AgencyKind.KESEHATAN),
    ("Dinas Sosial", "Dinas Sosial", AgencyKind.SOSIAL),
    ("Puskesmas Guali", "Puskesmas Guali", AgencyKind.PUSKESMAS),
    ("Puskesmas Wuna", "Puskesmas Wuna", AgencyKind.PUSKESMAS),
]
MUNA_BARAT_OTHER_UNITS = [
    ("Dinas Perhubungan", "Dishub", AgencyKind.OTHER),
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM", AgencyKind.OTHER),
]
KENDARI = "Kota Kendari"
CURRENT_METHODOLOGY = "ombudsman-2025"
FINDINGS = [
    "Bukti dukung belum ditandatangani pejabat berwenang.",
    "Informasi belum dipublikasikan di laman resmi.",
    "Papan informasi tidak terlihat dari ruang tunggu.",
    "Dokumen yang dilampirkan tidak sesuai dengan indikator.",
]
# How far each sampled unit has got with its checklist, and how well it does.
FILL = {"DPMPTSP": (0.65, 0.75), "Disdukcapil": (1.0, 0.85), "Dinas Pendidikan": (0.5, 0.6),
        "Dinas Kesehatan": (0.8, 0.7), "Dinas Sosial": (0.3, 0.5), "Puskesmas Guali": (0.6, 0.65),
        "Puskesmas Wuna": (0.4, 0.55)}
USERS = [
    # username, full name, role, scope ("gov:NAME" or "agency:SHORT")
    ("admin", "Administrator", Role.ADMINISTRATOR, None),
    ("operator", "Operator DPMPTSP Muna Barat", Role.OPERATOR, "agency:DPMPTSP"),
    ("operator2", "Operator Disdukcapil Muna Barat", Role.OPERATOR, "agency:Disdukcapil"),
    ("coordinator", "Koordinator Bagian Organisasi Muna Barat", Role.COORDINATOR, "gov:" + MUNA_BARAT),
    ("assessor", "Asisten Ombudsman Sultra", Role.ASSESSOR, "gov:" + MUNA_BARAT),
    ("leader", "Sekda Muna Barat", Role.LEADER, "gov:" + MUNA_BARAT),
    ("outsider", "Sekda Kota Kendari", Role.LEADER, "gov:" + KENDARI),
]


def _import(filename, year):
    path = DATA / filename
    return results_import(sheet=read_sheet(path.read_bytes(), path.name), year=year)


def _agencies(government, units):
    agencies = []
    for name, short, kind in units:
        agency, _created = Agency.objects.get_or_create(
            government=government, name=name, defaults={"short_name": short, "kind": kind})
        agencies.append(agency)
    return agencies


def _users(agencies_by_short):
    User = get_user_model()
    for username, full_name, role, scope in USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            first, _space, last = full_name.partition(" ")
            user.first_name, user.last_name = first, last
            user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
            user.set_password(DEMO_PASSWORD)
            user.save()
        government = agency = None
        if scope and scope.startswith("gov:"):
            government = Government.objects.get(name=scope[4:])
        elif scope:
            agency = agencies_by_short[scope[7:]]
        Membership.objects.get_or_create(user=user, role=role, government=government,
                                         agency=agency)


WEAK_COMPONENTS = ("sarana", "kompetensi", "jumlah_pelaksana")  # what Muna Barat's leaders named


def _fill(assessment, user, share, quality, rng):
    """Answer a share of the checklist (a random but fixed subset), values drawn around the
    unit's quality; facilities, staff competence and number of staff are the weak spots."""
    answered = set(Answer.objects.filter(assessment=assessment).values_list("indicator_id",
                                                                             flat=True))
    indicators = round_indicators(assessment.round.instrument_id)
    chosen = sorted(rng.sample(range(len(indicators)), round(len(indicators) * share)))
    for index in chosen:
        indicator = indicators[index]
        scale = indicator.scale_max
        component = indicator.component.code if indicator.component else ""
        weak = 0.35 if component in WEAK_COMPONENTS else 1.0
        value = min(scale, max(0, round(scale * quality * weak + (rng.random() - 0.5) * scale)))
        if indicator.id in answered:
            continue
        answer_save(assessment_id=assessment.id, indicator=indicator, user=user, value=value,
                    not_applicable=False, note="", expected_version=0)


def _pre_verify(assessment, assessor, rng):
    """The assessor's desk review done ahead of the demo: a verified value for every
    indicator (the claim, sometimes one step lower; unanswered counts as 0), a survey score,
    and the unit finalised. Written directly: the round is still in self-assessment, where the
    verification service (rightly) refuses to run."""
    if assessment.finalised_at is not None:
        return
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    rows = []
    for indicator in round_indicators(assessment.round.instrument_id):
        answer = answers.get(indicator.id) or Answer(assessment=assessment, indicator=indicator,
                                                     version=0)
        claimed = answer.value or 0
        answer.verified_value = max(0, claimed - (1 if rng.random() < 0.25 else 0))
        answer.verified_by = assessor
        answer.verified_at = timezone.now()
        answer.verification_version = 1
        if answer.verified_value < claimed and rng.random() < 0.5:
            answer.finding = rng.choice(FINDINGS)
        rows.append(answer)
    Answer.objects.bulk_create([a for a in rows if a.pk is None])
    Answer.objects.bulk_update([a for a in rows if a.pk is not None],
                               ["verified_value", "verified_by", "verified_at",
                                "verification_version", "finding"])
    assessment.survey_score = Decimal(rng.randint(6000, 9500)) / 100
    assessment.finalised_at = timezone.now()
    assessment.finalised_by = assessor
    assessment.save(update_fields=["survey_score", "finalised_at", "finalised_by"])
    assessment_recompute_verified(assessment=assessment)


def _other_governments(round_, assessor):
    """Two sampled units (DPMPTSP, Disdukcapil) for every other Sulawesi Tenggara government,
    answered and pre-verified, so that publishing the round ranks Muna Barat among its peers."""
    indicators = round_indicators(round_.instrument_id)
    for government in Government.objects.filter(province__name=PROVINCE).exclude(
            name=MUNA_BARAT).order_by("name"):
        RoundGovernment.objects.get_or_create(round=round_, government=government)
        rng = random.Random(f"2026-{government.name}")
        quality = 0.35 + 0.6 * rng.random()
        for short, kind in (("DPMPTSP", AgencyKind.DPMPTSP),
                            ("Disdukcapil", AgencyKind.DISDUKCAPIL)):
            agency, _created = Agency.objects.get_or_create(
                government=government, kind=kind,
                defaults={"name": f"{short} {government.short_name or government.name}",
                          "short_name": short})
            assessment, created = Assessment.objects.get_or_create(
                round=round_, agency=agency, defaults={"sampled": True})
            if not created:
                continue
            Answer.objects.bulk_create([
                Answer(assessment=assessment, indicator=indicator, version=1,
                       value=min(indicator.scale_max, max(0, round(
                           indicator.scale_max * quality
                           + (rng.random() - 0.5) * indicator.scale_max))))
                for indicator in indicators])
            assessment_recompute_scores(assessment=assessment)
            _pre_verify(assessment, assessor, rng)


# The Ombudsman's products addressed to Muna Barat (reference, kind, days before today it was
# issued, due, followed up or None): two followed up on time, one overdue and one not yet due,
# so the page shows "2 of 3 due products followed up on time → value 2".
OMBUDSMAN_PRODUCTS = [
    ("TK/0112/SULTRA/2026", "corrective_action", 150, 90, 96),
    ("S/0045/SULTRA/2026", "suggestion", 120, 60, 65),
    ("R/0007/SULTRA/2026", "recommendation", 80, 20, None),
    ("S/0093/SULTRA/2026", "suggestion", 10, -50, None),
]


def _ombudsman_products(round_, government, coordinator):
    """Recorded once through the coordinator's service (a rerun finds them by reference)."""
    today = timezone.localdate()
    known = set(OmbudsmanProduct.objects.filter(round=round_, government=government)
                .values_list("reference", flat=True))
    for reference, kind, issued, due, followed in OMBUDSMAN_PRODUCTS:
        if reference in known:
            continue
        ombudsman_product_add(
            government=government, round_id=round_.id, user=coordinator, kind=kind,
            reference=reference, issued_on=today - timedelta(days=issued),
            due_on=today - timedelta(days=due),
            status="followed_up" if followed is not None else "open",
            followed_up_on=today - timedelta(days=followed) if followed is not None else None,
            evidence_url=f"https://example.org/mubar/tindak-lanjut/{reference.split('/')[1]}"
            if followed is not None else "")


@transaction.atomic
def seed_demo(stdout=None):
    regions_load()
    _import("sultra_2021.csv", 2021)
    _import("sultra_2022_partial.csv", 2022)
    muna_barat = Government.objects.get(name=MUNA_BARAT)
    sampled = _agencies(muna_barat, MUNA_BARAT_UNITS)
    others = _agencies(muna_barat, MUNA_BARAT_OTHER_UNITS)
    # The current round runs on the 2025 methodology (Opini Ombudsman) and its instrument, the
    # methodology's default; the imported 2021 and 2022 rounds keep their own methodologies.
    round_, _created = Round.objects.get_or_create(
        year=2026, name="Penilaian Opini Ombudsman 2026",
        defaults={"methodology": Methodology.objects.get(code=CURRENT_METHODOLOGY),
                  "state": Round.State.SELF_ASSESSMENT,
                  "self_deadline": timezone.localdate() + timedelta(days=60),
                  "verification_deadline": timezone.localdate() + timedelta(days=120)})
    RoundGovernment.objects.get_or_create(round=round_, government=muna_barat)
    for agency in sampled:
        Assessment.objects.get_or_create(round=round_, agency=agency, defaults={"sampled": True})
    for agency in others:
        Assessment.objects.get_or_create(round=round_, agency=agency, defaults={"sampled": False})
    by_short = {agency.short_name: agency for agency in sampled}
    _users(by_short)
    operator = get_user_model().objects.get(username="operator")
    assessor = get_user_model().objects.get(username="assessor")
    if round_.state != Round.State.SELF_ASSESSMENT:
        return _logins()
    for agency in sampled:
        rng = random.Random(f"2026-{agency.short_name}")  # per unit: reruns draw the same
        share, quality = FILL[agency.short_name]
        assessment = Assessment.objects.select_related("round__methodology").get(
            round=round_, agency=agency)
        _fill(assessment, operator, share, quality, rng)
        if agency.short_name != "DPMPTSP":  # the unit left for the demo's walk-through
            _pre_verify(assessment, assessor, rng)
    _other_governments(round_, assessor)
    _ombudsman_products(round_, muna_barat,
                        get_user_model().objects.get(username="coordinator"))
    return _logins()


def _logins():
    return [(username, full_name, Role(role).label) for username, full_name, role, _s in USERS]
