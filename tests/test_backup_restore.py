"""Backup and restore (scripts/backup.sh, scripts/restore.sh) on real data: the test database
is dumped with the evidence files, restored into a fresh database and compared table by table.

PostgreSQL only: the scripts drive pg_dump and pg_restore. The tests run the scripts as an
operator would (subprocess, DATABASE_URL and MEDIA_ROOT in the environment), so the data is
committed first (transaction=True)."""
import hashlib
import os
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Sum
from tests.checklists import checklist

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backup and restore use pg_dump/pg_restore: PostgreSQL only (set DATABASE_URL)")

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
PROJECT_APPS = ("compliance", "agencies", "assessments")
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n% backup test\n"
GUARD_FUNCTIONS = {"kepatuhan_closed_round_guard", "kepatuhan_closed_round_self_guard"}


def database_url(name):
    """The URL of database `name` on the test database's server, as DATABASE_URL spells it."""
    s = connection.settings_dict
    auth = ""
    if s["USER"]:
        auth = quote(s["USER"], safe="")
        if s["PASSWORD"]:
            auth += ":" + quote(s["PASSWORD"], safe="")
        auth += "@"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}{quote(s['HOST'] or '', safe='')}{port}/{quote(name, safe='')}"


def pg_connect(name):
    import psycopg2

    s = connection.settings_dict
    conn = psycopg2.connect(dbname=name, host=s["HOST"] or None, port=s["PORT"] or None,
                            user=s["USER"] or None, password=s["PASSWORD"] or None)
    conn.autocommit = True
    return conn


def run_script(script, *args, database, media_root):
    env = {**os.environ, "DATABASE_URL": database_url(database), "MEDIA_ROOT": str(media_root),
           "PYTHON": sys.executable}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py inside restore.sh: the real settings
    env.setdefault("DEBUG", "true")
    return subprocess.run([str(SCRIPTS / script), *map(str, args)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)


def backup(directory, media_root=None):
    result = run_script("backup.sh", directory, database=connection.settings_dict["NAME"],
                        media_root=media_root or settings.MEDIA_ROOT)
    assert result.returncode == 0, result.stderr
    dumps, archives = list(directory.glob("*.dump")), list(directory.glob("*-media.tar.gz"))
    assert len(dumps) == 1 and len(archives) == 1, sorted(directory.iterdir())
    assert f"dump:  {dumps[0]} (" in result.stdout and f"media: {archives[0]} (" in result.stdout
    assert "verified with pg_restore --list" in result.stdout
    return dumps[0], archives[0]


@dataclass
class Snapshot:
    tables: dict        # table -> (row count, md5 of all rows)
    sequences: dict     # sequence -> last value
    triggers: set       # (table, trigger definition)
    functions: dict     # function name -> md5 of its definition
    key_figures: dict   # named checksums of the key tables


KEY_FIGURES = {
    "government results": """
        SELECT count(*), sum(score), md5(string_agg(concat_ws(':', round_id, government_id,
               score, category, zone, not_assessed), ',' ORDER BY round_id, government_id))
        FROM assessments_governmentresult""",
    "answers": """
        SELECT count(*), sum(value), md5(string_agg(concat_ws(':', assessment_id, indicator_id,
               value, not_applicable, note, version), ',' ORDER BY assessment_id, indicator_id))
        FROM assessments_answer""",
    "component scores": """
        SELECT count(*), sum(self_score), md5(string_agg(concat_ws(':', assessment_id,
               component_id, self_score, verified_score), ',' ORDER BY assessment_id, component_id))
        FROM assessments_componentscore""",
    "evidence": """
        SELECT count(*), md5(string_agg(concat_ws(':', id, file, sha256, size), ',' ORDER BY id))
        FROM assessments_evidence""",
}


def snapshot(name):
    """Everything the comparison needs, read the same way from both databases (same client
    settings, so timestamps and numbers print alike)."""
    from psycopg2 import sql

    with closing(pg_connect(name)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = {}
        for (table,) in cursor.fetchall():
            cursor.execute(sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                " FROM {} AS t").format(sql.Identifier(table)))
            tables[table] = cursor.fetchone()
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences "
                       "WHERE schemaname = 'public'")
        sequences = dict(cursor.fetchall())
        cursor.execute("""
            SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT t.tgisinternal AND n.nspname = 'public'""")
        triggers = set(cursor.fetchall())
        cursor.execute("""
            SELECT p.proname, md5(pg_get_functiondef(p.oid)) FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')""")
        functions = dict(cursor.fetchall())
        key_figures = {}
        for label, query in KEY_FIGURES.items():
            if query.split("FROM ")[-1].strip() in tables:
                cursor.execute(query)
                key_figures[label] = cursor.fetchone()
    return Snapshot(tables, sequences, triggers, functions, key_figures)


