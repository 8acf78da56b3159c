"""Helpers for migrations that rebuild an audited or guarded table on SQLite.

SQLite cannot drop a plain unique constraint or make a column NOT NULL in place: Django copies
the table into a new one, and the copy has none of the old table's triggers (the audit trail's
and the closed-round guard's). ``restore`` puts both back for the given tables; on PostgreSQL
tables are altered in place and keep their triggers, so it does nothing there. (A module whose
name starts with "_" is not a migration.)"""
import importlib

from audit import triggers

guard = importlib.import_module("assessments.migrations.0004_closed_round_guard")


def closed_guard_sqlite(table):
    """The closed-round guard's SQLite triggers for one table (as 0004 created them)."""
    statements = []
    if table == "assessments_round":
        for operation in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS assessments_round_closed_{operation.lower()} "
                f"BEFORE {operation} ON assessments_round WHEN OLD.state = 'closed' "
                f"BEGIN SELECT RAISE(ABORT, '{guard.MESSAGE}'); END")
        return statements
    how = guard.GUARDED[table]
    for operation, aliases in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]),
                               ("DELETE", ["OLD"])):
        condition = " OR ".join(f"{guard._sqlite_round_of(table, how, alias)} = 'closed'"
                                for alias in aliases)
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {table}_closed_{operation.lower()} BEFORE {operation} "
            f"ON {table} WHEN {condition} BEGIN SELECT RAISE(ABORT, '{guard.MESSAGE}'); END")
    return statements


def restore(models):
    """A RunPython function that reinstalls, on SQLite, the audit and closed-round triggers of
    the tables of ``models`` ({table: (app label, model name)})."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for table, (app_label, model_name) in models.items():
            model = apps.get_model(app_label, model_name)
            columns = [field.column for field in model._meta.concrete_fields]
            if table in triggers.AUDITED:
                triggers.install_sqlite(schema_editor, table, columns)
            if table in guard.GUARDED or table == "assessments_round":
                for statement in closed_guard_sqlite(table):
                    schema_editor.execute(statement, params=None)

    return run


_set_aside = {}


def set_aside(table):
    """A RunPython pair (before, after) for rebuilding ``table`` on SQLite: ``before`` drops
    every trigger whose body reads the table (SQLite refuses to rename the rebuilt copy while
    another table's trigger names a table that is momentarily missing), ``after`` recreates the
    ones on other tables; the table's own triggers are for ``restore``."""

    def before(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
                           " AND sql LIKE %s", [f"%{table}%"])
            _set_aside[table] = cursor.fetchall()
        for name, _owner, _sql in _set_aside[table]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")

    def after(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for _name, owner, sql in _set_aside.pop(table, []):
            if owner != table:
                schema_editor.execute(sql, params=None)

    return before, after
