#!/bin/sh
# The official node image's entrypoint: `docker run IMAGE --version` or `IMAGE script.js` run node; a command runs as is.
set -e
# ${1#-}: options; `command -v`: not a command; the last test: a non-executable file (dash's command -v finds those).
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
