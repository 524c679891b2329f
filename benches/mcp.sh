#!/usr/bin/env bash
# MCP benchmarks (issue 17): tools/call round trip of a read tool
# (server_list) over stdio with the MCP Python SDK as the client, against the
# engine's own time for the same calls (their `duration_ms` in the audit
# log), in-process and attached to a `homedeck daemon`, same session.
# Usage: benches/mcp.sh [calls]   (BIN=path overrides the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS="${1:-2000}"
bash tests/peers/mcp.sh
PY="${HOMEDECK_MCP_VENV:-$HOME/.cache/homedeck-peers/mcp-venv}/bin/python"
if [ -z "${BIN:-}" ]; then
  cargo build --profile bench --locked -q
  BIN="$PWD/target/release/homedeck"
fi
WORK="$(mktemp -d)"
chmod 700 "$WORK"
DPID=""
trap '[ -n "$DPID" ] && kill "$DPID" 2>/dev/null; rm -rf "$WORK"' EXIT
export HOMEDECK_DATA_DIR="$WORK/data" HOMEDECK_CONFIG_DIR="$WORK/config" HOMEDECK_STATE_DIR="$WORK/state"

"$PY" benches/mcp_bench.py "$BIN" "$CALLS" "stdio, engine in-process"

"$BIN" daemon >/dev/null 2>&1 &
DPID=$!
for _ in $(seq 100); do "$BIN" --json daemon status 2>/dev/null | grep -q '"running": true' && break; sleep 0.1; done
"$PY" benches/mcp_bench.py "$BIN" "$CALLS" "stdio, attached to the daemon"
