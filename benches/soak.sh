#!/usr/bin/env bash
# The soak of issue 19 (not run in CI): the bench-profile `homedeck daemon`
# for MINUTES (default 30) with 20 servers on the test sshd (restarted every
# 2 minutes), 100 WLED peers changing 10×/s, 10 ESPHome peers streaming
# logs and a backup every minute (benches/soak.rs); RSS, fds, threads and
# CPU sampled every 10 s. Then benches/soak_report.py writes the table, the
# SVG plot and the checks (RSS/fds growth after warm-up ≤ 5 %, every error
# in the log also reported, every scheduled backup catalogued).
# Usage: benches/soak.sh [MINUTES] [OUT_DIR]    (OUT_DIR: target/soak)
# SOAK_DEBUG=1: the test-profile (debug) build instead of the bench profile,
# for when a bench-profile build cannot be had (the recorded run: see
# docs/reliability.md).
# SOAK_WARMUP_MIN=N: judge the growth checks after N minutes (default: the
# first quarter, at most 5).
# SOAK_BIN=PATH: run that binary instead (the harness is still built here).
# SOAK_SEED=N: N backups in the store before the daemon starts (a store larger
# than sled's 8 MiB page cache), read once by `doctor_check` when it is up.
# SOAK_HEAPTRACK=1: a build without mimalloc, run under heaptrack's preload;
# OUT_DIR/heaptrack.homedeck.gz is then read with heaptrack_print.
# Exit status: 0 when every check passed, 1 when one failed.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-30}"
OUT="${2:-target/soak}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
bash tests/peers/sshd.sh
bash tests/peers/esphome.sh
if [ "${SOAK_DEBUG:-0}" = 1 ]; then
  RUN=(cargo test --locked -q --bench soak)
  PROFILE="test (debug)"
else
  # SOAK_HEAPTRACK=1: heaptrack hooks malloc, which a mimalloc build never calls.
  FEATURES=()
  [ "${SOAK_HEAPTRACK:-0}" = 1 ] && FEATURES=(--no-default-features)
  cargo build --profile bench --locked -q "${FEATURES[@]}"
  RUN=(cargo bench --locked -q "${FEATURES[@]}" --bench soak)
  PROFILE=bench
fi
{
  echo "host: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $PROFILE profile"
  echo "binary: ${SOAK_BIN:-the build above}${SOAK_HEAPTRACK:+ (heaptrack: $SOAK_HEAPTRACK)}"
  echo "seeded backups: ${SOAK_SEED:-0}"
} > "$OUT/host.txt"
SOAK_MINUTES="$MINUTES" SOAK_OUT="$OUT" "${RUN[@]}"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/host.txt"
python3 benches/soak_report.py "$OUT" ${SOAK_WARMUP_MIN:+--warmup-min "$SOAK_WARMUP_MIN"}
