#!/usr/bin/env bash
# The engine's criterion benches (`benches/engine.rs`: audit queries over
# 1,000,000 entries, vault unlock, reveal of one secret of 1,000) of two
# commits, interleaved in one run, so a change is judged by its ratio on a
# shared, noisy machine.
#
# Usage: benches/engine_ab.sh [BASE] [ROUNDS]
#   BASE    the earlier commit (default 6689943, before issue 13)
#   ROUNDS  how many times each side runs, alternating base/head (default 2)
#
# Both sides are git worktrees under $ENGINE_AB_DIR (default
# /tmp/homedeck-engine-ab): BASE and this checkout's HEAD (the committed
# state, not the working tree). They build their bench profile into one
# shared target dir, so the dependencies compile once; each side seeds its
# own 1M-entry audit db under its worktree's target/homedeck-bench. Prints
# criterion's median of every bench per run, then the median of the runs and
# head/base. NO_BUILD=1 runs the binaries already built.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_REV="$(git rev-parse --short "${1:-6689943}")"
HEAD_REV="$(git rev-parse --short HEAD)"
ROUNDS="${2:-2}"
DIR="${ENGINE_AB_DIR:-/tmp/homedeck-engine-ab}"
mkdir -p "$DIR"
export CARGO_TARGET_DIR="$DIR/target"

# A worktree of $2 at $DIR/$1, and its engine bench binary at $DIR/engine-$1.
build() {
  local side="$1" rev="$2" wt="$DIR/$1"
  if [ -d "$wt" ]; then
    git -C "$wt" checkout -q --detach "$rev"
  else
    git worktree add -q --detach "$wt" "$rev"
  fi
  [ -n "${NO_BUILD:-}" ] && return 0
  local exe
  exe="$(cd "$wt" && nice -n 10 cargo bench --locked --bench engine --no-run --message-format=json 2>/dev/null |
    grep '"kind":\["bench"\]' | grep -o '"executable":"[^"]*"' | tail -1 | cut -d'"' -f4)"
  [ -n "$exe" ] || { echo "building the engine bench of $rev failed" >&2; exit 1; }
  cp "$exe" "$DIR/engine-$side"
}
build base "$BASE_REV"
build head "$HEAD_REV"

# One run of one side: "bench median_ns" lines from criterion's estimates.
run() {
  local side="$1" round="$2" home="$DIR/criterion-$1-$2"
  rm -rf "$home"
  (cd "$DIR/$side" && CRITERION_HOME="$home" nice -n 10 "$DIR/engine-$side" --bench >"$home.log" 2>&1)
  for f in "$home"/*/*/new/estimates.json; do
    local name="${f#"$home"/}"
    name="${name%/new/estimates.json}"
    printf '%s %s\n' "$name" "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["median"]["point_estimate"])' "$f")"
  done
}
: >"$DIR/results"
for round in $(seq "$ROUNDS"); do
  for side in base head; do
    run "$side" "$round" | sed "s/^/$side /" | tee -a "$DIR/results"
  done
done

# Median over the rounds of each side, and the ratio.
echo "base $BASE_REV, head $HEAD_REV, $ROUNDS round(s) each, interleaved; medians:"
awk '
  { v[$1 " " $2] = v[$1 " " $2] " " $3; names[$2] = 1 }
  function med(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function fmt(ns) { return ns >= 1e6 ? sprintf("%.2f ms", ns / 1e6) : sprintf("%.1f µs", ns / 1e3) }
  END {
    for (n in names) {
      b = med(v["base " n]); h = med(v["head " n])
      printf "%-58s base %10s  head %10s  head/base %.2f\n", n, fmt(b), fmt(h), h / b
    }
  }' "$DIR/results" | sort
