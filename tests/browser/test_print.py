"""Print buttons under the strict CSP: bound from static/js/print.js through ``data-print`` (an
inline onclick was blocked, and the buttons did nothing); the PDF links download a PDF."""
import pytest
from playwright.sync_api import expect

from ..assessments.helpers import publish
from .helpers import PASSWORD, log_in

STUB_PRINT = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


@pytest.fixture
def leader_on_published_round(live_server, page, verified_round, personas):
    publish(verified_round, personas)
    leader = personas["leader"]
    leader.set_password(PASSWORD)
    leader.save()
    page.add_init_script(STUB_PRINT)
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    log_in(page, live_server.url, "leader")
    return verified_round, errors


@pytest.mark.parametrize("which", ["rapor", "comparison"])
def test_print_button_prints_without_a_csp_error(live_server, page, leader_on_published_round,
                                                 which):
    world, errors = leader_on_published_round
    if which == "rapor":
        url = f"{live_server.url}/checklists/{world['assessments']['a'].id}/rapor/"
    else:
        url = (f"{live_server.url}/governments/{world['government'].id}/rounds/"
               f"{world['round'].id}/comparison/")
    page.goto(url)
    button = page.locator("#print")
    expect(button).to_be_visible()
    button.click()
    assert page.evaluate("() => window.__printed") == 1
    assert page.locator("[onclick]").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_pdf_links_download_pdfs(live_server, page, leader_on_published_round):
    world, _errors = leader_on_published_round
    page.goto(f"{live_server.url}/checklists/{world['assessments']['a'].id}/rapor/")
    with page.expect_download() as download:
        page.locator("#rapor-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    page.goto(f"{live_server.url}/governments/{world['government'].id}/rounds/"
              f"{world['round'].id}/comparison/")
    with page.expect_download() as download:
        page.locator("#government-rapor-pdf").click()
    assert download.value.suggested_filename == (
        f"rapor-2026-kabupaten-muna-barat-{world['government'].id}.pdf")
