"""The leaders' periodic obstacle and action report, one per government and period.

Weekly (the ISO week that ended before today) or monthly (the month that ended), as chosen per
government. The report holds the open obstacles by age and agency, the overdue and due-soon
actions, the progress of each unit in the government's live round, and what changed during the
period. It is kept as a dated archive ("Laporan berkala") and mailed to the leaders with the
workbook attached. The (government, period) pair is unique in the database, so a second run of
the job, or two workers at once, neither make a second report nor mail it twice."""
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from agencies import access
from agencies.models import Government
from compliance.spreadsheets.print_setup import add_report_sheet, report_title
from compliance.spreadsheets.writing import new_workbook, to_bytes
from notifications.kinds import Kind
from notifications.services import notify

from .models import (ActionItem, Assessment, ChecklistEvent, Frequency, LeaderReport,
                     LeaderReportSetting, Obstacle, Round)

DUE_SOON_DAYS = 14
LIVE_STATES = (Round.State.SELF_ASSESSMENT, Round.State.VERIFICATION)


def period_before(today: date, frequency: str) -> tuple[date, date]:
    if frequency == Frequency.MONTHLY:
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    start = today - timedelta(days=today.weekday() + 7)  # the Monday of last week
    return start, start + timedelta(days=6)


def _aware(day: date, end=False):
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return timezone.make_aware(moment)


def report_data(government: Government, start: date, end: date) -> dict:
    """Rows of the report, read in a few queries whatever the number of agencies. The changes
    are those of the period; the open obstacles, actions and progress as they stand today."""
    since, until = _aware(start), _aware(end, end=True)
    today = timezone.localdate()  # open obstacles and actions: as they stand when it is made
    # One query for the three lists of obstacles: open now, reported or resolved in the period.
    touched = list(Obstacle.objects.filter(
        Q(resolved_at__isnull=True) | Q(reported_at__gte=since, reported_at__lt=until)
        | Q(resolved_at__gte=since, resolved_at__lt=until), agency__government=government)
        .select_related("agency").order_by("reported_at", "id"))
    obstacles = [o for o in touched if o.resolved_at is None]
    actions = list(ActionItem.objects.filter(agency__government=government,
                                             due_date__isnull=False,
                                             due_date__lte=today + timedelta(days=DUE_SOON_DAYS))
                   .exclude(status=ActionItem.Status.DONE).select_related("agency")
                   .order_by("due_date", "id"))
    live = (Round.objects.filter(state__in=LIVE_STATES, participants__government=government)
            .select_related("methodology").order_by("-year", "-id").first())  # for the title
    progress = list(Assessment.objects.filter(round=live, agency__government=government)
                    .select_related("agency").order_by("agency__name")) if live else []
    changes = {
        "obstacles_new": [o for o in touched if since <= o.reported_at < until],
        "obstacles_resolved": sorted(
            (o for o in touched if o.resolved_at is not None and since <= o.resolved_at < until),
            key=lambda o: (o.resolved_at, o.id)),
        "events": list(ChecklistEvent.objects.filter(
            assessment__agency__government=government, at__gte=since, at__lt=until)
            .select_related("assessment__agency").order_by("at")),
    }
    return {"obstacles": obstacles, "actions": actions, "round": live, "progress": progress,
            "changes": changes, "end": today}


