#!/usr/bin/env bash
# The console measured as a user runs it: the release binary in tmux at 80×24
# on a data dir with 100,000 audit entries and 1,000 secrets.
#  1. process start → first full frame (logged by homedeck), N runs, median
#  2. idle for 60 s: RSS and CPU share of one core (vault locked, then unlocked
#     with its lock countdown ticking)
# Usage: benches/console.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-15}"
cargo build --profile bench --locked -q
HOMEDECK_BENCH_SEED_ONLY=1 cargo bench --locked -q --bench console >/dev/null
DATA="$PWD/target/homedeck-bench/console-100k"
WORK="$(mktemp -d)"
SOCK="homedeck-bench-$$"
BIN="$PWD/target/release/homedeck"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"' EXIT

start() {
  tmux -L "$SOCK" -f /dev/null new-session -d -x 80 -y 24 \
    env TERM=xterm-256color HOMEDECK_DATA_DIR="$DATA" HOMEDECK_CONFIG_DIR="$WORK/config" \
    HOMEDECK_STATE_DIR="$WORK/state" HOMEDECK_LOG=info "$BIN"
}
# `env` execs homedeck, so the pane's process is homedeck itself.
app_pid() { tmux -L "$SOCK" display-message -p '#{pane_pid}'; }
wait_gone() { local p="$1"; for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.05; done; }

echo "== start → first full frame ($RUNS runs, audit 100k, secrets 1k)"
: > "$WORK/frames"
for _ in $(seq "$RUNS"); do
  rm -f "$WORK/state/homedeck.log"
  start
  for _ in $(seq 200); do
    grep -q "first full frame" "$WORK/state/homedeck.log" 2>/dev/null && break
    sleep 0.05
  done
  grep -o 'ms="[0-9.]*"' "$WORK/state/homedeck.log" | head -1 | tr -dc '0-9.\n' >> "$WORK/frames"
  pid="$(app_pid)"
  tmux -L "$SOCK" send-keys q
  wait_gone "$pid"
  tmux -L "$SOCK" kill-server 2>/dev/null || true
done
sort -n "$WORK/frames" | awk '{a[NR]=$1} END {printf "first full frame: median %.1f ms (min %.1f, max %.1f, n=%d)\n", a[int((NR+1)/2)], a[1], a[NR], NR}'

idle() {
  local label="$1" pid hz t0 t1 rss hwm
  pid="$(app_pid)"; hz="$(getconf CLK_TCK)"
  sleep 5
  t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  sleep 60
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status"); hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  awk -v a="$t0" -v b="$t1" -v hz="$hz" -v r="$rss" -v h="$hwm" -v l="$label" \
    'BEGIN {printf "idle %s: CPU %.2f %% of one core over 60 s; RSS %.1f MB (peak %.1f MB)\n", l, (b-a)/hz/60*100, r/1024, h/1024}'
}

echo "== idle"
rm -f "$WORK/state/homedeck.log"
start; sleep 1
tmux -L "$SOCK" send-keys 7   # audit pane, 100 newest entries loaded
idle "locked, audit pane"
tmux -L "$SOCK" send-keys 6 u; sleep 0.3
tmux -L "$SOCK" send-keys -l "benchmark passphrase"; tmux -L "$SOCK" send-keys Enter; sleep 2
grep -q 'ok command="vault_unlock"' "$WORK/state/homedeck.log" || echo "warning: the vault did not unlock"
idle "unlocked, secrets pane (lock countdown on screen)"
pid="$(app_pid)"
tmux -L "$SOCK" send-keys q
wait_gone "$pid"
