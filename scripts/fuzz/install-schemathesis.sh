#!/usr/bin/env bash
# Installs Schemathesis (pinned in requirements.txt) into .local/tools/schemathesis, from PyPI, once; prints its `st` path.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.local/tools/schemathesis"
REQUIREMENTS="$ROOT/scripts/fuzz/requirements.txt"
STAMP="$VENV/.requirements.sha256"

want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [[ -x $VENV/bin/st && -f $STAMP && "$(cat "$STAMP")" == "$want" ]]; then
  echo "$VENV/bin/st"
  exit 0
fi

# The newest CPython here: Hypothesis (under Schemathesis) parses lambda sources with ast, which CPython 3.11.7
# (this machine's python3) intermittently fails with "SystemError: AST constructor recursion depth mismatch";
# 3.12 and 3.13 do not. pyenv keeps the other versions beside the default one.
python=""
for candidate in python3.13 python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys' 2>/dev/null; then
    python="$(command -v "$candidate")"
    break
  fi
done
[[ -n $python ]] || { echo "install-schemathesis: python3 (3.10 or newer) is not on PATH" >&2; exit 1; }
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || echo "install-schemathesis: warning: $("$python" --version) may fail with 'AST constructor recursion depth mismatch' (a CPython 3.11 bug); install Python 3.12+ if it does" >&2
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || { echo "install-schemathesis: Schemathesis needs Python 3.10 or newer; $python is $("$python" --version)" >&2; exit 1; }
# Debian's own python3 keeps venv (ensurepip) in a separate package.
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  echo "install-schemathesis: installing python3-venv (Debian)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv </dev/null >&2
fi

echo "install-schemathesis: installing Schemathesis into $VENV (PyPI, $("$python" --version))" >&2
rm -rf "$VENV"
"$python" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS" >&2
echo "$want" >"$STAMP"
echo "$VENV/bin/st"