def report_workbook(government: Government, data: dict) -> bytes:
    end = data["end"]
    workbook = new_workbook(in_memory=True)
    title = report_title(_("Periodic report of %(government)s") % {"government": government.name},
                         round_=data["round"],
                         status=_("Open obstacles, actions and progress as of %(date)s.") % {
                             "date": end.isoformat()})

    def obstacle_rows(_sheet):
        for o in data["obstacles"]:
            yield [o.agency.name, o.description, timezone.localtime(o.reported_at).date(),
                   (end - timezone.localtime(o.reported_at).date()).days,
                   _("yes") if o.seen_at else _("no"), o.answer]

    def action_rows(_sheet):
        for a in data["actions"]:
            yield [a.agency.name, a.title, a.owner, a.due_date, a.get_status_display(),
                   _("overdue") if a.due_date < end else _("due soon")]

    def progress_rows(_sheet):
        for unit in data["progress"]:
            yield [unit.agency.name, _("yes") if unit.sampled else _("no"),
                   unit.get_status_display(), unit.answered_count, unit.verified_count,
                   _("yes") if unit.finalised_at else _("no")]

    def change_rows(_sheet):
        changes = data["changes"]
        for o in changes["obstacles_new"]:
            yield [_("Obstacle reported"), o.agency.name, o.description,
                   timezone.localtime(o.reported_at).date()]
        for o in changes["obstacles_resolved"]:
            yield [_("Obstacle resolved"), o.agency.name, o.description,
                   timezone.localtime(o.resolved_at).date()]
        for e in changes["events"]:
            yield [e.get_kind_display(), e.assessment.agency.name, e.comment,
                   timezone.localtime(e.at).date()]

    add_report_sheet(workbook, title, pgettext("sheet name", "Open obstacles"),
                     [_("Agency"), _("Obstacle"), _("Reported"), _("Age (days)"),
                      _("Seen by a leader"), _("Leader's answer")], obstacle_rows)
    add_report_sheet(workbook, title, _("Actions"),
                     [_("Agency"), _("Action"), _("Owner"), _("Due date"), _("Status"),
                      _("Overdue or due soon")], action_rows)
    add_report_sheet(workbook, title, _("Progress"),
                     [_("Agency"), _("Sampled"), _("Status"), _("Answered indicators"),
                      _("Verified indicators"), _("Finalised")], progress_rows)
    add_report_sheet(workbook, title, _("Changes"),
                     [_("What"), _("Agency"), _("Text"), _("Date")], change_rows)
    return to_bytes(workbook)


def summary_of(data: dict) -> dict:
    end = data["end"]
    return {
        "open_obstacles": len(data["obstacles"]),
        "overdue_actions": sum(1 for a in data["actions"] if a.due_date < end),
        "due_soon_actions": sum(1 for a in data["actions"] if a.due_date >= end),
        "units": len(data["progress"]),
        "submitted": sum(1 for u in data["progress"]
                         if u.status == Assessment.Status.SUBMITTED),
        "new_obstacles": len(data["changes"]["obstacles_new"]),
        "resolved_obstacles": len(data["changes"]["obstacles_resolved"]),
    }


def leader_report_make(*, government: Government, frequency: str, today: date,
                       language: str = "id") -> LeaderReport | None:
    """Make and mail the report of the period before ``today``, or None when it exists."""
    start, end = period_before(today, frequency)
    if LeaderReport.objects.filter(government=government, period_start=start,
                                   period_end=end).exists():
        return None
    with translation.override(language):
        data = report_data(government, start, end)
        content = report_workbook(government, data)
    path = f"leader-reports/{government.id}/{start.isoformat()}_{end.isoformat()}.xlsx"
    name = f"laporan-berkala-{government.id}-{start.isoformat()}.xlsx"
    try:
        with transaction.atomic():
            report = LeaderReport.objects.create(
                government=government, frequency=frequency, period_start=start,
                period_end=end, file=path, summary=summary_of(data))
            if default_storage.exists(path):
                default_storage.delete(path)
            default_storage.save(path, ContentFile(content))
            notify(recipients=access.leaders_of([government.id]), kind=Kind.LEADER_REPORT,
                   key=f"leader-report:{report.id}",
                   params={"government": government.name,
                           "period": f"{start.isoformat()} – {end.isoformat()}"},
                   url=reverse("leader-report-list", args=[government.id]), subject=report,
                   attachment=path, attachment_name=name)
    except IntegrityError:
        return None  # another worker made it a moment ago
    return report


def leader_reports_due(*, today: date) -> list[int]:
    """The governments whose report of the period before today is not made yet."""
    monthly = set(LeaderReportSetting.objects.filter(frequency=Frequency.MONTHLY)
                  .values_list("government_id", flat=True))
    week, month = period_before(today, Frequency.WEEKLY), period_before(today, Frequency.MONTHLY)
    made = set(LeaderReport.objects.filter(period_end__in=[week[1], month[1]])
               .values_list("government_id", "period_end"))
    due = []
    for government_id in Government.objects.order_by("id").values_list("id", flat=True):
        end = month[1] if government_id in monthly else week[1]
        if (government_id, end) not in made:
            due.append(government_id)
    return due


def frequency_of(government_id) -> str:
    setting = LeaderReportSetting.objects.filter(government_id=government_id).first()
    return setting.frequency if setting else Frequency.WEEKLY
