#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what the tests need, check
# lints, then run every test (unit, integration, TUI snapshots, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  fi
fi

cargo clippy --locked --all-targets -- -D warnings
# Benches are built by clippy above and run by `cargo bench` (they seed large dbs).
cargo test --locked
