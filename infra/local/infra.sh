#!/usr/bin/env bash
# Starts, stops and reports the real local infrastructure (PostgreSQL, RabbitMQ, Kafka, Redis, Toxiproxy, Prometheus), natively, on 127.0.0.1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
# One file per component, each defining <name>_{packages,ports,port_vars,log,pid,running,start,stop}.
# shellcheck source=components/postgres.sh
source "$HERE/components/postgres.sh"
# shellcheck source=components/rabbitmq.sh
source "$HERE/components/rabbitmq.sh"
# shellcheck source=components/kafka.sh
source "$HERE/components/kafka.sh"
# shellcheck source=components/redis.sh
source "$HERE/components/redis.sh"
# shellcheck source=components/toxiproxy.sh
source "$HERE/components/toxiproxy.sh"
# shellcheck source=components/prometheus.sh
source "$HERE/components/prometheus.sh"

# Slow starters first, so their boot overlaps the quick ones.
COMPONENTS=(kafka rabbitmq postgres redis toxiproxy prometheus)

usage() { echo "usage: bash infra/local/infra.sh up|down|status|restart <component>|stop <component>|freeze <component>|thaw <component>|rabbitmqctl <args...>" >&2; exit 2; }

prepare_dirs() { mkdir -p "$LOGS" "$PIDS" "$BIN"; }

# wait-ready.js needs the client libraries the services use; they come from the repo's lockfile.
require_node_modules() {
  command -v node >/dev/null || die "node is not on PATH (npm scripts put the pinned LTS there: see scripts/node/with-lts-node.sh)"
  local m
  for m in kafkajs amqplib pg; do
    [[ -d $ROOT/node_modules/$m ]] || die "node_modules/$m is missing: run npm ci first"
  done
}

