"""The operator's journey through the checklist, and the coordinator returning it."""
import re

from playwright.sync_api import expect

from agencies.models import Role
from assessments.models import Assessment, ChecklistEvent, Evidence
from assessments.services.answers import answer_save

from tests.checklists import checklist

from ..conftest import make_user
from .helpers import log_in

PDF = b"%PDF-1.4\n%%EOF\n"


def test_operator_fills_attaches_and_submits_then_coordinator_returns(live_server, page,
                                                                       live_round, tmp_path):
    assessment = live_round["assessments"]["a"]
    operator = make_user("operator", Role.OPERATOR, agency=assessment.agency)
    make_user("coordinator", Role.COORDINATOR, government=live_round["government"])
    indicators = list(checklist().order_by("component__number", "order"))
    first, second = indicators[0], indicators[1]
    for indicator in indicators[2:]:  # the rest was filled on earlier days
        answer_save(assessment_id=assessment.id, indicator=indicator, user=operator, value=2,
                    not_applicable=False, note="", expected_version=0)

    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    expect(page.locator("#completion-text")).to_have_text("46 dari 48 indikator terjawab")

    # Type a note in the second row, then answer the first (each saves itself): the note
    # typed meanwhile must survive.
    page.locator(f"#note-{second.id}").fill("masih dicari")
    page.locator(f"label[for=v-{first.id}-3]").click()
    page.locator(f"#note-{first.id}").fill("SK Bupati 2026")
    expect(page.locator(f"#answer-state-{first.id}")).to_contain_text("Tersimpan")
    expect(page.locator("#completion-text")).to_have_text("47 dari 48 indikator terjawab")
    expect(page.locator(f"#note-{second.id}")).to_have_value("masih dicari")
    expect(page.locator(f"#status-{first.id}")).to_contain_text(re.compile("evidence|bukti",
                                                                           re.I))

    # Attach a PDF to the first indicator without reloading the page.
    pdf = tmp_path / "SK Standar Pelayanan.pdf"
    pdf.write_bytes(PDF)
    page.locator(f"#evidence-{first.id} summary").click()
    page.locator(f"#file-{first.id}").set_input_files(str(pdf))
    page.locator(f"#evidence-{first.id} form button[type=submit]").last.click()
    expect(page.locator(f"#evidence-{first.id}")).to_contain_text("SK Standar Pelayanan.pdf")
    expect(page.locator(f"#status-{first.id}")).not_to_contain_text(
        re.compile("evidence|bukti", re.I))
    expect(page.locator(f"#note-{second.id}")).to_have_value("masih dicari")

    # Submitting with one indicator left: the confirmation page names what is missing and
    # offers no Confirm button; its link leads back to the indicator.
    page.locator("#submit-checklist").click()
    expect(page.locator("#cannot-confirm")).to_contain_text(f"a{second.order}")
    expect(page.locator("#confirm")).to_have_count(0)
    page.locator("#cannot-confirm a").first.click()
    page.locator(f"label[for=v-{second.id}-1]").click()
    # The exact count: "47 of 48" also contains "48", and the next click could race the save.
    expect(page.locator("#completion-text")).to_have_text("48 dari 48 indikator terjawab")
    expect(page.locator(f"#answer-state-{second.id}")).to_contain_text("Tersimpan")
    page.locator("#submit-checklist").click()
    expect(page.locator("#consequences li").first).to_have_text(
        "48 dari 48 indikator sudah dijawab.")
    page.locator("#cancel").click()  # Cancel changes nothing
    expect(page.locator("#submit-checklist")).to_be_visible()
    assert Assessment.objects.get(id=assessment.id).status == "in_progress"
    page.locator("#submit-checklist").click()
    page.locator("#confirm").click()
    expect(page.locator("#checklist-events")).to_be_visible()
    expect(page.locator("#submit-checklist")).to_have_count(0)
    assert Assessment.objects.get(id=assessment.id).status == "submitted"
    assert Evidence.objects.get().sha256

    # The coordinator returns it with a comment; the operator can edit again.
    page.context.clear_cookies()
    log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    page.locator("#return-comment").fill("Foto papan informasi belum dilampirkan.")
    page.locator("form[action$='/return/'] button[type=submit]").click()
    expect(page.locator("#checklist-events")).to_contain_text(
        "Foto papan informasi belum dilampirkan.")
    assert ChecklistEvent.objects.filter(kind="returned").count() == 1

    page.context.clear_cookies()
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    expect(page.locator("#checklist-events")).to_contain_text("Foto papan informasi")
    expect(page.locator("#submit-checklist")).to_be_visible()
