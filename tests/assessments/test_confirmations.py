"""Steps that cannot be undone ask first: submitting a checklist, finalising a unit, and the
administrator's round transitions each have a confirmation page that says in figures what the
step does; the action endpoints refuse a POST without ``confirmed=1`` (they redirect to that page
and change nothing).

The defect of issue 12: closing the self-assessment two months before the deadline, while units
were still in progress, went through on one click without a word.
"""
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Assessment, ChecklistEvent, Round, RoundTransition
from assessments.services.answers import answer_save
from assessments.services.rounds import round_transition
from assessments.services.verification import answer_verify, assessment_finalise
from assessments.services.workflow import assessment_submit

from tests.checklists import checklist

from .fieldwork_fixtures import record_no_survey
from .helpers import answer_all


def text_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def confirm_form(response):
    match = re.search(r'<form method="post" action="([^"]+)" id="confirm-form">(.*?)</form>',
                      response.content.decode(), re.S)
    return match and {"action": match.group(1), "body": match.group(2)}


def assert_safe_page(response):
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html and "onclick" not in html.lower()  # the CSP allows neither


@pytest.fixture
def mid_round(live_round, personas):
    """Self-assessment with the deadline 61 days away: unit a submitted, unit b in progress
    (one answer), Kendari's unit not started."""
    round_ = live_round["round"]
    round_.self_deadline = timezone.localdate() + timedelta(days=61)
    round_.save()
    units = live_round["assessments"]
    answer_all(units["a"], personas["operator"])
    assessment_submit(assessment_id=units["a"].id, user=personas["operator"])
    first = checklist().filter(active=True).order_by("component__number", "order").first()
    answer_save(assessment_id=units["b"].id, indicator=first, user=personas["operator_b"],
                value=1, not_applicable=False, note="", expected_version=0)
    return live_round


# --- closing the self-assessment ----------------------------------------------------------------

@pytest.mark.django_db
def test_closing_self_assessment_without_confirmation_changes_nothing(client, personas,
                                                                      mid_round):
    """The old button's POST (no ``confirmed``) must not close the self-assessment."""
    round_ = mid_round["round"]
    client.force_login(personas["admin"])
    response = client.post(reverse("round-transition", args=[round_.id]),
                           {"to_state": "verification"})
    assert response.status_code == 302
    assert response["Location"] == f"/rounds/{round_.id}/confirm/verification/"
    round_.refresh_from_db()
    assert round_.state == "self_assessment"
    assert not RoundTransition.objects.filter(round=round_, to_state="verification").exists()


@pytest.mark.django_db
def test_close_self_assessment_page_names_the_consequences(client, personas, mid_round):
    round_ = mid_round["round"]
    client.force_login(personas["admin"])
    english(client)
    detail = client.get(reverse("round-detail", args=[round_.id])).content.decode()
    step = re.search(r'<div[^>]*id="step-verification">(.*?)</div>', detail, re.S).group(1)
    assert "<form" not in step and "/confirm/verification/" in step  # a link, not a button
    page = client.get(f"/rounds/{round_.id}/confirm/verification/")
    assert_safe_page(page)
    text = text_of(page)
    assert "2 of 3 units have not submitted their checklist (1 of them sampled)." in text
    assert "Not started: 1" in text and "In progress: 1" in text and "Submitted: 1" in text
    assert "61 days from now" in text
    assert "Operators can then no longer change answers or evidence" in text
    form = confirm_form(page)
    assert form["action"] == f"/rounds/{round_.id}/transition/"
    assert 'name="confirmed" value="1"' in form["body"]
    assert 'name="to_state" value="verification"' in form["body"]
    assert re.search(rf'<a [^>]*id="cancel" href="/rounds/{round_.id}/"', form["body"])

    response = client.post(form["action"], {"to_state": "verification", "confirmed": "1"})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.state == "verification"


@pytest.mark.django_db
def test_close_self_assessment_page_in_indonesian(client, personas, mid_round):
    client.force_login(personas["admin"])
    text = text_of(client.get(f"/rounds/{mid_round['round'].id}/confirm/verification/"))
    assert "2 dari 3 unit layanan belum mengirim daftar periksa" in text
    assert "61 hari lagi" in text


