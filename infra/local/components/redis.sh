# Redis component: redis-server as the redis OS user, no persistence, state in .local/redis (sourced by infra.sh).

REDIS_PORT=${REDIS_PORT:-6379}
REDIS_DIR="$LOCAL/redis"

redis_packages() { command -v redis-server >/dev/null || echo redis-server; }
redis_ports() { echo "$REDIS_PORT"; }
redis_port_vars() { echo REDIS_PORT; }
redis_log() { echo "$LOGS/redis.log"; }
redis_pid() { read_pid redis; }
# redis-server rewrites its command line to "redis-server 127.0.0.1:6379"; its working directory is ours.
redis_running() { pid_matches "$(redis_pid)" "$REDIS_DIR"; }

redis_start() {
  install -d -o redis -g redis -m 0750 "$REDIS_DIR"
  own_log redis.log redis
  ln -sfn ../redis/redis.pid "$PIDS/redis.pid"
  say "redis: starting on 127.0.0.1:$REDIS_PORT"
  # Not as root: Redis never drops privileges itself. The machine-specific settings stay on the command
  # line so infra/redis/redis.conf can be mounted unchanged elsewhere. daemonize detaches (setsid) itself.
  runuser -u redis -- redis-server "$ROOT/infra/redis/redis.conf" --port "$REDIS_PORT" --dir "$REDIS_DIR" \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$(redis_log)" </dev/null 9>&- ||
    die "redis: redis-server failed to start, see $(redis_log)"
  # The pid file appears a moment after the parent returns.
  for _ in $(seq 50); do [[ -n $(redis_pid) ]] && return 0; sleep 0.1; done
  die "redis: no pid file after 5 s, see $(redis_log)"
}

redis_stop() {
  # SIGTERM is Redis's clean shutdown (nothing to save: persistence is off).
  stop_pid redis "$(redis_pid)" 15
}
