"""A database error in the middle of a write leaves every table exactly as it was.

Each test makes one call inside the service fail with a real database error (a statement the
database refuses, so on PostgreSQL the transaction is really aborted) after the service has
already written some rows, notes what the failing transaction could see at that moment (to
prove rows had been written), and then compares every table involved, row by row and value by
value, with a snapshot taken before.

These tests run with ``transaction=True``. Under the default ``django_db`` the whole test runs
inside one transaction that is never committed, so the service's ``atomic()`` only opens a
savepoint: the test cannot tell "rolled back" from "not committed yet", constraints that
PostgreSQL checks at COMMIT (the deferred foreign keys) are never checked, and whether the
service leaves the connection clean cannot be asserted (it is always inside the test's block).
Here the service's block is the outermost transaction; the fault must fire inside it, and the
snapshot after the failure is read in autocommit mode, i.e. it is what was committed. (Taking
``atomic()`` out of results_import or round_transition makes these tests fail on the snapshot.)
"""
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection

from agencies import imports
from agencies.imports import agencies_import
from agencies.models import Agency, Government, Province
from assessments.models import (ActionItem, Answer, Assessment, ChecklistEvent, ComponentScore,
                                GovernmentResult, Round, RoundGovernment, RoundTransition)
from assessments.services.answers import answer_save
from assessments.services.results import results_import
from assessments.services.rounds import round_create, round_transition
from assessments.services.verification import answer_verify
from assessments.services.workflow import assessment_submit
from audit.models import AuditEntry
from compliance.models import Methodology
from tests.checklists import checklist
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import read_sheet

from .race_helpers import build_world, fill_checklist, ready_to_publish

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot(*models):
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def last_entry():
    """The audit trail's newest entry id (entries of earlier transactional tests stay)."""
    return AuditEntry.objects.order_by("id").values_list("id", flat=True).last() or 0


def database_error():
    """A real refusal by the database (a missing table): DatabaseError on every backend."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM kepatuhan_injected_fault")


def integrity_error():
    """A real constraint violation (NOT NULL): IntegrityError on every backend."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO agencies_province (name, synthetic) VALUES (NULL, %s)",
                       [False])


class Fault:
    """The ``on_call``-th call of ``owner.attribute`` fails; ``probe`` runs just before, inside
    the failing transaction, and its answer is kept in ``seen``."""

    def __init__(self, monkeypatch, owner, attribute, *, on_call=1, probe=None,
                 error=database_error):
        original = getattr(owner, attribute)
        self.calls, self.seen, self.inside_transaction = 0, None, None

        def failing(*args, **kwargs):
            self.calls += 1
            if self.calls == on_call:
                self.inside_transaction = connection.in_atomic_block
                self.seen = probe() if probe else None
                error()
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, attribute, failing)

    def assert_fired(self):
        assert self.inside_transaction, "the fault must fire inside the service's transaction"


def assert_clean_connection():
    assert not connection.in_atomic_block and not connection.needs_rollback
    with connection.cursor() as cursor:  # and still usable
        cursor.execute("SELECT 1")


# --- official results import -------------------------------------------------------------------

HEADER = "province,level,name,short_name,score,published_rank\n"
FIRST = HEADER + ("Sulawesi Tenggara,kabupaten,Kab. Muna Barat,Mubar,70.10,2\n"
                  "SULAWESI TENGGARA,kabupaten,KABUPATEN KONAWE,Konawe,80.20,1\n"
                  "Sulawesi Tenggara,kota,Kota Bau-Bau,Baubau,55.30,\n"
                  "Sulawesi Tenggara,kabupaten,Kabupaten Buton,Buton,40.40,3\n")
CHANGED = FIRST.replace("70.10", "71.10").replace("80.20", "81.20").replace(
    "55.30", "56.30").replace("40.40", "41.40")
# and a government that is not in the official list (created with create_missing)
NEW_YEAR = CHANGED + "Sulawesi Tenggara,kota,Kota Lima,Lima,66.60,\n"


def sheet(text):
    return read_sheet(text.encode(), "hasil.csv")


@pytest.mark.parametrize("year, text", [(2022, NEW_YEAR), (2021, CHANGED)],
                         ids=["new-year", "same-year-again"])
