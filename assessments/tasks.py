"""Background jobs of the assessments app (Celery). Arguments are ids and dates only."""
from datetime import date

from celery import shared_task
from django.utils import timezone

from agencies.models import Government

from . import leader_reports, notices, reminders


@shared_task(acks_late=True)
def round_transition_notify_task(transition_id: int) -> None:
    notices.round_transition_notify(transition_id)


@shared_task
def deadline_reminders(today: str = "") -> int:
    day = date.fromisoformat(today) if today else timezone.localdate()
    return (reminders.self_assessment_reminders(today=day)
            + reminders.verification_reminders(today=day))


@shared_task(acks_late=True)
def leader_report_task(government_id: int, today: str) -> bool:
    government = Government.objects.get(id=government_id)
    report = leader_reports.leader_report_make(
        government=government, frequency=leader_reports.frequency_of(government_id),
        today=date.fromisoformat(today))
    return report is not None


@shared_task
def leader_reports_periodic(today: str = "") -> int:
    """Daily: start the report of every government whose period has ended (each its own job,
    so that workers share them and one failure stops no other)."""
    day = today or timezone.localdate().isoformat()
    due = leader_reports.leader_reports_due(today=date.fromisoformat(day))
    for government_id in due:
        leader_report_task.delay(government_id, day)
    return len(due)