def drop_database(name):
    with closing(pg_connect(connection.settings_dict["NAME"])) as conn, conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def restore_db(transactional_db):
    """A fresh, empty database next to the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    drop_database(name)  # left over from an interrupted run
    with closing(pg_connect(connection.settings_dict["NAME"])) as conn, conn.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield name
    finally:
        drop_database(name)


def make_real_data(personas, live_round):
    """Published official results (the sultra fixture), answers with their stored scores and an
    uploaded evidence file; then the round is closed, so its rows are guarded by the triggers
    (a restore that created the triggers before loading the data would be refused)."""
    from assessments.models import Evidence, Round
    from assessments.services.answers import answer_save
    from assessments.services.evidence import evidence_add_file

    assessment, operator = live_round["assessments"]["a"], personas["operator"]
    indicators = list(checklist().order_by("id")[:5])
    for value, indicator in enumerate(indicators, start=1):
        answer_save(assessment_id=assessment.id, indicator=indicator, user=operator,
                    value=value % 4, not_applicable=False, note=f"catatan {value}",
                    expected_version=0)
    evidence = evidence_add_file(
        assessment_id=assessment.id, indicator=indicators[0], user=operator,
        upload=SimpleUploadedFile("SK Standar Pelayanan.pdf", PDF_BYTES, "application/pdf"))
    Round.objects.filter(pk=live_round["round"].pk).update(state=Round.State.CLOSED)
    assert Evidence.objects.get().sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    return evidence


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_triggers_and_evidence(
        personas, live_round, restore_db, tmp_path):
    import psycopg2

    from assessments.models import Answer, GovernmentResult

    evidence = make_real_data(personas, live_round)
    source = connection.settings_dict["NAME"]
    dump, archive = backup(tmp_path / "backups")

    restored_media = tmp_path / "restored-media"
    result = run_script("restore.sh", "--media", archive, dump, database=restore_db,
                        media_root=restored_media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "schema current: manage.py migrate --check passed" in result.stdout

    before, after = snapshot(source), snapshot(restore_db)
    # Every table of the project's apps (and of Django's and the libraries') came back, with
    # the same rows: counts and a checksum of every row.
    project_tables = {model._meta.db_table for label in PROJECT_APPS
                      for model in apps.get_app_config(label).get_models(include_auto_created=True)}
    assert project_tables <= set(before.tables)
    assert before.tables == after.tables
    for table in ("assessments_governmentresult", "assessments_answer", "assessments_evidence",
                  "assessments_componentscore", "audit_entry",
                  "agencies_government", "compliance_indicator", "django_migrations"):
        assert after.tables[table][0] > 0, table
    # The key figures, also against what the app itself reads from the source.
    assert before.key_figures == after.key_figures
    assert after.key_figures["government results"][:2] == (
        GovernmentResult.objects.count(), GovernmentResult.objects.aggregate(s=Sum("score"))["s"])
    assert after.key_figures["answers"][:2] == (
        Answer.objects.count(), Answer.objects.aggregate(s=Sum("value"))["s"])
    # Sequences continue where they were: the next insert does not collide.
    assert before.sequences == after.sequences and after.sequences
    # The PL/pgSQL functions and their triggers, identical (and whatever else was added since).
    assert GUARD_FUNCTIONS <= set(after.functions)
    assert before.functions == after.functions
    assert before.triggers == after.triggers
    assert sorted(t[0] for t in after.triggers if "kepatuhan_closed_round" in t[1]) == [
        "assessments_answer", "assessments_assessment", "assessments_checklistevent",
        "assessments_complaintrecord", "assessments_componentscore", "assessments_evidence",
        "assessments_governmentresult", "assessments_interview", "assessments_interviewanswer",
        "assessments_observation", "assessments_ombudsmanproduct", "assessments_productsample",
        "assessments_round", "assessments_roundgovernment", "assessments_surveyrecord",
        "assessments_visit"]
    # ...and they work: the restored closed round refuses changes.
    with closing(pg_connect(restore_db)) as conn, conn.cursor() as cursor:
        with pytest.raises(psycopg2.errors.CheckViolation, match="round is closed"):
            cursor.execute("UPDATE assessments_answer SET note = 'changed'")
        cursor.execute("SELECT file, sha256 FROM assessments_evidence")
        [(name, sha256)] = cursor.fetchall()
    # The evidence file is back, byte for byte.
    assert name == evidence.file.name
    restored_file = restored_media / name
    assert hashlib.sha256(restored_file.read_bytes()).hexdigest() == sha256 == evidence.sha256

    # A second restore into the now non-empty database is refused and changes nothing...
    result = run_script("restore.sh", "--media", archive, dump, database=restore_db,
                        media_root=restored_media)
    assert result.returncode == 2
    assert "is not empty" in result.stderr and "--force" in result.stderr
    assert snapshot(restore_db) == after
    # ...and with --force (pg_restore --clean --if-exists) it replaces it with the same data.
    with closing(pg_connect(restore_db)) as conn, conn.cursor() as cursor:
        cursor.execute("ALTER TABLE assessments_round DISABLE TRIGGER USER")
        cursor.execute("UPDATE assessments_round SET name = 'changed after the backup'")
    result = run_script("restore.sh", "--force", "--media", archive, dump, database=restore_db,
                        media_root=restored_media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot(restore_db) == before
    assert hashlib.sha256(restored_file.read_bytes()).hexdigest() == evidence.sha256


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_database_without_force(restore_db, tmp_path):
    dump, archive = backup(tmp_path / "backups", media_root=tmp_path / "no-media")
    with closing(pg_connect(restore_db)) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE keep_me (x integer)")
        cursor.execute("INSERT INTO keep_me VALUES (42)")

    result = run_script("restore.sh", dump, database=restore_db, media_root=tmp_path / "media")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not empty" in result.stderr and "without --force" in result.stderr
    assert "restoring" not in result.stdout
    untouched = snapshot(restore_db)
    assert untouched.tables == {"keep_me": (1, untouched.tables["keep_me"][1])}
    assert not untouched.triggers and not untouched.functions

    # A media directory that already holds files is refused too, before the database is touched.
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "existing").write_bytes(b"x")
    with closing(pg_connect(restore_db)) as conn, conn.cursor() as cursor:
        cursor.execute("DROP TABLE keep_me")
    result = run_script("restore.sh", "--media", archive, dump, database=restore_db,
                        media_root=media)
    assert result.returncode == 2 and "MEDIA_ROOT" in result.stderr, result.stderr
    assert snapshot(restore_db).tables == {}

    # All or nothing: a stray type named like the last table the dump creates makes pg_restore
    # fail after it has created every other table; the single transaction takes them back.
    with closing(pg_connect(restore_db)) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TYPE django_session AS (x integer)")
    result = run_script("restore.sh", dump, database=restore_db, media_root=tmp_path / "empty")
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'relation "django_session" already exists' in result.stderr
    assert "pg_restore failed" in result.stderr
    assert snapshot(restore_db).tables == {}
