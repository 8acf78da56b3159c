"""The change history of one checklist, read from the audit trail (audit/): every change of an
answer and every piece of evidence added or removed, with who, when, the old value and the new.

The trail holds whole rows before and after, so each entry is read on its own (no walk through
earlier versions) and the page costs three queries whatever the number of entries: the
entries, their users, their indicators. The assessor's side of an answer (verified value,
finding) is shown only to whom the caller says may read it."""
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model

from audit.models import AuditEntry
from audit.selectors import assessment_entries
from compliance.models import Indicator

from ..models import Answer

ANSWER_TABLE = "assessments_answer"
EVIDENCE_TABLE = "assessments_evidence"
ANSWER_FIELDS = ("value", "not_applicable", "note")
VERIFIED_FIELDS = ("verified_value", "verified_not_applicable", "finding")
LIMIT = 500
INSERT, UPDATE, DELETE = AuditEntry.Action.INSERT, AuditEntry.Action.UPDATE, \
    AuditEntry.Action.DELETE


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    user: object  # the user who made the change, or None (then ``actor`` names who did)
    actor: str  # as the trail records it: "user:<id>:<name>", "command:<name>", "system", …
    indicator: object
    what: str  # "answer" or "evidence"
    action: str  # "insert", "update" or "delete"
    changes: list  # (field, old, new)


def field_label(name):
    return str(Answer._meta.get_field(name).verbose_name)


def _typed(name, raw):
    """A value as the model holds it: the trail's JSON has SQLite's booleans as 0 and 1."""
    return None if raw is None else Answer._meta.get_field(name).to_python(raw)


def _blank(value):
    return value is None or value == "" or value is False  # identity: a 0 is a value


def answer_changes(entry, fields) -> list:
    """(label, old, new) of the given fields that this entry changed. A created (or deleted)
    answer lists the fields it was created with (or had), leaving out the blank ones."""
    old, new = entry.old_values or {}, entry.new_values or {}
    changes = []
    for name in fields:
        before, after = _typed(name, old.get(name)), _typed(name, new.get(name))
        if entry.action == UPDATE and before == after:
            continue
        if entry.action != UPDATE and _blank(before) and _blank(after):
            continue
        changes.append((field_label(name), before, after))
    return changes


def _saved_by_operator(entry) -> bool:
    """Every save on the checklist raises the version, also one that changes nothing shown;
    the assessor's saves and bulk updates leave it as it is."""
    return (entry.new_values or {}).get("version", 0) != (entry.old_values or {}).get("version", 0)


def _row(entry, users, indicators, what, changes):
    values = entry.new_values or entry.old_values
    return HistoryRow(at=entry.at, user=users.get(entry.actor_id), actor=entry.actor,
                      indicator=indicators.get(values.get("indicator_id")), what=what,
                      action=entry.action, changes=changes)


def checklist_history_rows(assessment, *, with_verification: bool) -> list[HistoryRow]:
    """Newest first. ``with_verification``: whether the viewer may read verified values and
    findings (an entry that changed only those is then left out for them)."""
    entries = assessment_entries(assessment.id, (ANSWER_TABLE, EVIDENCE_TABLE), limit=LIMIT)
    users = get_user_model().objects.in_bulk({e.actor_id for e in entries if e.actor_id})
    indicators = Indicator.objects.select_related("component").in_bulk(
        {(e.new_values or e.old_values).get("indicator_id") for e in entries})
    fields = ANSWER_FIELDS + (VERIFIED_FIELDS if with_verification else ())
    rows = []
    for entry in entries:
        if entry.table_name == EVIDENCE_TABLE:
            if entry.action == UPDATE:
                continue
            evidence = entry.new_values or entry.old_values
            name = evidence.get("original_name") or evidence.get("url")
            rows.append(_row(entry, users, indicators, "evidence", [("evidence", None, name)]))
            continue
        changes = answer_changes(entry, fields)
        if changes or _saved_by_operator(entry):
            rows.append(_row(entry, users, indicators, "answer", changes))
    return rows