def test_results_import_error_mid_import_rolls_back_everything(standard, regions_sultra,
                                                               monkeypatch, year, text):
    results_import(sheet=sheet(FIRST), year=2021)
    tables = (Round, Province, Government, GovernmentResult)
    before = snapshot(*tables)
    fault = Fault(monkeypatch, GovernmentResult, "save", on_call=3, probe=lambda: (
        GovernmentResult.objects.filter(round__year=year).exclude(
            score__in=[Decimal("70.10"), Decimal("80.20"), Decimal("55.30"),
                       Decimal("40.40")]).count()))
    with pytest.raises(DatabaseError):
        results_import(sheet=sheet(text), year=year, create_missing=True)
    fault.assert_fired()
    assert fault.seen == 2  # two rows written (or rewritten) when the third failed
    assert_clean_connection()
    assert snapshot(*tables) == before
    monkeypatch.undo()  # and the same file goes in whole once the fault is gone
    counts = results_import(sheet=sheet(text), year=year, create_missing=True)
    assert counts["created" if year == 2022 else "updated"] >= 4


# --- agency import -----------------------------------------------------------------------------

AGENCIES = ("province,government,name,short_name,kind\n"
            "Provinsi Uji,Kabupaten Satu,DPMPTSP Kabupaten Satu,PTSP,dpmptsp\n"
            "Provinsi Uji,Kabupaten Satu,Dinas Sosial Kabupaten Satu,Dinsos,sosial\n"
            "Provinsi Uji,Kabupaten Dua,Dinas Kesehatan Kabupaten Dua,Dinkes,kesehatan\n")


@pytest.mark.parametrize("where, error, raised", [
    ("last", database_error, DatabaseError),
    ("update", integrity_error, ImportRejected),
], ids=["fails-after-agencies-written", "update-violates-a-constraint"])
def test_agency_import_error_mid_import_rolls_back_everything(standard, monkeypatch, where,
                                                              error, raised):
    world = build_world()
    tables = (Province, Government, Agency, AuditEntry)  # the trail's entries roll back too
    before, start = snapshot(*tables), last_entry()
    owner, attribute = ((imports, "_fill_missing_ids") if where == "last"
                        else (Agency.objects, "bulk_update"))
    fault = Fault(monkeypatch, owner, attribute, error=error, probe=lambda: (
        Agency.objects.filter(name__in=["Dinas Sosial Kabupaten Satu",
                                        "Dinas Kesehatan Kabupaten Dua"]).count(),
        AuditEntry.objects.filter(table_name="agencies_agency", action="insert",
                                  id__gt=start).count()))
    with pytest.raises(raised):
        agencies_import(sheet=sheet(AGENCIES), by=world.admin)
    fault.assert_fired()
    assert fault.seen == (2, 2)  # the new agencies and their entries were in when it failed
    assert_clean_connection()
    assert snapshot(*tables) == before
    assert Agency.objects.get(name="DPMPTSP Kabupaten Satu").short_name == "DPMPTSP"


# --- publication and the carry-forward of findings --------------------------------------------

PUBLICATION_TABLES = (Round, RoundTransition, GovernmentResult, ActionItem, Assessment, Answer,
                      ComponentScore)


def _publication_fault(monkeypatch, where):
    if where == "results-half-written":
        return Fault(monkeypatch, GovernmentResult, "save", on_call=2,
                     probe=lambda: GovernmentResult.objects.filter(source="computed").count())
    if where == "carry-forward":
        return Fault(monkeypatch, ActionItem.objects, "bulk_create",
                     probe=lambda: GovernmentResult.objects.filter(source="computed").count())
    return Fault(monkeypatch, RoundTransition.objects, "create",  # the log, after the state
                 probe=lambda: Round.objects.filter(state="published").count())


@pytest.mark.parametrize("where", ["results-half-written", "carry-forward", "transition-log"])
def test_publication_error_rolls_back_everything(standard, monkeypatch, where):
    world = build_world()
    ready_to_publish(world)
    before = snapshot(*PUBLICATION_TABLES)
    fault = _publication_fault(monkeypatch, where)
    with pytest.raises(DatabaseError):
        round_transition(round_=world.round, to_state="published", by=world.admin)
    fault.assert_fired()
    assert fault.seen == (1 if where == "results-half-written" else
                          2 if where == "carry-forward" else 1)
    assert_clean_connection()
    assert snapshot(*PUBLICATION_TABLES) == before
    assert Round.objects.get(id=world.round.id).state == "verification"
    assert not RoundTransition.objects.exists()


