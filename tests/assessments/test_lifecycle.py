"""Round lifecycle, verification, publication and the immutability of closed rounds."""
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from agencies.models import Government
from assessments.models import (Answer, Assessment, Evidence, GovernmentResult, Round,
                                RoundGovernment, RoundTransition)
from assessments.services.answers import ChecklistLocked, answer_save
from assessments.services.rounds import (PublicationBlocked, TransitionRefused,
                                         government_set_not_assessed, round_transition)
from assessments.services.verification import (VerificationIncomplete, answer_verify,
                                               assessment_finalise, assessment_set_survey)
from tests.checklists import checklist

# The fixtures admin, sultra_units and verifying are tests/conftest.py's.
from .helpers import finalise_everything, new_round, verify_all


@pytest.mark.django_db
def test_round_create_samples_the_seven_units(admin, sultra_units):
    round_ = new_round(admin, Government.objects.all())
    mubar = Assessment.objects.filter(round=round_, agency__government=sultra_units)
    assert mubar.count() == 9
    assert sorted(mubar.filter(sampled=True).values_list("agency__name", flat=True))[-2:] == [
        "Puskesmas Guali", "Puskesmas Tiworo"]
    assert mubar.filter(sampled=True).count() == 7
    assert not mubar.get(agency__name="Dinas Perhubungan").sampled
    assert RoundGovernment.objects.filter(round=round_).count() == 18
    assert round_.state == "draft"


@pytest.mark.django_db
def test_transitions_are_validated_and_logged(admin, sultra_units):
    round_ = new_round(admin, [sultra_units])
    with pytest.raises(TransitionRefused):
        round_transition(round_=round_, to_state="verification", by=admin)  # no skipping
    round_transition(round_=round_, to_state="self_assessment", by=admin)
    with pytest.raises(TransitionRefused):
        round_transition(round_=round_, to_state="self_assessment", by=admin)  # double click
    with pytest.raises(TransitionRefused):
        round_transition(round_=round_, to_state="draft", by=admin)  # no going back
    states = list(RoundTransition.objects.filter(round=round_).values_list("to_state", "actor"))
    assert states == [("draft", admin.id), ("self_assessment", admin.id)]


@pytest.mark.django_db
def test_verified_values_start_empty_and_operators_are_locked(verifying):
    dpmptsp = verifying["dpmptsp"]
    dpmptsp.refresh_from_db()
    assert dpmptsp.self_score == Decimal("100.00") and dpmptsp.verified_score is None
    assert not Answer.objects.filter(assessment=dpmptsp, verified_value__isnull=False).exists()
    with pytest.raises(ChecklistLocked):
        answer_save(assessment_id=dpmptsp.id, indicator=checklist().first(),
                    user=verifying["operator"], value=0, not_applicable=False, note="",
                    expected_version=1)


@pytest.mark.django_db
def test_finalise_needs_every_indicator_and_fixes_the_score(verifying):
    dpmptsp, assessor = verifying["dpmptsp"], verifying["assessor"]
    first = checklist().first()
    answer_verify(assessment_id=dpmptsp.id, indicator=first, user=assessor, verified_value=1,
                  verified_not_applicable=False, finding="SK belum ditandatangani",
                  expected_version=0)
    with pytest.raises(VerificationIncomplete) as caught:
        assessment_finalise(assessment_id=dpmptsp.id, user=assessor)
    assert len(caught.value.missing) == 47
    verify_all(dpmptsp, assessor, 2)
    assessment_set_survey(assessment_id=dpmptsp.id, user=assessor, score=Decimal("80"))
    assessment_finalise(assessment_id=dpmptsp.id, user=assessor)
    dpmptsp.refresh_from_db()
    # components all 66.67 (2 of 3); dimensions: 66.67 ×(21.85+32.37+21.54) + 80 × 24.24
    expected = (Decimal(200) / 3 * (Decimal("21.85") + Decimal("32.37") + Decimal("21.54"))
                + 80 * Decimal("24.24")) / 100
    assert dpmptsp.verified_score == expected.quantize(Decimal("0.01"))
    with pytest.raises(ChecklistLocked):
        answer_verify(assessment_id=dpmptsp.id, indicator=first, user=assessor,
                      verified_value=3, verified_not_applicable=False, finding="",
                      expected_version=2)


@pytest.mark.django_db
def test_publication_needs_finalised_units_then_stores_scores_and_ranks(verifying):
    admin, round_ = verifying["admin"], verifying["round"]
    with pytest.raises(PublicationBlocked) as caught:
        round_transition(round_=round_, to_state="published", by=admin)
    assert len(caught.value.problems) == 9
    assert Round.objects.get(id=round_.id).state == "verification"
    assert not GovernmentResult.objects.filter(round=round_).exists()
    finalise_everything(verifying)
    # Kendari does a little better on one unit
    kendari_unit = Assessment.objects.filter(round=round_, agency__government=verifying[
        "kendari"]).first()
    assert kendari_unit.verified_score is not None
    round_transition(round_=round_, to_state="published", by=admin)
    results = {r.government.name: r for r in GovernmentResult.objects.filter(round=round_)}
    mubar = results["Kabupaten Muna Barat"]
    assert mubar.score == Decimal("66.67") and (mubar.category, mubar.zone) == ("C", "yellow")
    assert (mubar.rank_province, mubar.rank_national, mubar.rank_province_all) == (1, 1, 1)
    assert results["Kota Kendari"].rank_province_all == 1  # tie 66.67: ranks share 1
    before = list(GovernmentResult.objects.filter(round=round_).order_by("id").values(
        "score", "category", "zone", "rank_province", "rank_national", "rank_province_all"))
    with pytest.raises(TransitionRefused):
        round_transition(round_=round_, to_state="verification", by=admin)  # needs a reason
    round_transition(round_=round_, to_state="verification", by=admin,
                     reason="Koreksi nilai survei")
    with pytest.raises(TransitionRefused):
        round_transition(round_=round_, to_state="published", by=admin)  # republish: reason
    round_transition(round_=round_, to_state="published", by=admin, reason="Setelah koreksi")
    after = list(GovernmentResult.objects.filter(round=round_).order_by("id").values(
        "score", "category", "zone", "rank_province", "rank_national", "rank_province_all"))
    assert after == before
    log = list(RoundTransition.objects.filter(round=round_).values_list("to_state", "reason"))
    assert log[-3:] == [("published", ""), ("verification", "Koreksi nilai survei"),
                        ("published", "Setelah koreksi")]


