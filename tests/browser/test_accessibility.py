"""axe-core scans of the main pages (WCAG 2.0/2.1 A and AA), and the forms used by keyboard only.

axe-core is vendored under tests/browser/vendor (a test asset, never served by the app) and
injected with `page.evaluate`, which the app's strict CSP (no inline scripts) does not block, so
the pages are scanned under the same policy real users get. Only serious and critical
violations fail a test: moderate and minor ones are judgement calls axe itself is unsure of.
"""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from assessments.models import Round

from ..assessments.helpers import publish
from ..conftest import make_user
from .helpers import PASSWORD, log_in
from tests.checklists import checklist

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe_source():
    return AXE.read_text(encoding="utf-8")


def scan(page, axe_source):
    """Run axe on the loaded page; return the serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    results = page.evaluate(
        "async (tags) => await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS)
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def describe(violations):
    lines = []
    for violation in violations:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}"
                     f" nodes): {violation['help']} → {targets}")
    return "\n".join(lines)


def assert_accessible(page, axe_source, name):
    violations = scan(page, axe_source)
    assert not violations, f"{name} ({page.url}):\n{describe(violations)}"


def switch_language(page, code):
    """Change the language with the nav's form, by keyboard (it is a plain select + button)."""
    page.locator("#language-select").select_option(code)
    page.locator("#language-select + button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_axe_injection_works_under_the_apps_csp(live_server, page, axe_source):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(axe_source)
    assert re.match(r"4\.\d+\.\d+", page.evaluate("() => axe.version"))
    # A deliberately broken element proves the scan runs and reports.
    page.evaluate("() => { const i = document.createElement('input');"
                  " document.querySelector('main').appendChild(i); }")
    ids = {v["id"] for v in scan(page, axe_source)}
    assert "label" in ids


def test_login_page_in_both_languages(live_server, page, axe_source):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert_accessible(page, axe_source, "login (id)")
    # A failed login shows the form's error: scan that state too.
    page.locator("input[name=username]").fill("nobody")
    page.locator("input[name=password]").fill("wrong")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .alert, main .invalid-feedback").first).to_be_visible()
    assert_accessible(page, axe_source, "login with error (id)")
    switch_language(page, "en")
    assert_accessible(page, axe_source, "login (en)")


def test_operator_checklist(live_server, page, axe_source, live_round):
    assessment = live_round["assessments"]["a"]
    make_user("operator", Role.OPERATOR, agency=assessment.agency)
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    expect(page.locator("#completion-text")).to_be_visible()
    assert_accessible(page, axe_source, "checklist (id)")
    switch_language(page, "en")
    assert_accessible(page, axe_source, "checklist (en)")
    page.locator("#submit-checklist").click()
    expect(page.locator("#consequences")).to_be_visible()
    assert_accessible(page, axe_source, "submit confirmation (en)")

    # The coordinator's view of it (with the return form) and the progress board.
    make_user("coordinator", Role.COORDINATOR, government=live_round["government"])
    page.context.clear_cookies()
    log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    expect(page.locator("#completion-text")).to_be_visible()
    assert_accessible(page, axe_source, "checklist for the coordinator (id)")
    page.goto(f"{live_server.url}/governments/{live_round['government'].id}/board/")
    assert_accessible(page, axe_source, "progress board (id)")


def test_province_ranking_and_public_results(live_server, page, axe_source, sultra):
    make_user("leader", Role.LEADER, government=sultra)
    round_ = Round.objects.get(year=2022)
    page.goto(f"{live_server.url}/results/")
    assert_accessible(page, axe_source, "public results (id)")
    page.goto(f"{live_server.url}/results/{round_.id}/?province={sultra.province_id}")
    expect(page.locator("#public-ranking-table tbody tr").first).to_be_visible()
    assert_accessible(page, axe_source, "public round results (id)")
    log_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/rankings/")
    assert_accessible(page, axe_source, "ranking index (id)")
    page.goto(f"{live_server.url}/rankings/{round_.id}/{sultra.province_id}/")
    expect(page.locator("#ranking-table tbody tr").first).to_be_visible()
    assert_accessible(page, axe_source, "province ranking (id)")
    switch_language(page, "en")
    assert_accessible(page, axe_source, "province ranking (en)")
    page.goto(f"{live_server.url}/rankings/{round_.id}/{sultra.province_id}/?zone=red")
    assert_accessible(page, axe_source, "province ranking filtered (en)")


@pytest.mark.parametrize("code", ["ombudsman-2016", "ombudsman-2022", "ombudsman-2025",
                                  "pekppp"])
def test_methodology_pages_in_both_languages(live_server, page, axe_source, transactional_db,
                                             standard, code):
    """The public Methodology page of each methodology, reached from the footer, without login."""
    page.goto(f"{live_server.url}/results/")
    page.locator("footer a[href='/methodology/']").click()
    assert_accessible(page, axe_source, "methodology list (id)")
    page.locator(f"main a[href='/methodology/{code}/']").click()
    expect(page.locator("#bands tbody tr").first).to_be_visible()
    assert_accessible(page, axe_source, f"methodology {code} (id)")
    switch_language(page, "en")
    expect(page.locator("#rules")).to_contain_text("Rounding")
    assert_accessible(page, axe_source, f"methodology {code} (en)")


def test_dashboard_rapor_comparison_and_verification(live_server, page, axe_source,
                                                     verified_round, personas):
    government = verified_round["government"]
    unit = verified_round["assessments"]["a"]
    round_ = verified_round["round"]
    for user in personas.values():
        if user is not None:
            user.set_password(PASSWORD)
            user.save()

    # The assessor's verification page while the round is in verification.
    log_in(page, live_server.url, "assessor")
    page.goto(f"{live_server.url}/verify/{unit.id}/")
    expect(page.locator("#verified-progress")).to_be_visible()
    assert_accessible(page, axe_source, "verification (id)")
    page.goto(f"{live_server.url}/verify/{unit.id}/finalise/confirm/")
    assert_accessible(page, axe_source, "finalise confirmation (id)")
    page.context.clear_cookies()
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/rounds/{round_.id}/confirm/published/")
    expect(page.locator("#confirm")).to_be_visible()
    assert_accessible(page, axe_source, "publish confirmation (id)")

    publish(verified_round, personas)
    page.context.clear_cookies()
    log_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/governments/{government.id}/dashboard/")
    # The chart is drawn (Chart.js sets the canvas size) before the scan.
    expect(page.locator("#trend-chart")).to_have_attribute("style", re.compile("width"))
    expect(page.locator("#heatmap tbody tr")).to_have_count(2)
    assert_accessible(page, axe_source, "dashboard (id)")
    page.goto(f"{live_server.url}/governments/{government.id}/rounds/{round_.id}/comparison/")
    assert_accessible(page, axe_source, "comparison (id)")
    page.goto(f"{live_server.url}/checklists/{unit.id}/rapor/")
    assert_accessible(page, axe_source, "rapor (id)")
    switch_language(page, "en")
    assert_accessible(page, axe_source, "rapor (en)")
    page.goto(f"{live_server.url}/governments/{government.id}/dashboard/")
    expect(page.locator("#trend-chart")).to_have_attribute("style", re.compile("width"))
    assert_accessible(page, axe_source, "dashboard (en)")
    page.goto(f"{live_server.url}/governments/{government.id}/")
    assert_accessible(page, axe_source, "government detail (en)")


def test_administrator_round_pages(live_server, page, axe_source, live_round):
    """The round list (with an official-results round), one round's page with its step form,
    a government marked not assessed and one still assessed, in verification (the publication
    problems show) and after publication (the correction form), and one government's sample."""
    from assessments.models import RoundGovernment
    from assessments.services.rounds import round_transition

    admin = make_user("admin", Role.ADMINISTRATOR)
    round_, mubar, kendari = live_round["round"], live_round["government"], live_round["kendari"]
    RoundGovernment.objects.create(round=round_, government=mubar)
    RoundGovernment.objects.create(round=round_, government=kendari, not_assessed=True,
                                   not_assessed_reason="Tidak ada layanan publik")
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/rounds/")
    expect(page.locator(f"#round-{round_.id}")).to_be_visible()
    assert_accessible(page, axe_source, "round list (id)")
    page.goto(f"{live_server.url}/rounds/{round_.id}/")
    expect(page.locator("#government-table tbody tr")).to_have_count(2)
    assert_accessible(page, axe_source, "round detail in self-assessment (id)")
    page.goto(f"{live_server.url}/rounds/{round_.id}/governments/{mubar.id}/")
    expect(page.locator("#unit-table tbody tr")).to_have_count(2)
    assert_accessible(page, axe_source, "round government (id)")
    page.goto(f"{live_server.url}/rounds/{round_.id}/governments/{kendari.id}/")
    assert_accessible(page, axe_source, "round government not assessed (id)")

    round_transition(round_=round_, to_state=Round.State.VERIFICATION, by=admin)
    page.goto(f"{live_server.url}/rounds/{round_.id}/")
    expect(page.locator("#publication-problems")).to_be_visible()
    assert_accessible(page, axe_source, "round detail in verification (id)")
    switch_language(page, "en")
    assert_accessible(page, axe_source, "round detail in verification (en)")
    page.goto(f"{live_server.url}/rounds/")
    assert_accessible(page, axe_source, "round list (en)")

    published = Round.objects.create(year=2025, name="Penilaian 2025", state=Round.State.PUBLISHED,
                                     methodology=round_.methodology)
    RoundGovernment.objects.create(round=published, government=mubar)
    page.goto(f"{live_server.url}/rounds/{published.id}/")
    expect(page.locator("#step-verification")).to_be_visible()  # reopen for a correction
    assert_accessible(page, axe_source, "round detail after publication (en)")


# --- keyboard only --------------------------------------------------------------------------

def focused(page):
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def tab_to(page, element_id, limit=80):
    """Press Tab until the element with this id has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == element_id:
            return
    raise AssertionError(f"#{element_id} was not reached with {limit} Tabs")


def assert_focus_visible(page):
    # A radio or checkbox drawn as a button (Bootstrap's btn-check) is hidden; its label shows
    # the focus.
    style = page.evaluate("() => { let e = document.activeElement;"
                          " if (e.classList.contains('btn-check')) { e = e.labels[0]; }"
                          " const s = getComputedStyle(e);"
                          " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }")
    outline_style, outline_width, box_shadow = style
    assert (outline_style != "none" and outline_width != "0px") or box_shadow != "none", style


def test_login_form_by_keyboard(live_server, page, transactional_db):
    make_user("operator")
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "id_username")
    assert_focus_visible(page)
    page.keyboard.type("operator")
    page.keyboard.press("Tab")
    assert focused(page) == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("nav")).to_contain_text("operator")


def test_operator_fills_one_indicator_by_keyboard(live_server, page, axe_source, live_round):
    from assessments.models import Answer

    assessment = live_round["assessments"]["a"]
    make_user("operator", Role.OPERATOR, agency=assessment.agency)
    first = checklist().order_by("component__number", "order").first()
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/checklists/{assessment.id}/")
    expect(page.locator("#completion-text")).to_have_text("0 dari 48 indikator terjawab")

    # The skip link is the first stop and jumps past the navigation.
    page.keyboard.press("Tab")
    expect(page.locator(".visually-hidden-focusable")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))

    # Into the first indicator's radio group: Space picks 0, the arrows move to 3 (each choice
    # saves itself).
    tab_to(page, f"v-{first.id}-0")
    assert_focus_visible(page)
    page.keyboard.press("Space")
    expect(page.locator(f"#v-{first.id}-0")).to_be_checked()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"#v-{first.id}-3")).to_be_checked()
    page.keyboard.press("Tab")
    assert focused(page) == f"na-{first.id}"
    page.keyboard.press("Tab")
    assert focused(page) == f"note-{first.id}"
    page.keyboard.type("SK Bupati 2026")
    # Leaving the note saves it; the Save button is only there without JavaScript, so the next
    # stop is the indicator's evidence, and nothing was swapped under the keyboard's focus.
    page.keyboard.press("Tab")
    expect(page.locator(f"#evidence-{first.id} summary")).to_be_focused()
    assert_focus_visible(page)
    expect(page.locator(f"#save-{first.id}")).to_be_hidden()

    expect(page.locator("#completion-text")).to_have_text("1 dari 48 indikator terjawab")
    expect(page.locator(f"#answer-state-{first.id}")).to_have_text("✓ Tersimpan.")
    expect(page.locator(f"#note-{first.id}")).to_have_value("SK Bupati 2026")
    page.wait_for_function("() => !document.querySelector('form[data-inflight=\"1\"]')")
    answer = Answer.objects.get(assessment=assessment, indicator=first)
    assert (answer.value, answer.note) == (3, "SK Bupati 2026")
    assert_accessible(page, axe_source, "checklist after a save (id)")
