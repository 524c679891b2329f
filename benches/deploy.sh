#!/usr/bin/env bash
# Deployment benchmarks (docs/benchmarks.md, "Deployments"), with the real
# binary against a real sshd on 127.0.0.1 and real Home Assistant 2024.3.3:
#   1. `homedeck deploy create` → healthy, pip cache cold, then warm (and
#      once with the test wheelhouse, --find-links);
#   2. the same steps by hand in a shell script over ssh (warm cache): ratio;
#   1 and 2 are repeated RUNS times (default 3; the pip cache is emptied
#   before each cold run) and the medians printed;
#   3. homedeck's RSS and CPU while following the logs of 5 deployments that
#      each get 1,200 lines at up to 20 lines/s.
# Prints one line per figure. Takes ~20 minutes with RUNS=3.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${HOMEDECK_BIN:-target/release/homedeck}"
[ -x "$BIN" ] || BIN=target/debug/homedeck
BIN="$PWD/$BIN"
VERSION=2024.3.3
bash tests/peers/sshd.sh
bash tests/peers/homeassistant.sh
WHEELS="$PWD/target/peers/ha/wheels-$VERSION"
B="$(mktemp -d /tmp/homedeck-bench.XXXXXX)"
SSHD_PID=""
TAIL=""
cleanup() {
  [ -n "$TAIL" ] && kill "$TAIL" 2>/dev/null && sleep 1 || true
  for n in cold1 cold2 cold3 warm1 warm2 warm3 wheel t1 t2 t3 t4 t5; do "$BIN" deploy stop "$n" >/dev/null 2>&1 || true; done
  [ -f "$B/hand/run/hass.pid" ] && kill "$(cat "$B/hand/run/hass.pid")" 2>/dev/null || true
  [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null || true
  rm -rf "$B"
}
trap cleanup EXIT

# A private sshd whose sessions use their own (initially empty) pip cache.
ssh-keygen -q -t ed25519 -N '' -f "$B/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$B/client_key"
cp "$B/client_key.pub" "$B/authorized_keys"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$B/sshd_config" <<EOF
ListenAddress 127.0.0.1
HostKey $B/host_key
PidFile $B/sshd.pid
AuthorizedKeysFile $B/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin yes
Subsystem sftp internal-sftp
SetEnv PIP_CACHE_DIR=$B/pipcache
EOF
mkdir -p /run/sshd
/usr/sbin/sshd -D -e -f "$B/sshd_config" -p "$PORT" 2>"$B/sshd.log" &
SSHD_PID=$!
sleep 0.5

export HOMEDECK_DATA_DIR="$B/data" HOMEDECK_CONFIG_DIR="$B/config"
(umask 077; echo "bench passphrase, long enough" > "$B/pass")
export HOMEDECK_PASSPHRASE_FILE="$B/pass" HOMEDECK_NEW_PASSPHRASE_FILE="$B/pass"
"$BIN" vault init >/dev/null
"$BIN" server add box --host 127.0.0.1 --port "$PORT" --user "$(id -un)" --key-file "$B/client_key" >/dev/null
"$BIN" server test box >/dev/null

now() { date +%s.%N; }
create() { # name [extra args…] → seconds to healthy
  local name=$1; shift
  local s e
  s=$(now)
  "$BIN" deploy create "$name" --server box --version "$VERSION" --bind 127.0.0.1 --root "$B/root" "$@" 2>"$B/$name.progress" >/dev/null
  e=$(now)
  python3 -c "print(f'{$e - $s:.1f}')"
}

PARTS="${PARTS:-create hand tail}"
RUNS="${RUNS:-3}"
# Rounds that start with an emptied pip cache (a cold create); the others
# only repeat the warm create and the script. COLD_RUNS=1 saves ~1 min/round.
COLD_RUNS="${COLD_RUNS:-$RUNS}"
median() { python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.1f}")' "$@"; }
# The same steps by hand: venv, constraints from the wheel, pip install,
# minimal config, start, poll until HA answers.
HPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$B/hand.sh" <<EOF
set -e
D=$B/hand; rm -rf \$D; mkdir -p \$D/run \$D/config
python3 -m venv \$D/venv
\$D/venv/bin/pip download -q --no-deps -d \$D/dl homeassistant==$VERSION
\$D/venv/bin/python -c "import glob,zipfile; open('\$D/c.txt','wb').write(zipfile.ZipFile(glob.glob('\$D/dl/*.whl')[0]).read('homeassistant/package_constraints.txt'))"
\$D/venv/bin/pip install -q -c \$D/c.txt homeassistant==$VERSION 'josepy<2'
printf 'homeassistant:\n  name: hand\nhttp:\n  server_host: 127.0.0.1\n  server_port: $HPORT\napi:\nconfig:\nfrontend:\nonboarding:\nwebsocket_api:\n' > \$D/config/configuration.yaml
setsid \$D/venv/bin/hass -c \$D/config >\$D/run/out 2>&1 < /dev/null & echo \$! > \$D/run/hass.pid
until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$HPORT/manifest.json', timeout=2)" 2>/dev/null; do sleep 1; done
EOF
hand_once() {
  local s e
  s=$(now)
  ssh -q -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -i "$B/client_key" -p "$PORT" "$(id -un)@127.0.0.1" 'bash -s' < "$B/hand.sh"
  e=$(now)
  kill "$(cat "$B/hand/run/hass.pid")" 2>/dev/null || true
  sleep 2
  rm -rf "$B/hand"
  python3 -c "print(f'{$e - $s:.1f}')"
}
# Stop and free the disk (the record stays; `deploy rm` from the CLI cannot
# clean up here: its remote cleanup meets a locked vault, see the report).
drop() { "$BIN" deploy stop "$1" >/dev/null; rm -rf "$B/root/$1"; }
# RUNS rounds, each: cold (pip cache emptied first), warm, the script (warm
# cache), and in the first round the wheelhouse case. Medians per figure and
# the homedeck/script ratio, of the medians and of each round (same run).
COLDS=(); WARMS=(); HANDS=(); RATIOS=()
for r in $(seq 1 "$RUNS"); do
  w=""
  if [[ " $PARTS " == *" create "* ]]; then
    c="-"
    if [ "$r" -le "$COLD_RUNS" ]; then
      rm -rf "$B/pipcache"
      c=$(create "cold$r"); drop "cold$r"; COLDS+=("$c")
    fi
    w=$(create "warm$r"); drop "warm$r"; WARMS+=("$w")
    echo "round $r: deploy create → healthy, cold pip cache ${c} s, warm ${w} s"
    if [ "$r" = 1 ]; then
      wh=$(create wheel --find-links "$WHEELS"); drop wheel
      echo "round $r: deploy create → healthy, wheelhouse: ${wh} s"
    fi
  fi
  if [[ " $PARTS " == *" hand "* ]]; then
    h=$(hand_once); HANDS+=("$h")
    [ -n "$w" ] && RATIOS+=("$(python3 -c "print(f'{$w / $h:.2f}')")")
    echo "round $r: same steps by hand (shell script over ssh, warm cache): ${h} s"
  fi
done
if [ ${#COLDS[@]} -gt 0 ]; then echo "median of ${#COLDS[@]}: cold $(median "${COLDS[@]}") s"; fi
if [ ${#WARMS[@]} -gt 0 ]; then echo "median of ${#WARMS[@]}: warm $(median "${WARMS[@]}") s"; fi
if [ ${#HANDS[@]} -gt 0 ]; then
  echo "median of ${#HANDS[@]}: script $(median "${HANDS[@]}") s"
  if [ ${#WARMS[@]} -gt 0 ]; then
    echo "homedeck/script: $(python3 -c "print(f'{$(median "${WARMS[@]}") / $(median "${HANDS[@]}"):.2f}')") (medians); per round ${RATIOS[*]}"
  fi
fi
[[ " $PARTS " == *" tail "* ]] || exit 0

# Five running deployments, their logs followed by one homedeck process.
for n in t1 t2 t3 t4 t5; do
  "$BIN" deploy create "$n" --server box --version "$VERSION" --bind 127.0.0.1 --root "$B/root" --find-links "$WHEELS" --no-wait >/dev/null 2>&1
done
"$BIN" deploy logs t1 t2 t3 t4 t5 -f -n 10 > "$B/tail.out" 2>&1 &
TAIL=$!
sleep 3
if ! kill -0 "$TAIL" 2>/dev/null; then echo "the log follower exited:"; cat "$B/tail.out"; exit 1; fi
ticks() { awk '{print $14 + $15}' "/proc/$TAIL/stat"; }
t0=$(ticks); s=$(now)
WRITERS=()
for n in t1 t2 t3 t4 t5; do
  ( for i in $(seq 1 1200); do echo "$(date -u +%FT%T) bench line $i for $n with some padding to look like a log line"; sleep 0.05; done >> "$B/root/$n/run/home-assistant.out" ) &
  WRITERS+=($!)
done
rss_max=0
for i in $(seq 1 60); do
  r=$(awk '/VmRSS/ {print $2}' "/proc/$TAIL/status")
  [ "$r" -gt "$rss_max" ] && rss_max=$r
  sleep 1
done
wait "${WRITERS[@]}"
t1=$(ticks); e=$(now)
hz=$(getconf CLK_TCK)
lines=$(grep -c "bench line" "$B/tail.out" || true)
kill -INT "$TAIL" 2>/dev/null || true
echo "following 5 logs (each +1200 lines at ≤ 20 lines/s): ${lines} lines shown, RSS max $((rss_max / 1024)) MiB, CPU $(python3 -c "print(f'{100 * ($t1 - $t0) / $hz / ($e - $s):.1f}')") %"
echo "binary: $BIN"