# apt-get update only when something is missing, once, for all components (slow, and needs the network).
install_packages() {
  local c pkgs missing=()
  for c in "${COMPONENTS[@]}"; do
    read -ra pkgs <<<"$("${c}_packages" | tr '\n' ' ')"
    missing+=("${pkgs[@]}")
  done
  command -v ss >/dev/null || missing+=(iproute2)
  command -v pgrep >/dev/null || missing+=(procps)
  ((${#missing[@]} == 0)) && return 0
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq 9>&-
  # No systemd here, and policy-rc.d keeps the packaged services from auto-starting: we run our own instances.
  # Docker's base images ship one that denies everything (exit 101); a machine without it gets one for the install only.
  local policy=/usr/sbin/policy-rc.d added=''
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# infra/local/infra.sh: no packaged service starts during its install.\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    added=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null 9>&- || { [[ -z $added ]] || rm -f "$policy"; return 1; }
  [[ -z $added ]] || rm -f "$policy"
}

# Kafka jars (Maven) and the Toxiproxy build (Go) are independent downloads: fetch them side by side.
fetch_artifacts() {
  local c pids=() names=() i failed=0
  for c in kafka toxiproxy; do
    "${c}_fetch_needed" || continue
    "${c}_fetch" &
    pids+=($!) names+=("$c")
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      warn "${names[$i]}: download/build failed; last lines of $LOGS/${names[$i]}-fetch.log:"
      tail -n 20 "$LOGS/${names[$i]}-fetch.log" >&2 || true
      failed=1
    fi
  done
  ((failed == 0)) || die "could not fetch everything (see above)"
}

primary_port() { "${1}_ports" | cut -d' ' -f1; }

# Before anything starts, so a conflict does not leave half the stack running: a stopped component needs
# free ports; a running one must be on the port asked for now (its port was recorded when it started).
preflight() {
  local c=$1 was
  if "${c}_running"; then
    was=$(cat "$PIDS/$c.port" 2>/dev/null || primary_port "$c")
    [[ $was == "$(primary_port "$c")" ]] ||
      die "$c: already running on port $was, not $(primary_port "$c"); run down first to move it"
  else
    # shellcheck disable=SC2046 # one argument per port
    require_free_ports "$c" "$("${c}_port_vars")" $("${c}_ports")
  fi
}

start_component() {
  local c=$1
  if "${c}_running"; then
    say "$c: already running (pid $("${c}_pid"))"
    return 0
  fi
  "${c}_start"
  primary_port "$c" >"$PIDS/$c.port"
}

# Real readiness: each component answers its own protocol (see wait-ready.js), not just an open port.
wait_ready() {
  local c logs args=()
  for c in "${COMPONENTS[@]}"; do
    logs=$("${c}_log")
    # JVM-level failures (bad flags, missing jars) never reach kafka.log.
    [[ $c == kafka ]] && logs+=",$LOGS/kafka.stdout.log"
    args+=("$c=$logs")
  done
  export_env
  PG_DATABASES="$PG_DATABASES" node "$HERE/wait-ready.js" "${args[@]}" 9>&- ||
    die "infrastructure is not ready (see above); 'bash infra/local/infra.sh status' shows what runs"
}

pg_base_url() { echo "postgres://saga:saga@127.0.0.1:$PG_PORT"; }

# The variable names services, tests, compose and k8s share. Each service reads DATABASE_URL; the runner
# sets it from the matching <SERVICE>_DATABASE_URL. Nothing here exports DATABASE_URL itself, so a service
# started without its own never silently lands in another service's database.
env_lines() {
  local base db name
  base=$(pg_base_url)
  echo "export POSTGRES_URL=$base"
  for db in $PG_DATABASES; do
    name=${db%_db}
    [[ $db == saga_test ]] && name="test"
    echo "export ${name^^}_DATABASE_URL=$base/$db"
  done
  echo "export RABBITMQ_URL=amqp://guest:guest@127.0.0.1:$RABBITMQ_PORT"
  echo "export RABBITMQ_MANAGEMENT_URL=http://guest:guest@127.0.0.1:$RABBITMQ_MANAGEMENT_PORT"
  echo "export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
  echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  echo "export TOXIPROXY_URL=http://127.0.0.1:$TOXIPROXY_PORT"
  echo "export PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
}

export_env() { eval "$(env_lines)"; }

cmd_up() {
  local started=$SECONDS c
  require_node_modules
  prepare_dirs
  take_lock up
  install_packages
  fetch_artifacts
  for c in "${COMPONENTS[@]}"; do preflight "$c"; done
  # Kafka and RabbitMQ boot in the background (several seconds each) while the quick ones start.
  local bg_pids=() bg_names=() i
  for c in kafka rabbitmq; do
    start_component "$c" &
    bg_pids+=($!) bg_names+=("$c")
  done
  for c in postgres redis toxiproxy prometheus; do start_component "$c"; done
  for i in "${!bg_pids[@]}"; do
    wait "${bg_pids[$i]}" || die "${bg_names[$i]}: failed to start (see above)"
  done
  postgres_apply_init_sql
  wait_ready
  { echo "# Written by infra/local/infra.sh up: source it to reach the local infrastructure."; env_lines; } >"$LOCAL/env"
  say "all ready in $((SECONDS - started)) s. Environment (also in $(rel "$LOCAL/env"), 'source .local/env'):"
  env_lines
  echo "# database names: $PG_DATABASES (per service: DATABASE_URL=\$<SERVICE>_DATABASE_URL)"
}

cmd_down() {
  local c pids=() names=() i leftovers
  prepare_dirs
  take_lock down
  # Independent shutdowns (Kafka's and RabbitMQ's take a few seconds each) run side by side.
  for c in "${COMPONENTS[@]}"; do
    if "${c}_running"; then
      say "$c: stopping (pid $("${c}_pid"))"
      "${c}_stop" &
      pids+=($!) names+=("$c")
    else
      say "$c: not running"
    fi
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || warn "${names[$i]}: stop reported an error, see $("${names[$i]}_log")"
  done
  rabbitmq_stop_epmd
  rm -f "$PIDS"/*.port
  # Anything still running from our .local tree is ours by definition and must not outlive `down`
  # (a few seconds of grace: helpers such as erl_child_setup exit just after their parent).
  for _ in $(seq 50); do
    leftovers=$(our_processes | sort -u | tr '\n' ',')
    [[ -n $leftovers ]] || break
    sleep 0.1
  done
  [[ -z $leftovers ]] || die "processes of ours are still running:
$(ps -o pid,user,args -p "${leftovers%,}" | cut -c1-200)"
  say "stopped; data kept in $(rel "$LOCAL")"
}

cmd_status() {
  local c state pid ports
  printf '%-10s %-8s %-19s %-8s %s\n' component state "port(s)" pid log
  for c in "${COMPONENTS[@]}"; do
    pid='-' state=stopped
    if "${c}_running"; then pid=$("${c}_pid") state=running; fi
    ports=$("${c}_ports")
    printf '%-10s %-8s %-19s %-8s %s\n' "$c" "$state" "${ports// /,}" "$pid" "$(rel "$("${c}_log")")"
  done
}

component_arg() {
  [[ " ${COMPONENTS[*]} " == *" ${1:-} "* ]] || die "expected one of: ${COMPONENTS[*]}"
}

# Stops one component and starts it again, same ports and data: what the chaos suite calls a broker restart.
cmd_restart() {
  cmd_stop "$1"
  cmd_up
}

# Stops one component and leaves it stopped (an outage); `up` starts it again.
cmd_stop() {
  component_arg "$1"
  prepare_dirs
  (
    take_lock restart
    if "${1}_running"; then
      say "$1: stopping (pid $("${1}_pid"))"
      "${1}_stop"
    fi
  )
}

# SIGSTOP / SIGCONT: the process keeps its sockets but answers nothing, which clients see as a network partition
# (no reset, no refusal: requests just hang until their own timeouts), unlike a clean stop.
cmd_signal() {
  component_arg "$1"
  "${1}_running" || die "$1 is not running"
  kill "-$2" "$("${1}_pid")"
  say "$1: sent SIG$2 to pid $("${1}_pid")"
}

# The broker's own CLI against our node (its name, cookie and ports): what the chaos suite uses to fail one channel.
cmd_rabbitmqctl() {
  rabbitmq_running || die "rabbitmq is not running"
  rabbitmq_env
  rabbitmqctl -q -n "$RABBITMQ_NODE" "$@" 9>&-
}

cd "$ROOT"
case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  restart) cmd_restart "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  freeze) cmd_signal "${2:-}" STOP ;;
  thaw) cmd_signal "${2:-}" CONT ;;
  rabbitmqctl) shift; cmd_rabbitmqctl "$@" ;;
  *) usage ;;
esac
