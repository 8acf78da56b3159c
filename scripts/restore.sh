#!/usr/bin/env bash
# Restore a Kepatuhan backup made by scripts/backup.sh.
#
#   scripts/restore.sh [--force] [--media ARCHIVE] DUMP [DATABASE_URL]
#
#   DUMP            a <db>-<stamp>.dump file (pg_dump custom format)
#   DATABASE_URL    the target database (postgres://...); default: the app's own DATABASE_URL
#                   (environment, else .env; see common.sh). It must exist (createdb first).
#   --media ARCHIVE the <db>-<stamp>-media.tar.gz written next to the dump: unpacked into
#                   MEDIA_ROOT (environment, else .env, else media/)
#   --force         restore over a database that already holds tables or functions (the dump's
#                   objects are dropped and re-created: pg_restore --clean --if-exists; objects
#                   the dump does not know are left alone), and unpack over a MEDIA_ROOT that
#                   already holds files
#
# Without --force a non-empty target database or MEDIA_ROOT is refused before anything changes.
# pg_restore runs with --single-transaction --exit-on-error: the first error rolls the whole
# restore back, so the target is either the complete backup or unchanged. Data is loaded before
# the triggers are created (pg_dump's post-data section), so the closed-round guard does not
# refuse the rows of closed rounds; afterwards every trigger of the dump is checked to exist.
# --no-owner: objects belong to the role that restores. Finally `manage.py migrate --check`
# against the target confirms the schema is what this version of the app expects.
#
# Exit status: 0 restored and current; 1 failed (when pg_restore fails, the database is
# unchanged); 2 usage or refused (nothing changed); 3 restored, but the app has migrations the
# backup predates (run `manage.py migrate` against the target).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage="usage: $0 [--force] [--media ARCHIVE] DUMP [DATABASE_URL]"
force=false
media=""
positional=()
while [ $# -gt 0 ]; do
    case "$1" in
        --force) force=true ;;
        --media) [ $# -ge 2 ] || die 2 "$usage"; media="$2"; shift ;;
        --media=*) media="${1#--media=}" ;;
        -h|--help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
        -*) die 2 "unknown option $1 ($usage)" ;;
        *) positional+=("$1") ;;
    esac
    shift
done
[ ${#positional[@]} -ge 1 ] && [ ${#positional[@]} -le 2 ] || die 2 "$usage"
dump="${positional[0]}"
[ -f "$dump" ] || die 2 "no dump file $dump"
[ -z "$media" ] || [ -f "$media" ] || die 2 "no media archive $media"

app_env "${positional[1]:-}"
command -v pg_restore >/dev/null || die 1 "pg_restore not found (apt-get install postgresql-client)"
where="database $PGDATABASE on ${PGHOST:-local socket}:${PGPORT:-5432}"

# 1. Read both files completely before touching anything.
toc="$(pg_restore --list "$dump")" || die 2 "pg_restore cannot read $dump"
dump_triggers="$(grep -c ' TRIGGER ' <<<"$toc" || true)"
if [ -n "$media" ]; then
    tar -tzf "$media" >/dev/null || die 2 "cannot read the media archive $media"
elif [ -f "${dump%.dump}-media.tar.gz" ]; then
    echo "warning: ${dump%.dump}-media.tar.gz exists but --media was not given:" \
         "the evidence files are not restored" >&2
fi

# 2. Refuse a target that is not empty, unless --force.
psql_value() { psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"; }
objects="$(psql_value "
    SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%')
         + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e'))")" \
    || die 1 "cannot connect to the $where"
clean=()
if [ "$objects" -gt 0 ]; then
    $force || die 2 "the $where is not empty ($objects tables, sequences, views or" \
        "functions); refusing to restore into it without --force"
    clean=(--clean --if-exists)
fi
if [ -n "$media" ] && [ -d "$MEDIA_ROOT" ] \
        && [ -n "$(find "$MEDIA_ROOT" -type f -print -quit)" ]; then
    $force || die 2 "MEDIA_ROOT $MEDIA_ROOT already holds files; refusing to unpack into it" \
        "without --force"
fi

# 3. The database, all or nothing.
echo "restoring $dump into the $where${clean:+ (--force: its objects are dropped first)}"
pg_restore --no-owner --exit-on-error --single-transaction "${clean[@]}" \
    --dbname="$PGDATABASE" "$dump" || die 1 "pg_restore failed; the $where is unchanged"

# 4. Every trigger of the dump (closed-round guard, audit log, ...) must be there.
restored_triggers="$(psql_value "
    SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND n.nspname NOT LIKE 'pg\_%'")"
[ "$restored_triggers" -ge "$dump_triggers" ] \
    || die 1 "the dump has $dump_triggers triggers but the $where only $restored_triggers"
tables="$(psql_value "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
echo "database restored: $tables tables, $restored_triggers triggers"

# 5. The evidence files.
if [ -n "$media" ]; then
    mkdir -p "$MEDIA_ROOT"
    tar -xzf "$media" -C "$MEDIA_ROOT" --no-same-owner
    echo "media restored: $(find "$MEDIA_ROOT" -type f | wc -l) files in $MEDIA_ROOT"
fi

# 6. Is the restored schema the one this version of the app expects?
if ! DATABASE_URL="$KEP_DATABASE_URL" "$PYTHON" "$ROOT/manage.py" migrate --check >/dev/null; then
    DATABASE_URL="$KEP_DATABASE_URL" "$PYTHON" "$ROOT/manage.py" showmigrations --plan \
        | grep -v '^\[X\]' >&2 || true
    die 3 "restored, but the migrations above are not applied: run manage.py migrate" \
        "against the target before starting the app"
fi
echo "schema current: manage.py migrate --check passed"
