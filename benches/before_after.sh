#!/usr/bin/env bash
# The same measurements on two builds, interleaved in one run, so a change can
# be judged by its ratio on a noisy machine: start → first full frame of the
# real binary in tmux at 80×24 over 100,000 audit entries and 1,000 secrets,
# and the engine's criterion benches (audit queries over 1,000,000 entries,
# unlock, reveal).
# Usage: benches/before_after.sh BASE_CHECKOUT [runs]
#   BASE_CHECKOUT: a worktree of the earlier commit, e.g.
#   git worktree add /tmp/base 6689943
# Both are built in release mode; the data dir is seeded once by the base
# build's own bench (its format) and copied for each side, so neither sees the
# other's migrations.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="$(cd "$1" && pwd)"
RUNS="${2:-15}"
NEW="$PWD"
# NO_BUILD=1 uses the release binaries as they are (say which commits in the notes);
# SEED=DIR uses an already seeded data dir (the schema version must match both).
if [ -z "${NO_BUILD:-}" ]; then
  for dir in "$BASE" "$NEW"; do (cd "$dir" && cargo build --profile bench --locked -q); done
fi
SEED="${SEED:-$BASE/target/homedeck-bench/console-100k}"
[ -d "$SEED" ] || (cd "$BASE" && HOMEDECK_BENCH_SEED_ONLY=1 cargo bench --locked -q --bench console >/dev/null)
WORK="$(mktemp -d)"
SOCK="homedeck-ba-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp -a "$SEED" "$WORK/data-base"
cp -a "$SEED" "$WORK/data-new"

# One start of $1's binary on $2's data; prints the logged first-frame ms.
frame() {
  local bin="$1" data="$2" state="$WORK/state-$3" pid
  rm -rf "$state"; mkdir -p "$state"
  tmux -L "$SOCK" -f /dev/null new-session -d -x 80 -y 24 \
    env TERM=xterm-256color HOMEDECK_DATA_DIR="$data" HOMEDECK_CONFIG_DIR="$WORK/config-$3" \
    HOMEDECK_STATE_DIR="$state" HOMEDECK_LOG=info "$bin"
  for _ in $(seq 200); do
    grep -q "first full frame" "$state/homedeck.log" 2>/dev/null && break
    sleep 0.05
  done
  grep "first full frame" "$state/homedeck.log" | grep -o 'ms="[0-9.]*"' | head -1 | tr -dc '0-9.\n'
  pid="$(tmux -L "$SOCK" display-message -p '#{pane_pid}')"
  tmux -L "$SOCK" send-keys q
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  tmux -L "$SOCK" kill-server 2>/dev/null || true
}

# Warm both (page cache, first-run config files), then alternate.
frame "$BASE/target/release/homedeck" "$WORK/data-base" base >/dev/null
frame "$NEW/target/release/homedeck" "$WORK/data-new" new >/dev/null
: > "$WORK/base.ms"; : > "$WORK/new.ms"
for _ in $(seq "$RUNS"); do
  frame "$BASE/target/release/homedeck" "$WORK/data-base" base >> "$WORK/base.ms"
  frame "$NEW/target/release/homedeck" "$WORK/data-new" new >> "$WORK/new.ms"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'; }
b="$(median "$WORK/base.ms")"; n="$(median "$WORK/new.ms")"
echo "first full frame: base median $b ms, new median $n ms, new/base $(awk -v b="$b" -v n="$n" 'BEGIN {printf "%.2f", n/b}') (n=$RUNS each, interleaved)"

# A CLI command through the whole engine (open the db, dispatch, one audit
# query of a category over a week, print): wall time, interleaved.
cli() {
  local bin="$1" data="$2" t0 t1
  t0=$(date +%s%N)
  HOMEDECK_DATA_DIR="$data" HOMEDECK_CONFIG_DIR="$WORK/config-cli" HOMEDECK_STATE_DIR="$WORK/state-cli" \
    "$bin" audit search --category secret --since 7d >/dev/null
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f\n", (b-a)/1e6}'
}
: > "$WORK/base.cli"; : > "$WORK/new.cli"
for _ in $(seq "$RUNS"); do
  cli "$BASE/target/release/homedeck" "$WORK/data-base" >> "$WORK/base.cli"
  cli "$NEW/target/release/homedeck" "$WORK/data-new" >> "$WORK/new.cli"
done
b="$(median "$WORK/base.cli")"; n="$(median "$WORK/new.cli")"
echo "cli audit search (process start to exit): base median $b ms, new median $n ms, new/base $(awk -v b="$b" -v n="$n" 'BEGIN {printf "%.2f", n/b}') (n=$RUNS each, interleaved)"
[ -n "${SKIP_ENGINE:-}" ] && exit 0

# Criterion's median of each engine bench, base then new, twice.
engine() {
  (cd "$1" && cargo bench --locked -q --bench engine 2>/dev/null) |
    awk '/^[a-z_0-9]+\/[A-Za-z_0-9]+/ {name=$1} /time:/ {s=$0; sub(/.*time: *\[/, "", s); split(s, f, " "); print name, f[3], f[4]}'
}
for round in 1 2; do
  engine "$BASE" | sed "s/^/base round $round: /"
  engine "$NEW" | sed "s/^/new  round $round: /"
done
