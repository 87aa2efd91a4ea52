#!/bin/sh
# Kafka's kafka-console-consumer.sh: records to stdout.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.consumer.ConsoleConsumer "$@"