@pytest.mark.django_db
def test_deadline_passed_is_said(client, personas, mid_round):
    round_ = mid_round["round"]
    Round.objects.filter(id=round_.id).update(
        self_deadline=timezone.localdate() - timedelta(days=3))
    client.force_login(personas["admin"])
    english(client)
    text = text_of(client.get(f"/rounds/{round_.id}/confirm/verification/"))
    assert "passed 3 days ago" in text


@pytest.mark.parametrize("to_state", ["published", "closed", "draft", "nonsense", "x" * 300])
@pytest.mark.django_db
def test_a_step_the_round_cannot_take_has_no_confirm_button(client, personas, mid_round,
                                                            to_state):
    client.force_login(personas["admin"])
    response = client.get(f"/rounds/{mid_round['round'].id}/confirm/{to_state}/")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert confirm_form(response) is None
        assert 'id="cannot-confirm"' in response.content.decode()


# --- publishing and closing -------------------------------------------------------------------

def in_verification(world, personas, finalise=()):
    round_transition(round_=world["round"], to_state="verification", by=personas["admin"])
    for key in finalise:
        unit = world["assessments"][key]
        for indicator in checklist().filter(active=True):
            answer = Answer.objects.filter(assessment=unit, indicator=indicator).first()
            answer_verify(assessment_id=unit.id, indicator=indicator, user=personas["assessor"],
                          verified_value=2, verified_not_applicable=False, finding="",
                          expected_version=answer.verification_version if answer else 0)
        record_no_survey(unit, personas["assessor"])
        assessment_finalise(assessment_id=unit.id, user=personas["assessor"])


@pytest.mark.django_db
def test_publish_page_lists_units_not_finalised_and_offers_no_confirm(client, personas,
                                                                      mid_round):
    in_verification(mid_round, personas, finalise=("a",))
    # Kendari's only unit is not sampled in the fixture; sample it so it blocks too.
    Assessment.objects.filter(id=mid_round["assessments"]["k"].id).update(sampled=True)
    client.force_login(personas["admin"])
    english(client)
    page = client.get(f"/rounds/{mid_round['round'].id}/confirm/published/")
    assert_safe_page(page)
    text = text_of(page)
    assert "2 sampled units are not finalised (governments affected: 2)." in text
    assert "Disdukcapil Muna Barat (Kabupaten Muna Barat)" in text
    assert "DPMPTSP Kendari (Kota Kendari)" in text
    assert confirm_form(page) is None


@pytest.mark.django_db
def test_publish_and_close_pages_confirm_into_the_action(client, personas, mid_round):
    in_verification(mid_round, personas, finalise=("a", "b"))
    round_ = mid_round["round"]
    client.force_login(personas["admin"])
    english(client)
    page = client.get(f"/rounds/{round_.id}/confirm/published/")
    text = text_of(page)
    assert "0 sampled units are not finalised" in text
    assert "become visible to the governments' leaders and to the public" in text
    form = confirm_form(page)
    assert 'name="to_state" value="published"' in form["body"]
    client.post(form["action"], {"to_state": "published"})  # a stale form without the flag
    round_.refresh_from_db()
    assert round_.state == "verification"
    client.post(form["action"], {"to_state": "published", "confirmed": "1"})
    round_.refresh_from_db()
    assert round_.state == "published"

    page = client.get(f"/rounds/{round_.id}/confirm/closed/")
    text = text_of(page)
    assert "The published result of 1 government and the figures of 3 units stay" in text
    assert "Closing is final" in text
    assert 'name="to_state" value="closed"' in confirm_form(page)["body"]

    page = client.get(f"/rounds/{round_.id}/confirm/verification/")
    assert "The published result of 1 government is withdrawn" in text_of(page)
    assert re.search(r'<input type="text" id="reason" name="reason"[^>]* required',
                     confirm_form(page)["body"])


# --- the operator's submit --------------------------------------------------------------------

@pytest.mark.django_db
def test_submit_without_confirmation_changes_nothing(client, personas, live_round):
    unit = live_round["assessments"]["a"]
    answer_all(unit, personas["operator"])
    client.force_login(personas["operator"])
    response = client.post(reverse("checklist-submit", args=[unit.id]))
    assert response.status_code == 302
    assert response["Location"] == f"/checklists/{unit.id}/submit/confirm/"
    unit.refresh_from_db()
    assert unit.status == "in_progress" and not ChecklistEvent.objects.exists()


