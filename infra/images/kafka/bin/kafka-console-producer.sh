#!/bin/sh
# Kafka's kafka-console-producer.sh: stdin lines become records.
exec /opt/kafka/bin/kafka-run-class.sh kafka.tools.ConsoleProducer "$@"
