#!/usr/bin/env bash
# Stages the forge jaeger image: Jaeger v2's `jaeger` binary (Go module tag v1.75.0, the v2.12.0 release), built once from the Go module proxy into .local/images, and its sampling strategies.
set -euo pipefail
context="$1" root="$2"
# github.com/jaegertracing/jaeger tags its Go module v1.x; v1.75.0 is the source of the v2.12.0 release's binary.
version=v1.75.0
release=v2.12.0
dir="$root/.local/images/jaeger-$version"
command -v go >/dev/null || { echo "jaeger: Go is needed to fetch github.com/jaegertracing/jaeger@$version" >&2; exit 1; }
# The module's source (from the module cache after the first download), outside any go.mod.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
src="$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/jaegertracing/jaeger@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -n $src && -d $src ]] || { echo "jaeger: go mod download github.com/jaegertracing/jaeger@$version failed" >&2; exit 1; }
if [[ ! -x $dir/jaeger ]]; then
  echo "jaeger: building github.com/jaegertracing/jaeger/cmd/jaeger@$version from the Go module proxy (once, niced, one package at a time: about 10 minutes)" >&2
  start=$(date +%s)
  mkdir -p "$dir"
  # go install refuses the module (its go.mod has a replace directive): build inside the downloaded module instead,
  # as forge.sh does for Compose, so the replace applies as in the official build. Niced and -p 1: this machine has
  # two cores and may be running a CI at the same time. Static (CGO_ENABLED=0) like the official binary.
  (cd "$src" && CGO_ENABLED=0 nice -n 19 go build -p 1 -trimpath \
    -ldflags "-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$release" \
    -o "$dir/jaeger.new" ./cmd/jaeger) </dev/null >&2
  mv "$dir/jaeger.new" "$dir/jaeger"
  echo "jaeger: built in $(($(date +%s) - start)) s ($(du -h "$dir/jaeger" | cut -f1))" >&2
fi
# The official image's files: the binary (as /cmd/jaeger/jaeger-linux) and the module's sampling strategies beside it.
cp "$dir/jaeger" "$context/jaeger"
cp "$src/cmd/jaeger/sampling-strategies.json" "$context/sampling-strategies.json"
chmod 0644 "$context/sampling-strategies.json"
