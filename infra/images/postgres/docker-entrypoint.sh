#!/usr/bin/env bash
# Entrypoint of the forge postgres image: the official postgres image's first-start contract, for what compose uses.
# POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB (each also as *_FILE), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD,
# PGDATA; initdb once, run /docker-entrypoint-initdb.d/*.sql|*.sql.gz|*.sh once, then exec postgres as postgres.
set -Eeo pipefail

die() { echo "docker-entrypoint: error: $*" >&2; exit 1; }

# VAR or VAR_FILE (not both), as the official image reads secrets from files.
file_env() {
  local var="$1" def="${2:-}" fileVar="${1}_FILE" val="${2:-}"
  if [[ -n ${!var:-} && -n ${!fileVar:-} ]]; then die "both $var and $fileVar are set (but are exclusive)"; fi
  if [[ -n ${!var:-} ]]; then val="${!var}"; elif [[ -n ${!fileVar:-} ]]; then val="$(<"${!fileVar}")"; fi
  export "$var"="$val"
  unset "$fileVar"
}

setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  # PostgreSQL 14+ images default to scram-sha-256 for connections that are not over the local socket.
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
}

psql_init() {
  PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

init_database() {
  if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
    die "Database is uninitialized and superuser password is not specified. Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), or POSTGRES_HOST_AUTH_METHOD=trust."
  fi
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS holds several flags on purpose, as in the official image
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

  # A temporary server on the socket only: nothing can connect over TCP before the init scripts are done.
  PGUSER="$POSTGRES_USER" pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
  if [[ $POSTGRES_DB != postgres ]]; then
    psql_init --dbname postgres --set db="$POSTGRES_DB" <<<"CREATE DATABASE :\"db\";"
  fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) if [[ -x $f ]]; then echo "running $f"; "$f"; else echo "sourcing $f"; . "$f"; fi ;;
      *.sql) echo "running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "running $f"; gunzip -c "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *) [[ -e $f ]] && echo "ignoring $f" ;;
    esac
  done
  PGUSER="$POSTGRES_USER" pg_ctl -D "$PGDATA" -m fast -w stop
  echo "PostgreSQL init process complete; ready for start up."
}

# `docker run image -c x=y` means postgres -c x=y, as in the official image.
if [[ ${1:0:1} == - ]]; then set -- postgres "$@"; fi

if [[ $1 == postgres ]]; then
  setup_env
  if [[ $(id -u) == 0 ]]; then
    # Root only prepares the directories, then the whole script runs again as postgres (postgres refuses root).
    mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 0700 "$PGDATA"
    mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql && chmod 3777 /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
  fi
  if [[ ! -s $PGDATA/PG_VERSION ]]; then
    init_database
  else
    echo "PostgreSQL Database directory appears to contain a database; Skipping initialization"
  fi
  unset POSTGRES_PASSWORD
fi

exec "$@"
