#!/bin/sh
# Kafka's kafka-storage.sh: random-uuid, format and info for KRaft log directories.
exec /opt/kafka/bin/kafka-run-class.sh kafka.tools.StorageTool "$@"
