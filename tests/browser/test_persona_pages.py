"""Every main page each persona uses, on a 390 px phone: what users see must be true.

One world for all personas: Muna Barat's 2026 round verified and published (ranks, rapor,
comparison, findings), and a 2027 round live in self-assessment with part of DPMPTSP's checklist
answered. Each persona logs in and walks the pages of their role; every page must answer 200,
log no console error or uncaught exception (CSP violations are console errors), show no Python
leaking into the text (``None``, ``<… object at 0x…>``, a related manager printed as
``app.Model.None``) and fit the phone's width (no sideways scrolling). The problems of every page
are collected before the test fails, so one run lists them all.
"""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from assessments.models import Assessment, Round, RoundGovernment
from assessments.services.answers import answer_save
from compliance.models import Methodology
from tests.checklists import checklist

from ..assessments.helpers import publish
from .helpers import PASSWORD, log_in

PHONE = {"width": 390, "height": 844}
LEAKS = [
    ("None", re.compile(r"\bNone\b")),
    ("object repr", re.compile(r"object at 0x")),
    ("related manager", re.compile(r"\b\w+\.\w+\.None\b")),
    ("Python boolean", re.compile(r"\b(True|False)\b")),
]


@pytest.fixture
def world(verified_round, personas):
    """The 2026 round published; a 2027 round live with 21 of DPMPTSP's answers (one of them
    "not applicable")."""
    publish(verified_round, personas)
    for user in personas.values():
        if user is not None:
            user.set_password(PASSWORD)
            user.save()
    live = Round.objects.create(
        year=2027, name="Penilaian 2027", state=Round.State.SELF_ASSESSMENT,
        methodology=Methodology.objects.get(code="ombudsman-2022"),
        self_deadline=timezone.localdate() + timedelta(days=30))
    RoundGovernment.objects.create(round=live, government=verified_round["government"])
    agencies = verified_round["agencies"]
    current = {key: Assessment.objects.create(round=live, agency=agencies[key], sampled=True)
               for key in ("a", "b")}
    for indicator in checklist().filter(active=True).order_by(
            "component__number", "order")[:20]:
        answer_save(assessment_id=current["a"].id, indicator=indicator,
                    user=personas["operator"], value=indicator.order % 4, not_applicable=False,
                    note="SK Bupati" if indicator.order == 1 else "", expected_version=0)
    answer_save(assessment_id=current["a"].id,
                indicator=checklist().filter(active=True).order_by("-component__number")
                .first(), user=personas["operator"], value=None, not_applicable=True, note="",
                expected_version=0)
    government = verified_round["government"]
    return {
        "government": government.id, "province": government.province_id,
        "agency": agencies["a"].id, "published": verified_round["round"].id, "live": live.id,
        "unit": verified_round["assessments"]["a"].id, "current": current["a"].id,
    }


def pages_of(persona, w):
    """The pages each persona uses (every one must answer 200 for them)."""
    rankings = ["/rankings/", f"/rankings/{w['published']}/national/",
                f"/rankings/{w['published']}/{w['province']}/"]
    public = ["/results/", f"/results/{w['published']}/"]
    government = [f"/governments/{w['government']}/",
                  f"/governments/{w['government']}/dashboard/"]
    board = [f"/governments/{w['government']}/board/",
             f"/governments/{w['government']}/actions/"]
    comparison = [f"/governments/{w['government']}/rounds/{w['published']}/comparison/"]
    checklist = [f"/checklists/{w['current']}/", f"/checklists/{w['current']}/history/",
                 f"/checklists/{w['unit']}/", f"/agencies/{w['agency']}/actions/"]
    rapor = [f"/checklists/{w['unit']}/rapor/"]
    verification = [f"/verify/{w['current']}/", f"/verify/{w['unit']}/"]
    rounds = ["/rounds/", f"/rounds/{w['live']}/", f"/rounds/{w['published']}/",
              f"/rounds/{w['live']}/governments/{w['government']}/"]
    return {
        "anonymous": ["/", "/accounts/login/"] + public + rankings,
        "operator": ["/"] + checklist + rapor + government + rankings,
        "coordinator": ["/"] + checklist + board + government + comparison + rapor + rankings,
        "leader": ["/"] + government + board + comparison + rapor + rankings + public,
        "assessor": ["/"] + verification + government + board + comparison + rapor + rankings,
        "admin": ["/"] + rounds + checklist + board + government + comparison + rapor
        + verification + rankings + [f"/rankings/{w['live']}/{w['province']}/"] + public,
    }[persona]


def page_problems(page, url):
    """What is wrong with the page just loaded: leaked Python in its text, sideways scroll."""
    problems = []
    text = page.locator("body").inner_text()
    for name, pattern in LEAKS:
        for match in pattern.finditer(text):
            context = text[max(0, match.start() - 40):match.end() + 20].replace("\n", " ")
            problems.append(f"{url}: {name} in the text: …{context}…")
            break
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate(
            """(limit) => Array.from(document.querySelectorAll('main *, nav *'))
                 .filter(e => e.getBoundingClientRect().right > limit
                              && (!e.closest('.table-responsive')
                                  || getComputedStyle(e).position === 'absolute'))
                 .slice(0, 3).map(e => e.tagName.toLowerCase()
                   + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined
                   ? '.' + String(e.className).trim().split(/\\s+/).join('.') : ''))""",
            PHONE["width"])
        problems.append(f"{url}: {width} px wide on a {PHONE['width']} px screen ({wide})")
    return problems


@pytest.mark.parametrize("persona", ["operator", "coordinator", "leader", "assessor", "admin",
                                     "anonymous"])
def test_main_pages_on_a_phone(live_server, browser, world, persona):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = []
    current = {"url": ""}
    page.on("console", lambda message: problems.append(
        f"{current['url']}: console {message.type}: {message.text}")
        if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(
        f"{current['url']}: uncaught {error}"))
    if persona != "anonymous":
        current["url"] = "/accounts/login/"
        log_in(page, live_server.url, persona)
    for url in pages_of(persona, world):
        current["url"] = url
        response = page.goto(live_server.url + url)
        if response.status != 200:
            problems.append(f"{url}: HTTP {response.status}")
            continue
        page.wait_for_load_state("load")
        problems.extend(page_problems(page, url))
    context.close()
    assert not problems, f"{persona}:\n" + "\n".join(problems)
