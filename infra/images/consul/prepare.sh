#!/usr/bin/env bash
# Stages the forge consul image's program: src/ compiled with the repo's tsc together with libs/discovery's Consul API
# double it imports (compiled from its source, never copied), into <context>/app.
set -euo pipefail
context="$1" root="$2"
tsc="$root/node_modules/.bin/tsc"
[[ -x $tsc ]] || { echo "consul: $tsc is missing (npm ci installs the repo's TypeScript)" >&2; exit 1; }
"$tsc" -p "$root/infra/images/consul/tsconfig.json" --outDir "$context/app"
# The compiled files are CommonJS (the repo's package.json has no "type"); say so next to them.
printf '{ "type": "commonjs" }\n' >"$context/app/package.json"
