"""Who is told of what: the events of the checklist, verification, follow-up and round flow,
turned into notifications.

The services call these explicitly (no signals) with ``transaction.on_commit``, so a change that
is rolled back tells nobody; each notification's dedupe key names the event, so a repeated call
tells nobody twice. A finding's text is not sent before publication (the access policy keeps
findings from operators and coordinators until then): they learn that there is one."""
from django.db import transaction
from django.urls import reverse

from agencies import access
from notifications.kinds import Kind, in_all_languages
from notifications.services import notify

from .models import Answer, ChecklistEvent, Obstacle, Round, RoundTransition


def _on_commit(function, *args):
    transaction.on_commit(lambda: function(*args))


def checklist_event_notify(event_id: int) -> None:
    event = ChecklistEvent.objects.select_related(
        "assessment__agency__government", "assessment__round").get(id=event_id)
    assessment = event.assessment
    agency = assessment.agency
    params = {"agency": agency.name, "round": assessment.round.name}
    url = reverse("checklist", args=[assessment.id])
    if event.kind == ChecklistEvent.Kind.SUBMITTED:
        notify(recipients=access.coordinators_of([agency.government_id]), kind=Kind.SUBMITTED,
               key=f"event:{event.id}", params=params, url=url, subject=assessment)
    else:
        notify(recipients=access.operators_of([agency.id]), kind=Kind.RETURNED,
               key=f"event:{event.id}", params=params | {"comment": event.comment}, url=url,
               subject=assessment)


def finding_notify(answer_id: int) -> None:
    answer = Answer.objects.select_related("assessment__agency", "assessment__round",
                                           "indicator").get(id=answer_id)
    agency = answer.assessment.agency
    recipients = list(access.operators_of([agency.id])) + list(
        access.coordinators_of([agency.government_id]))
    notify(recipients=recipients, kind=Kind.FINDING, key=f"finding:{answer.id}",
           params={"agency": agency.name, "indicator": answer.indicator.code,
                   "round": answer.assessment.round.name},
           url=reverse("checklist", args=[answer.assessment_id]), subject=answer.assessment)


def obstacle_notify(obstacle_id: int) -> None:
    obstacle = Obstacle.objects.select_related("agency").get(id=obstacle_id)
    agency = obstacle.agency
    recipients = list(access.leaders_of([agency.government_id])) + list(
        access.coordinators_of([agency.government_id]))
    notify(recipients=recipients, kind=Kind.OBSTACLE_REPORTED, key=f"obstacle:{obstacle.id}",
           params={"agency": agency.name, "description": obstacle.description[:300]},
           url=reverse("agency-actions", args=[agency.id]), subject=obstacle)


def round_transition_notify(transition_id: int) -> None:
    """Everyone taking part hears of a state change; a publication is the leaders' and
    coordinators' "published" notification (the others get the state change)."""
    transition = RoundTransition.objects.select_related("round").get(id=transition_id)
    round_ = transition.round
    government_ids = list(round_.participants.values_list("government_id", flat=True))
    agency_ids = round_.assessments.values_list("agency_id", flat=True)
    heads = list(access.leaders_of(government_ids)) + list(
        access.coordinators_of(government_ids))
    others = list(access.operators_of(agency_ids)) + list(access.assessors_of(government_ids))
    params = {"round": round_.name,
              "state": in_all_languages(Round.State(transition.to_state).label)}
    key = f"round:{transition.id}"
    if transition.to_state == Round.State.PUBLISHED:
        notify(recipients=heads, kind=Kind.PUBLISHED, key=key, params=params,
               url=reverse("public-round", args=[round_.id]), subject=round_)
        notify(recipients=others, kind=Kind.ROUND_STATE, key=key, params=params,
               subject=round_)
    else:
        notify(recipients=heads + others, kind=Kind.ROUND_STATE, key=key, params=params,
               subject=round_)


def on_checklist_event(event) -> None:
    _on_commit(checklist_event_notify, event.id)


def on_finding(answer) -> None:
    _on_commit(finding_notify, answer.id)


def on_obstacle(obstacle) -> None:
    _on_commit(obstacle_notify, obstacle.id)


def on_round_transition(transition) -> None:
    """Possibly thousands of recipients: a background job, started after the commit."""
    from .tasks import round_transition_notify_task
    transaction.on_commit(lambda: round_transition_notify_task.delay(transition.id))


def obstacle_answer_notify(obstacle_id: int, answered_at: str) -> None:
    obstacle = Obstacle.objects.select_related("agency").get(id=obstacle_id)
    notify(recipients=access.operators_of([obstacle.agency_id]), kind=Kind.OBSTACLE_ANSWERED,
           key=f"obstacle-answer:{obstacle.id}:{answered_at}",
           params={"agency": obstacle.agency.name, "answer": obstacle.answer[:300]},
           url=reverse("agency-actions", args=[obstacle.agency_id]), subject=obstacle)


def on_obstacle_answer(obstacle) -> None:
    _on_commit(obstacle_answer_notify, obstacle.id, obstacle.answered_at.isoformat())
