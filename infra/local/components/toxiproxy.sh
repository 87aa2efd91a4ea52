# Toxiproxy component: the Shopify server built with go install into .local/bin, API on loopback (sourced by infra.sh).

TOXIPROXY_PORT=${TOXIPROXY_PORT:-8474}
TOXIPROXY_VERSION=v2.12.0
TOXIPROXY_BIN="$BIN/toxiproxy-server"

toxiproxy_packages() { :; }
toxiproxy_ports() { echo "$TOXIPROXY_PORT"; }
toxiproxy_port_vars() { echo TOXIPROXY_PORT; }
toxiproxy_log() { echo "$LOGS/toxiproxy.log"; }
toxiproxy_pid() { read_pid toxiproxy; }
toxiproxy_running() { pid_matches "$(toxiproxy_pid)" "$TOXIPROXY_BIN"; }

toxiproxy_fetch_needed() { [[ ! -x $TOXIPROXY_BIN ]]; }

toxiproxy_fetch() {
  toxiproxy_fetch_needed || return 0
  command -v go >/dev/null || die "toxiproxy: Go is needed to build it (go install), and it is not on PATH"
  say "toxiproxy: building $TOXIPROXY_VERSION with go install, ~35 s on a cold Go cache (log: $(rel "$LOGS/toxiproxy-fetch.log"))"
  mkdir -p "$BIN"
  # go install names the binary after its package directory ("server"): rename it so ps and pgrep say what it is.
  GOBIN="$BIN/.go" go install "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION" \
    </dev/null >"$LOGS/toxiproxy-fetch.log" 2>&1 9>&-
  mv "$BIN/.go/server" "$TOXIPROXY_BIN"
  rmdir "$BIN/.go"
}

toxiproxy_start() {
  say "toxiproxy: starting API on 127.0.0.1:$TOXIPROXY_PORT"
  # setsid: the server must not share our process group (a Ctrl-C on `up` would reach it).
  # LOG_LEVEL=info: the default logs every API request, and the tests make many.
  LOG_LEVEL=info setsid "$TOXIPROXY_BIN" -host 127.0.0.1 -port "$TOXIPROXY_PORT" </dev/null >>"$(toxiproxy_log)" 2>&1 9>&- &
  echo $! >"$PIDS/toxiproxy.pid"
}

toxiproxy_stop() {
  stop_pid toxiproxy "$(toxiproxy_pid)" 10
  rm -f "$PIDS/toxiproxy.pid"
}
