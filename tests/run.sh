#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what the tests need, check
# lints, then run every test (unit, integration, TUI snapshots, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."

# The suite needs root: it installs packages, adds test users for password
# logins, enters private network namespaces (unshare -n) and runs sshd.
if [ "$(id -u)" != 0 ]; then
  echo "tests/run.sh: the test suite must run as root (it installs packages, creates test users, uses network namespaces and sshd); run: sudo bash tests/run.sh" >&2
  exit 1
fi

need_apt=()
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
# lights / esphome: private network namespaces for the python-wled and mDNS tests, python peers
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-venv)
# daemon: systemd-analyze checks the unit files install.sh writes (no systemd runs here)
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
# install.sh strips the binary and splits its debug info (objcopy); the
# install test reads the result with readelf, nm and addr2line
command -v objcopy >/dev/null 2>&1 || need_apt+=(binutils)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

bash tests/peers/esphome.sh
bash tests/peers/sshd.sh
bash tests/peers/wled.sh
bash tests/peers/fpp.sh
bash tests/peers/backups.sh
bash tests/peers/homeassistant.sh
bash tests/peers/mcp.sh
bash tests/peers/notify.sh
bash tests/peers/ai.sh >/dev/null

cargo clippy --locked --all-targets -- -D warnings
# Benches are built by clippy above and run by `cargo bench` (they seed large
# dbs). There are no doc tests, so their empty run is skipped.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked --no-fail-fast --lib --bins --tests 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line with the totals over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
