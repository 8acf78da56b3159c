"""The assessor verifies a unit and finalises it; an administrator publishes the round; the
leader sees the new rank on the government page."""
import re

from playwright.sync_api import expect

from agencies.models import Role
from assessments.models import Answer, Assessment, GovernmentResult
from assessments.services.verification import answer_verify, assessment_finalise

from tests.checklists import checklist

from ..assessments.helpers import verify_all
from ..conftest import make_user
from ..assessments.fieldwork_fixtures import record_no_survey
from .helpers import log_in


def test_assessor_verifies_admin_publishes_leader_sees_rank(live_server, page, verifying):
    assessor, round_ = verifying["assessor"], verifying["round"]
    assessor.set_password("x-Secret-2026!")
    assessor.save()
    verifying["admin"].set_password("x-Secret-2026!")
    verifying["admin"].save()
    make_user("leader", Role.LEADER, government=verifying["mubar"])
    dpmptsp = verifying["dpmptsp"]
    for unit in Assessment.objects.filter(round=round_, sampled=True).exclude(id=dpmptsp.id):
        verify_all(unit, assessor, 2)
        assessment_finalise(assessment_id=unit.id, user=assessor)
    indicators = list(checklist().order_by("component__number", "order"))
    for indicator in indicators[2:]:  # the assessor did most of it yesterday
        answer = Answer.objects.get(assessment=dpmptsp, indicator=indicator)
        answer_verify(assessment_id=dpmptsp.id, indicator=indicator, user=assessor,
                      verified_value=3, verified_not_applicable=False, finding="",
                      expected_version=answer.verification_version)
    first, second = indicators[0], indicators[1]
    record_no_survey(dpmptsp, assessor)

    log_in(page, live_server.url, "assessor")
    page.goto(f"{live_server.url}/verify/{dpmptsp.id}/")
    expect(page.locator("#verified-progress")).to_have_text("46 dari 48 indikator terverifikasi")
    page.locator(f"#vv-{first.id}-3").check()
    page.locator(f"#verify-{first.id} button[type=submit]").click()
    expect(page.locator("#verified-progress")).to_have_text("47 dari 48 indikator terverifikasi")
    page.locator(f"#vv-{second.id}-1").check()
    page.locator(f"#finding-{second.id}").fill("Maklumat belum ditandatangani Kepala Dinas.")
    page.locator(f"#verify-{second.id} button[type=submit]").click()
    # The exact count: "47 of 48" also contains "48", and the next click could race the save.
    expect(page.locator("#verified-progress")).to_have_text("48 dari 48 indikator terverifikasi")
    page.locator("#finalise-unit").click()
    expect(page.locator("#consequences li").first).to_have_text(
        "48 dari 48 indikator sudah diverifikasi.")
    page.locator("#confirm").click()
    expect(page.locator("#verify-summary")).to_contain_text(re.compile("finali", re.I))
    assert Answer.objects.get(assessment=dpmptsp, indicator=second).finding.startswith(
        "Maklumat")

    page.context.clear_cookies()
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/rounds/{round_.id}/")
    page.locator("#step-published a").click()
    expect(page.locator("#not-finalised")).to_contain_text(
        re.compile(r"^0 unit layanan sampel belum difinalisasi"))
    page.locator("#confirm").click()
    expect(page.locator("main")).to_contain_text(re.compile("Dipublikasikan|Published"))
    result = GovernmentResult.objects.get(round=round_, government=verifying["mubar"])
    assert result.rank_province == 1 and result.score is not None

    page.context.clear_cookies()
    log_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/governments/{verifying['mubar'].id}/")
    row = page.locator("#history-table tbody tr", has_text="2026")
    expect(row).to_contain_text(f"{result.score:.2f}".replace(".", ","))
    expect(row).to_contain_text(re.compile(r"1 (dari|of) 1"))
