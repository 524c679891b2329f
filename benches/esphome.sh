#!/usr/bin/env bash
# ESPHome measured end to end with the release binary and the device peer
# (tests/peers/esphome_device.py) on 127.0.0.1:
#  1. log ingest: the peer floods N lines; `homedeck esphome logs --lines N`
#     decodes them through the engine (socket → frames → events) — lines/s
#     and peak RSS, plaintext and Noise;
#  2. OTA of a 1.5 MB image: `homedeck esphome ota` vs `esphome upload` to
#     the same peer, alternating, R runs each — medians and their ratio.
# Usage: benches/esphome.sh [flood-lines] [ota-runs]
set -euo pipefail
cd "$(dirname "$0")/.."
LINES="${1:-300000}"
RUNS="${2:-7}"
bash tests/peers/esphome.sh
cargo build --profile bench --locked -q
VENV="$PWD/target/peers/esphome-venv"
BIN="$PWD/target/release/homedeck"
WORK="$(mktemp -d)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
export HOMEDECK_DATA_DIR="$WORK/data" HOMEDECK_CONFIG_DIR="$WORK/config" HOMEDECK_STATE_DIR="$WORK/state"
export HOMEDECK_PASSPHRASE_FILE="$WORK/pass"
(umask 077; echo "bench passphrase" > "$WORK/pass")
"$BIN" vault init </dev/null >/dev/null
echo "$KEY" | "$BIN" secret add bench-key --kind api_key >/dev/null

peer() { # name, extra args… → sets $api and $ota (runs in this shell, so the trap can stop it)
  local name="$1"; shift
  "$VENV/bin/python" tests/peers/esphome_device.py --name "$name" "$@" > "$WORK/$name.out" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 100); do grep -q READY "$WORK/$name.out" 2>/dev/null && break; sleep 0.05; done
  read -r api ota < <(sed -n 's/^READY api=\([0-9]*\) ota=\([0-9]*\).*/\1 \2/p' "$WORK/$name.out")
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "== log ingest: $LINES flooded lines through the engine"
for mode in plain noise; do
  args=(--flood "$LINES" --log-ms 100000)
  keyargs=()
  if [ "$mode" = noise ]; then args+=(--key "$KEY"); keyargs=(--key-secret bench-key); fi
  peer "flood-$mode" "${args[@]}"
  "$BIN" esphome add "flood-$mode" 127.0.0.1 --port "$api" "${keyargs[@]}" --platform ESP32 >/dev/null
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" esphome logs "flood-$mode" --level very_verbose --lines "$LINES" > "$WORK/lines" 2>/dev/null
  read -r secs kib < "$WORK/time"
  got=$(wc -l < "$WORK/lines")
  awk -v n="$got" -v s="$secs" -v k="$kib" -v m="$mode" 'BEGIN { printf "%-6s %d lines in %.2f s = %.0f lines/s (peak RSS %.1f MB)\n", m, n, s, n/s, k/1024 }'
done

echo "== OTA of a 1.5 MB image: homedeck vs esphome upload, $RUNS runs each"
python3 - "$WORK/fw.bin" <<'PY'
import os, sys
b = bytearray(b"\xe9")
while len(b) < 1_500_000:
    b += os.urandom(64) + bytes(64)  # half random, half zeros: compresses ~2:1
b += b"ESPHOME_VERSION=2026.7.0\0"
open(sys.argv[1], "wb").write(b)
PY
peer ota-target --ota-password benchpw --ota-compression --reboot-ms 50
echo benchpw | "$BIN" secret add bench-ota --kind password >/dev/null
"$BIN" esphome add ota-target 127.0.0.1 --port "$api" --ota-port "$ota" --ota-password-secret bench-ota --platform ESP32 >/dev/null
"$BIN" esphome firmware import "$WORK/fw.bin" --version 2026.7.0 --platform ESP32 >/dev/null
cat > "$WORK/ota-target.yaml" <<YAML
esphome:
  name: ota-target
esp32:
  board: esp32dev
wifi:
  ssid: testnet
  password: testpassword
api:
  port: $api
ota:
  - platform: esphome
    port: $ota
    password: "benchpw"
YAML
: > "$WORK/hd"; : > "$WORK/es"
for _ in $(seq "$RUNS"); do
  # homedeck: upload only (confirmation polls the device; timed separately below).
  s=$(date +%s.%N)
  "$BIN" esphome ota ota-target 2026.7.0 --yes --confirm-secs 30 >/dev/null 2>&1
  e=$(date +%s.%N); echo "$e - $s" | bc >> "$WORK/hd"
  s=$(date +%s.%N)
  (cd "$WORK" && "$VENV/bin/esphome" upload ota-target.yaml --device 127.0.0.1 --file "$WORK/fw.bin" >/dev/null 2>&1)
  e=$(date +%s.%N); echo "$e - $s" | bc >> "$WORK/es"
done
hd=$(median < "$WORK/hd"); es=$(median < "$WORK/es")
echo "homedeck esphome ota (upload + reboot + version confirmed): median ${hd} s"
echo "esphome upload (upload, then its fixed 1 s wait):          median ${es} s"
awk -v a="$hd" -v b="$es" 'BEGIN { printf "ratio homedeck / esphome upload = %.2f\n", a/b }'
