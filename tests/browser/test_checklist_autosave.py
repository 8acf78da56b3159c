"""Answers save themselves when chosen, say so, survive a conflict or a failed connection, and
are never lost silently on leaving; without JavaScript the Save button still posts; on a phone
the summary stays on screen."""
import re

from playwright.sync_api import expect

from agencies.models import Role
from assessments.models import Answer
from assessments.services.answers import answer_save

from tests.checklists import checklist

from ..conftest import make_user
from .helpers import log_in


def indicators():
    return list(checklist().filter(active=True).order_by("component__number", "order"))


def settled(page):
    page.wait_for_function("() => !document.querySelector('form[data-inflight=\"1\"]')")


def answer_of(assessment, indicator):
    return Answer.objects.filter(assessment=assessment, indicator=indicator).first()


def test_choosing_saves_and_the_summary_follows(live_server, page, live_round):
    assessment = live_round["assessments"]["a"]
    operator = make_user("operator", Role.OPERATOR, agency=assessment.agency)
    rows = indicators()
    for indicator in rows[:-2]:
        answer_save(assessment_id=assessment.id, indicator=indicator, user=operator, value=1,
                    not_applicable=False, note="", expected_version=0)
    second_last, last = rows[-2], rows[-1]
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    expect(page.locator(f"#save-{last.id}")).to_be_hidden()  # JavaScript saves by itself
    link = page.locator("#unanswered-link a")
    expect(link).to_have_text("2 indikator belum dijawab")
    expect(link).to_have_attribute("href", f"#indicator-{second_last.id}")

    page.locator(f"label[for=v-{second_last.id}-2]").click()
    expect(page.locator(f"#answer-state-{second_last.id}")).to_have_text("✓ Tersimpan.")
    expect(page.locator(f"#answer-state-{second_last.id}")).to_have_attribute("role", "status")
    expect(page.locator("#completion-text")).to_have_text("47 dari 48 indikator terjawab")
    expect(link).to_have_attribute("href", f"#indicator-{last.id}")
    assert answer_of(assessment, second_last).value == 2

    # A value, then "not applicable": the value is cleared, not refused.
    page.locator(f"label[for=v-{last.id}-3]").click()
    expect(page.locator("#completion-text")).to_have_text("48 dari 48 indikator terjawab")
    expect(page.locator("#unanswered-link")).to_be_empty()
    page.locator(f"label[for=na-{last.id}]").click()
    expect(page.locator(f"#v-{last.id}-3")).not_to_be_checked()
    settled(page)
    expect(page.locator(f"#answer-state-{last.id}")).to_have_text("✓ Tersimpan.")
    saved = answer_of(assessment, last)
    assert (saved.value, saved.not_applicable) == (None, True)

    # The note saves a second after typing stops, without leaving the field.
    page.locator(f"#note-{last.id}").click()
    with page.expect_response(re.compile(r"/answers/\d+/$"), timeout=5000):
        page.keyboard.type("Tidak ada layanan daring")
    expect(page.locator(f"#answer-state-{last.id}")).to_have_text("✓ Tersimpan.")
    settled(page)
    assert answer_of(assessment, last).note == "Tidak ada layanan daring"
    expect(page.locator(f"#note-{last.id}")).to_be_focused()  # typing was never interrupted


def test_conflict_failure_and_leaving_never_lose_input(live_server, page, live_round):
    assessment = live_round["assessments"]["a"]
    operator = make_user("operator", Role.OPERATOR, agency=assessment.agency)
    colleague = make_user("operator_2", Role.OPERATOR, agency=assessment.agency)
    first, second = indicators()[:2]
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")

    # A colleague saves the same indicator after the page was opened.
    answer_save(assessment_id=assessment.id, indicator=first, user=colleague, value=0,
                not_applicable=False, note="dari rekan", expected_version=0)
    page.locator(f"#note-{first.id}").fill("catatan saya")
    page.locator(f"label[for=v-{first.id}-3]").click()
    state = page.locator(f"#answer-state-{first.id}")
    expect(state).to_contain_text("diubah oleh pengguna lain")
    expect(state).to_contain_text("Nilai tersimpan: 0 · dari rekan")
    expect(page.locator(f"#note-{first.id}")).to_have_value("catatan saya")
    expect(page.locator(f"#v-{first.id}-3")).to_be_checked()
    assert answer_of(assessment, first).note == "dari rekan"
    state.get_by_role("button", name="Coba lagi").click()
    expect(state).to_have_text("✓ Tersimpan.")
    saved = answer_of(assessment, first)
    assert (saved.value, saved.note, saved.updated_by) == (3, "catatan saya", operator)

    # The connection drops: the answer says so, offers Retry, and leaving asks first.
    page.route("**/answers/**", lambda route: route.abort())
    page.locator(f"label[for=v-{second.id}-1]").click()
    state = page.locator(f"#answer-state-{second.id}")
    expect(state).to_contain_text("Belum tersimpan")
    expect(state.get_by_role("button", name="Coba lagi")).to_be_visible()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert answer_of(assessment, second) is None

    # Back online, Retry saves it and the page may be left without a question.
    page.unroute("**/answers/**")
    state.get_by_role("button", name="Coba lagi").click()
    expect(state).to_have_text("✓ Tersimpan.")
    assert answer_of(assessment, second).value == 1
    with page.expect_event("close", timeout=5000):
        page.close(run_before_unload=True)
    assert dialogs == ["beforeunload"]


def test_session_ended_is_a_failed_save_not_a_login_page(live_server, page, live_round):
    assessment = live_round["assessments"]["a"]
    make_user("operator", Role.OPERATOR, agency=assessment.agency)
    first = indicators()[0]
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    page.context.clear_cookies(name="sessionid")  # the CSRF cookie stays: a login page answers
    page.locator(f"label[for=v-{first.id}-2]").click()
    state = page.locator(f"#answer-state-{first.id}")
    expect(state).to_contain_text("sesi Anda telah berakhir")
    expect(state.locator("input, form")).to_have_count(0)  # no login form inside the row
    assert answer_of(assessment, first) is None


def test_without_javascript_the_save_button_posts(live_server, browser, live_round):
    assessment = live_round["assessments"]["a"]
    make_user("operator", Role.OPERATOR, agency=assessment.agency)
    first = indicators()[0]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    page.locator(f"label[for=v-{first.id}-1]").click()
    page.locator(f"#note-{first.id}").fill("tanpa JavaScript")
    page.locator(f"#save-{first.id}").click()
    expect(page.locator("main .alert-success")).to_have_text("Tersimpan.")
    expect(page).to_have_url(re.compile(f"#indicator-{first.id}$"))
    expect(page.locator(f"#v-{first.id}-1")).to_be_checked()
    saved = answer_of(assessment, first)
    assert (saved.value, saved.note) == (1, "tanpa JavaScript")
    context.close()


def test_on_a_phone_the_summary_stays_on_screen(live_server, browser, live_round):
    assessment = live_round["assessments"]["a"]
    make_user("operator", Role.OPERATOR, agency=assessment.agency)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    page.locator("#unanswered-link a").click()
    page.mouse.wheel(0, 6000)
    page.wait_for_timeout(300)
    box = page.locator("#checklist-summary").bounding_box()
    assert box["y"] == 0 and box["height"] < 120, box
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 16000, height  # 48 indicators, evidence folded (26,000 px before)
    context.close()
