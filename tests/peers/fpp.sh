#!/usr/bin/env bash
# Installs openapi-core (and with it jsonschema), the upstream-independent
# OpenAPI validator used to prove homedeck's in-test FPP peer against FPP's
# own REST API description (tests/fixtures/fpp/openapi.json), into a venv.
# Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${HOMEDECK_FPP_VENV:-target/peers/fpp-venv}"
VERSION="0.19.5"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('openapi-core') == '$VERSION' else 1)" 2>/dev/null; then
  exit 0
fi
if ! python3 -c "import venv" 2>/dev/null; then
  echo "tests/peers/fpp.sh: python3 with venv is needed" >&2
  exit 1
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "openapi-core==$VERSION"
"$VENV/bin/python" -c "import importlib.metadata as m; print('openapi-core', m.version('openapi-core'), 'jsonschema', m.version('jsonschema'))"
