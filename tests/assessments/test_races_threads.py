"""The races of test_races.py with real concurrent transactions (PostgreSQL only).

The first actor stops inside the service just after its guard (``Gate``); the second starts
and is seen either blocked on the first one's row lock (the guard works) or through its own
guard as well; then the first finishes, then the second. The controls take the row locks out
(``SELECT … FOR UPDATE`` becomes a plain read) and keep every check that follows them: that the
version check and the state re-check then let both actors through shows that they hold only
because the row is locked between the check and the write.
"""
import threading
import time

import pytest
from django.db import connection, connections
from django.db.models.query import QuerySet

from assessments.models import (ActionItem, Answer, Assessment, ChecklistEvent,
                                GovernmentResult, Round, RoundTransition)
from assessments.services import answers, rounds
from assessments.services.answers import AnswerConflict, ChecklistLocked
from assessments.services.rounds import TransitionRefused, round_transition
from assessments.services.workflow import assessment_submit
from compliance.prepared import prepared

from .race_helpers import (Gate, answer_entries, build_world, fill_checklist, ready_to_publish,
                           save_answer, verify_answer)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="real concurrent transactions need PostgreSQL (SQLite locks the "
                              "whole file)"),
    pytest.mark.django_db(transaction=True),
]


def without_row_locks(monkeypatch):
    """SELECT … FOR UPDATE / FOR SHARE become plain reads; the checks that follow them stay."""
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    monkeypatch.setattr(answers, "lock_round_shared", lambda round_id: None)
    # The save's reads are compiled once (compliance.prepared): swap in fresh copies of every
    # one, compiled under the patch and dropped with it, so later tests lock again.
    for name, compiled in list(vars(answers).items()):
        if hasattr(compiled, "build") and hasattr(compiled, "kinds"):
            monkeypatch.setattr(answers, name, prepared(*compiled.kinds)(compiled.build))


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _blocked_by(waiting_pid, holding_pid):
    """Whether PostgreSQL reports the one backend waiting for a lock the other holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [holding_pid, waiting_pid])
        return cursor.fetchone()[0]


def interleave(gate, first, second):
    """Run ``first`` to the gate, then ``second`` while ``first`` holds what its guard took.
    Returns how ``second`` got on meanwhile — "blocked" by a lock ``first`` holds, or "through"
    its guard to the gate as well — and what each call returned or raised (``first`` finishes
    first)."""
    outcomes, pids = {}, {}

    def worker(name, call):
        def run():
            try:
                pids[name] = _backend_pid()  # the connection the service then uses
                outcomes[name] = call()
            except Exception as exc:  # the refusal under test, or a failure to report
                outcomes[name] = exc
            finally:
                connections.close_all()
        return threading.Thread(target=run, name=name)

    threads = [worker("first", first), worker("second", second)]
    how = "timeout"
    try:
        threads[0].start()
        assert gate.arrived["first"].wait(20), outcomes
        threads[1].start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if gate.arrived["second"].is_set():
                how = "through"
                break
            if "second" in pids and _blocked_by(pids["second"], pids["first"]):
                how = "blocked"
                break
            if not threads[1].is_alive():
                how = "finished"
                break
            time.sleep(0.01)
    finally:
        gate.released["first"].set()
        threads[0].join(30)
        gate.released["second"].set()
        threads[1].join(30)
    return how, outcomes


def _threaded_answer_race(world, monkeypatch, verify=False):
    gate = Gate("first", "second")
    gate.install(monkeypatch, Answer, "full_clean")
    if verify:
        fill_checklist(world.unit)
        Round.objects.filter(id=world.round.id).update(state=Round.State.VERIFICATION)
        verify_answer(world, world.assessor, value=1, finding="", version=0)
        first = lambda: verify_answer(world, world.assessor, value=3, finding="", version=1)
        second = lambda: verify_answer(world, world.assessor_2, value=1,
                                       finding="SK belum ditandatangani", version=1)
    else:
        save_answer(world, world.operator, value=1, note="", version=0)
        first = lambda: save_answer(world, world.operator, value=3, note="", version=1)
        second = lambda: save_answer(world, world.operator_2, value=1, note="SK dilampirkan",
                                     version=1)
    return gate, first, second


@pytest.mark.parametrize("verify", [False, True], ids=["answer", "verification"])
def test_answer_race_guarded_threads(standard, monkeypatch, verify):
    world = build_world()
    gate, first, second = _threaded_answer_race(world, monkeypatch, verify)
    before = answer_entries()
    how, outcomes = interleave(gate, first, second)
    assert how == "blocked"
    assert isinstance(outcomes["first"], Answer), outcomes
    assert isinstance(outcomes["second"], AnswerConflict), outcomes
    answer = Answer.objects.get(assessment=world.unit, indicator=world.indicator)
    assert (answer.verified_value if verify else answer.value) == 3
    assert answer_entries() == before + 1


@pytest.mark.parametrize("verify", [False, True], ids=["answer", "verification"])
def test_answer_race_without_lock_loses_update_threads(standard, monkeypatch, verify):
    """The version check alone is not enough: without the row lock both writers pass it."""
    world = build_world()
    gate, first, second = _threaded_answer_race(world, monkeypatch, verify)
    before = answer_entries()
    without_row_locks(monkeypatch)
    how, outcomes = interleave(gate, first, second)
    assert how == "through"
    assert all(isinstance(outcome, Answer) for outcome in outcomes.values()), outcomes
    answer = Answer.objects.get(assessment=world.unit, indicator=world.indicator)
    # both were told "saved", both wrote version 2, and the first one's 3 is gone
    assert (answer.verified_value if verify else answer.value) == 1
    assert (answer.verification_version if verify else answer.version) == 2
    assert answer_entries() == before + 2


def _threaded_submit(world, monkeypatch):
    fill_checklist(world.unit)
    gate = Gate("first", "second")
    gate.install(monkeypatch, Assessment, "full_clean")
    return (gate, lambda: assessment_submit(assessment_id=world.unit.id, user=world.operator),
            lambda: assessment_submit(assessment_id=world.unit.id, user=world.operator_2))


def test_submit_race_guarded_threads(standard, monkeypatch):
    world = build_world()
    gate, first, second = _threaded_submit(world, monkeypatch)
    how, outcomes = interleave(gate, first, second)
    assert how == "blocked"
    assert isinstance(outcomes["second"], ChecklistLocked), outcomes
    assert list(ChecklistEvent.objects.values_list("actor", flat=True)) == [world.operator.id]


def test_submit_race_without_lock_submits_twice_threads(standard, monkeypatch):
    world = build_world()
    gate, first, second = _threaded_submit(world, monkeypatch)
    without_row_locks(monkeypatch)
    how, outcomes = interleave(gate, first, second)
    assert how == "through"
    assert all(isinstance(outcome, Assessment) for outcome in outcomes.values()), outcomes
    assert ChecklistEvent.objects.filter(kind="submitted").count() == 2


def _threaded_publication(world, monkeypatch):
    ready_to_publish(world)
    gate = Gate("first", "second")
    gate.install(monkeypatch, rounds, "round_publish_results")
    stale = Round.objects.get(id=world.round.id)
    return (gate,
            lambda: round_transition(round_=world.round, to_state="published", by=world.admin),
            lambda: round_transition(round_=stale, to_state="published", by=world.admin_2))


def test_publication_race_guarded_threads(standard, monkeypatch):
    world = build_world()
    gate, first, second = _threaded_publication(world, monkeypatch)
    how, outcomes = interleave(gate, first, second)
    assert how == "blocked"
    assert isinstance(outcomes["first"], Round), outcomes
    assert isinstance(outcomes["second"], TransitionRefused), outcomes
    assert list(RoundTransition.objects.values_list("to_state", "actor")) == [
        ("published", world.admin.id)]
    assert GovernmentResult.objects.count() == 2 and ActionItem.objects.count() == 3


def test_publication_race_without_lock_publishes_twice_threads(standard, monkeypatch):
    world = build_world()
    gate, first, second = _threaded_publication(world, monkeypatch)
    without_row_locks(monkeypatch)
    how, outcomes = interleave(gate, first, second)
    assert how == "through"
    assert all(isinstance(outcome, Round) for outcome in outcomes.values()), outcomes
    # published twice, the second time as a "republication" without the required reason
    assert list(RoundTransition.objects.values_list("to_state", "actor", "reason")) == [
        ("published", world.admin.id, ""), ("published", world.admin_2.id, "")]
