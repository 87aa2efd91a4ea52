# The forge's images, in build order (node first: the Consul stand-in builds on it), and the tags they stand in for.
# shellcheck shell=bash disable=SC2034
FORGE_IMAGES=(node postgres redis rabbitmq kafka toxiproxy consul prometheus jaeger)
STANDS_IN_FOR=(
  [node]="node:26-bookworm-slim"
  [postgres]="postgres:15-bookworm"
  [redis]="redis:7-alpine"
  [rabbitmq]="rabbitmq:3.13-management"
  [kafka]="apache/kafka:3.9.1"
  [toxiproxy]="ghcr.io/shopify/toxiproxy:2.12.0"
  [consul]="hashicorp/consul:1.20"
  [prometheus]="prom/prometheus:v2.53.0"
  [jaeger]="jaegertracing/jaeger:2.12.0"
)
