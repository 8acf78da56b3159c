"""The kinds of notification and their text, in one table.

A notification stores its text parts (agency, round, comment…) and is worded when it is shown or
mailed, in the reader's language. A part that itself needs translating (a round state) is stored
in every language (``in_all_languages``), so this app never imports the apps that send."""
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SUBMITTED = "submitted", _("Checklist submitted")
    RETURNED = "returned", _("Checklist returned")
    FINDING = "finding", _("Finding recorded")
    OBSTACLE_REPORTED = "obstacle_reported", _("Obstacle reported")
    OBSTACLE_ANSWERED = "obstacle_answered", _("Obstacle answered")
    ROUND_STATE = "round_state", _("Round state changed")
    PUBLISHED = "published", _("Results published")
    DEADLINE = "deadline", _("Deadline reminder")
    LEADER_REPORT = "leader_report", _("Periodic obstacle and action report")


MESSAGES = {
    Kind.SUBMITTED: _("%(agency)s submitted its checklist for %(round)s."),
    Kind.RETURNED: _("The coordinator returned the checklist of %(agency)s for %(round)s: "
                     "%(comment)s"),
    Kind.FINDING: _("The assessor recorded a finding for %(agency)s on indicator "
                    "%(indicator)s; its text is shown once the results are published."),
    Kind.OBSTACLE_REPORTED: _("%(agency)s reported an obstacle: %(description)s"),
    Kind.OBSTACLE_ANSWERED: _("A leader answered the obstacle of %(agency)s: %(answer)s"),
    Kind.ROUND_STATE: _("%(round)s is now in the state “%(state)s”."),
    Kind.PUBLISHED: _("The results of %(round)s have been published."),
    Kind.DEADLINE: _("%(days)s day(s) left before the %(deadline_kind)s deadline of %(round)s "
                     "(%(deadline)s): %(what)s"),
    Kind.LEADER_REPORT: _("The periodic obstacle and action report of %(government)s for "
                          "%(period)s is ready."),
}


def in_all_languages(text) -> dict:
    """A lazy translatable string as {language code: text}, for a part stored once and shown
    in whichever language the reader uses."""
    parts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            parts[code] = str(text)
    return parts


def _part(value, language):
    if isinstance(value, dict):
        return value.get(language) or value.get(settings.LANGUAGE_CODE) or ""
    return value


def render(kind: str, params: dict, language: str) -> str:
    """The sentence of one notification in ``language``; a missing part shows as empty rather
    than failing the page or the mail."""
    with translation.override(language):
        template = str(MESSAGES.get(kind, "%(text)s"))
        values = _Parts({key: _part(value, language) for key, value in (params or {}).items()})
        return template % values


def label(kind: str, language: str) -> str:
    with translation.override(language):
        return str(Kind(kind).label) if kind in Kind.values else kind


class _Parts(dict):
    def __missing__(self, key):
        return ""
