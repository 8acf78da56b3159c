"""The checklist's rows come from a cache (``assessments.row_cache``): the page must be the
page rendered without it, follow every change at once (a save, an attached link, a submission
and a return, an edited indicator text, the language) and never hand one user another's CSRF
token."""
import re

import pytest
from django.core.cache.backends.dummy import DummyCache
from django.test import Client
from django.urls import reverse

from agencies.models import Role
from assessments import row_cache
from assessments.services.workflow import assessment_return, assessment_submit
from compliance.specs import clear_cache
from tests.checklists import checklist
from tests.conftest import make_user

from .helpers import answer_all

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page(client, assessment):
    response = client.get(reverse("checklist", args=[assessment.id]))
    assert response.status_code == 200
    return response.content.decode()


def without_tokens(html):
    return TOKEN.sub('name="csrfmiddlewaretoken" value="…"', html)


def row(html, indicator):
    """One indicator's row of the page, up to the next row."""
    start = html.index(f'<div class="indicator-row" id="indicator-{indicator.id}">')
    end = html.find('<div class="indicator-row"', start + 1)
    return html[start:end if end > 0 else None]


@pytest.fixture
def operator_page(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    client.force_login(personas["operator"])
    return client, assessment


@pytest.mark.django_db
def test_the_page_from_the_cache_is_the_page_rendered_without_it(operator_page, monkeypatch):
    client, assessment = operator_page
    first = checklist().get(code="dasar_hukum-1")
    client.post(reverse("answer-save", args=[assessment.id, first.id]),
                {"value": "2", "note": "SK 12/2026", "version": "0"}, HTTP_HX_REQUEST="true")
    client.post(reverse("evidence-add", args=[assessment.id, first.id]),
                {"url": "https://munabaratkab.go.id/sk"}, HTTP_HX_REQUEST="true")
    cold = page(client, assessment)  # rows rendered (and stored)
    warm = page(client, assessment)  # rows from the cache
    monkeypatch.setattr(row_cache, "cache", DummyCache("none", {}))
    uncached = page(client, assessment)  # every row rendered, nothing kept
    assert without_tokens(warm) == without_tokens(cold) == without_tokens(uncached)
    assert 'id="v-%d-2" checked' % first.id in warm
    assert "SK 12/2026" in warm and "https://munabaratkab.go.id/sk" in warm
    # 48 rows of the standard, each with its answer form and evidence form
    assert warm.count('class="indicator-row"') == 48
    # an answer form and an attach form per row, the one link's Remove form, and the
    # language and logout forms of the menu: all with the page's one token
    assert len(TOKEN.findall(warm)) == 48 * 2 + 1 + 2
    assert len(set(TOKEN.findall(warm))) == 1
    assert "csrf-token-placeholder" not in warm


@pytest.mark.django_db
def test_a_row_follows_each_save_and_each_attached_link(operator_page):
    client, assessment = operator_page
    indicator = checklist().get(code="biaya-1")
    assert 'checked' not in row(page(client, assessment), indicator)
    for version, value in enumerate(("3", "1", "0")):
        client.post(reverse("answer-save", args=[assessment.id, indicator.id]),
                    {"value": value, "note": f"catatan {value}", "version": str(version)},
                    HTTP_HX_REQUEST="true")
        shown = row(page(client, assessment), indicator)
        assert f'id="v-{indicator.id}-{value}" checked' in shown
        assert shown.count(" checked") == 1
        assert f">catatan {value}</textarea>" in shown
        assert f'value="{version + 1}"' in shown  # the version the next save sends
    assert "Belum ada yang dilampirkan." in shown
    client.post(reverse("evidence-add", args=[assessment.id, indicator.id]),
                {"url": "https://munabaratkab.go.id/tarif"}, HTTP_HX_REQUEST="true")
    shown = row(page(client, assessment), indicator)
    assert "https://munabaratkab.go.id/tarif" in shown
    assert "Belum ada yang dilampirkan." not in shown


@pytest.mark.django_db
def test_rows_lock_on_submission_and_open_again_on_return(operator_page, personas):
    client, assessment = operator_page
    indicator = checklist().get(code="sarana-1")
    answer_all(assessment, personas["operator"])
    assert "<fieldset >" in row(page(client, assessment), indicator)
    assessment_submit(assessment_id=assessment.id, user=personas["operator"])
    locked = row(page(client, assessment), indicator)
    assert "<fieldset disabled>" in locked
    assert "hx-post" not in locked and "Lampirkan" not in locked
    assessment_return(assessment_id=assessment.id, user=personas["coordinator"],
                      comment="Lengkapi bukti dukung sarana.")
    reopened = row(page(client, assessment), indicator)
    assert "<fieldset >" in reopened and "hx-post" in reopened


@pytest.mark.django_db
def test_an_edited_indicator_text_and_the_language_reach_the_rows(operator_page):
    client, assessment = operator_page
    indicator = checklist().get(code="dasar_hukum-1")
    before = row(page(client, assessment), indicator)
    assert indicator.text_id in before
    indicator.text_id = "Dasar hukum ditetapkan dengan peraturan kepala daerah"
    indicator.save(update_fields=["text_id"])
    clear_cache()  # what compliance.instruments does after an edit
    assert "Dasar hukum ditetapkan dengan peraturan kepala daerah" in row(
        page(client, assessment), indicator)
    client.cookies["django_language"] = "en"
    english = row(page(client, assessment), indicator)
    assert indicator.text_en in english and ">Note</label>" in english
    assert "Catatan" not in english


@pytest.mark.django_db
def test_no_user_gets_another_users_csrf_token(personas, live_round):
    assessment = live_round["assessments"]["a"]
    second = make_user("operator_a2", Role.OPERATOR, agency=live_round["agencies"]["a"])
    indicator = checklist().get(code="produk-1")
    clients, tokens = [], []
    for user in (personas["operator"], second):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        html = page(browser, assessment)
        clients.append(browser)
        tokens.append(set(TOKEN.findall(html)))
    assert len(tokens[0]) == len(tokens[1]) == 1  # one token per page, the user's own
    assert not tokens[0] & tokens[1]
    # Each user's page token is accepted with that user's own cookie ...
    for version, (browser, token) in enumerate(zip(clients, tokens)):
        response = browser.post(
            reverse("answer-save", args=[assessment.id, indicator.id]),
            {"value": "1", "version": str(version), "csrfmiddlewaretoken": next(iter(token))},
            HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and b"text-success" in response.content
    # ... and the other's is refused.
    response = clients[1].post(
        reverse("answer-save", args=[assessment.id, indicator.id]),
        {"value": "0", "version": "2", "csrfmiddlewaretoken": next(iter(tokens[0]))},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 403
