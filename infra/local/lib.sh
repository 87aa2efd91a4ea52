# Shared paths and helpers for infra.sh: output, pid files, port checks, the run lock (sourced, not run).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/.local"
LOGS="$LOCAL/logs"
PIDS="$LOCAL/pids"
# shellcheck disable=SC2034 # used by the component files
BIN="$LOCAL/bin"

say() { printf 'infra: %s\n' "$*"; }
warn() { printf 'infra: %s\n' "$*" >&2; }
die() { printf 'infra: ERROR: %s\n' "$*" >&2; exit 1; }

# Path shown to humans: relative to the repo when it is inside it.
rel() { printf '%s' "${1#"$ROOT/"}"; }

# The pid a component's pid file names, or nothing (daemons that drop to their own user keep the real
# file in their own directory; .local/pids holds a symlink to it, so every pid is found in one place).
read_pid() {
  local file="$PIDS/$1.pid" pid=''
  if [[ -r $file ]]; then read -r pid 2>/dev/null <"$file" || true; fi
  [[ $pid =~ ^[0-9]+$ ]] && printf '%s' "$pid"
  return 0
}

# True when pid is alive and really is our process: its command line or working directory mentions
# needle (a path under .local or the repo), so a recycled pid never makes us signal a stranger.
pid_matches() {
  local pid=$1 needle=$2 cmd cwd
  [[ -n $pid && -d /proc/$pid ]] || return 1
  # 2>/dev/null first: the process may exit between the check and the read (redirections apply left to right).
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || cwd=''
  [[ "$cmd $cwd" == *"$needle"* ]]
}

# For daemons whose command line names none of our paths (the RabbitMQ node gets them via its environment).
pid_env_has() {
  local pid=$1 needle=$2
  local environ
  [[ -n $pid && -r /proc/$pid/environ ]] || return 1
  # Read whole, then match: `tr | grep -q` under pipefail fails at random when grep exits before tr has written
  # a large environment (SIGPIPE), which made a running RabbitMQ look like a stranger on its own port.
  environ=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ") || return 1
  [[ $environ == *"$needle"* ]]
}

# Every live process of ours, one pid a line. Root-run ones (Kafka, Toxiproxy) name .local in their command
# line; the daemons that run as their own user show it in their working directory or their environment.
our_processes() {
  local pid
  pgrep -f -- "$LOCAL/" || true
  for pid in $(pgrep -u postgres,redis,rabbitmq || true); do
    if [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$LOCAL/"* ]] || pid_env_has "$pid" "=$LOCAL/"; then
      echo "$pid"
    fi
  done
}

# Who listens on a TCP port (any address), as ss prints it; empty when the port is free.
port_listener() {
  ss -ltnpH "sport = :$1" 2>/dev/null | awk '{ $1=$2=$3=""; print }' | sed 's/^ *//' | head -n 1
}

# Fail before starting a component when one of its ports is held by a process that is not ours.
# Usage: require_free_ports <component> <env variables that move it> <port>...
require_free_ports() {
  local component=$1 vars=$2 port holder
  shift 2
  for port in "$@"; do
    holder=$(port_listener "$port")
    [[ -z $holder ]] || die "$component: port $port is already taken by a process infra.sh did not start:
    $holder
  Stop that process, or move $component to free ports with $vars, and retry."
  done
}

# Wait up to $2 seconds for a pid to exit; false if it is still there.
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# TERM, wait, then KILL: the common stop for processes that shut down cleanly on SIGTERM.
stop_pid() {
  local name=$1 pid=$2 grace=${3:-30}
  kill -TERM "$pid" 2>/dev/null || return 0
  if ! wait_gone "$pid" "$grace"; then
    warn "$name: still alive ${grace}s after SIGTERM, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || die "$name: pid $pid survived SIGKILL"
  fi
}

# A log file inside .local/logs that a daemon running as another user may append to.
own_log() {
  local file="$LOGS/$1" user=$2
  [[ -e $file ]] || : >"$file"
  chown "$user:" "$file"
}

# One up/down at a time: several people (and CI steps) may call npm run infra:up together.
# Daemons are started with 9>&- so they do not inherit the descriptor and keep the lock forever.
take_lock() {
  exec 9>"$LOCAL/infra.lock"
  flock -w 600 9 || die "another infra.sh $1 is still running (lock $(rel "$LOCAL/infra.lock"))"
}
