"""Deadline reminders: before the self-assessment deadline to the operators of checklists not
yet submitted and to their coordinators; before the verification deadline to the assessors of
governments with units not finalised.

A reminder is due at the smallest threshold (7, 3, 1 days by default) not below the days left,
so a day the job did not run is caught up the next day without sending every threshold at
once. The dedupe key names round, unit or government, threshold and recipient: running the job
twice, or on two workers, reminds nobody twice."""
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies import access
from agencies.models import Role
from notifications.kinds import Kind, in_all_languages
from notifications.services import notify

from .models import Assessment, Round

SELF = _("self-assessment")
VERIFICATION = _("verification")


def threshold_for(days_left: int, thresholds=None) -> int | None:
    thresholds = sorted(thresholds or settings.REMINDER_DAYS)
    if days_left < 0:
        return None
    due = [t for t in thresholds if t >= days_left]
    return due[0] if due else None


def _users(ids):
    return get_user_model().objects.in_bulk(set(ids))


def self_assessment_reminders(*, today) -> int:
    sent = 0
    for round_ in Round.objects.filter(state=Round.State.SELF_ASSESSMENT,
                                       self_deadline__isnull=False, is_official=False):
        threshold = threshold_for((round_.self_deadline - today).days)
        if threshold is None:
            continue
        pending = list(Assessment.objects.filter(round=round_).exclude(
            status=Assessment.Status.SUBMITTED).select_related("agency")
            .values_list("id", "agency_id", "agency__name", "agency__government_id",
                         "agency__government__name"))
        operators = access.operators_by_agency({row[1] for row in pending})
        coordinators = access.members_by_government(Role.COORDINATOR, {row[3] for row in pending})
        users = _users([u for ids in operators.values() for u in ids]
                       + [u for ids in coordinators.values() for u in ids])
        base = {"round": round_.name, "days": (round_.self_deadline - today).days,
                "deadline": round_.self_deadline.isoformat(),
                "deadline_kind": in_all_languages(SELF)}
        for assessment_id, agency_id, agency_name, _gov, _gov_name in pending:
            recipients = [users[u] for u in operators.get(agency_id, []) if u in users]
            sent += len(notify(
                recipients=recipients, kind=Kind.DEADLINE,
                key=f"deadline:self:{round_.id}:a{assessment_id}:{threshold}",
                params=base | {"what": _not_submitted_one(agency_name)},
                url=reverse("checklist", args=[assessment_id])))
        per_government = Counter(row[3] for row in pending)
        names = {row[3]: row[4] for row in pending}
        for government_id, count in per_government.items():
            recipients = [users[u] for u in coordinators.get(government_id, []) if u in users]
            sent += len(notify(
                recipients=recipients, kind=Kind.DEADLINE,
                key=f"deadline:self:{round_.id}:g{government_id}:{threshold}",
                params=base | {"what": _not_submitted_many(count, names[government_id])},
                url=reverse("progress-board", args=[government_id])))
    return sent


def verification_reminders(*, today) -> int:
    sent = 0
    for round_ in Round.objects.filter(state=Round.State.VERIFICATION,
                                       verification_deadline__isnull=False, is_official=False):
        threshold = threshold_for((round_.verification_deadline - today).days)
        if threshold is None:
            continue
        left = Counter(Assessment.objects.filter(
            round=round_, sampled=True, finalised_at__isnull=True)
            .values_list("agency__government_id", flat=True))
        assessors = access.members_by_government(Role.ASSESSOR, set(left))
        users = _users([u for ids in assessors.values() for u in ids])
        base = {"round": round_.name, "days": (round_.verification_deadline - today).days,
                "deadline": round_.verification_deadline.isoformat(),
                "deadline_kind": in_all_languages(VERIFICATION)}
        for government_id, count in left.items():
            recipients = [users[u] for u in assessors.get(government_id, []) if u in users]
            sent += len(notify(
                recipients=recipients, kind=Kind.DEADLINE,
                key=f"deadline:verify:{round_.id}:g{government_id}:{threshold}",
                params=base | {"what": _units_left(count)},
                url=reverse("government-detail", args=[government_id])))
    return sent


def _not_submitted_one(agency_name):
    from django.utils import translation
    result = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            result[code] = str(_("the checklist of %(agency)s is not submitted yet.")) % {
                "agency": agency_name}
    return result


def _not_submitted_many(count, government_name):
    from django.utils import translation
    from django.utils.translation import ngettext
    result = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            result[code] = ngettext(
                "%(count)s checklist of %(government)s is not submitted yet.",
                "%(count)s checklists of %(government)s are not submitted yet.", count) % {
                "count": count, "government": government_name}
    return result


def _units_left(count):
    from django.utils import translation
    from django.utils.translation import ngettext
    result = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            result[code] = ngettext("%(count)s unit is not finalised.",
                                    "%(count)s units are not finalised.", count) % {
                "count": count}
    return result
