#!/usr/bin/env bash
# Runs the fuzz targets of tests/fuzz/ (proptest, stable Rust) with many
# cases each — a million by default — one target at a time, niced, and
# prints a Markdown table: target, cases, seconds, cases/s, result. The
# table goes to docs/reliability.md (section "Fuzzing") by hand, with the
# date and the machine.
#
# Usage: benches/fuzz.sh [cases] [target-substring…]
#   FUZZ_PROFILE=bench (default; optimised, as the other benches) or dev
#   (the test build, no extra compile).
# A failing target prints proptest's minimised input; it becomes a test in
# tests/fuzz/regressions.rs with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${1:-1000000}"
shift || true
PROFILE="${FUZZ_PROFILE:-bench}"
BIN="$(cargo test --profile "$PROFILE" --locked --test fuzz --no-run 2>&1 | sed -n 's/.*Executable tests\/fuzz\/main.rs (\(.*\))$/\1/p' | tail -1)"
[ -x "$BIN" ] || { echo "benches/fuzz.sh: could not build the fuzz binary" >&2; exit 1; }
# The proptest targets (plain tests of fixed inputs are left out).
mapfile -t TARGETS < <("$BIN" --list --format terse 2>/dev/null | sed -n 's/: test$//p' | grep -Ev 'huge_length|the_transcripts|harmless|every_tool_sample|tampered_|regressions::')
if [ $# -gt 0 ]; then
  mapfile -t TARGETS < <(printf '%s\n' "${TARGETS[@]}" | grep -F "$(printf '%s\n' "$@")")
fi
echo "| target | cases | seconds | cases/s | result |"
echo "|---|---:|---:|---:|---|"
status=0
for t in "${TARGETS[@]}"; do
  start=$(date +%s.%N)
  if HOMEDECK_FUZZ_CASES="$CASES" nice -n 10 "$BIN" --exact "$t" --test-threads=1 -q > "target/fuzz-$t.log" 2>&1; then
    result=pass
  else
    result="FAIL (target/fuzz-$t.log)"
    status=1
  fi
  end=$(date +%s.%N)
  awk -v t="$t" -v c="$CASES" -v s="$start" -v e="$end" -v r="$result" \
    'BEGIN { d = e - s; printf "| `%s` | %d | %.0f | %.0f | %s |\n", t, c, d, c / d, r }'
done
exit $status