@pytest.mark.django_db
def test_not_assessed_government_is_published_without_a_score(verifying):
    admin, round_ = verifying["admin"], verifying["round"]
    with pytest.raises(Exception):
        government_set_not_assessed(round_=round_, government=verifying["kendari"],
                                    not_assessed=True, reason="", by=admin)
    government_set_not_assessed(round_=round_, government=verifying["kendari"],
                                not_assessed=True, reason="Alasan keamanan", by=admin)
    for assessment in Assessment.objects.filter(round=round_, sampled=True,
                                                agency__government=verifying["mubar"]):
        verify_all(assessment, verifying["assessor"], 3)
        assessment_finalise(assessment_id=assessment.id, user=verifying["assessor"])
    round_transition(round_=round_, to_state="published", by=admin)
    kendari = GovernmentResult.objects.get(round=round_, government=verifying["kendari"])
    assert kendari.not_assessed and kendari.score is None
    assert kendari.not_assessed_reason == "Alasan keamanan"


@pytest.mark.django_db
def test_closed_round_is_immutable_through_services_and_the_orm(verifying):
    admin, round_ = verifying["admin"], verifying["round"]
    finalise_everything(verifying)
    round_transition(round_=round_, to_state="published", by=admin)
    round_transition(round_=round_, to_state="closed", by=admin)
    with pytest.raises(TransitionRefused):
        round_transition(round_=round_, to_state="verification", by=admin, reason="x")
    answer = Answer.objects.filter(assessment=verifying["dpmptsp"]).first()
    result = GovernmentResult.objects.filter(round=round_).first()
    attempts = [
        lambda: Answer.objects.filter(id=answer.id).update(value=0),
        lambda: Answer.objects.filter(id=answer.id).update(verified_value=0),
        lambda: Answer.objects.filter(id=answer.id).delete(),
        lambda: GovernmentResult.objects.filter(id=result.id).update(score=Decimal("99")),
        lambda: GovernmentResult.objects.filter(id=result.id).delete(),
        lambda: Assessment.objects.filter(round=round_).update(sampled=False),
        lambda: Evidence.objects.create(assessment=verifying["dpmptsp"],
                                        indicator=answer.indicator, kind="link",
                                        url="https://example.org"),
        lambda: Round.objects.filter(id=round_.id).update(state="published"),
        lambda: Round.objects.filter(id=round_.id).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    answer.refresh_from_db()
    assert answer.value == 3
    assert Round.objects.get(id=round_.id).state == "closed"
    with pytest.raises((ChecklistLocked, IntegrityError)):
        answer_verify(assessment_id=verifying["dpmptsp"].id, indicator=answer.indicator,
                      user=verifying["assessor"], verified_value=0,
                      verified_not_applicable=False, finding="", expected_version=1)


@pytest.mark.django_db
def test_findings_become_follow_up_actions_once(verifying):
    from assessments.models import ActionItem

    admin, round_ = verifying["admin"], verifying["round"]
    finalise_everything(verifying)
    dpmptsp = verifying["dpmptsp"]
    Assessment.objects.filter(id=dpmptsp.id).update(finalised_at=None)
    indicator = checklist().get(code="sarana-2")
    answer = Answer.objects.get(assessment=dpmptsp, indicator=indicator)
    answer_verify(assessment_id=dpmptsp.id, indicator=indicator, user=verifying["assessor"],
                  verified_value=1, verified_not_applicable=False,
                  finding="Belum ada ramp untuk kursi roda",
                  expected_version=answer.verification_version)
    assessment_finalise(assessment_id=dpmptsp.id, user=verifying["assessor"])
    round_transition(round_=round_, to_state="published", by=admin)
    round_transition(round_=round_, to_state="verification", by=admin, reason="koreksi")
    round_transition(round_=round_, to_state="published", by=admin, reason="ulang")
    (action,) = ActionItem.objects.all()
    assert action.title == "Belum ada ramp untuk kursi roda"
    assert action.agency == dpmptsp.agency and action.component.code == "sarana"
    assert action.status == "open"


@pytest.mark.django_db
def test_official_results_rounds_never_change_state(admin, sultra):
    official = Round.objects.get(year=2021)
    for target in ("verification", "closed"):
        with pytest.raises(TransitionRefused):
            round_transition(round_=official, to_state=target, by=admin, reason="x")
    assert GovernmentResult.objects.filter(round=official).count() == 18
