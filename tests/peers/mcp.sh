#!/usr/bin/env bash
# Idempotent: the real MCP client for tests/mcp*.rs — the MCP Python SDK
# (PyPI `mcp`, pinned) and `jsonschema` (to check every tool's schema) in a
# venv cached outside the repo, ~/.cache/homedeck-peers/mcp-venv. Reruns only
# check the stamp. HOMEDECK_MCP_VENV points the tests at another venv.
set -euo pipefail
VENV="${HOMEDECK_MCP_VENV:-$HOME/.cache/homedeck-peers/mcp-venv}"
MCP_VERSION=2.3.0
STAMP="$VENV/.homedeck-ready-mcp-$MCP_VERSION"
if [ -f "$STAMP" ]; then
  exit 0
fi
PY="$(command -v python3.11 || command -v python3)"
if ! "$PY" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  echo "tests/peers/mcp.sh: python3 >= 3.10 with venv is needed (found $("$PY" --version 2>&1))" >&2
  exit 1
fi
mkdir -p "$(dirname "$VENV")"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip >/dev/null
"$VENV/bin/pip" install -q --disable-pip-version-check "mcp==$MCP_VERSION" "jsonschema>=4.20"
"$VENV/bin/python" -c 'import mcp, jsonschema; from mcp.client.stdio import stdio_client; from mcp.client.streamable_http import streamablehttp_client' 2>/dev/null \
  || "$VENV/bin/python" -c 'import mcp, jsonschema; from mcp.client.stdio import stdio_client'
touch "$STAMP"
echo "tests/peers/mcp.sh: MCP Python SDK $MCP_VERSION ready in $VENV"
