"""Two people doing the same thing at the same moment: answers, verification, publication and
submission each let exactly one of them through and tell the other, and nothing is lost
without a word.

Every guard has a pair of tests. The guarded test interleaves two actors and expects one
winner and one refusal; its control runs the same interleaving with the guard taken out of the
service and shows that the lost update or the duplicate transition really happens, so the
guarded test is known to be able to see the race at all.

Here the interleaving is deterministic and runs on every database: both actors read, then both
write, the second with the version or the state it read before the first wrote (what a stale
page posts). test_races_threads.py runs the same races with real concurrent transactions on
PostgreSQL, where the row locks are the guard. The small world they share (with
test_rollback.py too) is built by race_helpers.py.
"""
from types import SimpleNamespace

import pytest
from django.urls import reverse

from assessments.models import (ActionItem, Answer, Assessment, ChecklistEvent,
                                GovernmentResult, Round, RoundTransition)
from assessments.services import answers, verification, workflow
from assessments.services.answers import AnswerConflict, ChecklistLocked
from assessments.services.rounds import TransitionRefused, round_transition
from assessments.services.workflow import assessment_submit

# The small world (one round, two governments, four sampled units) and its writers.
from .race_helpers import (answer_entries, build_world, fill_checklist, ready_to_publish,
                           save_answer, verify_answer)



def counts(world):
    return {
        "transitions": RoundTransition.objects.filter(round=world.round).count(),
        "events": ChecklistEvent.objects.count(),
        "history": answer_entries(),
        "results": GovernmentResult.objects.filter(round=world.round).count(),
        "actions": ActionItem.objects.count(),
    }


# --- taking a guard out ----------------------------------------------------------------------

def without_version_check(monkeypatch):
    for module in (answers, verification):
        monkeypatch.setattr(module, "check_version", lambda answer, current, expected: None)


def without_locked_reread(monkeypatch, stale_round):
    """round_transition decides on the copy of the round the caller read (a stale page) instead
    of the row it re-reads under lock."""
    monkeypatch.setattr(Round.objects, "select_for_update",
                        lambda *args, **kwargs: SimpleNamespace(get=lambda **kw: stale_round))


# --- (a) the operator's answer -----------------------------------------------------------------

def _answer_race(world):
    """Both operators open the page at version 1 (value 1). The first raises the value to 3;
    the second only adds a note, but posts the value 1 its page still shows."""
    save_answer(world, world.operator, value=1, note="", version=0)
    loaded = Answer.objects.get(assessment=world.unit, indicator=world.indicator).version
    save_answer(world, world.operator, value=3, note="", version=loaded)
    return lambda: save_answer(world, world.operator_2, value=1, note="SK dilampirkan",
                               version=loaded)


@pytest.mark.django_db
def test_answer_race_guarded(standard):
    world = build_world()
    second = _answer_race(world)
    with pytest.raises(AnswerConflict) as caught:
        second()
    assert (caught.value.current.value, caught.value.current.version) == (3, 2)
    answer = Answer.objects.get()
    assert (answer.value, answer.note, answer.version, answer.updated_by) == (
        3, "", 2, world.operator)
    assert answer_entries() == 2  # the first save and the winner; nothing for the loser


@pytest.mark.django_db
def test_answer_race_without_guard_loses_update(standard, monkeypatch):
    world = build_world()
    second = _answer_race(world)
    without_version_check(monkeypatch)
    second()  # accepted
    answer = Answer.objects.get()
    # the first operator's 3 is gone and nobody was told
    assert (answer.value, answer.note, answer.version) == (1, "SK dilampirkan", 3)
    assert answer_entries() == 3


# --- (b) the assessor's verification ---------------------------------------------------------

def _verification_race(world):
    fill_checklist(world.unit)
    Round.objects.filter(id=world.round.id).update(state=Round.State.VERIFICATION)
    verify_answer(world, world.assessor, value=1, finding="", version=0)
    loaded = Answer.objects.get(assessment=world.unit,
                                indicator=world.indicator).verification_version
    verify_answer(world, world.assessor, value=3, finding="", version=loaded)
    return lambda: verify_answer(world, world.assessor_2, value=1,
                                 finding="SK belum ditandatangani", version=loaded)


@pytest.mark.django_db
def test_verification_race_guarded(standard):
    world = build_world()
    second = _verification_race(world)
    before = answer_entries()
    with pytest.raises(AnswerConflict) as caught:
        second()
    assert caught.value.current.verified_value == 3
    answer = Answer.objects.get(assessment=world.unit, indicator=world.indicator)
    assert (answer.verified_value, answer.finding, answer.verification_version,
            answer.verified_by) == (3, "", 2, world.assessor)
    assert answer_entries() == before


@pytest.mark.django_db
def test_verification_race_without_guard_loses_update(standard, monkeypatch):
    world = build_world()
    second = _verification_race(world)
    before = answer_entries()
    without_version_check(monkeypatch)
    second()
    answer = Answer.objects.get(assessment=world.unit, indicator=world.indicator)
    assert (answer.verified_value, answer.finding, answer.verification_version) == (
        1, "SK belum ditandatangani", 3)
    assert answer_entries() == before + 1


