#!/bin/sh
# Entrypoint of the forge redis image: the official image's contract (flags or a .conf alone mean redis-server; drop root).
set -e

# `docker run image --port 7000` or `image /path/redis.conf`: the official entrypoint treats these as redis-server args.
case "$1" in
  -*|*.conf) set -- redis-server "$@" ;;
esac

# As in the official image, the server never runs as root: own /data, then re-exec as the redis user.
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' + 2>/dev/null || true
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

# The official image sets umask 0077 for the server so dumps are not world-readable.
[ "$1" = redis-server ] && umask 0077
exec "$@"
