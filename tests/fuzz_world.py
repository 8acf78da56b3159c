"""The world of the fuzz tests (tests/test_fuzz_inputs.py) and the mass-assignment tests
(tests/test_mass_assignment.py): the conftest's standard, Sulawesi Tenggara, live round and
personas, plus one of everything a URL can name. Built once per module by the ``fuzz_world``
fixture of tests/conftest.py; ``SNAPSHOT_MODELS`` are the tables a page writes, and
``upload``/``csv_upload`` make the files both modules post."""
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Alias, Government, Membership, Province, Role
from assessments.models import (ActionItem, Answer, Assessment, ChecklistEvent, ComplaintRecord,
                                ComponentScore, Evidence, GovernmentResult, Interview,
                                InterviewAnswer, LeaderReport, Observation, Obstacle,
                                OmbudsmanProduct, ProductSample, Round, RoundGovernment, RoundTransition,
                                ServiceProduct, SurveyRecord, Visit)
from compliance.models import Dimension, Indicator, Instrument, Methodology, RubricLevel
from exports.models import ExportJob
from notifications.models import Notification
from tests.checklists import checklist

from .assessments.helpers import file_and_link_evidence
from .conftest import build_sultra_from_scratch, make_user

User = get_user_model()

# The tables a page of the project writes (the standard's tables are written by migrations
# and commands only).
SNAPSHOT_MODELS = [Province, Government, Alias, Agency, Membership, Round, RoundGovernment,
                   RoundTransition, Assessment, ComponentScore, Answer, Evidence, ChecklistEvent,
                   ActionItem, Obstacle, GovernmentResult, Instrument, Dimension, Indicator,
                   RubricLevel, ServiceProduct, ProductSample, Interview, InterviewAnswer,
                   Observation, SurveyRecord, ComplaintRecord, Visit, OmbudsmanProduct]


def build_world():
    """The conftest's standard, sultra, live_round and personas, plus one of everything a URL
    can name (evidence, an action, an obstacle, a participation, a superuser, a group)."""
    government = build_sultra_from_scratch()
    kendari = Government.objects.get(name="Kota Kendari")
    methodology = Methodology.objects.get(code="ombudsman-2022")
    round_ = Round.objects.create(
        year=2026, name="Penilaian 2026", state=Round.State.SELF_ASSESSMENT,
        methodology=methodology, self_deadline=timezone.localdate() + timedelta(days=30))
    agency = Agency.objects.create(government=government, name="DPMPTSP Muna Barat",
                                   short_name="DPMPTSP", kind=AgencyKind.DPMPTSP)
    agency_b = Agency.objects.create(government=government, name="Disdukcapil Muna Barat",
                                     short_name="Disdukcapil", kind=AgencyKind.DISDUKCAPIL)
    agency_k = Agency.objects.create(government=kendari, name="DPMPTSP Kendari",
                                     kind=AgencyKind.DPMPTSP)
    assessment = Assessment.objects.create(round=round_, agency=agency, sampled=True)
    assessment_b = Assessment.objects.create(round=round_, agency=agency_b, sampled=True)
    Assessment.objects.create(round=round_, agency=agency_k, sampled=False)
    personas = {
        "operator": make_user("operator", Role.OPERATOR, agency=agency),
        "operator_b": make_user("operator_b", Role.OPERATOR, agency=agency_b),
        "coordinator": make_user("coordinator", Role.COORDINATOR, government=government),
        "assessor": make_user("assessor", Role.ASSESSOR, government=government),
        "leader": make_user("leader", Role.LEADER, government=government),
        "outsider": make_user("outsider", Role.LEADER, government=kendari),
        "admin": make_user("admin", Role.ADMINISTRATOR),
        "anonymous": None,
        "superuser": User.objects.create_superuser("root", password="x-Secret-2026!"),
    }
    indicator = (checklist().filter(active=True).select_related("component")
                 .order_by("component__number", "order").first())
    evidence, link = file_and_link_evidence(assessment, indicator)
    RoundGovernment.objects.create(round=round_, government=government)
    products = [ServiceProduct.objects.create(agency=agency, name=name, kind=kind)
                for name, kind in (("Izin usaha", "administrative"), ("Konsultasi", "services"))]
    sample = ProductSample.objects.create(assessment=assessment, product=products[0])
    per_product = Indicator.objects.create(  # the checklist instruments have none
        instrument=round_.instrument, dimension=round_.instrument.dimensions.first(),
        code="fuzz-pp", order=99, text_id="Produk", text_en="Product", scale="0_3",
        per_product=True)
    Indicator.objects.create(  # the round's Ombudsman products page needs it to be asked for
        instrument=round_.instrument, dimension=round_.instrument.dimensions.first(),
        code="tindak-lanjut-produk-ombudsman", order=98, text_id="Tindak lanjut",
        text_en="Follow-up", scale="0_3")
    ombudsman = OmbudsmanProduct(government=government, round=round_, kind="suggestion",
                                 reference="S/1/2026", issued_on="2026-01-05",
                                 due_on="2026-02-05")
    ombudsman.evidence_file.save("x.pdf", ContentFile(b"%PDF-1.4"), save=False)
    ombudsman.save()
    report_file = default_storage.save("leader-reports/fuzz.xlsx", ContentFile(b"PK"))
    job = ExportJob.objects.create(
        user=personas["operator"], kind="government", status="done", progress=100,
        params={"round": round_.id, "government": government.id},
        file=default_storage.save("exports/fuzz/rapor.xlsx", ContentFile(b"PK")),
        filename="rapor.xlsx", content_type="application/octet-stream",
        expires_at=timezone.now() + timedelta(days=7))
    return SimpleNamespace(job=job, ombudsman=ombudsman,
        notification=Notification.objects.create(
            recipient=personas["operator"], kind="returned", params={"agency": agency.name},
            dedupe_key="fuzz:1"),
        report=LeaderReport.objects.create(government=government, frequency="weekly",
                                           period_start="2026-01-05", period_end="2026-01-11",
                                           file=report_file),
        products=products, sample=sample, per_product=per_product,
        personas=personas, government=government, kendari=kendari,
        province=government.province, agency=agency, agency_b=agency_b, agency_k=agency_k,
        round=round_, published=Round.objects.get(year=2021), assessment=assessment,
        assessment_b=assessment_b, indicator=indicator, evidence=evidence, link=link,
        action=ActionItem.objects.create(agency=agency, title="Papan informasi"),
        obstacle=Obstacle.objects.create(agency=agency, description="Anggaran belum turun",
                                         reported_by=personas["operator"]),
        superuser=personas["superuser"], group=Group.objects.create(name="Penilai"),
        newcomer=make_user("newcomer"),
        membership=Membership.objects.get(user=personas["operator"]),
        methodology=methodology, scale_max=methodology.scale_max,
        other_indicator=checklist().filter(active=True).exclude(pk=indicator.pk).first())


def upload(name, content, content_type="application/octet-stream"):
    return lambda: SimpleUploadedFile(name, content, content_type=content_type)


def csv_upload(name, *rows, encoding="utf-8"):
    text = "\n".join(",".join(row) for row in (("province", "government", "name"), *rows))
    return upload(name, text.encode(encoding, "surrogateescape"), "text/csv")
