#!/bin/sh
# First start: initdb, the `balint` role with its password, its database. Then PostgreSQL in the
# foreground as PID 1, with fsync and synchronous_commit on (their defaults, named here so that
# nobody turns them off: an acknowledged command must survive a crash).
set -eu
BIN=$(echo /usr/lib/postgresql/*/bin)
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${BALINT_DB_PASSWORD:?set BALINT_DB_PASSWORD}"
  pwfile=$(mktemp)
  printf '%s\n' "$BALINT_DB_PASSWORD" > "$pwfile"
  "$BIN/initdb" -D "$PGDATA" -U balint --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8
  rm -f "$pwfile"
  # Password logins from the compose network (initdb allows only loopback); nothing is published.
  printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  "$BIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -k /run/postgresql" -w start
  PGPASSWORD="$BALINT_DB_PASSWORD" "$BIN/createdb" -w -h /run/postgresql -U balint balint
  "$BIN/pg_ctl" -D "$PGDATA" -m fast -w stop
fi
exec "$BIN/postgres" -D "$PGDATA" -k /run/postgresql \
  -c "listen_addresses=${BALINT_DB_LISTEN:-127.0.0.1}" -c "port=${BALINT_DB_PORT:-5432}" \
  -c fsync=on -c synchronous_commit=on -c full_page_writes=on
