#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (driven by playwright-core, which downloads no browser), once; prints its path.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [[ -n $candidate && -x $candidate ]]; then
    echo "$candidate"
    exit 0
  fi
done
[[ $(id -u) == 0 ]] || { echo "ensure-chromium: chromium is missing; install Debian's chromium package (or set CHROMIUM_PATH)" >&2; exit 1; }
echo "ensure-chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale on a fresh machine: update once, only when the first attempt cannot find it.
apt-get install -y -qq --no-install-recommends chromium </dev/null >&2 || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends chromium </dev/null >&2; }
echo /usr/bin/chromium
