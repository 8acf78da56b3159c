"""The checklist page tells the truth: each indicator's expected evidence from the standard's
data (never a related manager printed as text), and a summary whose "not answered yet" link
follows every save and goes away at 0."""
import re

import pytest
from django.urls import reverse
from django.utils import translation

from assessments.models import Evidence
from assessments.services.answers import answer_save

from tests.checklists import checklist

from .helpers import text_of

LEAKS = re.compile(r"\bNone\b|assessments\.|object at 0x|\bTrue\b|\bFalse\b")


def save(assessment, indicator, user, value=2):
    answer_save(assessment_id=assessment.id, indicator=indicator, user=user, value=value,
                not_applicable=False, note="", expected_version=0)


@pytest.mark.django_db
def test_indicator_evidence_is_the_expected_evidence_text(standard):
    indicator = checklist().get(code="dasar_hukum-1")
    with translation.override("id"):
        assert indicator.evidence == "SK standar pelayanan"
    with translation.override("en"):
        assert indicator.evidence == "Service standard decree (SK)"
    # The attached files and links are reached under another name.
    assert indicator.evidence_items.model is Evidence


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("persona", ["operator", "coordinator", "assessor", "admin"])
def test_no_checklist_page_prints_python(client, personas, live_round, persona, language):
    assessment = live_round["assessments"]["a"]
    first = checklist().get(code="dasar_hukum-1")
    save(assessment, first, personas["operator"])
    answer_save(assessment_id=assessment.id, indicator=checklist().get(code="biaya-1"),
                user=personas["operator"], value=None, not_applicable=True, note="",
                expected_version=0)  # the history shows "not applicable: yes", not "True"
    client.force_login(personas["operator"])
    client.post(reverse("evidence-add", args=[assessment.id, first.id]),
                {"url": "https://munabaratkab.go.id/sk-standar-pelayanan"})
    client.force_login(personas[persona])
    client.cookies["django_language"] = language
    for name in ("checklist", "checklist-history"):
        response = client.get(reverse(name, args=[assessment.id]))
        assert response.status_code == 200
        text = text_of(response)
        assert not LEAKS.search(text), (name, LEAKS.search(text).group(0),
                                        text[LEAKS.search(text).start() - 60:][:120])
    page = text_of(client.get(reverse("checklist", args=[assessment.id])))
    expected = {"id": "Bukti dukung: SK standar pelayanan",
                "en": "Expected evidence: Service standard decree (SK)"}[language]
    assert expected in page
    assert page.count(expected.split(":")[0] + ":") == 48  # every indicator of the standard


@pytest.mark.django_db
def test_htmx_answers_and_evidence_responses_print_no_python(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="dasar_hukum-2")
    client.force_login(personas["operator"])
    responses = [
        client.post(reverse("answer-save", args=[assessment.id, indicator.id]),
                    {"value": "3", "version": "0"}, HTTP_HX_REQUEST="true"),
        client.post(reverse("answer-save", args=[assessment.id, indicator.id]),
                    {"value": "1", "version": "0"}, HTTP_HX_REQUEST="true"),  # a conflict
        client.post(reverse("evidence-add", args=[assessment.id, indicator.id]),
                    {"url": "https://munabaratkab.go.id/maklumat"}, HTTP_HX_REQUEST="true"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert not LEAKS.search(text_of(response)), text_of(response)


@pytest.mark.django_db
def test_the_unanswered_link_follows_each_save_and_goes_at_zero(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicators = list(checklist().filter(active=True).order_by("component__number",
                                                                       "order"))
    for indicator in indicators[:-2]:
        save(assessment, indicator, personas["operator"])
    second_last, last = indicators[-2], indicators[-1]
    client.force_login(personas["operator"])

    page = client.get(reverse("checklist", args=[assessment.id])).content.decode()
    assert f'<a href="#indicator-{second_last.id}">2 indikator belum dijawab</a>' in page

    url = reverse("answer-save", args=[assessment.id, second_last.id])
    html = client.post(url, {"value": "1", "version": "0"}, HTTP_HX_REQUEST="true"
                       ).content.decode()
    assert f'<a href="#indicator-{last.id}">1 indikator belum dijawab</a>' in html
    assert "47 dari 48 indikator terjawab" in html
    assert re.search(r'id="checklist-summary"[^>]*hx-swap-oob="true"', html)

    url = reverse("answer-save", args=[assessment.id, last.id])
    html = client.post(url, {"not_applicable": "on", "version": "0"}, HTTP_HX_REQUEST="true"
                       ).content.decode()
    assert "48 dari 48 indikator terjawab" in html
    assert "belum dijawab" not in html
    assert '<div class="summary-item" id="unanswered-link"></div>' in html  # there for next time
    page = client.get(reverse("checklist", args=[assessment.id])).content.decode()
    assert "belum dijawab" not in page
