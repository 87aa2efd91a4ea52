#!/bin/sh
# Runs one Kafka main class on /opt/kafka/libs, honouring the same env as Kafka's own kafka-run-class.sh (heap, JVM, log4j opts).
base=/opt/kafka
: "${KAFKA_HEAP_OPTS:=-Xmx256M}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
: "${KAFKA_LOG4J_OPTS:=-Dlog4j.configuration=file:$base/config/tools-log4j.properties}"
class="$1"; shift
# shellcheck disable=SC2086 # the *_OPTS variables hold several JVM flags on purpose, as in Kafka's script
exec java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_LOG4J_OPTS -Dkafka.logs.dir="${LOG_DIR:-$base/logs}" \
  ${KAFKA_OPTS:-} -cp "$base/libs/*" "$class" "$@"
