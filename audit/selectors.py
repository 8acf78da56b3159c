"""Reading the audit trail: filters from an allow-list, newest first, one page at a time; and
the entries of one assessment's rows, for its checklist's history."""
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import CharField, IntegerField
from django.db.models.expressions import RawSQL

from audit.models import AuditEntry
from audit.triggers import ASSESSMENT_KEY, AUDITED

PAGE_SIZE = 50


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def audit_page(params):
    """(page, filters) for the query parameters ``table``, ``row``, ``actor`` and ``page``."""
    entries = AuditEntry.objects.all()
    filters = {"table": "", "row": "", "actor": ""}
    if params.get("table") in AUDITED:
        filters["table"] = params["table"]
        entries = entries.filter(table_name=filters["table"])
    row = _positive_int(params.get("row"))
    if row is not None:
        filters["row"] = str(row)
        entries = entries.filter(row_id=filters["row"])
    actor = _positive_int(params.get("actor"))
    if actor is not None:
        filters["actor"] = str(actor)
        entries = entries.filter(actor_id=actor)
    paginator = Paginator(entries.order_by("-id"), PAGE_SIZE)
    page = paginator.get_page(_positive_int(params.get("page")) or 1)
    return page, filters


def assessment_entries(assessment_id: int, tables, *, limit: int) -> list[AuditEntry]:
    """The newest ``limit`` entries of ``tables`` (tables with an ``assessment_id`` column)
    whose row belongs to the assessment, removed rows included. One query, served by the
    index on ASSESSMENT_KEY."""
    postgresql = connection.vendor == "postgresql"
    key = RawSQL(ASSESSMENT_KEY[connection.vendor], (),
                 output_field=CharField() if postgresql else IntegerField())
    return list(AuditEntry.objects.filter(table_name__in=list(tables))
                .alias(assessment=key)
                .filter(assessment=str(assessment_id) if postgresql else assessment_id)
                .order_by("-id")[:limit])
