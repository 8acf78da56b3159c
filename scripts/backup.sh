#!/usr/bin/env bash
# Back up Kepatuhan: the PostgreSQL database and the uploaded evidence files (MEDIA_ROOT).
#
#   scripts/backup.sh [DIRECTORY]          # default: backups/ in the project (ignored by git)
#
# Writes two files with the same UTC time stamp:
#   <db>-<YYYYmmddTHHMMSSZ>.dump            pg_dump custom format (-Fc), without owners, so it
#                                           restores under any role; holds schema, data,
#                                           sequences, and the PL/pgSQL trigger functions and
#                                           triggers (closed-round guard, audit log)
#   <db>-<YYYYmmddTHHMMSSZ>-media.tar.gz    MEDIA_ROOT: the evidence files the rows point to;
#                                           a database without them is not a backup
# and prints each path with its size. The dump is checked with `pg_restore --list` before it
# gets its final name, so a file named *.dump is always a readable, complete dump.
#
# The connection is DATABASE_URL (environment, else .env), MEDIA_ROOT likewise: see common.sh.
# The database is dumped first, the media second: evidence files are written before their row
# is committed and never deleted, so the archive holds every file the dump refers to.
# Files are created readable by the owner only (they hold personal data and password hashes).
# Exit status: 0 done, 1 failed (a .dump left behind is verified; a .partial never is), 2 usage.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

case "${1:-}" in
    -h|--help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    -*) die 2 "unknown option $1 (usage: $0 [DIRECTORY])" ;;
esac
[ $# -le 1 ] || die 2 "usage: $0 [DIRECTORY]"
directory="${1:-$ROOT/backups}"

app_env
command -v pg_dump >/dev/null || die 1 "pg_dump not found (apt-get install postgresql-client)"

umask 077
mkdir -p "$directory"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
base="$directory/${PGDATABASE//[^A-Za-z0-9_.-]/_}-$stamp"
dump="$base.dump"
media="$base-media.tar.gz"
for path in "$dump" "$media"; do
    [ ! -e "$path" ] || die 1 "$path already exists"
done

# Work under temporary names; remove them whatever happens.
partial_dump="$dump.partial"
partial_media="$media.partial"
trap 'rm -f "$partial_dump" "$partial_media"' EXIT

# 1. The database. --no-owner: no ALTER ... OWNER, so the dump restores under any role.
pg_dump --format=custom --no-owner --file="$partial_dump"

# 2. Verify: pg_restore must read the whole table of contents, and it must be this app's
#    database (django_migrations is what manage.py migrate --check reads after a restore).
toc="$(pg_restore --list "$partial_dump")" || die 1 "pg_restore cannot read the dump"
grep -Eq ' TABLE DATA public django_migrations( |$)' <<<"$toc" \
    || die 1 "the dump holds no django_migrations table: is DATABASE_URL the app's database?"
entries="$(grep -cv '^;' <<<"$toc" || true)"
triggers="$(grep -c ' TRIGGER ' <<<"$toc" || true)"
mv "$partial_dump" "$dump"

# 3. The evidence files. A missing MEDIA_ROOT (nothing uploaded yet) gives an empty archive, so
#    every dump has its companion.
if [ -d "$MEDIA_ROOT" ]; then
    files="$(find "$MEDIA_ROOT" -type f | wc -l)"
    tar -czf "$partial_media" -C "$MEDIA_ROOT" .
else
    echo "note: MEDIA_ROOT $MEDIA_ROOT does not exist; the media archive is empty" >&2
    files=0
    tar -czf "$partial_media" --files-from /dev/null
fi
gzip -t "$partial_media"
mv "$partial_media" "$media"

size() { stat -c %s "$1"; }
printf 'dump:  %s (%s, %s bytes; %s entries, %s triggers, verified with pg_restore --list)\n' \
    "$dump" "$(human "$(size "$dump")")" "$(size "$dump")" "$entries" "$triggers"
printf 'media: %s (%s, %s bytes; %s files from %s)\n' \
    "$media" "$(human "$(size "$media")")" "$(size "$media")" "$files" "$MEDIA_ROOT"
