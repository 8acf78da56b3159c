"""Plain helpers shared by the assessment tests and the tests above them (browser, exports,
printing): the page's text, filling and verifying checklists, the data of the verified round
(the ``verified_round`` fixture of tests/conftest.py) and publishing it. Fixtures live in the
conftest files; test modules never import from one another."""
import re
from decimal import Decimal
import shutil
import subprocess

from django.core.files.base import ContentFile
from django.urls import reverse

from assessments.models import Answer, Assessment, Evidence
from assessments.services import products
from assessments.services.answers import answer_save
from assessments.services.rounds import round_create, round_transition
from assessments.services.verification import answer_verify, assessment_finalise
from compliance.models import Methodology
from tests.checklists import checklist

from .fieldwork_fixtures import record_no_survey

PDFTOTEXT = shutil.which("pdftotext")
INSTALL = "apt-get install -y --no-install-recommends poppler-utils"


def text_of(response):
    """A page's text without its markup, whitespace collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def text_of_pdf(content: bytes, tmp_path) -> str:
    """A PDF's text as poppler's ``pdftotext -layout`` reads it."""
    assert PDFTOTEXT, f"pdftotext is missing: {INSTALL}"
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    result = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True,
                            capture_output=True, text=True, timeout=60)
    return re.sub(r"[ \t]+", " ", result.stdout)


# --- filling a checklist (through the service, as the operator) -------------------------------

def answer_all(assessment, user, value=3):
    for indicator in checklist().filter(active=True):
        answer_save(assessment_id=assessment.id, indicator=indicator, user=user, value=value,
                    not_applicable=False, note="", expected_version=0)


def fill(assessment, user, weak=("sarana",)):
    """Every indicator 3, those of the ``weak`` components 0."""
    for indicator in checklist().select_related("component"):
        value = 0 if indicator.component.code in weak else 3
        answer_save(assessment_id=assessment.id, indicator=indicator, user=user, value=value,
                    not_applicable=False, note="", expected_version=0)


def sample_two(field_round, key="a", user=None):
    """Both listed products of unit ``key`` of the ``field_round`` fixture sampled."""
    assessment = field_round["assessments"][key]
    return products.product_samples_set(
        assessment_id=assessment.id, by=user or field_round["personas"]["coordinator"],
        product_ids=[p.id for p in field_round["products"][key]])


# --- rounds created and verified by the services (``sultra_units``, ``verifying``) ------------

def new_round(admin, governments):
    return round_create(year=2026, name="Penilaian 2026",
                        methodology=Methodology.objects.get(code="ombudsman-2022"),
                        governments=governments, by=admin)


def verify_all(assessment, user, value):
    """Every indicator verified at ``value``; without a survey score, the reason there is
    none (finalising needs one or the other)."""
    for indicator in checklist().filter(active=True):
        answer = Answer.objects.filter(assessment=assessment, indicator=indicator).first()
        answer_verify(assessment_id=assessment.id, indicator=indicator, user=user,
                      verified_value=value, verified_not_applicable=False, finding="",
                      expected_version=answer.verification_version if answer else 0)
    if Assessment.objects.get(pk=assessment.pk).survey_score is None:
        record_no_survey(assessment, user)


def finalise_everything(verifying, value=2):
    for assessment in Assessment.objects.filter(round=verifying["round"], sampled=True):
        verify_all(assessment, verifying["assessor"], value)
        assessment_finalise(assessment_id=assessment.id, user=verifying["assessor"])


# --- the verified round (``verified_round``): what each unit claims and what is verified ------

INJECTION = '=HYPERLINK("http://example.org/x","klik")'
RAMP = "Belum ada ramp untuk kursi roda"
NOTE = "Kotak saran tersedia di loket"


def self_values(key, indicator):
    """Unit a claims everything (3); unit b claims little (1)."""
    return 3 if key == "a" else 1


def verified_values(key, indicator):
    """Unit a: complaints (j) 0, facilities (g) 3, everything else 2.
    Unit b: complaints (j) 3, everything else 1."""
    code = indicator.component.code
    if key == "a":
        return {"pengaduan": 0, "sarana": 3}.get(code, 2)
    return 3 if code == "pengaduan" else 1


FINDINGS = {("a", "pengaduan", 1): INJECTION, ("a", "sarana", 1): RAMP}


def publish(live_round, personas):
    round_transition(round_=live_round["round"], to_state="published", by=personas["admin"])
    live_round["round"].refresh_from_db()


def figures(html, row_id):
    """{"self": …, "verified": …, "gap": …} of one table row, as the page prints them."""
    match = re.search(rf'<tr id="{re.escape(row_id)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    result = {}
    for name, cell in re.findall(r'data-figure="(\w+)"[^>]*>(.*?)</t[dh]>', match.group(1),
                                 re.S):
        text = re.sub(r"<[^>]+>", " ", cell)
        number = re.search(r"[-+]?\d+(?:\.\d+)?", text)
        result[name] = Decimal(number.group()) if number else None
    return result


def file_and_link_evidence(assessment, indicator):
    """A stored file (a tiny PDF) and a link as the indicator's evidence: (file, link)."""
    evidence = Evidence(assessment=assessment, indicator=indicator, kind="file",
                        original_name="sk.pdf", size=8, sha256="0" * 64)
    evidence.file.save("x", ContentFile(b"%PDF-1.4"), save=False)
    evidence.save()
    link = Evidence.objects.create(assessment=assessment, indicator=indicator, kind="link",
                                   url="https://example.org")
    return evidence, link


# --- who may read a government's comparison and a unit's rapor (tests/assessments/test_reports.py
# before and after publication, test_reports_live.py in self-assessment) -----------------------

def comparison_url(live_round):
    return reverse("comparison", args=[live_round["government"].id, live_round["round"].id])


BEFORE_PUBLICATION = {  # persona: (comparison, rapor of unit a, its workbook)
    "admin": (200, 200, 200),
    "assessor": (200, 200, 200),
    "coordinator": (403, 403, 403),
    "leader": (403, 403, 403),
    "operator": (403, 403, 403),
    "operator_b": (403, 404, 404),
    "outsider": (404, 404, 404),
    "anonymous": ("login", "login", "login"),
}


def check_report_access(client_class, live_round, personas, matrix):
    a = live_round["assessments"]["a"]
    urls = [comparison_url(live_round), reverse("rapor", args=[a.id]),
            reverse("rapor-xlsx", args=[a.id])]
    problems = []
    for persona, statuses in matrix.items():
        for url, expected in zip(urls, statuses):
            client = client_class()
            if personas[persona] is not None:
                client.force_login(personas[persona])
            response = client.get(url)
            if expected == "login":
                ok = response.status_code == 302 and response["Location"].startswith(
                    reverse("login"))
            else:
                ok = response.status_code == expected
            if not ok:
                problems.append(f"{persona} {url}: {response.status_code}, wanted {expected}")
    assert not problems, "\n".join(problems)
