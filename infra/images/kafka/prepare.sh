#!/usr/bin/env bash
# Stages the forge kafka image's jars: the broker's from .local/kafka/libs (infra/local resolved them from Maven Central)
# plus kafka-tools-3.9.1.jar (topics, console consumer), resolved once through tools-pom.xml into .local/images.
set -euo pipefail
context="$1" root="$2"
libs="$root/.local/kafka/libs"
if ! ls "$libs"/kafka_2.13-3.9.1.jar >/dev/null 2>&1; then
  echo "kafka: $libs has no Kafka 3.9.1 jars; 'bash infra/local/infra.sh up' fetches them from Maven Central" >&2
  exit 1
fi
tools="$root/.local/images/kafka-tools-libs"
if [[ ! -f $tools/kafka-tools-3.9.1.jar ]]; then
  command -v mvn >/dev/null || { echo "kafka: mvn is needed once to resolve kafka-tools 3.9.1" >&2; exit 1; }
  mvn -q -B -f "$root/infra/images/kafka/tools-pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$tools" </dev/null >&2
fi
mkdir -p "$context/libs"
cp "$libs"/*.jar "$context/libs/"
# Only the tools jar itself: its other runtime deps the tools need are already among the broker's jars (same versions),
# and its Connect/Jersey/Jetty tree and newer reload4j would only add weight and a second logging binding.
cp "$tools/kafka-tools-3.9.1.jar" "$context/libs/"