# --- (c) publication and every other round transition ----------------------------------------

TRANSITIONS = [pytest.param(Round.State.SELF_ASSESSMENT, Round.State.VERIFICATION, id="step"),
               pytest.param(Round.State.VERIFICATION, Round.State.PUBLISHED, id="publish")]


def _transition_race(world, start):
    if start == Round.State.VERIFICATION:
        ready_to_publish(world)
    stale = Round.objects.get(id=world.round.id)  # the second administrator's page
    return stale


@pytest.mark.django_db
@pytest.mark.parametrize("start, target", TRANSITIONS)
def test_transition_race_guarded(standard, start, target):
    world = build_world(state=start)
    stale = _transition_race(world, start)
    round_transition(round_=world.round, to_state=target, by=world.admin, reason="Hasil akhir")
    published = list(GovernmentResult.objects.values_list("id", "published_at"))
    with pytest.raises(TransitionRefused):
        round_transition(round_=stale, to_state=target, by=world.admin_2, reason="Hasil akhir")
    assert Round.objects.get(id=world.round.id).state == target
    assert list(RoundTransition.objects.filter(to_state=target).values_list(
        "actor", flat=True)) == [world.admin.id]
    assert list(GovernmentResult.objects.values_list("id", "published_at")) == published


@pytest.mark.django_db
@pytest.mark.parametrize("start, target", TRANSITIONS)
def test_transition_race_without_guard_moves_twice(standard, monkeypatch, start, target):
    world = build_world(state=start)
    stale = _transition_race(world, start)
    round_transition(round_=world.round, to_state=target, by=world.admin, reason="Hasil akhir")
    without_locked_reread(monkeypatch, stale)
    round_transition(round_=stale, to_state=target, by=world.admin_2, reason="Hasil akhir")
    assert list(RoundTransition.objects.filter(to_state=target).values_list(
        "from_state", "actor")) == [(start, world.admin.id), (start, world.admin_2.id)]


# --- (d) submission --------------------------------------------------------------------------

@pytest.mark.django_db
def test_submit_race_guarded(standard):
    world = build_world()
    fill_checklist(world.unit)
    assessment_submit(assessment_id=world.unit.id, user=world.operator)
    with pytest.raises(ChecklistLocked):
        assessment_submit(assessment_id=world.unit.id, user=world.operator_2)
    assert list(ChecklistEvent.objects.values_list("kind", "actor")) == [
        ("submitted", world.operator.id)]


@pytest.mark.django_db
def test_submit_race_without_guard_submits_twice(standard, monkeypatch):
    world = build_world()
    fill_checklist(world.unit)
    assessment_submit(assessment_id=world.unit.id, user=world.operator)
    monkeypatch.setattr(workflow, "checklist_lock_reason", lambda assessment: None)
    assessment_submit(assessment_id=world.unit.id, user=world.operator_2)
    assert list(ChecklistEvent.objects.values_list("kind", "actor")) == [
        ("submitted", world.operator.id), ("submitted", world.operator_2.id)]


# --- double submits through the pages ----------------------------------------------------------

@pytest.mark.django_db
def test_double_post_of_submit_gives_one_transition_and_one_event(client, standard):
    world = build_world()
    fill_checklist(world.unit)
    client.force_login(world.operator)
    url = reverse("checklist-submit", args=[world.unit.id])
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert Assessment.objects.get(id=world.unit.id).status == "submitted"
    assert ChecklistEvent.objects.count() == 1


@pytest.mark.django_db
def test_double_post_of_publish_gives_one_publication_and_one_event(client, standard):
    world = build_world()
    ready_to_publish(world)
    client.force_login(world.admin)
    url = reverse("round-transition", args=[world.round.id])
    client.post(url, {"to_state": "published", "reason": "", "confirmed": "1"})
    after_first = (counts(world), list(GovernmentResult.objects.order_by("id").values()))
    client.post(url, {"to_state": "published", "reason": "", "confirmed": "1"})
    assert (counts(world), list(GovernmentResult.objects.order_by("id").values())) == after_first
    assert after_first[0]["results"] == 2
    assert after_first[0]["actions"] == Answer.objects.exclude(finding="").count() == 3
    assert list(RoundTransition.objects.values_list("to_state", flat=True)) == ["published"]


@pytest.mark.django_db
@pytest.mark.parametrize("who, url_name, data", [
    ("operator", "answer-save", {"value": "2", "note": "", "version": "0"}),
    ("assessor", "verify-save", {"verified_value": "2", "finding": "", "version": "0"}),
])
def test_double_post_of_an_answer_saves_once(client, standard, who, url_name, data):
    world = build_world()
    if who == "assessor":
        Round.objects.filter(id=world.round.id).update(state=Round.State.VERIFICATION)
    client.force_login(getattr(world, who))
    url = reverse(url_name, args=[world.unit.id, world.indicator.id])
    client.post(url, data, HTTP_HX_REQUEST="true")
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.context["error"] and not response.context["message"]  # told, not saved
    answer = Answer.objects.get()
    assert (answer.version, answer.verification_version) == (
        (1, 0) if who == "operator" else (0, 1))
    assert answer_entries() == 1
