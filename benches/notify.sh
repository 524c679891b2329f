#!/usr/bin/env bash
# Notification queue throughput (issue 16): deliveries per second through
# the sled queue to a fast receiver on 127.0.0.1, at concurrency 8 (the
# default) and 32, with the same posts sent directly (no queue) in the same
# run for comparison. Medians of ROUNDS runs of N deliveries.
# Usage: benches/notify.sh [N] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked -q --bench notify -- "${1:-2000}" "${2:-5}"
