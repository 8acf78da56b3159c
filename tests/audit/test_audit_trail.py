"""The audit trail: written by the database for every change of the audited tables (bulk and
raw SQL included), with actor, time, request id, old and new values; append-only."""
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from agencies.models import Agency, AgencyKind
from assessments.models import Answer, GovernmentResult, Round
from audit.context import acting_user, bind_request, unbind_request
from audit.models import AuditEntry
from audit.triggers import AUDITED

from tests.checklists import checklist

pytestmark = pytest.mark.django_db


def entries(table, row_id):
    return list(AuditEntry.objects.filter(table_name=table, row_id=str(row_id)).order_by("id"))


def test_an_answer_saved_in_the_browser_is_recorded_with_user_request_old_and_new(
        client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="sarana-1")
    url = reverse("answer-save", args=[assessment.id, indicator.id])
    operator = personas["operator"]
    client.force_login(operator)
    client.post(url, {"value": "1", "note": "kursi kurang", "version": "0"})
    response = client.post(url, {"value": "3", "note": "kursi ditambah", "version": "1"})
    answer = Answer.objects.get(assessment=assessment, indicator=indicator)

    first, second = entries("assessments_answer", answer.pk)
    assert (first.action, second.action) == ("insert", "update")
    assert second.actor == f"user:{operator.pk}:operator"
    assert second.actor_id == operator.pk
    assert second.request_id == response.headers["X-Request-ID"] != first.request_id
    assert second.old_values["note"] == "kursi kurang"
    assert second.new_values["note"] == "kursi ditambah"
    assert (second.old_values["value"], second.new_values["value"]) == (1, 3)
    assert ("note", "kursi kurang", "kursi ditambah") in second.changes()
    assert second.at is not None


def test_bulk_updates_and_raw_sql_are_recorded_row_by_row(personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicators = list(checklist().order_by("id")[:3])
    answers = Answer.objects.bulk_create(
        [Answer(assessment=assessment, indicator=i, value=2) for i in indicators])
    ids = sorted(a.pk for a in Answer.objects.filter(assessment=assessment))

    Answer.objects.filter(pk__in=ids).update(verified_value=1, finding="bukti tidak sah")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE assessments_answer SET value = 0 WHERE id = %s", [ids[0]])

    for pk in ids:
        history = entries("assessments_answer", pk)
        assert [e.action for e in history][:2] == ["insert", "update"]
        verified = history[1]
        assert verified.old_values["verified_value"] is None
        assert verified.new_values["verified_value"] == 1
        assert verified.new_values["finding"] == "bukti tidak sah"
        assert verified.actor == "system"  # no request: the process (a command names itself)
    raw = entries("assessments_answer", ids[0])[-1]
    assert (raw.old_values["value"], raw.new_values["value"]) == (2, 0)
    assert len(answers) == 3


def test_results_round_state_roles_and_deletes_are_recorded(personas, live_round, sultra):
    result = GovernmentResult.objects.filter(government=sultra).order_by("round__year").first()
    GovernmentResult.objects.filter(pk=result.pk).update(score=Decimal("99.00"))
    changed = entries("assessments_governmentresult", result.pk)[-1]
    assert changed.action == "update"
    assert Decimal(str(changed.old_values["score"])) == Decimal("34.19")
    assert Decimal(str(changed.new_values["score"])) == Decimal("99.00")

    round_ = live_round["round"]
    Round.objects.filter(pk=round_.pk).update(state=Round.State.VERIFICATION)
    state = entries("assessments_round", round_.pk)[-1]
    assert (state.old_values["state"], state.new_values["state"]) == (
        "self_assessment", "verification")

    membership = personas["leader"].memberships.get()
    membership_id = membership.pk
    membership.delete()
    deleted = entries("agencies_membership", membership_id)[-1]
    assert deleted.action == "delete" and deleted.new_values is None
    assert deleted.old_values["role"] == membership.role


def test_passwords_never_reach_the_trail_and_logins_are_not_changes(personas):
    user = personas["leader"]
    before = AuditEntry.objects.count()
    user.set_password("another-Secret-2027!")
    user.save()
    entry = entries("auth_user", user.pk)[-1]
    assert entry.old_values["password"] == "(hidden)"
    assert entry.new_values["password"] == "(changed)"
    assert "pbkdf2" not in str(entry.new_values) and "md5" not in str(entry.new_values)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert entries("auth_user", user.pk)[-1].new_values["is_active"] in (False, 0)
    count = AuditEntry.objects.count()
    assert count == before + 2
    from django.utils import timezone
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert AuditEntry.objects.count() == count


def test_the_application_cannot_rewrite_the_trail(personas, live_round):
    entry = AuditEntry.objects.first()
    assert entry is not None
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor="someone else")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    for statement in ("UPDATE audit_entry SET actor = 'someone else'",
                      "DELETE FROM audit_entry"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("TRUNCATE audit_entry")
    assert AuditEntry.objects.filter(pk=entry.pk, actor=entry.actor).exists()


def test_a_change_and_its_audit_entry_roll_back_together(personas, live_round):
    assessment = live_round["assessments"]["a"]
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            Answer.objects.create(assessment=assessment,
                                  indicator=checklist().order_by("id").first(), value=1)
            assert AuditEntry.objects.count() == before + 1
            raise RuntimeError("fails after the write")
    assert AuditEntry.objects.count() == before


AUDITED_TABLES = {
    "assessments_round", "assessments_assessment", "assessments_answer", "assessments_evidence",
    "assessments_governmentresult", "assessments_roundgovernment", "assessments_actionitem",
    "assessments_obstacle", "agencies_membership", "agencies_agency", "agencies_province",
    "agencies_government", "agencies_alias", "auth_user", "assessments_serviceproduct",
    "assessments_productsample", "assessments_interview", "assessments_observation",
    "assessments_surveyrecord", "assessments_complaintrecord", "assessments_visit",
    "assessments_ombudsmanproduct", "assessments_interviewanswer",
}


def test_every_audited_table_has_its_triggers_covering_every_column():
    from django.apps import apps

    assert set(AUDITED) == AUDITED_TABLES
    models = {model._meta.db_table: model for model in apps.get_models()}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger "
                           "WHERE tgname LIKE '%%\\_audit' AND NOT tgisinternal")
            assert {row[0] for row in cursor.fetchall()} == set(AUDITED)
            return  # the PostgreSQL function copies whole rows (to_jsonb), new columns too
        cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                       "AND name LIKE '%\\_audit\\_%' ESCAPE '\\'")
        found = {}
        for table, sql in cursor.fetchall():
            found.setdefault(table, []).append(sql)
    assert set(found) == set(AUDITED)
    for table, statements in found.items():
        assert len(statements) == 3
        _noise, secret = AUDITED[table]
        for field in models[table]._meta.concrete_fields:
            insert = next(s for s in statements if "AFTER INSERT" in s)
            if field.column not in secret:
                assert f"'{field.column}', NEW.\"{field.column}\"" in insert, (table, field)


