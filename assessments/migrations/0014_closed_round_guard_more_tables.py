"""The closed-round guard of 0004 (and 0012) also covers the tables it missed: an interview's
answers (their round is the interview's assessment's), the sampled products (the
assessment's) and the Ombudsman's products (their own round). Interview answers also join
the audit trail, like the other fieldwork tables of 0012.

The guard function learns a third way to find a row's round, through ``interview_id``; the
other two are as 0004 wrote them."""
import importlib

from django.db import migrations

from audit import triggers

original = importlib.import_module("assessments.migrations.0004_closed_round_guard")

GUARDED = {  # table -> how a row finds its round
    "assessments_interviewanswer": "interview",
    "assessments_productsample": "assessment",
    "assessments_ombudsmanproduct": "round",
}
AUDITED = {"assessments_interviewanswer": "InterviewAnswer"}  # table -> model
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
    ELSIF TG_ARGV[0] = 'interview' THEN
      SELECT r.state INTO round_state FROM assessments_round r
        JOIN assessments_assessment a ON a.round_id = r.id
        JOIN assessments_interview i ON i.assessment_id = a.id
        WHERE i.id = (item->>'interview_id')::bigint;
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
"""


def round_of_sqlite(how, alias):
    """The state of the round a row (NEW or OLD) belongs to, as an SQLite subquery."""
    if how == "interview":
        return (f"(SELECT r.state FROM assessments_round r JOIN assessments_assessment a "
                f"ON a.round_id = r.id JOIN assessments_interview i ON i.assessment_id = a.id "
                f"WHERE i.id = {alias}.interview_id)")
    return original._sqlite_round_of(None, how, alias)


def sqlite_guard(table, how):
    statements = []
    for operation, aliases in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]),
                               ("DELETE", ["OLD"])):
        condition = " OR ".join(f"{round_of_sqlite(how, alias)} = 'closed'" for alias in aliases)
        statements.append(
            f"CREATE TRIGGER {table}_closed_{operation.lower()} BEFORE {operation} ON {table} "
            f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    return statements


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table, how in GUARDED.items():
            schema_editor.execute(
                f"CREATE TRIGGER {table}_closed_guard BEFORE INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION kepatuhan_closed_round_guard('{how}')")
    elif vendor == "sqlite":
        for table, how in GUARDED.items():
            for statement in sqlite_guard(table, how):
                schema_editor.execute(statement, params=None)
    for table, model in AUDITED.items():
        columns = [field.column
                   for field in apps.get_model("assessments", model)._meta.concrete_fields]
        triggers.install_table(schema_editor, table, columns)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in AUDITED:
        triggers.uninstall_table(schema_editor, table)
    if vendor == "postgresql":
        for table in GUARDED:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_closed_guard ON {table}")
        # 0004's function (both of its functions, as they were): no caller of 'interview' left.
        schema_editor.execute(original.PG_FUNCTION, params=None)
    elif vendor == "sqlite":
        for table in GUARDED:
            for operation in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_closed_{operation}")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0013_ombudsman_products"),
        ("audit", "0005_ombudsman_products"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
