"""The assessor's verification pages."""
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.models import Answer, Assessment

from tests.checklists import checklist



@pytest.fixture
def unit(verifying):
    return verifying["dpmptsp"]


@pytest.mark.django_db
def test_assessor_sees_claim_and_evidence_and_verifies_with_htmx(client, verifying, unit):
    client.force_login(verifying["assessor"])
    page = client.get(reverse("verify", args=[unit.id]))
    assert page.status_code == 200 and page.context["can_verify"]
    html = page.content.decode()
    assert "name=\"verified_value\"" in html and "checked" not in html.split(
        'name="verified_value"')[1][:80]  # verified values start empty
    indicator = checklist().get(code="sarana-1")
    response = client.post(reverse("verify-save", args=[unit.id, indicator.id]),
                           {"verified_value": "1", "finding": "Toilet rusak", "version": "0"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'hx-swap-oob="true"' in response.content.decode()
    answer = Answer.objects.get(assessment=unit, indicator=indicator)
    assert (answer.value, answer.verified_value, answer.finding) == (3, 1, "Toilet rusak")
    assert answer.verified_by == verifying["assessor"]
    stale = client.post(reverse("verify-save", args=[unit.id, indicator.id]),
                        {"verified_value": "3", "finding": "", "version": "0"},
                        HTTP_HX_REQUEST="true")
    assert "alert-danger" in stale.content.decode()
    assert Answer.objects.get(id=answer.id).verified_value == 1


@pytest.mark.django_db
def test_survey_and_finalise_through_the_pages(client, verifying, unit):
    client.force_login(verifying["assessor"])
    client.cookies["django_language"] = "en"
    response = client.post(reverse("verify-survey", args=[unit.id]), {"survey_score": "abc"},
                           follow=True)
    assert "number from 0 to 100" in response.content.decode()
    client.post(reverse("verify-survey", args=[unit.id]), {"survey_score": "82,5"})
    unit.refresh_from_db()
    assert unit.survey_score == Decimal("82.50")
    response = client.post(reverse("verify-finalise", args=[unit.id]), {"confirmed": "1"},
                           follow=True)
    assert "48 indicators are not verified" in response.content.decode()
    for indicator in checklist().all():
        answer = Answer.objects.filter(assessment=unit, indicator=indicator).first()
        client.post(reverse("verify-save", args=[unit.id, indicator.id]),
                    {"verified_value": "3", "version": str(answer.verification_version
                                                           if answer else 0)})
    client.post(reverse("verify-finalise", args=[unit.id]), {"confirmed": "1"})
    unit.refresh_from_db()
    # all checklist dimensions 100, survey 82.50: (100 × 75.76 + 82.50 × 24.24) / 100 = 95.758
    assert unit.finalised_at is not None and unit.verified_score == Decimal("95.76")


@pytest.mark.django_db
def test_who_may_open_and_write_verification(client, verifying, unit):
    from agencies.models import Role
    from tests.conftest import make_user

    mubar = verifying["mubar"]
    people = {
        "assessor": (verifying["assessor"], 200, 302),
        "admin": (verifying["admin"], 200, 403),
        "operator": (verifying["operator"], 403, 403),
        "coordinator": (make_user("co", Role.COORDINATOR, government=mubar), 403, 403),
        "leader": (make_user("le", Role.LEADER, government=mubar), 403, 403),
        "other_assessor": (make_user("as2", Role.ASSESSOR, government=verifying["kendari"]),
                           404, 404),
    }
    indicator = checklist().first()
    for name, (user, read, write) in people.items():
        client.force_login(user)
        assert client.get(reverse("verify", args=[unit.id])).status_code == read, name
        response = client.post(reverse("verify-save", args=[unit.id, indicator.id]),
                               {"verified_value": "0", "version": "0"})
        assert response.status_code == write, name
    client.logout()
    assert client.get(reverse("verify", args=[unit.id])).status_code == 302
    # Only the assessor's save (the 302 above) stored anything: one verified 0, theirs.
    stored = Answer.objects.filter(assessment=unit, verified_value__isnull=False)
    assert list(stored.values_list("indicator_id", "verified_value", "verified_by")) == [
        (indicator.id, 0, verifying["assessor"].id)]
    assert Assessment.objects.get(id=unit.id).verified_count == 1
