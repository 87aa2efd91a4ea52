#!/bin/sh
# Entrypoint of the forge rabbitmq image: RABBITMQ_DEFAULT_USER/PASS/VHOST become the first-boot user, then the server
# runs as rabbitmq, reading /etc/rabbitmq/conf.d/*.conf and /etc/rabbitmq/enabled_plugins (as the official image does).
set -e

# `docker run image -some-flag`: the official entrypoint treats a leading flag as rabbitmq-server's.
case "$1" in
  -*) set -- rabbitmq-server "$@" ;;
esac

if [ "$1" = rabbitmq-server ] && [ "$(id -u)" = 0 ]; then
  # The broker creates this user (administrator, full rights on the vhost) only when it boots on an empty database,
  # exactly like default_user/default_pass in the official image's config; the file holds a password, so 0600.
  if [ -n "${RABBITMQ_DEFAULT_USER:-}${RABBITMQ_DEFAULT_PASS:-}${RABBITMQ_DEFAULT_VHOST:-}" ]; then
    conf=/etc/rabbitmq/conf.d/11-default-user.conf
    {
      echo "# written by docker-entrypoint.sh from RABBITMQ_DEFAULT_USER / RABBITMQ_DEFAULT_PASS / RABBITMQ_DEFAULT_VHOST"
      [ -n "${RABBITMQ_DEFAULT_USER:-}" ] && echo "default_user = $RABBITMQ_DEFAULT_USER"
      [ -n "${RABBITMQ_DEFAULT_PASS:-}" ] && echo "default_pass = $RABBITMQ_DEFAULT_PASS"
      [ -n "${RABBITMQ_DEFAULT_VHOST:-}" ] && echo "default_vhost = $RABBITMQ_DEFAULT_VHOST"
      echo "default_user_tags.administrator = true"
      echo "default_permissions.configure = .*"
      echo "default_permissions.read = .*"
      echo "default_permissions.write = .*"
    } >"$conf"
    chown rabbitmq:rabbitmq "$conf" && chmod 0600 "$conf"
  fi
  # The server reads its config and cookie as rabbitmq and writes its data directory; root only prepares them.
  chown rabbitmq:rabbitmq /var/lib/rabbitmq 2>/dev/null || true
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "$0" "$@"
fi

exec "$@"