def test_audit_page_is_for_administrators_only_and_filters_from_an_allow_list(
        client, personas, live_round):
    url = reverse("audit-log")
    for name in ("operator", "coordinator", "assessor", "leader", "outsider"):
        client.force_login(personas[name])
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(personas["admin"])
    round_id = live_round["round"].pk
    response = client.get(url, {"table": "assessments_round", "row": round_id})
    assert response.status_code == 200
    shown = list(response.context["page"])
    assert shown and all(e.table_name == "assessments_round" and e.row_id == str(round_id)
                         for e in shown)
    for params in ({"table": "auth_user; DROP TABLE x"}, {"row": "NaN"}, {"actor": "-1"},
                   {"page": "99999999999999999999999"}, {"row": "9" * 40}):
        response = client.get(url, params)
        assert response.status_code == 200


def test_a_double_submit_is_one_status_change_in_the_trail(client, personas, live_round):
    from tests.assessments.helpers import answer_all

    assessment = live_round["assessments"]["a"]
    answer_all(assessment, personas["operator"])
    client.force_login(personas["operator"])
    url = reverse("checklist-submit", args=[assessment.id])
    client.post(url, {"confirmed": "1"})
    client.post(url, {"confirmed": "1"})
    status_changes = [e for e in entries("assessments_assessment", assessment.pk)
                      if e.action == "update"
                      and e.old_values["status"] != e.new_values["status"]]
    assert [(e.old_values["status"], e.new_values["status"]) for e in status_changes] == [
        ("not_started", "in_progress"), ("in_progress", "submitted")]
    assert status_changes[-1].actor_id == personas["operator"].pk


def test_a_round_transition_is_in_the_trail_with_its_administrator(client, personas, live_round):
    round_ = live_round["round"]
    client.force_login(personas["admin"])
    response = client.post(reverse("round-transition", args=[round_.pk]),
                           {"to_state": "verification", "confirmed": "1"})
    assert response.status_code in (200, 302)
    round_.refresh_from_db()
    assert round_.state == "verification"
    change = entries("assessments_round", round_.pk)[-1]
    assert (change.old_values["state"], change.new_values["state"]) == (
        "self_assessment", "verification")
    assert change.actor == f"user:{personas['admin'].pk}:admin"
    assert change.request_id == response.headers["X-Request-ID"]


def test_agencies_created_changed_and_deleted_are_recorded(sultra):
    agency = Agency.objects.create(government=sultra, name="Dinas Perhubungan",
                                   kind=AgencyKind.OTHER)
    agency_id = agency.pk
    Agency.objects.filter(pk=agency.pk).update(short_name="Dishub")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agencies_agency SET name = %s WHERE id = %s",
                       ["Dinas Perhubungan Muna Barat", agency.pk])
    agency.delete()
    history = entries("agencies_agency", agency_id)
    assert [e.action for e in history] == ["insert", "update", "update", "delete"]
    assert history[1].changes() == [("short_name", "", "Dishub")]
    assert history[2].changes() == [("name", "Dinas Perhubungan", "Dinas Perhubungan Muna Barat")]
    assert history[3].old_values["short_name"] == "Dishub" and history[3].new_values is None


def test_acting_user_names_the_user_outside_a_request_and_never_replaces_the_request_user(
        rf, personas, live_round):
    round_ = live_round["round"]
    leader, operator = personas["leader"], personas["operator"]

    def rename(name):
        Round.objects.filter(pk=round_.pk).update(name=name)
        entry = entries("assessments_round", round_.pk)[-1]
        return entry.actor, entry.actor_id

    with acting_user(leader):
        assert rename("a") == (f"user:{leader.pk}:leader (system)", leader.pk)
    request = rf.get("/")
    request.user = operator
    tokens = bind_request(request)
    try:
        with acting_user(leader):
            assert rename("b") == (f"user:{operator.pk}:operator", operator.pk)
    finally:
        unbind_request(tokens)
    assert rename("c") == ("system", None)


def test_the_checklist_history_lookup_is_served_by_its_index(live_round):
    from django.test.utils import CaptureQueriesContext

    from audit.selectors import assessment_entries

    assessment = live_round["assessments"]["a"]
    with CaptureQueriesContext(connection) as captured:
        assessment_entries(assessment.id, ("assessments_answer", "assessments_evidence"),
                           limit=10)
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is read whole
            cursor.execute("EXPLAIN " + query["sql"])
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "audit_entry_assessment" in plan, plan
