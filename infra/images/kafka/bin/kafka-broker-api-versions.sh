#!/bin/sh
# Kafka's kafka-broker-api-versions.sh (compose's healthcheck): the API versions each broker supports.
exec /opt/kafka/bin/kafka-run-class.sh kafka.admin.BrokerApiVersionsCommand "$@"