@pytest.mark.django_db
def test_submit_page_names_answers_evidence_and_deadline(client, personas, live_round):
    unit = live_round["assessments"]["a"]
    answer_all(unit, personas["operator"])
    client.force_login(personas["operator"])
    english(client)
    checklist = client.get(reverse("checklist", args=[unit.id])).content.decode()
    assert re.search(rf'<a [^>]*id="submit-checklist" href="/checklists/{unit.id}/submit/'
                     r'confirm/"', checklist)
    page = client.get(f"/checklists/{unit.id}/submit/confirm/")
    assert_safe_page(page)
    text = text_of(page)
    assert "48 of 48 indicators are answered." in text
    assert ("48 indicators are answered as (partly) fulfilled with no evidence attached"
            in text)
    assert "30 days from now" in text
    assert "you can no longer change answers or evidence" in text
    form = confirm_form(page)
    assert form["action"] == f"/checklists/{unit.id}/submit/"
    assert re.search(rf'id="cancel" href="/checklists/{unit.id}/"', form["body"])
    client.post(form["action"], {"confirmed": "1"})
    unit.refresh_from_db()
    assert unit.status == "submitted"


@pytest.mark.django_db
def test_incomplete_checklist_page_lists_the_missing_and_cannot_confirm(client, personas,
                                                                         live_round):
    unit = live_round["assessments"]["b"]
    first = checklist().filter(active=True).order_by("component__number", "order").first()
    answer_save(assessment_id=unit.id, indicator=first, user=personas["operator_b"], value=1,
                not_applicable=False, note="", expected_version=0)
    client.force_login(personas["operator_b"])
    english(client)
    page = client.get(f"/checklists/{unit.id}/submit/confirm/")
    text = text_of(page)
    assert "1 of 48 indicators are answered." in text
    assert "47 indicators are not answered" in text
    assert f"/checklists/{unit.id}/#indicator-" in page.content.decode()
    assert confirm_form(page) is None


# --- the assessor's finalise ------------------------------------------------------------------

@pytest.mark.django_db
def test_finalise_page_names_verification_findings_and_survey(client, personas, live_round):
    unit = live_round["assessments"]["a"]
    answer_all(unit, personas["operator"])
    round_transition(round_=live_round["round"], to_state="verification", by=personas["admin"])
    for number, indicator in enumerate(checklist().filter(active=True).order_by("id")):
        answer = Answer.objects.get(assessment=unit, indicator=indicator)
        answer_verify(assessment_id=unit.id, indicator=indicator, user=personas["assessor"],
                      verified_value=2, verified_not_applicable=False,
                      finding="Papan belum terpasang" if number < 2 else "",
                      expected_version=answer.verification_version)
    client.force_login(personas["assessor"])
    english(client)
    response = client.post(reverse("verify-finalise", args=[unit.id]))
    assert response["Location"] == f"/verify/{unit.id}/finalise/confirm/"
    unit.refresh_from_db()
    assert unit.finalised_at is None
    page = client.get(response["Location"])
    assert_safe_page(page)
    text = text_of(page)
    assert "48 of 48 indicators are verified." in text
    assert "2 findings recorded" in text
    assert "No verification deadline was set." in text
    # No survey score and no reason why: finalising is refused, the page says what to do.
    assert "The unit has no survey score: record the survey, or the reason there is none" \
        in text
    assert confirm_form(page) is None
    client.post(reverse("verify-finalise", args=[unit.id]), {"confirmed": "1"})
    unit.refresh_from_db()
    assert unit.finalised_at is None
    record_no_survey(unit, personas["assessor"], reason="Unit belum melaksanakan SKM")
    text = text_of(client.get(response["Location"]))
    assert "without survey Reason recorded: Unit belum melaksanakan SKM" in text
    form = confirm_form(client.get(response["Location"]))
    assert form["action"] == f"/verify/{unit.id}/finalise/"
    client.post(form["action"], {"confirmed": "1"})
    unit.refresh_from_db()
    assert unit.finalised_at is not None
