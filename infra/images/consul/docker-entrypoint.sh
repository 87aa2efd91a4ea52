#!/bin/sh
# Entrypoint of the forge consul image, with the official hashicorp/consul entrypoint's argument handling: a leading
# flag or `agent` means `consul agent ...`, another consul subcommand means `consul ...`, anything else runs as given.
set -e

case "$1" in
  -*) set -- consul agent "$@" ;;
  agent) shift; set -- consul agent -data-dir=/consul/data -config-dir=/consul/config "$@" ;;
  members|version) set -- consul "$@" ;;
esac

# The agent does not need root: like the official image, drop to the consul user.
if [ "$1" = consul ] && [ "$(id -u)" = 0 ]; then
  chown -R consul:consul /consul/data 2>/dev/null || true
  exec setpriv --reuid=consul --regid=consul --init-groups "$@"
fi
exec "$@"
