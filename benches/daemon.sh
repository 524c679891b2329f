#!/usr/bin/env bash
# Daemon benchmarks (issue 14), in one run:
#  1-3. `cargo bench --bench daemon`: command round trip in-process vs
#       attached, the idle daemon (20 servers, 50 devices, 10 schedules),
#       WledLive events to 5 attached clients from 100 WLED peers at 10×/s;
#  4.   console start → first full frame (logged by homedeck) on the
#       100,000-entry data dir of benches/console.sh, in tmux at 80×24:
#       in-process, then attached to a `homedeck daemon` on the same dir.
# Usage: benches/daemon.sh [idle seconds] [first-frame runs]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-60}"
RUNS="${2:-15}"
cargo build --profile bench --locked -q
cargo bench --locked -q --bench daemon -- "$SECS"

HOMEDECK_BENCH_SEED_ONLY=1 cargo bench --locked -q --bench console >/dev/null
DATA="$PWD/target/homedeck-bench/console-100k"
WORK="$(mktemp -d)"
SOCK="homedeck-dbench-$$"
BIN="$PWD/target/release/homedeck"
DPID=""
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; [ -n "$DPID" ] && kill "$DPID" 2>/dev/null; rm -rf "$WORK"' EXIT

app_pid() { tmux -L "$SOCK" display-message -p '#{pane_pid}'; }
wait_gone() { local p="$1"; for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.05; done; }

frames() {
  local label="$1"
  : > "$WORK/frames"
  for _ in $(seq "$RUNS"); do
    rm -f "$WORK/state/homedeck.log"
    tmux -L "$SOCK" -f /dev/null new-session -d -x 80 -y 24 \
      env TERM=xterm-256color HOMEDECK_DATA_DIR="$DATA" HOMEDECK_CONFIG_DIR="$WORK/config" \
      HOMEDECK_STATE_DIR="$WORK/state" HOMEDECK_LOG=info "$BIN"
    for _ in $(seq 200); do
      grep -q "first full frame" "$WORK/state/homedeck.log" 2>/dev/null && break
      sleep 0.05
    done
    grep "first full frame" "$WORK/state/homedeck.log" | grep -o 'ms="[0-9.]*"' | head -1 | tr -dc '0-9.\n' >> "$WORK/frames"
    grep -q 'attached=true' "$WORK/state/homedeck.log" && echo attached >> "$WORK/attached" || true
    pid="$(app_pid)"
    tmux -L "$SOCK" send-keys q
    wait_gone "$pid"
    tmux -L "$SOCK" kill-server 2>/dev/null || true
  done
  sort -n "$WORK/frames" | awk -v l="$label" '{a[NR]=$1} END {printf "first full frame, %s: median %.1f ms (min %.1f, max %.1f, n=%d)\n", l, a[int((NR+1)/2)], a[1], a[NR], NR}'
}

echo "== console start → first full frame (audit 100k, secrets 1k)"
: > "$WORK/attached"
frames "in-process"
HOMEDECK_DATA_DIR="$DATA" HOMEDECK_CONFIG_DIR="$WORK/config" HOMEDECK_STATE_DIR="$WORK/dstate" HOMEDECK_LOG=warn \
  "$BIN" daemon 2>/dev/null &
DPID=$!
for _ in $(seq 100); do [ -S "$DATA/homedeck.sock" ] && break; sleep 0.1; done
sleep 1
: > "$WORK/attached"
frames "attached to a daemon"
echo "($(wc -l < "$WORK/attached") of $RUNS attached runs logged attached=true)"
kill "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=""
