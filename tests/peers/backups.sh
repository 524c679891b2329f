#!/usr/bin/env bash
# Peers of the backups tests (idempotent): Node-RED 4 from npm into
# target/peers/node-red, Mosquitto (a real MQTT broker for the Zigbee2MQTT
# backup request) and restic + zstd (benchmark comparisons) from apt.
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v restic >/dev/null 2>&1 || need+=(restic)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "tests/peers/backups.sh: installing ${need[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
fi
dir=target/peers/node-red
# The stamp is written only after npm finished: an install cut short left
# node-red's launcher without its modules (moment), and the tests then
# waited 60 s for a Node-RED that had died at start.
if [ ! -x "$dir/node_modules/.bin/node-red" ] || [ ! -f "$dir/.installed" ]; then
  echo "tests/peers/backups.sh: npm install node-red@4 into $dir"
  rm -rf "$dir/node_modules"
  mkdir -p "$dir"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error node-red@4 >/dev/null)
  touch "$dir/.installed"
fi
