#!/bin/sh
# Kafka's kafka-topics.sh: create, list, describe and delete topics.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.TopicCommand "$@"
