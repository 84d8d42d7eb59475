#!/usr/bin/env bash
# Compose's Temporal without Docker: PostgreSQL from the machine's packages and
# the Temporal server of compose's image tag built with Go into .tools/bin, four
# history shards (auto-setup's default), our dynamic config. It separates what
# the dev server's one shard and in-memory SQLite cost from what the machine's
# cores do (bench/README.md, session 18).
#
# Needs Go, PostgreSQL (apt-get install postgresql) and the Temporal CLI
# (npm run temporal:ensure) for its health check.
#
#   bash bench/postgres/start.sh         # then the npm run bench line it prints
#   bash bench/postgres/start.sh stop
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VERSION=1.29.1 # docker-compose.yml: temporalio/auto-setup
DIR="${BENCH_PG_DIR:-${TMPDIR:-/tmp}/trader-bench-postgres}"
PG_PORT=5433
ADDRESS=127.0.0.1:7300
METRICS=http://127.0.0.1:8010/metrics
BIN="$ROOT/.tools/bin"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

# PostgreSQL will not run as root.
as_db_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = stop ]; then
  pkill -f "$BIN/temporal-server" || true
  for _ in $(seq 30); do pgrep -f "$BIN/temporal-server" >/dev/null || break; sleep 1; done
  as_db_owner "$PGBIN/pg_ctl" -D "$DIR/data" stop -m fast || true
  exit 0
fi

[ -n "$PGBIN" ] || { echo "PostgreSQL not found: apt-get install postgresql" >&2; exit 1; }
if [ ! -x "$BIN/temporal-server" ] || [ ! -x "$BIN/temporal-sql-tool" ]; then
  echo "building Temporal server v$VERSION into .tools/bin (first run only, a few minutes)" >&2
  build="$(mktemp -d)"
  GOBIN="$build" go install "go.temporal.io/server/cmd/server@v$VERSION" \
    "go.temporal.io/server/cmd/tools/sql@v$VERSION"
  mkdir -p "$BIN"
  mv "$build/server" "$BIN/temporal-server"
  mv "$build/sql" "$BIN/temporal-sql-tool"
  rm -rf "$build"
fi

if [ ! -d "$DIR/data" ]; then
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  as_db_owner "$PGBIN/initdb" -D "$DIR/data" -U temporal --auth=trust >/dev/null
fi
if ! as_db_owner "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null; then
  as_db_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w \
    -o "-p $PG_PORT -k $DIR -c max_connections=200" start >/dev/null
fi

sql() { "$BIN/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 -p "$PG_PORT" -u temporal "$@"; }
schema="$(go env GOMODCACHE)/go.temporal.io/server@v$VERSION/schema/postgresql/v12"
for db in temporal temporal_visibility; do
  if sql --db "$db" create-database >/dev/null 2>&1; then
    sql --db "$db" setup-schema -v 0.0 >/dev/null 2>&1
    versioned="$schema/temporal/versioned"
    [ "$db" = temporal_visibility ] && versioned="$schema/visibility/versioned"
    sql --db "$db" update-schema -d "$versioned" >/dev/null 2>&1
  fi
done

serving() { "$BIN/temporal" operator cluster health --address "$ADDRESS" 2>/dev/null | grep -q SERVING; }
if ! serving; then
  # The dynamic config path in development.yaml is relative to the repository.
  cd "$ROOT"
  nohup "$BIN/temporal-server" --root "$ROOT/bench/postgres" --config . --env development \
    --allow-no-auth start >"$DIR/server.log" 2>&1 &
fi
for _ in $(seq 60); do
  if serving; then
    echo "npm run bench -- --temporal-address $ADDRESS --temporal-metrics $METRICS <benchmark>"
    exit 0
  fi
  sleep 1
done
echo "the server did not come up; see $DIR/server.log" >&2
exit 1
