"""Reads for the follow-up pages: one agency's actions and obstacles, and a government's
overview of overdue actions, open actions per agency and open obstacles.

Both cost a constant number of queries whatever the number of agencies, actions or obstacles:
the finding behind an action (its indicator and round) comes by ``select_related``, and the
per-agency counts are SQL subqueries on one agency query. "Today" is a parameter so that the
overdue rule (due before today and not done) can be tested on fixed dates."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency, Government

from ..models import ActionItem, Obstacle
from .instruments import indicator_code

DONE = ActionItem.Status.DONE
# A government's lists are capped; the page says so when they are (see ``truncated``).
LIST_LIMIT = 500
# Open actions first, then by due date (none last), then oldest first.
STATUS_ORDER = {ActionItem.Status.OPEN: 0, ActionItem.Status.IN_PROGRESS: 1, DONE: 2}

ACTION_RELATIONS = ("component", "source_answer__indicator__component",
                    "source_answer__assessment__round")


def overdue_filter(today: date) -> Q:
    """What "overdue" means, as a filter on actions: due before today and not done."""
    return Q(due_date__lt=today) & ~Q(status=DONE)


def finding_code(action: ActionItem) -> str:
    """The finding's indicator as the checklist shows it ("g2"), or "" for a manual action."""
    answer = action.source_answer
    if answer is None:
        return ""
    return indicator_code(answer.indicator)


def finding_round(action: ActionItem):
    answer = action.source_answer
    return answer.assessment.round if answer is not None else None


def days_between(earlier: date, later: date) -> int:
    return (later - earlier).days


@dataclass(frozen=True)
class ActionRow:
    action: ActionItem
    code: str  # the finding's indicator ("g2"); "" for a manual action
    round: object  # the finding's round, or None
    overdue: bool
    days_overdue: int  # 0 unless overdue

    @property
    def component(self):
        return self.action.component


@dataclass(frozen=True)
class ObstacleRow:
    obstacle: Obstacle
    age_days: int  # whole days since it was reported (0 on the day itself)

    @property
    def is_open(self):
        return self.obstacle.resolved_at is None


def action_row(action: ActionItem, today: date) -> ActionRow:
    overdue = (action.due_date is not None and action.due_date < today
               and action.status != DONE)
    return ActionRow(action=action, code=finding_code(action), round=finding_round(action),
                     overdue=overdue,
                     days_overdue=days_between(action.due_date, today) if overdue else 0)


def obstacle_row(obstacle: Obstacle, today: date) -> ObstacleRow:
    reported = timezone.localdate(obstacle.reported_at)
    return ObstacleRow(obstacle=obstacle, age_days=max(0, days_between(reported, today)))


def _action_sort_key(row: ActionRow):
    """Overdue first (most overdue on top), then open and in progress by due date, done
    last."""
    action = row.action
    if row.overdue:
        return (0, 0, False, action.due_date, action.id)
    return (1, STATUS_ORDER.get(action.status, 3), action.due_date is None,
            action.due_date or date.max, action.id)


@dataclass(frozen=True)
class AgencyActions:
    agency: Agency
    actions: list  # ActionRow: overdue first, then open and in progress, by due date
    obstacles: list  # ObstacleRow: open ones first, newest first
    today: date

    @property
    def open_actions(self):
        return [row for row in self.actions if row.action.status != DONE]

    @property
    def overdue_count(self):
        return sum(1 for row in self.actions if row.overdue)

    @property
    def open_obstacle_count(self):
        return sum(1 for row in self.obstacles if row.is_open)


def agency_actions(agency: Agency, *, today: date | None = None) -> AgencyActions:
    """Two queries: the actions with their findings, the obstacles with reporter and action."""
    today = today or timezone.localdate()
    actions = [action_row(action, today) for action in
               ActionItem.objects.filter(agency=agency).select_related(*ACTION_RELATIONS)]
    obstacles = [obstacle_row(obstacle, today) for obstacle in
                 Obstacle.objects.filter(agency=agency)
                 .select_related("reported_by", "action")
                 .order_by("-reported_at", "-id")]
    obstacles.sort(key=lambda row: not row.is_open)  # stable: newest first within each group
    return AgencyActions(agency=agency, actions=sorted(actions, key=_action_sort_key),
                         obstacles=obstacles, today=today)


@dataclass(frozen=True)
class AgencyCounts:
    agency: Agency
    open: int  # status "open"
    in_progress: int
    overdue: int
    open_obstacles: int

    @property
    def not_done(self):
        return self.open + self.in_progress


@dataclass(frozen=True)
class GovernmentActions:
    government: Government
    overdue: list  # ActionRow, most overdue first
    overdue_truncated: bool
    agencies: list  # AgencyCounts, by agency name
    obstacles: list  # ObstacleRow, open only, newest first
    obstacles_truncated: bool
    today: date

    @property
    def open_action_total(self):
        return sum(row.not_done for row in self.agencies)

    @property
    def overdue_total(self):
        return sum(row.overdue for row in self.agencies)

    @property
    def open_obstacle_total(self):
        return sum(row.open_obstacles for row in self.agencies)


def _count(queryset):
    """A correlated subquery counting ``queryset``'s rows per agency (0 when there are
    none)."""
    counted = (queryset.filter(agency=OuterRef("pk")).order_by().values("agency")
               .annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def government_actions(government: Government, *, today: date | None = None,
                       limit: int = LIST_LIMIT) -> GovernmentActions:
    """Three queries: the overdue actions, every agency with its counts, the open
    obstacles."""
    today = today or timezone.localdate()
    overdue = list(ActionItem.objects.filter(overdue_filter(today),
                                             agency__government=government)
                   .select_related("agency", *ACTION_RELATIONS)
                   .order_by("due_date", "agency__name", "id")[:limit + 1])
    agencies = (Agency.objects.filter(government=government).order_by("name", "id")
                .annotate(
                    n_open=_count(ActionItem.objects.filter(status=ActionItem.Status.OPEN)),
                    n_in_progress=_count(ActionItem.objects.filter(
                        status=ActionItem.Status.IN_PROGRESS)),
                    n_overdue=_count(ActionItem.objects.filter(overdue_filter(today))),
                    n_obstacles=_count(Obstacle.objects.filter(resolved_at__isnull=True))))
    obstacles = list(Obstacle.objects.filter(agency__government=government,
                                             resolved_at__isnull=True)
                     .select_related("agency", "action", "reported_by")
                     .order_by("-reported_at", "-id")[:limit + 1])
    return GovernmentActions(
        government=government,
        overdue=[action_row(action, today) for action in overdue[:limit]],
        overdue_truncated=len(overdue) > limit,
        agencies=[AgencyCounts(agency=agency, open=agency.n_open,
                               in_progress=agency.n_in_progress, overdue=agency.n_overdue,
                               open_obstacles=agency.n_obstacles) for agency in agencies],
        obstacles=[obstacle_row(obstacle, today) for obstacle in obstacles[:limit]],
        obstacles_truncated=len(obstacles) > limit,
        today=today)
