# Kafka 3.9 component: jars from Maven Central, one KRaft broker+controller JVM, data in .local/kafka (sourced by infra.sh).

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
KAFKA_DIR="$LOCAL/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_POM="$ROOT/infra/kafka/pom.xml"

kafka_packages() {
  command -v java >/dev/null || echo openjdk-17-jre-headless
  command -v mvn >/dev/null || echo maven
}
kafka_ports() { echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT"; }
kafka_port_vars() { echo "KAFKA_PORT / KAFKA_CONTROLLER_PORT"; }
kafka_log() { echo "$LOGS/kafka.log"; }
kafka_pid() { read_pid kafka; }
kafka_running() { pid_matches "$(kafka_pid)" "$KAFKA_DIR"; }

# The marker holds the pom's checksum: a version bump in pom.xml re-resolves, an interrupted copy never counts.
kafka_fetch_needed() { [[ "$(cat "$KAFKA_LIBS/.resolved" 2>/dev/null)" != "$(sha256sum <"$KAFKA_POM")" ]]; }

kafka_fetch() {
  kafka_fetch_needed || return 0
  say "kafka: resolving broker jars from Maven Central into $(rel "$KAFKA_LIBS") (log: $(rel "$LOGS/kafka-fetch.log"))"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_LIBS" </dev/null >"$LOGS/kafka-fetch.log" 2>&1 9>&-
  sha256sum <"$KAFKA_POM" >"$KAFKA_LIBS/.resolved"
}

# For the one-shot tools (random-uuid, format): same logging setup as the broker, so no log4j warnings.
kafka_java() {
  java -Dkafka.logs.dir="$LOGS" -Dlog4j.configuration="file:$ROOT/infra/kafka/log4j.properties" \
    -cp "$KAFKA_LIBS/*" "$@" </dev/null 9>&-
}

# StorageTool reads log.dirs from the config, so the runtime copy carries our data directory and ports;
# the checked-in file is never edited.
kafka_write_config() {
  {
    grep -Ev '^(log\.dirs|listeners|advertised\.listeners|controller\.quorum\.voters)=' \
      "$ROOT/infra/kafka/server.properties"
    echo
    echo "# --- written by infra/local/infra.sh: data under .local, ports from env ---"
    echo "log.dirs=$KAFKA_DIR/data"
    echo "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT"
    echo "advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT"
    echo "controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT"
  } >"$KAFKA_DIR/server.properties"
}

# KRaft storage is formatted once with a cluster id we keep; formatting again would orphan the data.
kafka_format() {
  [[ -f $KAFKA_DIR/data/meta.properties ]] && return 0
  if [[ ! -s $KAFKA_DIR/cluster-id ]]; then
    kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$KAFKA_DIR/cluster-id"
  fi
  say "kafka: formatting $(rel "$KAFKA_DIR/data") (cluster id $(cat "$KAFKA_DIR/cluster-id"))"
  kafka_java kafka.tools.StorageTool format -t "$(cat "$KAFKA_DIR/cluster-id")" \
    -c "$KAFKA_DIR/server.properties" >"$LOGS/kafka-format.log" 2>&1 ||
    die "kafka: storage format failed, see $LOGS/kafka-format.log"
}

kafka_start() {
  mkdir -p "$KAFKA_DIR/data"
  kafka_write_config
  kafka_format
  say "kafka: starting KRaft broker on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT)"
  # Broker logs go through log4j into kafka.log; stdout/stderr only carry JVM-level failures.
  # setsid: the broker must not share our process group (a Ctrl-C on `up` would reach it).
  # -XX:ErrorFile: a JVM crash report would otherwise land in the working directory, the repo root.
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several JVM flags on purpose
  setsid java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -XX:ErrorFile="$LOGS/kafka-hs_err_%p.log" \
    -Dkafka.logs.dir="$LOGS" -Dlog4j.configuration="file:$ROOT/infra/kafka/log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
    </dev/null >>"$LOGS/kafka.stdout.log" 2>&1 9>&- &
  echo $! >"$PIDS/kafka.pid"
}

kafka_stop() {
  # SIGTERM runs Kafka's shutdown hook: a controlled shutdown that flushes logs and skips recovery next start.
  stop_pid kafka "$(kafka_pid)" 60
  rm -f "$PIDS/kafka.pid"
}
