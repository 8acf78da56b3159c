"""A survey score entered before any indicator is verified gives no component a verified
score: the components show "not yet", never 0,00."""
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.models import Assessment, ComponentScore, Round
from assessments.services.verification import answer_verify, assessment_set_survey

from tests.checklists import checklist


@pytest.mark.django_db
def test_survey_first_leaves_components_unverified(client, personas, live_round):
    Round.objects.filter(id=live_round["round"].id).update(state=Round.State.VERIFICATION)
    unit = live_round["assessments"]["a"]
    assessment_set_survey(assessment_id=unit.id, user=personas["assessor"],
                          score=Decimal("82.50"))
    scores = ComponentScore.objects.filter(assessment=unit)
    assert scores.exists()
    assert set(scores.values_list("verified_score", flat=True)) == {None}
    assert Assessment.objects.get(id=unit.id).verified_score is None
    client.force_login(personas["assessor"])
    html = client.get(reverse("verify", args=[unit.id])).content.decode()
    assert "0,00" not in html
    # Verifying one indicator gives its component (and only it) a verified score.
    indicator = checklist().get(code="sarana-1")
    answer_verify(assessment_id=unit.id, indicator=indicator, user=personas["assessor"],
                  verified_value=3, verified_not_applicable=False, finding="",
                  expected_version=0)
    verified = {code: score for code, score in ComponentScore.objects.filter(
        assessment=unit).values_list("component__code", "verified_score")}
    assert verified["sarana"] is not None
    assert [code for code, score in verified.items() if score is not None] == ["sarana"]
