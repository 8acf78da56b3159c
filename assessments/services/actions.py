"""Follow-up of findings: actions (rencana aksi) and the obstacles (kendala) an agency reports
to its leaders until they are resolved.

Each write is one transaction on a locked row, validated in full before it is saved, and
recorded by the audit trail with the acting user ("who moved the due date?"). The rules are checked here, not only in the forms, so that a
script or a second view cannot store an action without a title or an obstacle of another
agency's action. Who may call these is the views' business (``agencies.access``)."""
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from audit.context import acting_user
from compliance.models import Component

from .. import notices
from ..models import ActionItem, Obstacle

TITLE_MAX = 500
OWNER_MAX = 150
DESCRIPTION_MAX = 2000
EARLIEST_DUE = date(2000, 1, 1)
LATEST_DUE = date(2100, 12, 31)


class _Unchanged:
    """Marks an argument of ``action_update`` that the caller did not give."""

    def __repr__(self):
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def clean_title(title) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Describe the action.")})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("The action may be at most %(max)s characters long "
                                          "(it has %(length)s).") % {
            "max": TITLE_MAX, "length": len(title)}})
    return title


def clean_owner(owner) -> str:
    owner = (owner or "").strip()
    if len(owner) > OWNER_MAX:
        raise ValidationError({"owner": _("The owner may be at most %(max)s characters long "
                                          "(it has %(length)s).") % {
            "max": OWNER_MAX, "length": len(owner)}})
    return owner


def clean_due_date(due_date) -> date | None:
    if due_date is None:
        return None
    if not isinstance(due_date, date):
        raise ValidationError({"due_date": _("Enter the due date as a date.")})
    if not EARLIEST_DUE <= due_date <= LATEST_DUE:
        raise ValidationError({"due_date": _("The due date must lie between %(first)s and "
                                             "%(last)s.") % {
            "first": EARLIEST_DUE.year, "last": LATEST_DUE.year}})
    return due_date


def clean_status(status) -> str:
    if status not in ActionItem.Status.values:
        raise ValidationError({"status": _("Unknown status: choose open, in progress or "
                                           "done.")})
    return status


def clean_description(description) -> str:
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe the obstacle.")})
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError({"description": _(
            "The description may be at most %(max)s characters long (it has %(length)s).") % {
            "max": DESCRIPTION_MAX, "length": len(description)}})
    return description


@transaction.atomic
def action_create(*, agency: Agency, title: str, by, component: Component | None = None,
                  owner: str = "", due_date: date | None = None) -> ActionItem:
    """A manual action of the agency, optionally for one (weak) component. Actions from
    findings are created by ``findings_carry_forward`` at publication."""
    action = ActionItem(agency=agency, component=component, title=clean_title(title),
                        owner=clean_owner(owner), due_date=clean_due_date(due_date),
                        status=ActionItem.Status.OPEN)
    action.full_clean()
    with acting_user(by):
        action.save()
    return action


def action_update(*, action: ActionItem, by, status=UNCHANGED, owner=UNCHANGED,
                  due_date=UNCHANGED, title=UNCHANGED) -> ActionItem:
    """Change what is given and leave the rest. Nothing is saved (and no history is written)
    when the values given are the ones already stored."""
    changes = {}
    if status is not UNCHANGED:
        changes["status"] = clean_status(status)
    if owner is not UNCHANGED:
        changes["owner"] = clean_owner(owner)
    if due_date is not UNCHANGED:
        changes["due_date"] = clean_due_date(due_date)
    if title is not UNCHANGED:
        changes["title"] = clean_title(title)
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(id=action.id)
        changes = {field: value for field, value in changes.items()
                   if getattr(locked, field) != value}
        if not changes:
            return locked
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean()
        with acting_user(by):
            locked.save()
    return locked


@transaction.atomic
def obstacle_report(*, agency: Agency, description: str, by,
                    action: ActionItem | None = None) -> Obstacle:
    if action is not None and action.agency_id != agency.id:
        raise ValidationError({"action": _("The action belongs to another agency.")})
    obstacle = Obstacle(agency=agency, action=action, reported_by=by,
                        description=clean_description(description))
    obstacle.full_clean()
    with acting_user(by):
        obstacle.save()
    notices.on_obstacle(obstacle)
    return obstacle


def obstacle_resolve(*, obstacle: Obstacle, by) -> Obstacle:
    """Mark the obstacle resolved now. Resolving twice is refused, so the first resolution's
    time and user stay in the record."""
    with transaction.atomic():
        locked = Obstacle.objects.select_for_update().get(id=obstacle.id)
        if locked.resolved_at is not None:
            raise ValidationError(_("This obstacle has already been resolved."))
        locked.resolved_at = timezone.now()
        # The reporter's account may have been deleted since (the field is then NULL): that
        # must not keep the obstacle open.
        locked.full_clean(exclude=["reported_by"])
        with acting_user(by):
            locked.save()
    return locked


def obstacle_answer(*, obstacle: Obstacle, by, answer: str = "") -> Obstacle:
    """A leader marks the obstacle seen and, optionally, answers it; the agency's operators are
    told of an answer. Seen stays the first time it was seen."""
    answer = (answer or "").strip()
    if len(answer) > DESCRIPTION_MAX:
        raise ValidationError({"answer": _(
            "The answer may be at most %(max)s characters long (it has %(length)s).") % {
            "max": DESCRIPTION_MAX, "length": len(answer)}})
    with transaction.atomic():
        locked = Obstacle.objects.select_for_update().get(id=obstacle.id)
        now = timezone.now()
        locked.seen_at = locked.seen_at or now
        answered = bool(answer) and answer != locked.answer
        if answered:
            locked.answer, locked.answered_by, locked.answered_at = answer, by, now
        locked.full_clean(exclude=["reported_by"])
        with acting_user(by):
            locked.save()
        if answered:
            notices.on_obstacle_answer(locked)
    return locked
