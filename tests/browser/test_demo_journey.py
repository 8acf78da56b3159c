"""The demo's current round, on the 2025 Opini instrument, walked end to end as README says:
the operator answers what is left and submits, the administrator opens verification, the
assessor verifies and finalises, the administrator publishes, and the leader sees the result
with its opinion label on the government page."""
import re

from playwright.sync_api import expect

from agencies.models import Government
from assessments.demo import DEMO_PASSWORD, seed_demo
from assessments.models import Answer, Assessment, GovernmentResult, Round
from assessments.selectors.instruments import (complaint_indicators, follow_up_indicator,
                                               interview_indicators)

OPINIONS = re.compile(r"Kualitas (Terendah|Rendah|Sedang|Tinggi|Tertinggi)")


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("nav form[action='/accounts/logout/']")).to_have_count(1)


def test_the_demo_round_on_the_2025_instrument_end_to_end(live_server, page, transactional_db,
                                                           standard):
    seed_demo()
    round_ = Round.objects.get(year=2026)
    assert round_.instrument.code == "ombudsman-2025-opini"
    mubar = Government.objects.get(name="Kabupaten Muna Barat")
    dpmptsp = Assessment.objects.get(round=round_, agency__government=mubar,
                                     agency__short_name="DPMPTSP")
    indicators = list(round_.instrument.indicators.filter(active=True))
    assert len(indicators) == 8
    answered = set(Answer.objects.filter(assessment=dpmptsp).values_list("indicator_id",
                                                                         flat=True))
    left = [indicator for indicator in indicators if indicator.id not in answered]
    assert len(left) == 3

    # The operator answers the three indicators left and submits.
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{dpmptsp.id}/")
    expect(page.locator("#completion-text")).to_contain_text("5")
    for indicator in left:
        page.locator(f"label[for=v-{indicator.id}-2]").click()
        expect(page.locator(f"#answer-state-{indicator.id}")).to_contain_text(
            re.compile("Tersimpan|Saved"))
    expect(page.locator("#completion-text")).to_contain_text("8")
    page.locator("#submit-checklist").click()
    page.locator("#confirm").click()
    expect(page.locator("#submit-checklist")).to_have_count(0)

    # The administrator opens verification.
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/rounds/{round_.id}/")
    page.locator("#step-verification a").click()
    page.locator("#confirm").click()
    expect(page.locator("#round-state")).to_contain_text(re.compile("Verifikasi|Verification"))

    # The assessor verifies every indicator, enters the public-trust survey and finalises.
    # Interview and complaint-record indicators are verified on the sources page (one interview
    # of the head of the office; the complaint records' judgement), the rest on the sheet.
    log_in(page, live_server.url, "assessor")
    asked = interview_indicators(round_.instrument_id)
    judged = complaint_indicators(round_.instrument_id)
    on_sources = {indicator.id for indicator in asked + judged}
    page.goto(f"{live_server.url}/verify/{dpmptsp.id}/sources/")
    if asked:
        form = page.locator("#interview-head")
        form.locator("input[name=interviewed_on]").fill("2026-06-15")
        for indicator in asked:
            form.locator(f"select[name=value_{indicator.id}]").select_option("2")
        page.locator("#interview-save-head").click()
        expect(page.locator("#interview-head legend .badge")).to_be_visible()
    for indicator in judged:
        page.locator(f"#vv-{indicator.id}-2").check()
        page.locator(f"#verify-save-{indicator.id}").click()
        expect(page.locator(f"#verify-{indicator.id}")).to_contain_text(
            re.compile("Tersimpan|Saved"))
    # The follow-up of the Ombudsman's products comes from the government's record (the demo
    # has 2 of 3 due products followed up on time: value 2), applied from its page.
    follow_up = follow_up_indicator(round_.instrument_id)
    page.goto(f"{live_server.url}/verify/{dpmptsp.id}/")
    expect(page.locator("#follow-up-note")).to_contain_text(follow_up.code)
    expect(page.locator(f"#verify-{follow_up.id}")).to_have_count(0)
    page.locator("#follow-up-note a").click()
    expect(page.locator("#follow-up-summary")).to_contain_text("2")
    page.locator("#apply-button").click()
    expect(page.locator(f"#unit-{dpmptsp.id}")).to_contain_text("2")
    page.goto(f"{live_server.url}/verify/{dpmptsp.id}/")
    for indicator in indicators:
        if indicator.id in on_sources or indicator.id == follow_up.id:
            continue
        page.locator(f"#vv-{indicator.id}-2").check()
        page.locator(f"#verify-{indicator.id} button[type=submit]").click()
        expect(page.locator(f"#verify-{indicator.id}")).to_be_visible()
    expect(page.locator("#verified-progress")).to_contain_text("8")
    page.locator("#survey-score").fill("75")
    page.locator("#survey-score").press("Enter")
    expect(page.locator("#survey-score")).to_have_value(re.compile("75"))
    page.locator("#finalise-unit").click()
    page.locator("#confirm").click()
    expect(page.locator("#verify-summary")).to_contain_text(re.compile("finali", re.I))

    # The administrator publishes.
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/rounds/{round_.id}/")
    page.locator("#step-published a").click()
    page.locator("#confirm").click()
    expect(page.locator("#round-state")).to_contain_text(re.compile("Dipublikasikan|Published"))
    result = GovernmentResult.objects.get(round=round_, government=mubar)
    assert result.score is not None

    # The leader sees the 2026 result, its opinion label and the assumed-bands notice.
    log_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/governments/{mubar.id}/")
    row = page.locator("#history-table tbody tr", has_text="2026")
    expect(row).to_contain_text(f"{result.score:.2f}".replace(".", ","))
    expect(row).to_contain_text(OPINIONS)
    expect(row).to_contain_text(re.compile("belum diumumkan|not published yet"))
    row.locator("a", has_text=re.compile("metodologi|methodology")).click()
    expect(page.locator("h1")).to_contain_text("Opini")
