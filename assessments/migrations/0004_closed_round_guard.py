"""A closed round is immutable in the database itself, not only in the UI.

Triggers refuse any insert, update or delete of answers, evidence, stored scores, checklist
events, assessments, participations and results that belong to a closed round, and any change
to a closed round. They raise an integrity error, so the application sees a refused write."""
from django.db import migrations

GUARDED = {  # table -> how a row finds its round
    "assessments_answer": "assessment",
    "assessments_evidence": "assessment",
    "assessments_componentscore": "assessment",
    "assessments_checklistevent": "assessment",
    "assessments_assessment": "round",
    "assessments_governmentresult": "round",
    "assessments_roundgovernment": "round",
}
MESSAGE = "round is closed: its data cannot change"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION kepatuhan_closed_round_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  rows jsonb[];
  item jsonb;
  round_state text;
BEGIN
  IF TG_OP = 'INSERT' THEN rows := ARRAY[to_jsonb(NEW)];
  ELSIF TG_OP = 'DELETE' THEN rows := ARRAY[to_jsonb(OLD)];
  ELSE rows := ARRAY[to_jsonb(OLD), to_jsonb(NEW)];
  END IF;
  FOREACH item IN ARRAY rows LOOP
    IF TG_ARGV[0] = 'assessment' THEN
      SELECT r.state INTO round_state FROM assessments_round r
        JOIN assessments_assessment a ON a.round_id = r.id
        WHERE a.id = (item->>'assessment_id')::bigint;
    ELSE
      SELECT r.state INTO round_state FROM assessments_round r
        WHERE r.id = (item->>'round_id')::bigint;
    END IF;
    IF round_state = 'closed' THEN
      RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = '23514';
    END IF;
  END LOOP;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION kepatuhan_closed_round_self_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'closed' THEN
    RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = '23514';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
"""


def _sqlite_round_of(table, how, alias):
    if how == "assessment":
        return (f"(SELECT r.state FROM assessments_round r JOIN assessments_assessment a "
                f"ON a.round_id = r.id WHERE a.id = {alias}.assessment_id)")
    return f"(SELECT r.state FROM assessments_round r WHERE r.id = {alias}.round_id)"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table, how in GUARDED.items():
            schema_editor.execute(
                f"CREATE TRIGGER {table}_closed_guard BEFORE INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION kepatuhan_closed_round_guard('{how}')")
        schema_editor.execute(
            "CREATE TRIGGER assessments_round_closed_guard BEFORE UPDATE OR DELETE ON "
            "assessments_round FOR EACH ROW EXECUTE FUNCTION kepatuhan_closed_round_self_guard()")
    elif vendor == "sqlite":
        for table, how in GUARDED.items():
            for operation, aliases in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]),
                                       ("DELETE", ["OLD"])):
                condition = " OR ".join(f"{_sqlite_round_of(table, how, alias)} = 'closed'"
                                        for alias in aliases)
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_closed_{operation.lower()} BEFORE {operation} ON "
                    f"{table} WHEN {condition} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER assessments_round_closed_{operation.lower()} BEFORE {operation} "
                f"ON assessments_round WHEN OLD.state = 'closed' "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in [*GUARDED, "assessments_round"]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_closed_guard ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS kepatuhan_closed_round_guard()")
        schema_editor.execute("DROP FUNCTION IF EXISTS kepatuhan_closed_round_self_guard()")
    elif vendor == "sqlite":
        for table in GUARDED:
            for operation in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_closed_{operation}")
        for operation in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS assessments_round_closed_{operation}")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_verification_and_publication")]
    operations = [migrations.RunPython(install, uninstall)]
