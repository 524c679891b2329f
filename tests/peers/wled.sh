#!/usr/bin/env bash
# Installs python-wled (PyPI: wled), the upstream WLED client, into a venv
# used to prove homedeck's in-test WLED peer. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${HOMEDECK_WLED_VENV:-target/peers/wled-venv}"
VERSION="1.1.1"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('wled') == '$VERSION' else 1)" 2>/dev/null; then
  exit 0
fi
if ! python3 -c "import venv" 2>/dev/null; then
  echo "tests/peers/wled.sh: python3 with venv is needed" >&2
  exit 1
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "wled==$VERSION"
"$VENV/bin/python" -c "import importlib.metadata as m; print('python-wled', m.version('wled'))"
