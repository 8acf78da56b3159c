"""When an operator may change a checklist (``assessments.rules.checklist_lock_reason``), and
when a coordinator may send it back (``return_lock_reason``).

No database: the rule reads only the round's state and deadline and the assessment's status,
so unsaved model instances are enough. The deadline is a date, and its whole day belongs to
the operators: the lock starts the day after.
"""
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from assessments.models import Assessment, Round
from assessments.rules import checklist_lock_reason, return_lock_reason

DEADLINE = date(2026, 6, 30)


def assessment(state=Round.State.SELF_ASSESSMENT, deadline=DEADLINE,
               status=Assessment.Status.IN_PROGRESS):
    return Assessment(round=Round(year=2026, name="Penilaian 2026", state=state,
                                  self_deadline=deadline), status=status)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(("today", "locked"), [
    (date(2026, 1, 1), False),
    (DEADLINE - timedelta(days=1), False),
    (DEADLINE, False),  # the deadline day itself is still open
    (DEADLINE + timedelta(days=1), True),
    (date(2027, 1, 1), True),
])
def test_the_deadline_day_is_the_last_day_to_change_answers(today, locked):
    reason = checklist_lock_reason(assessment(), today=today)
    if locked:
        assert reason == "The self-assessment deadline (June 30, 2026) has passed."
    else:
        assert reason is None


def test_without_a_deadline_the_round_stays_open():
    assert checklist_lock_reason(assessment(deadline=None), today=date(2099, 12, 31)) is None


def test_today_defaults_to_the_local_date():
    today = timezone.localdate()
    assert checklist_lock_reason(assessment(deadline=today)) is None
    reason = checklist_lock_reason(assessment(deadline=today - timedelta(days=1)))
    assert reason.startswith("The self-assessment deadline (") and reason.endswith(
        ") has passed.")


@pytest.mark.parametrize(("state", "display"), [
    (Round.State.DRAFT, "Draft"),
    (Round.State.VERIFICATION, "Verification"),
    (Round.State.PUBLISHED, "Published"),
    (Round.State.CLOSED, "Closed"),
])
def test_only_a_round_in_self_assessment_takes_changes(state, display):
    # before the deadline, and although the checklist was never submitted
    reason = checklist_lock_reason(assessment(state=state), today=date(2026, 1, 1))
    assert reason == f"The round is not open for self-assessment (state: {display})."


@pytest.mark.parametrize(("status", "locked"), [
    (Assessment.Status.NOT_STARTED, False),
    (Assessment.Status.IN_PROGRESS, False),
    (Assessment.Status.RETURNED, False),
    (Assessment.Status.SUBMITTED, True),
])
def test_a_submitted_checklist_waits_for_the_coordinator(status, locked):
    reason = checklist_lock_reason(assessment(status=status), today=date(2026, 1, 1))
    if locked:
        assert reason == ("This checklist has been submitted; it can be changed only after "
                          "the coordinator returns it.")
    else:
        assert reason is None


def test_the_round_state_is_said_before_the_deadline_and_the_deadline_before_submission():
    late = DEADLINE + timedelta(days=1)
    closed = assessment(state=Round.State.CLOSED, status=Assessment.Status.SUBMITTED)
    assert checklist_lock_reason(closed, today=late).startswith("The round is not open")
    submitted = assessment(status=Assessment.Status.SUBMITTED)
    assert checklist_lock_reason(submitted, today=late).startswith(
        "The self-assessment deadline")


def test_the_reason_speaks_indonesian_by_default():
    with translation.override("id"):
        assert checklist_lock_reason(assessment(), today=DEADLINE + timedelta(days=1)) == (
            "Batas waktu penilaian mandiri (30 Juni 2026) telah lewat.")


# --- returning a checklist ----------------------------------------------------------------------

@pytest.mark.parametrize(("status", "reason"), [
    (Assessment.Status.SUBMITTED, None),
    (Assessment.Status.NOT_STARTED, "Only a submitted checklist can be returned."),
    (Assessment.Status.IN_PROGRESS, "Only a submitted checklist can be returned."),
    (Assessment.Status.RETURNED, "Only a submitted checklist can be returned."),
])
def test_only_a_submitted_checklist_goes_back(status, reason):
    assert return_lock_reason(assessment(status=status)) == reason


@pytest.mark.parametrize(("state", "display"), [
    (Round.State.DRAFT, "Draft"),
    (Round.State.VERIFICATION, "Verification"),
    (Round.State.PUBLISHED, "Published"),
    (Round.State.CLOSED, "Closed"),
])
def test_once_verification_begins_nothing_goes_back(state, display):
    """Submitted, but the assessors work from what was submitted: no return outside
    self-assessment, and the round's state is said first."""
    reason = return_lock_reason(assessment(state=state, status=Assessment.Status.SUBMITTED))
    assert reason == (f"The round is not open for self-assessment (state: {display}); a "
                      "checklist can no longer be returned.")
    unsubmitted = assessment(state=state, status=Assessment.Status.IN_PROGRESS)
    assert return_lock_reason(unsubmitted).startswith("The round is not open")


def test_the_deadline_does_not_stop_a_return():
    """A coordinator may return a checklist after the operators' deadline (the operator then
    cannot change it either, but the return itself is allowed)."""
    late = assessment(deadline=date(2020, 1, 1), status=Assessment.Status.SUBMITTED)
    assert return_lock_reason(late) is None
