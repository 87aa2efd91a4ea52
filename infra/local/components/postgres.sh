# PostgreSQL 15 component: our own cluster in .local/postgres, run as the postgres OS user (sourced by infra.sh).

PG_PORT=${PG_PORT:-5432}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR="$LOCAL/postgres"
PG_DATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/run"
# Must match infra/postgres/init.sql (SQL cannot read this list, so both are kept side by side).
# shellcheck disable=SC2034 # used by infra.sh (wait-ready, env)
PG_DATABASES="order_db inventory_db payment_db notification_db provider_db saga_test"

postgres_packages() { [[ -x $PG_BIN/initdb ]] || echo postgresql; }
postgres_ports() { echo "$PG_PORT"; }
postgres_port_vars() { echo PG_PORT; }
postgres_log() { echo "$LOGS/postgres.log"; }
postgres_pid() { read_pid postgres; }
postgres_running() { pid_matches "$(postgres_pid)" "$PG_DATA"; }

# initdb refuses to run as root, and the server must own its data directory: both belong to postgres.
postgres_init_cluster() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  say "postgres: creating a cluster in $(rel "$PG_DATA")"
  install -d -o postgres -g postgres -m 0700 "$PG_DIR" "$PG_SOCK"
  # Socket: trust (the socket directory is private to postgres and root, so only they reach it; infra.sh
  # uses it to apply init.sql). TCP: password (scram), which is how every service and test connects.
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 --no-instructions >"$LOGS/postgres-initdb.log" 2>&1 ||
    die "postgres: initdb failed, see $LOGS/postgres-initdb.log"
  ln -sfn ../postgres/data/postmaster.pid "$PIDS/postgres.pid"
}

postgres_start() {
  postgres_init_cluster
  install -d -o postgres -g postgres -m 0700 "$PG_SOCK"
  ln -sfn ../postgres/data/postmaster.pid "$PIDS/postgres.pid"
  own_log postgres.log postgres
  say "postgres: starting on 127.0.0.1:$PG_PORT"
  # Settings go on the command line rather than into postgresql.conf so PG_PORT can change between runs.
  # setsid: the server must not share our process group (a Ctrl-C on `up` would reach it).
  setsid runuser -u postgres -- "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$(postgres_log)" -w -t 60 -s \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k '$PG_SOCK' -c max_connections=400" </dev/null 9>&- ||
    die "postgres: pg_ctl start failed, see $(postgres_log)"
}

# Roles and databases come from the same file docker's initdb hook runs; it is idempotent, so every up applies it.
postgres_apply_init_sql() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres \
    -f "$ROOT/infra/postgres/init.sql" >/dev/null ||
    die "postgres: applying infra/postgres/init.sql failed"
}

postgres_stop() {
  # fast: roll back open transactions and disconnect clients, but shut down cleanly (no recovery next start).
  runuser -u postgres -- "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 -s 9>&- ||
    die "postgres: pg_ctl stop failed, see $(postgres_log)"
}
