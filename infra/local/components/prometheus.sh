# Prometheus component: Debian's prometheus scraping every process's METRICS_PORT of the manifest, on loopback (sourced by infra.sh).

PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
PROMETHEUS_DIR="$LOCAL/prometheus"

prometheus_packages() { command -v prometheus >/dev/null || echo prometheus; }
prometheus_ports() { echo "$PROMETHEUS_PORT"; }
prometheus_port_vars() { echo PROMETHEUS_PORT; }
prometheus_log() { echo "$LOGS/prometheus.log"; }
prometheus_pid() { read_pid prometheus; }
# Its command line names its data directory under .local.
prometheus_running() { pid_matches "$(prometheus_pid)" "$PROMETHEUS_DIR/"; }

prometheus_start() {
  local config="$PROMETHEUS_DIR/prometheus.yml"
  install -d -o prometheus -g prometheus -m 0750 "$PROMETHEUS_DIR/data"
  chown prometheus:prometheus "$PROMETHEUS_DIR"
  own_log prometheus.log prometheus
  # Regenerated at every start from infra/platform/services.json, so a new process or port is scraped after `up`.
  node -r "$ROOT/scripts/ts-register.js" "$ROOT/scripts/deploy/prometheus-config.ts" native "$config" 9>&- ||
    die "prometheus: could not render $(rel "$config") from infra/platform/services.json"
  promtool check config "$config" >/dev/null 9>&- || die "prometheus: promtool rejects $(rel "$config")"
  say "prometheus: starting on 127.0.0.1:$PROMETHEUS_PORT (scrape config $(rel "$config"))"
  # As the package's own user (setpriv execs, so $! is prometheus itself); setsid keeps it out of our process group.
  # A short retention: this is a test and development Prometheus, not anyone's history.
  setsid setpriv --reuid=prometheus --regid=prometheus --init-groups -- prometheus \
    --config.file="$config" --storage.tsdb.path="$PROMETHEUS_DIR/data" --storage.tsdb.retention.time=1d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle \
    </dev/null >>"$(prometheus_log)" 2>&1 9>&- &
  echo $! >"$PIDS/prometheus.pid"
}

prometheus_stop() {
  # SIGTERM: Prometheus closes its TSDB head cleanly.
  stop_pid prometheus "$(prometheus_pid)" 20
  rm -f "$PIDS/prometheus.pid"
}
