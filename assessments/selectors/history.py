"""The audit history of one checklist: every change to an answer or to its evidence, with who,
when, the old value and the new one (from django-simple-history's tables)."""
from dataclasses import dataclass
from datetime import datetime

from ..models import Answer, Evidence

HistoricalAnswer = Answer.history.model
HistoricalEvidence = Evidence.history.model
ANSWER_FIELDS = ("value", "not_applicable", "note")
LIMIT = 500


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    user: object
    indicator: object
    what: str  # "answer" or "evidence"
    action: str  # "+", "~", "-"
    changes: list  # (field, old, new)


def field_label(name):
    return str(Answer._meta.get_field(name).verbose_name)


def _answer_rows(assessment):
    records = list(HistoricalAnswer.objects.filter(assessment_id=assessment.id)
                   .select_related("history_user", "indicator__component")
                   .order_by("id", "history_date", "history_id")[:LIMIT])
    previous = {}
    rows = []
    for record in records:
        before = previous.get(record.id)
        changes = [(field_label(field), getattr(before, field) if before else None,
                    getattr(record, field))
                   for field in ANSWER_FIELDS
                   if before is None or getattr(before, field) != getattr(record, field)]
        if before is None:
            changes = [(f, old, new) for f, old, new in changes if new not in (None, "", False)]
        rows.append(HistoryRow(at=record.history_date, user=record.history_user,
                               indicator=record.indicator, what="answer",
                               action=record.history_type, changes=changes))
        previous[record.id] = record
    return rows


def _evidence_rows(assessment):
    records = (HistoricalEvidence.objects.filter(assessment_id=assessment.id)
               .select_related("history_user", "indicator__component")
               .order_by("history_date", "history_id")[:LIMIT])
    return [HistoryRow(at=record.history_date, user=record.history_user,
                       indicator=record.indicator, what="evidence", action=record.history_type,
                       changes=[("evidence", None, record.original_name or record.url)])
            for record in records]


def checklist_history_rows(assessment) -> list[HistoryRow]:
    rows = _answer_rows(assessment) + _evidence_rows(assessment)
    return sorted(rows, key=lambda row: row.at, reverse=True)
