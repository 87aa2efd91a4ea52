# RabbitMQ component: a detached node rabbit@localhost with its state in .local/rabbitmq (sourced by infra.sh).

RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
RABBITMQ_MANAGEMENT_PORT=${RABBITMQ_MANAGEMENT_PORT:-15672}
# Erlang distribution (rabbitmqctl talks to the node through it); RabbitMQ's own rule is AMQP port + 20000.
RABBITMQ_DIST_PORT=${RABBITMQ_DIST_PORT:-$((RABBITMQ_PORT + 20000))}
RABBITMQ_NODE=rabbit@localhost
RMQ_DIR="$LOCAL/rabbitmq"

rabbitmq_packages() { command -v rabbitmq-server >/dev/null || echo rabbitmq-server; }
rabbitmq_ports() { echo "$RABBITMQ_PORT $RABBITMQ_MANAGEMENT_PORT $RABBITMQ_DIST_PORT"; }
rabbitmq_port_vars() { echo "RABBITMQ_PORT / RABBITMQ_MANAGEMENT_PORT / RABBITMQ_DIST_PORT"; }
rabbitmq_log() { echo "$LOGS/rabbitmq.log"; }
rabbitmq_pid() { read_pid rabbitmq; }
# The node's command line and working directory (/var/lib/rabbitmq) name none of our paths; its environment does.
rabbitmq_running() { pid_matches "$(rabbitmq_pid)" beam.smp && pid_env_has "$(rabbitmq_pid)" "=$RMQ_DIR/"; }

# The Debian scripts read these; as root they `su rabbitmq` and keep the environment, so every path we
# hand over lies in a directory (or is a file) owned by the rabbitmq user.
rabbitmq_env() {
  export RABBITMQ_NODENAME=$RABBITMQ_NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$RABBITMQ_PORT RABBITMQ_DIST_PORT
  export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia" RABBITMQ_LOG_BASE="$RMQ_DIR/log"
  RABBITMQ_LOGS=$(rabbitmq_log)
  export RABBITMQ_LOGS RABBITMQ_PID_FILE="$RMQ_DIR/rabbitmq.pid"
  export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$ROOT/infra/rabbitmq/enabled_plugins"
  # The node runs in /var/lib/rabbitmq; keep a crash dump with the rest of our state instead.
  export ERL_CRASH_DUMP="$RMQ_DIR/erl_crash.dump"
  # Erlang distribution and epmd listen on every interface unless told otherwise.
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
  export RABBITMQ_CTL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
}

# The checked-in config with the ports from env: the file stays the single source of every other setting.
rabbitmq_write_config() {
  sed -e "s/^listeners\.tcp\.default = .*/listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT/" \
    -e "s/^management\.tcp\.port = .*/management.tcp.port = $RABBITMQ_MANAGEMENT_PORT/" \
    "$ROOT/infra/rabbitmq/rabbitmq.conf" >"$RMQ_DIR/rabbitmq.conf"
  chown rabbitmq: "$RMQ_DIR/rabbitmq.conf"
}

# epmd (the Erlang port mapper) outlives the node. When none answers, we start it ourselves, loopback only,
# and remember its pid so that `down` stops it only when we started it and no other Erlang node uses it.
rabbitmq_ensure_epmd() {
  epmd -names >/dev/null 2>&1 && return 0
  ERL_EPMD_ADDRESS=127.0.0.1 epmd -daemon </dev/null >/dev/null 2>&1 9>&-
  local pid=''
  for _ in $(seq 50); do
    pid=$(port_listener "${ERL_EPMD_PORT:-4369}" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2) || true
    [[ -n $pid ]] && break
    sleep 0.1
  done
  [[ -n $pid ]] || die "rabbitmq: epmd did not start"
  echo "$pid" >"$PIDS/epmd.pid"
}

rabbitmq_start() {
  install -d -o rabbitmq -g rabbitmq -m 0750 "$RMQ_DIR" "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  own_log rabbitmq.log rabbitmq
  rabbitmq_write_config
  ln -sfn ../rabbitmq/rabbitmq.pid "$PIDS/rabbitmq.pid"
  rabbitmq_env
  rabbitmq_ensure_epmd
  say "rabbitmq: starting $RABBITMQ_NODE on 127.0.0.1:$RABBITMQ_PORT (management :$RABBITMQ_MANAGEMENT_PORT)"
  # -detached returns at once; the node needs ~6-9 s more to accept connections (wait-ready.js checks).
  rabbitmq-server -detached </dev/null >>"$(rabbitmq_log)" 2>&1 9>&- ||
    die "rabbitmq: rabbitmq-server -detached failed, see $(rabbitmq_log)"
}

rabbitmq_stop() {
  local pid
  pid=$(rabbitmq_pid)
  rabbitmq_env
  # rabbitmqctl stop <pidfile> returns only once that pid has exited.
  if ! rabbitmqctl -q -n "$RABBITMQ_NODE" stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 9>&-; then
    warn "rabbitmq: rabbitmqctl stop failed, falling back to SIGTERM"
    stop_pid rabbitmq "$pid" 30
  fi
  rabbitmq_stop_epmd
}

rabbitmq_stop_epmd() {
  local pid
  pid=$(read_pid epmd)
  if [[ -z $pid ]] || ! pid_matches "$pid" epmd; then
    rm -f "$PIDS/epmd.pid"
    return 0
  fi
  # Other Erlang nodes registered there are not ours to break.
  # (the output is read whole: `| grep -q` under pipefail can fail on SIGPIPE)
  local names
  names=$(epmd -names 2>/dev/null) || names=''
  if [[ $'\n'$names == *$'\nname '* ]]; then
    warn "rabbitmq: leaving epmd (pid $pid) running, other Erlang nodes use it"
    return 0
  fi
  stop_pid epmd "$pid" 5
  rm -f "$PIDS/epmd.pid"
}
