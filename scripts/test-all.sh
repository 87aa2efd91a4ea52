#!/usr/bin/env bash
# `npm test`: the whole suite from a fresh clone — install, start the real brokers, type-check, lint, run every jest project.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# Each stage writes its results to .local/test-results/; the summary of all of them is printed last, pass or fail,
# so the end of the log says what ran and what passed.
rm -rf .local/test-results
mkdir -p .local/test-results
summary() {
  local code=$?
  if [ -d node_modules/@swc/core ]; then node -r ./scripts/ts-register.js scripts/test-summary.ts "$code" || true; fi
  exit "$code"
}
trap summary EXIT

# package.json's scripts run this through scripts/node/with-lts-node.sh: say which Node that chose.
step "Node $(node --version) ($(command -v node)), npm $(npm --version)"

# npm ci only when the lock file changed since the last install: a warm re-run should not reinstall everything.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# SAGA_INFRA=external: the brokers are already running elsewhere (e.g. `docker compose up`), reached through the
# variables in README.md; otherwise start the native ones on this machine.
if [ "${SAGA_INFRA:-local}" != "external" ]; then
  step "starting the infrastructure (infra/local)"
  bash infra/local/infra.sh up
  # shellcheck disable=SC1091
  set -a; . .local/env; set +a
fi

# Debian's Chromium for the browser tests (playwright-core drives it; it downloads no browser of its own).
step "browser for the browser tests (Debian chromium)"
CHROMIUM_PATH="$(bash scripts/browser/ensure-chromium.sh)"
export CHROMIUM_PATH

step "type-checking (tsc -b)"
npx tsc -b

# The saga console (console/, Lit + Vite) into console/dist: the gateway serves it at /, the browser tests drive it.
step "type-checking and building the console (tsc -p console, vite build)"
npx tsc -p console
npx vite build console --logLevel warn

step "linting (eslint)"
npx eslint .

step "running the tests (jest: unit, contract, integration)"
npx jest --ci --maxWorkers=2 --selectProjects unit integration --json --outputFile .local/test-results/jest.json "$@"

# The contract against the running code: Schemathesis (Python, installed into .local/) fuzzes an embedded platform of
# its own through the gateway, bounded; `npm run fuzz` is the deeper run.
step "fuzzing the API with its OpenAPI contract (Schemathesis, quick)"
node -r ./scripts/ts-register.js scripts/fuzz/run-fuzz.ts --quick

# Alone: the chaos scenarios restart and freeze the shared brokers, which would break any suite beside them.
step "running the chaos suite (jest: chaos, one scenario at a time)"
npx jest --ci --runInBand --selectProjects chaos --passWithNoTests --json --outputFile .local/test-results/chaos.json "$@"

# Last: the platform as `docker compose up` runs it, on a real Docker engine (installed and started here if needed),
# with the forge's stand-in images where no registry answers. Skipped, saying why, where Docker cannot run.
step "docker compose, for real (npm run compose:check)"
node -r ./scripts/ts-register.js scripts/compose/compose-check.ts --if-possible
