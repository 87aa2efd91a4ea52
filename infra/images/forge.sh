#!/usr/bin/env bash
# The offline image forge (test infrastructure): a Docker engine, Compose, and the base images the project's Dockerfile
# and docker-compose.yml name, built here from Debian packages, registry packages and the project's own files, for
# machines that reach no image registry. Users pull the official images; nothing here is what they run.
#
#   bash infra/images/forge.sh engine            start dockerd (installing Debian's docker.io first if needed)
#   bash infra/images/forge.sh compose           install the Compose plugin (built from its Go module) if missing
#   bash infra/images/forge.sh build [name...]   build the forge images (all by default); cached: a second run is fast
#   bash infra/images/forge.sh list              the images and the tags they stand in for
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$ROOT/.local/images"
LOGS="$ROOT/.local/logs"
FORGE_PREFIX="saga-forge"
BASE_TAG="$FORGE_PREFIX/debian:bookworm-minbase"
COMPOSE_VERSION="v5.6.0"
COMPOSE_PLUGIN="$HOME/.docker/cli-plugins/docker-compose"

say() { printf 'forge: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---- the engine -------------------------------------------------------------------------------------------------
engine_up() { docker info >/dev/null 2>&1; }

cmd_engine() {
  engine_up && return 0
  [[ $(id -u) == 0 ]] || die "the Docker engine is not running and starting it needs root"
  if ! command -v dockerd >/dev/null; then
    say "installing Debian's docker.io and debootstrap"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends docker.io debootstrap </dev/null >&2 \
      || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends docker.io debootstrap </dev/null >&2; }
  fi
  mkdir -p "$LOGS"
  say "starting dockerd (log: .local/logs/dockerd.log)"
  # Detached from this shell: the engine outlives the command that started it, like the brokers of infra/local.
  setsid dockerd >"$LOGS/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    engine_up && { say "engine $(docker version --format '{{.Server.Version}}') is up"; return 0; }
    sleep 1
  done
  die "dockerd did not come up within 60 s; see .local/logs/dockerd.log"
}

# ---- Compose ----------------------------------------------------------------------------------------------------
# No prebuilt Compose is installable here: build the plugin from its Go module (go install refuses it: its go.mod
# has exclude directives; building inside the downloaded module works).
cmd_compose() {
  if docker compose version >/dev/null 2>&1; then return 0; fi
  command -v go >/dev/null || die "Compose is missing and Go is not on PATH to build it"
  say "building the Compose plugin $COMPOSE_VERSION from the Go module proxy (about 2 minutes, once)"
  local dir
  dir="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v5@$COMPOSE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n $dir && -d $dir ]] || die "go mod download github.com/docker/compose/v5@$COMPOSE_VERSION failed"
  mkdir -p "$(dirname "$COMPOSE_PLUGIN")"
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION" -o "$COMPOSE_PLUGIN" ./cmd) >&2
  docker compose version >&2
}

# ---- the base image ---------------------------------------------------------------------------------------------
# Debian bookworm minbase, with this machine's apt sources (bookworm, -updates, -security) and its CA store, so that
# builds inside it reach the package registries exactly as this machine does.
build_base() {
  if docker image inspect "$BASE_TAG" >/dev/null 2>&1; then return 0; fi
  command -v debootstrap >/dev/null || die "debootstrap is missing (bash infra/images/forge.sh engine installs it)"
  local rootfs="$WORK/rootfs-bookworm"
  mkdir -p "$WORK"
  if [[ ! -x $rootfs/bin/sh ]]; then
    say "debootstrap --variant=minbase bookworm (about 30 s)"
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
      || die "debootstrap failed; see .local/images/debootstrap.log"
  fi
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    rm -f "$rootfs/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
  fi
  mkdir -p "$rootfs/usr/local/share/forge"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/local/share/forge/ca-certificates.crt"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  say "importing $BASE_TAG"
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$BASE_TAG" >/dev/null
}

# ---- the images -------------------------------------------------------------------------------------------------
# name -> the tag it stands in for (what docker-compose.yml / the Dockerfile name); each has infra/images/<name>/.
declare -A STANDS_IN_FOR=()
# shellcheck source=images.list.sh
source "$HERE/images.list.sh"

build_image() {
  local name="$1" dir="$HERE/$1"
  [[ -f $dir/Dockerfile ]] || die "no image $name (infra/images/$name/Dockerfile)"
  local tag="$FORGE_PREFIX/$name:forge"
  # The context is the image's folder plus whatever its prepare script stages into .local/images/<name>/ (binaries
  # fetched on the host, the project's files): staged, then one docker build, cached by Docker's own layers.
  local context="$WORK/context-$name"
  rm -rf "$context" && mkdir -p "$context"
  cp -r "$dir/." "$context/"
  if [[ -x $dir/prepare.sh ]]; then "$dir/prepare.sh" "$context" "$ROOT"; fi
  say "building $tag (stands in for ${STANDS_IN_FOR[$name]:-nothing})"
  docker build --network host --quiet --build-arg "FORGE_BASE=$BASE_TAG" --build-arg "FORGE_PREFIX=$FORGE_PREFIX" -t "$tag" "$context" >/dev/null \
    || die "building $tag failed (re-run without --quiet: docker build --network host $context)"
}

cmd_build() {
  cmd_engine
  build_base
  local names=("$@")
  ((${#names[@]} > 0)) || names=("${FORGE_IMAGES[@]}")
  for name in "${names[@]}"; do build_image "$name"; done
}

cmd_list() {
  for name in "${FORGE_IMAGES[@]}"; do printf '%s/%s:forge\t%s\n' "$FORGE_PREFIX" "$name" "${STANDS_IN_FOR[$name]:-}"; done
}

case "${1:-}" in
  engine) cmd_engine ;;
  compose) cmd_engine && cmd_compose ;;
  build) shift; cmd_build "$@" ;;
  list) cmd_list ;;
  *) echo "usage: bash infra/images/forge.sh engine|compose|build [name...]|list" >&2; exit 2 ;;
esac
