#!/usr/bin/env bash
# Idempotent: a Python venv with ESPHome's own published artefacts, for the
# ESPHome device peer (tests/peers/esphome_device.py) and the real clients
# that prove it (aioesphomeapi's APIClient, `esphome logs`, `esphome upload`).
# Installed once into target/peers/esphome-venv; reruns only check it.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${HOMEDECK_ESPHOME_VENV:-$PWD/target/peers/esphome-venv}"
STAMP="$VENV/.homedeck-ready-1"
if [ -f "$STAMP" ]; then
  exit 0
fi
PY="$(command -v python3.11 || command -v python3)"
mkdir -p "$(dirname "$VENV")"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip >/dev/null
"$VENV/bin/pip" install -q --disable-pip-version-check aioesphomeapi esphome noiseprotocol
"$VENV/bin/python" -c 'import aioesphomeapi, noise, esphome; from aioesphomeapi import api_pb2' 
touch "$STAMP"
echo "tests/peers/esphome.sh: ESPHome peer venv ready in $VENV"
