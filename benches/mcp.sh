#!/usr/bin/env bash
# MCP benchmarks (issue 17): tools/call round trip of a read tool
# (server_list) with the MCP Python SDK as the client, against the engine's
# own time for the same calls (their `duration_ms` in the audit log): over
# stdio in-process and attached to a `homedeck daemon`, then over Streamable
# HTTP from that daemon (`[mcp] listen`, bearer token), one client and
# CLIENTS concurrent clients x PER calls (throughput, p99, audit entries
# counted), same session; then the HTTP floor (a request the gate answers
# 401) and tools/call over plain HTTP without the SDK, to tell the client's
# share from the server's.
# Usage: benches/mcp.sh [calls] [clients] [per]   (BIN=path overrides the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS="${1:-2000}"
CLIENTS="${2:-10}"
PER="${3:-1000}"
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

# The daemon's MCP listener on a free loopback port, and two read tokens.
sed -i 's|^# listen = "127.0.0.1:8766"|listen = "127.0.0.1:0"|' "$WORK/config/config.toml"
TOKEN="$("$BIN" token create bench --class read 2>/dev/null)"
LOAD="$("$BIN" token create load --class read 2>/dev/null)"
"$BIN" daemon >/dev/null 2>&1 &
DPID=$!
for _ in $(seq 100); do "$BIN" --json daemon status 2>/dev/null | grep -q '"running": true' && break; sleep 0.1; done
"$PY" benches/mcp_bench.py "$BIN" "$CALLS" "stdio, attached to the daemon"
URL="$("$BIN" --json daemon status | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["mcp"]["url"])')"
"$PY" benches/mcp_http_bench.py "$BIN" "$URL" "$TOKEN" "$CALLS"
"$PY" benches/mcp_http_bench.py "$BIN" "$URL" "$TOKEN" raw "$CALLS"
"$PY" benches/mcp_http_bench.py "$BIN" "$URL" "$LOAD" load "$CLIENTS" "$PER"
