"""The round workbook: the sheets a leader hands over, the same figures as the pages,
verified data only when allowed, text never a formula."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Answer
from assessments.services.answers import answer_save
from assessments.services.rounds import round_transition

from tests.checklists import checklist
from tests.workbooks import table

from .helpers import finalise_everything


def sheets(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return {ws.title: table(ws) for ws in workbook.worksheets}


@pytest.mark.django_db
def test_government_workbook_of_a_live_round(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="sarana-1")
    answer_save(assessment_id=assessment.id, indicator=indicator, user=personas["operator"],
                value=2, not_applicable=False, note="=HYPERLINK(\"http://x\")",
                expected_version=0)
    client.force_login(personas["leader"])
    client.cookies["django_language"] = "en"
    url = reverse("government-report-xlsx", args=[live_round["round"].id,
                                                  live_round["government"].id])
    response = client.get(url, {"token": "abc123"})
    assert response.status_code == 200 and response.cookies["download_token"].value == "abc123"
    data = sheets(response)
    assert list(data) == ["Summary", "Units x components", "Findings and actions", "Answers"]
    summary = data["Summary"]
    assert summary[1][0] == "Kabupaten Muna Barat" and summary[0][-2:] == ("2021", "2022")
    assert summary[1][-2:] == (34.19, 69.27)
    # Before publication the summary is the board's mock score (unit a alone has a score; b
    # has answered nothing), against 2022's published 69.27, and the title says so.
    assert summary[1][2:9] == (2.14, "E", "Red", None, "Regency (kabupaten) in Sulawesi Tenggara",
                               69.27, -67.13)
    workbook = load_workbook(io.BytesIO(response.content))
    for sheet in workbook.worksheets:
        assert sheet["A1"].value == "Compliance round report: Kabupaten Muna Barat"
        assert sheet["A3"].value == ("Projection: self-assessment scores, not yet verified by "
                                     "the Ombudsman.")
        assert sheet["A4"].value.startswith("Made on ")
        assert sheet["A4"].value.endswith(" by leader")
    units = data["Units x components"]
    assert len(units) == 3 and len(units[0]) == 5 + 14 + 1
    assert units[0][-1] == "Survey"  # "without survey" only where verified figures show
    assert {row[-1] for row in units[1:]} <= {None, ""}
    answers = data["Answers"]
    assert len(answers) == 1 + 2 * 48 and "Verified value" not in answers[0]
    row = next(r for r in answers if r[1] == "DPMPTSP Muna Barat" and r[2] == "g1")
    assert row[4] == 2 and row[6] == '=HYPERLINK("http://x")'
    note_cell = next(c for c in workbook["Answers"]["G"] if c.value == row[6])
    assert note_cell.data_type == "s"


@pytest.mark.django_db
def test_workbook_scope(client, personas, live_round):
    url = reverse("government-report-xlsx", args=[live_round["round"].id,
                                                  live_round["government"].id])
    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 404
    province_url = reverse("province-report-xlsx", args=[live_round["round"].id,
                                                         live_round["government"].province_id])
    for name, status in (("leader", 403), ("coordinator", 403), ("assessor", 200),
                         ("admin", 200)):
        client.force_login(personas[name])
        assert client.get(province_url).status_code == status, name


@pytest.mark.django_db
def test_published_round_workbook_has_ranking_findings_and_verified_values(client, verifying):
    round_ = verifying["round"]
    finalise_everything(verifying)
    answer = Answer.objects.filter(assessment=verifying["dpmptsp"]).first()
    Answer.objects.filter(id=answer.id).update(finding="SK belum ditandatangani")
    round_transition(round_=round_, to_state="published", by=verifying["admin"])
    client.force_login(verifying["admin"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("government-report-xlsx",
                                  args=[round_.id, verifying["mubar"].id]))
    data = sheets(response)
    assert "Ranking" in data
    assert data["Summary"][1] == (
        "Kabupaten Muna Barat", "Regency (kabupaten)", 66.67, "C", "Yellow", 1,
        "Regency (kabupaten) in Sulawesi Tenggara (1 government)", 69.27, -2.6,
        "a. Legal basis (66.67); b. Requirements (66.67); c. System, mechanism and procedure "
        "(66.67)", 34.19, 69.27, 66.67)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Summary"]["A3"].value == ("Official results: verified scores of the "
                                               "published round.")
    assert workbook["Summary"]["E6"].fill.fgColor.rgb.endswith("FFEB84")  # yellow, named
    findings = data["Findings and actions"]
    assert any(row[0] == "Finding" and row[4] == "SK belum ditandatangani" for row in findings)
    assert any(row[0] == "Action" and row[4] == "SK belum ditandatangani" for row in findings)
    assert data["Answers"][0][-2:] == ("Verified value", "Finding")