@pytest.mark.parametrize("where", ["results-half-written", "carry-forward"])
def test_failed_republication_keeps_the_first_publication(standard, monkeypatch, where):
    """After a correction, the new figures and the new finding are written, then the error:
    the published figures, ranks, dates and actions of the first publication stay."""
    world = build_world()
    ready_to_publish(world)
    round_transition(round_=world.round, to_state="published", by=world.admin)
    round_transition(round_=world.round, to_state="verification", by=world.admin,
                     reason="Koreksi nilai")
    Assessment.objects.filter(id=world.units[1].id).update(verified_score=Decimal("50.00"))
    Answer.objects.filter(assessment=world.unit, indicator__component__code="waktu").update(
        finding="Jangka waktu tidak dipajang")
    before = snapshot(*PUBLICATION_TABLES)
    fault = _publication_fault(monkeypatch, where)
    with pytest.raises(DatabaseError):
        round_transition(round_=world.round, to_state="published", by=world.admin,
                         reason="Setelah koreksi")
    fault.assert_fired()
    assert_clean_connection()
    assert snapshot(*PUBLICATION_TABLES) == before
    assert Round.objects.get(id=world.round.id).state == "verification"
    assert list(RoundTransition.objects.values_list("to_state", flat=True)) == [
        "published", "verification"]


# --- round creation ----------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["assessments", "transition-log"])
def test_round_create_error_rolls_back_everything(standard, monkeypatch, where):
    world = build_world()
    tables = (Round, RoundGovernment, Assessment, RoundTransition)
    before = snapshot(*tables)
    if where == "assessments":
        fault = Fault(monkeypatch, Assessment.objects, "bulk_create",
                      probe=lambda: RoundGovernment.objects.filter(round__year=2027).count())
    else:
        fault = Fault(monkeypatch, RoundTransition.objects, "create",
                      probe=lambda: Assessment.objects.filter(round__year=2027).count())
    with pytest.raises(DatabaseError):
        round_create(year=2027, name="Penilaian 2027",
                     methodology=Methodology.objects.get(code="ombudsman-2022"),
                     governments=world.governments, by=world.admin)
    fault.assert_fired()
    assert fault.seen == (2 if where == "assessments" else 4)
    assert_clean_connection()
    assert snapshot(*tables) == before


# --- the operator's and the assessor's saves, and submission ----------------------------------

ANSWER_TABLES = (Answer, AuditEntry, ComponentScore, Assessment, ChecklistEvent)


@pytest.mark.parametrize("existing", [False, True], ids=["first-answer", "changed-answer"])
def test_answer_save_score_update_error_rolls_back_the_answer(standard, monkeypatch, existing):
    world = build_world()
    indicator = checklist().filter(active=True).order_by("component__number",
                                                               "order").first()
    if existing:
        answer_save(assessment_id=world.unit.id, indicator=indicator, user=world.operator,
                    value=1, not_applicable=False, note="awal", expected_version=0)
    before, start = snapshot(*ANSWER_TABLES), last_entry()
    # the last write of a save: the assessment's stored score, after the answer, its audit
    # entry and the component scores
    fault = Fault(monkeypatch, Assessment, "save", probe=lambda: (
        Answer.objects.filter(value=3).count(),
        AuditEntry.objects.filter(table_name="assessments_answer", id__gt=start,
                                  new_values__value=3).count()))
    with pytest.raises(DatabaseError):
        answer_save(assessment_id=world.unit.id, indicator=indicator, user=world.operator,
                    value=3, not_applicable=False, note="diubah",
                    expected_version=int(existing))
    fault.assert_fired()
    assert fault.seen == (1, 1)
    assert_clean_connection()
    assert snapshot(*ANSWER_TABLES) == before


def test_verification_score_update_error_rolls_back_the_verification(standard, monkeypatch):
    world = build_world()
    fill_checklist(world.unit)
    Round.objects.filter(id=world.round.id).update(state="verification")
    before = snapshot(*ANSWER_TABLES)
    fault = Fault(monkeypatch, Assessment, "save",
                  probe=lambda: Answer.objects.filter(verified_value=0).count())
    with pytest.raises(DatabaseError):
        answer_verify(assessment_id=world.unit.id, indicator=world.indicator,
                      user=world.assessor, verified_value=0, verified_not_applicable=False,
                      finding="Tidak ada bukti", expected_version=0)
    fault.assert_fired()
    assert fault.seen == 1
    assert_clean_connection()
    assert snapshot(*ANSWER_TABLES) == before


def test_submit_event_error_rolls_back_the_status(standard, monkeypatch):
    world = build_world()
    fill_checklist(world.unit)
    before = snapshot(*ANSWER_TABLES)
    fault = Fault(monkeypatch, ChecklistEvent.objects, "create",
                  probe=lambda: Assessment.objects.filter(status="submitted").count())
    with pytest.raises(DatabaseError):
        assessment_submit(assessment_id=world.unit.id, user=world.operator)
    fault.assert_fired()
    assert fault.seen == 1
    assert_clean_connection()
    assert snapshot(*ANSWER_TABLES) == before
    assert Assessment.objects.get(id=world.unit.id).status == "in_progress"
