#!/usr/bin/env bash
# Stages the forge toxiproxy image's binaries: toxiproxy-server from .local/bin (infra/local built it with go install)
# and toxiproxy-cli v2.12.0, which infra/local does not build, built here once from the Go module proxy into .local/images.
set -euo pipefail
context="$1" root="$2"
version=v2.12.0
server="$root/.local/bin/toxiproxy-server"
[[ -x $server ]] || { echo "toxiproxy: $server is missing; 'bash infra/local/infra.sh up' builds it" >&2; exit 1; }
cli_dir="$root/.local/images/toxiproxy-$version"
if [[ ! -x $cli_dir/toxiproxy-cli ]]; then
  command -v go >/dev/null || { echo "toxiproxy: Go is needed once to build toxiproxy-cli" >&2; exit 1; }
  mkdir -p "$cli_dir/.go"
  # go install names the binary after its package directory ("cli"); renamed to what the official image ships.
  GOBIN="$cli_dir/.go" go install "github.com/Shopify/toxiproxy/v2/cmd/cli@$version" </dev/null >&2
  mv "$cli_dir/.go/cli" "$cli_dir/toxiproxy-cli" && rmdir "$cli_dir/.go"
fi
# The official image's paths: /toxiproxy (the server, its entrypoint) and /toxiproxy-cli.
cp "$server" "$context/toxiproxy"
cp "$cli_dir/toxiproxy-cli" "$context/toxiproxy-cli"
