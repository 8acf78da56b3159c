"""Every database connection tells the audit triggers who is writing.

PostgreSQL: before each INSERT, UPDATE or DELETE the actor and request id are put in session
settings (``kepatuhan.actor`` …) that the trigger function reads. They are set again before
every write, so a rolled-back transaction or a reused connection can never carry a stale
actor. SQLite: the triggers call functions registered on the connection; a connection without
them (the sqlite3 shell) cannot write audited tables at all."""
from audit.context import current_actor, current_actor_id, current_request_id

WRITES = ("INSERT", "UPDATE", "DELETE")


def _snapshot():
    return current_actor(), current_actor_id(), current_request_id()


def _is_write(sql):
    return isinstance(sql, str) and sql.lstrip()[:6].upper() in WRITES


class _Recorder:
    """An execute wrapper (django.db.connection.execute_wrapper) bound to one connection."""

    def __init__(self, wrapper):
        self.wrapper = wrapper
        self.state = ("system", None, "")

    def __call__(self, execute, sql, params, many, context):
        if _is_write(sql) and not self.wrapper.needs_rollback:
            self.state = _snapshot()
            if self.wrapper.vendor == "postgresql":
                actor, actor_id, request_id = self.state
                with self.wrapper.wrap_database_errors:
                    context["cursor"].cursor.execute(
                        "SELECT set_config('kepatuhan.actor', %s, false), "
                        "set_config('kepatuhan.actor_id', %s, false), "
                        "set_config('kepatuhan.request_id', %s, false)",
                        [actor, "" if actor_id is None else str(actor_id), request_id])
        return execute(sql, params, many, context)


def prepare_connection(sender, connection, **kwargs):
    recorder = getattr(connection, "_audit_recorder", None)
    if recorder is None:
        recorder = connection._audit_recorder = _Recorder(connection)
        connection.execute_wrappers.append(recorder)
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("kepatuhan_audit_actor", 0, lambda: recorder.state[0])
        raw.create_function("kepatuhan_audit_actor_id", 0, lambda: recorder.state[1])
        raw.create_function("kepatuhan_audit_request_id", 0, lambda: recorder.state[2])
