# Shared by scripts/backup.sh and scripts/restore.sh (sourced, not run).
#
# The connection comes from DATABASE_URL exactly as the app reads it (compliance/settings.py):
# the environment first, then the project's .env file, parsed by django-environ. It is handed to
# the PostgreSQL tools as PG* environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
# PGDATABASE, PGSSLMODE, ...), so no password ever appears on a command line (ps).
# MEDIA_ROOT, where uploaded evidence lives, is read the same way (default: media/).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"

die() {
    local status="$1"
    shift
    printf '%s: %s\n' "$(basename "$0")" "$*" >&2
    exit "$status"
}

# app_env [DATABASE_URL]: export the PG* variables for that URL (default: the app's own
# DATABASE_URL) and MEDIA_ROOT. Refuses anything that is not PostgreSQL.
app_env() {
    [ -x "$PYTHON" ] || die 1 "no Python at $PYTHON (run 'make venv', or set PYTHON)"
    local exports
    exports="$("$PYTHON" - "$ROOT" "${1:-}" <<'PY'
import os
import shlex
import sys
from pathlib import Path

import environ

root, url = Path(sys.argv[1]), sys.argv[2]
environ.Env.read_env(root / ".env", overwrite=False)  # as compliance/settings.py
url = url or os.environ.get("DATABASE_URL", "")
if not url:
    sys.exit("DATABASE_URL is not set (the app would use SQLite; these scripts are for PostgreSQL)")
config = environ.Env.db_url_config(url)
if config.get("ENGINE") != "django.db.backends.postgresql":
    sys.exit(f"DATABASE_URL is not a PostgreSQL URL (engine {config.get('ENGINE')})")
if not config.get("NAME"):
    sys.exit("DATABASE_URL names no database")
values = {"PGDATABASE": config["NAME"], "PGHOST": config.get("HOST"),
          "PGPORT": config.get("PORT"), "PGUSER": config.get("USER"),
          "PGPASSWORD": config.get("PASSWORD")}
# Query options (?sslmode=require&connect_timeout=10) that libpq reads from the environment.
LIBPQ = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
         "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
         "application_name": "PGAPPNAME", "options": "PGOPTIONS",
         "target_session_attrs": "PGTARGETSESSIONATTRS", "passfile": "PGPASSFILE",
         "service": "PGSERVICE"}
values.update(PGCONNECT_TIMEOUT="10", PGAPPNAME="kepatuhan-backup")
for key, value in (config.get("OPTIONS") or {}).items():
    if key not in LIBPQ:
        sys.exit(f"DATABASE_URL option {key!r} is not understood by these scripts")
    values[LIBPQ[key]] = value
values["KEP_DATABASE_URL"] = url
values["MEDIA_ROOT"] = os.environ.get("MEDIA_ROOT") or str(root / "media")
for name, value in values.items():
    print(f"export {name}={shlex.quote(str(value))}" if value not in (None, "")
          else f"unset {name}")
PY
)" || die 1 "cannot read the database connection"
    # Whatever PG* variables the caller had must not mix with the URL's.
    unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGSERVICEFILE PGOPTIONS \
        PGSSLMODE PGSSLROOTCERT PGSSLCERT PGSSLKEY PGPASSFILE PGTARGETSESSIONATTRS
    eval "$exports"
}

# human SIZE_IN_BYTES
human() {
    numfmt --to=iec-i --suffix=B "$1" 2>/dev/null || printf '%s bytes' "$1"
}
