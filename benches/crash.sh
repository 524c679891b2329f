#!/usr/bin/env bash
# Crash consistency (issue 19): kill -9 the real binary at random moments of
# each scenario, restart, and check what must hold after any crash:
#   create  — a backup create: every acknowledged backup is catalogued, the
#             catalog matches the archives (doctor --read-data), a backup that
#             was catalogued without being acknowledged verifies in full
#   restore — a local restore: the target is either exactly as before (rolled
#             back) or exactly the backup (finished); acknowledged → the backup;
#             nothing left beside it
#   remote  — the same restore of a directory on a server (the test sshd, over
#             SFTP), rolled back by the next backup command
#   passwd  — a vault passphrase change: exactly one of old/new opens the vault,
#             the new one if the change was acknowledged, and the secret in it
#             still reads back
#   rotate  — a secret rotation: the value read back is the acknowledged one or
#             the one being written, never anything else
#   burst   — a daemon serving 1,000 audited commands (site_set over the
#             socket): every acknowledged one is in the audit log as a success
# After every kill, `homedeck doctor` must be clean (exit 0).
# Prints kills, checks and violations per scenario; the figures go in
# docs/reliability.md.
# Usage: bash benches/crash.sh [KILLS=100] [SCENARIOS="create restore remote passwd rotate burst"]
# Not CI: tests/crash_small.rs runs a few kills of each in the suite.
set -uo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-100}
SCENARIOS=${2:-create restore remote passwd rotate burst}
BIN=${HOMEDECK_BIN:-$PWD/target/debug/homedeck}
[ -x "$BIN" ] || { echo "build first: cargo build (or set HOMEDECK_BIN)" >&2; exit 2; }
W=$(mktemp -d /tmp/homedeck-crash.XXXX)
chmod 700 "$W"
SSHD_PID=
cleanup() { [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
RESULTS=$W/results
: >"$RESULTS"

hd() { "$BIN" "$@"; }
# Milliseconds, uniformly in [0, $1).
rand_ms() { python3 -c "import random,sys; print(random.randrange(max(1,int(sys.argv[1]))))" "$1"; }
sleep_ms() { python3 -c "import time,sys; time.sleep(int(sys.argv[1])/1000)" "$1"; }
now_ms() { date +%s%3N; }

# Per scenario counters.
K=0; C=0; V=0
check() { # check DESCRIPTION CONDITION-EXIT-CODE
  C=$((C + 1))
  if [ "$2" != 0 ]; then
    V=$((V + 1))
    echo "VIOLATION [$S kill $K]: $1" | tee -a "$W/violations" >&2
  fi
}
doctor_clean() { # after each kill: the consistency check is clean
  local out
  out=$(hd doctor "$@" 2>&1); local rc=$?
  [ $rc = 0 ] || echo "$out" >&2
  check "homedeck doctor $* is clean" $rc
}
# Run "$@" in the background, kill -9 it after a random moment within
# $MAX_MS. Sets KILLED (1 if it was still running) and RC (its exit status).
run_and_kill() {
  # The binary itself must be the background job: `hd` is a function, and
  # killing the subshell running it would leave homedeck running.
  [ "$1" = hd ] && set -- "$BIN" "${@:2}"
  "$@" >"$W/out" 2>"$W/err" </dev/null &
  local pid=$!
  sleep_ms "$(rand_ms "$MAX_MS")"
  KILLED=0
  kill -9 "$pid" 2>/dev/null && KILLED=1
  wait "$pid" 2>/dev/null; RC=$?
  K=$((K + 1))
}
# How long one uninterrupted run of "$@" takes (ms), times 1.2 so some kills
# land after it ended (the acknowledged case is checked too).
calibrate() {
  local t0; t0=$(now_ms)
  "$@" >/dev/null 2>&1 </dev/null || { echo "calibration run failed: $*" >&2; "$@"; exit 1; }
  MAX_MS=$(( ($(now_ms) - t0) * 12 / 10 + 20 ))
}
report() {
  echo "$S kills=$K checks=$C violations=$V window_ms=$MAX_MS" | tee -a "$RESULTS"
  K=0; C=0; V=0
}
fresh_home() { # a new data dir with a vault
  rm -rf "$W/home"
  mkdir -m 700 -p "$W/home"
  export HOMEDECK_DATA_DIR=$W/home/data HOMEDECK_CONFIG_DIR=$W/home/cfg HOMEDECK_STATE_DIR=$W/home/state
  export HOMEDECK_PASSPHRASE_FILE=$W/home/pass
  printf 'crash test passphrase\n' >"$HOMEDECK_PASSPHRASE_FILE"; chmod 600 "$HOMEDECK_PASSPHRASE_FILE"
  hd vault init >/dev/null
}
tree_hash() { # content and layout of a directory tree, as one hash
  [ -d "$1" ] || { echo missing; return; }
  (cd "$1" && find . -printf '%y %p %s\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) | sha256sum | cut -c1-16
}
catalog_ids() { hd --json backup list | python3 -c 'import json,sys; print(" ".join(str(e["id"]) for e in json.load(sys.stdin)["entries"]))'; }
make_tree() { # make_tree DIR SEED FILES: many small files and one larger one
  python3 - "$1" "$2" "$3" <<'PY'
import os, random, sys
root, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(seed)
for i in range(n):
    d = os.path.join(root, f"d{i % 9}")
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, f"f{i}.yaml"), "w").write(f"seed {seed} file {i}\n" * random.randint(1, 400))
open(os.path.join(root, "blob.bin"), "wb").write(random.randbytes(3 << 20))
PY
}

scenario_create() {
  fresh_home
  make_tree "$W/src" 1 300
  hd backup source add big --kind dir --path "$W/src" >/dev/null
  calibrate hd backup create big
  local acked; acked=$(catalog_ids)
  for _ in $(seq "$KILLS"); do
    local before; before=$(catalog_ids)
    run_and_kill hd backup create big
    local after; after=$(catalog_ids)
    for id in $acked; do
      case " $after " in *" $id "*) check "acknowledged backup #$id still catalogued" 0 ;; *) check "acknowledged backup #$id still catalogued" 1 ;; esac
    done
    local new; new=$(comm -13 <(tr ' ' '\n' <<<"$before" | sort) <(tr ' ' '\n' <<<"$after" | sort) | tr '\n' ' ')
    if [ "$RC" = 0 ] && [ "$KILLED" = 0 ]; then
      check "an acknowledged create is catalogued" "$([ -n "$new" ] && echo 0 || echo 1)"
    fi
    for id in $new; do # catalogued: complete, whether or not it was acknowledged
      hd backup verify "$id" >/dev/null 2>&1; check "catalogued backup #$id verifies in full" $?
    done
    acked="$after"
    check "no partial archive left after restart" "$(find "$HOMEDECK_DATA_DIR/backups/.partial" -type f 2>/dev/null | grep -q . && echo 1 || echo 0)"
    if [ $((K % 10)) = 0 ]; then doctor_clean --read-data; else doctor_clean; fi
    # Keep the repository small: forget all but the last five.
    hd backup forget big --keep-last 5 >/dev/null 2>&1
    acked=$(catalog_ids)
  done
  report
}

# A restore of backup $1 to the tree at $2 (local or over SFTP), $3 = the
# command to restart with (it rolls an interrupted restore back).
restore_loop() {
  local id=$1 target=$2
  local want_backup; want_backup=$(tree_hash "$W/backed")
  for _ in $(seq "$KILLS"); do
    rm -rf "$target"; cp -a "$W/changed" "$target"
    local want_before; want_before=$(tree_hash "$target")
    run_and_kill hd backup restore "$id" --yes
    hd backup list >"$W/restart" 2>&1   # restart: rolls back what the kill interrupted
    local got; got=$(tree_hash "$target")
    if [ "$RC" = 0 ] && [ "$KILLED" = 0 ]; then
      check "an acknowledged restore left the backup in place ($got)" "$([ "$got" = "$want_backup" ] && echo 0 || echo 1)"
    else
      check "an interrupted restore is rolled back or complete, never mixed ($got)" "$([ "$got" = "$want_before" ] || [ "$got" = "$want_backup" ] && echo 0 || echo 1)"
    fi
    local beside; beside=$(ls -A "$(dirname "$target")" | grep -v "^$(basename "$target")$" | tr '\n' ' ')
    check "nothing left beside the target ($beside)" "$([ -z "$beside" ] && echo 0 || echo 1)"
    if [ -n "$beside" ] && [ -n "${DEBUG:-}" ]; then
      echo "killed=$KILLED rc=$RC; err: $(tail -c 300 "$W/err"); restart: $(tail -c 300 "$W/restart")" >&2
      grep -i "roll\|journal\|restore" "$HOMEDECK_STATE_DIR/homedeck.log" | tail -4 >&2
      (cd "$(dirname "$target")" && find $beside -maxdepth 2 | head -20) >&2
      hd --json audit search --limit 5 | python3 -c 'import json,sys; [print(e["action"], e["status"], e["description"][:150]) for e in json.load(sys.stdin)["page"]["entries"]]' >&2
    fi
    doctor_clean
  done
  report
}

scenario_restore() {
  fresh_home
  mkdir -p "$W/t"
  make_tree "$W/t/conf" 2 300
  rm -rf "$W/backed" "$W/changed"; cp -a "$W/t/conf" "$W/backed"
  hd backup source add conf --kind dir --path "$W/t/conf" >/dev/null
  hd backup create conf >/dev/null
  make_tree "$W/changed" 3 250
  rm -rf "$W/t/conf"; cp -a "$W/changed" "$W/t/conf"
  calibrate hd backup restore 1 --yes
  restore_loop 1 "$W/t/conf"
}

scenario_remote() {
  fresh_home
  bash tests/peers/sshd.sh >/dev/null
  local sd=$W/sshd port
  mkdir -p "$sd" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$sd/host" && ssh-keygen -q -t ed25519 -N '' -f "$sd/client"
  cp "$sd/client.pub" "$sd/authorized_keys"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'ListenAddress 127.0.0.1\nHostKey %s/host\nPidFile %s/sshd.pid\nAuthorizedKeysFile %s/authorized_keys\nUsePAM no\nStrictModes no\nPermitRootLogin yes\nMaxSessions 100\nMaxStartups 100:30:200\nSubsystem sftp internal-sftp\n' "$sd" "$sd" "$sd" >"$sd/config"
  /usr/sbin/sshd -D -e -f "$sd/config" -p "$port" 2>"$sd/log" &
  SSHD_PID=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
  hd server add nas --host 127.0.0.1 --port "$port" --user "$(id -un)" --key-file "$sd/client" >/dev/null || { echo "server add failed" >&2; return 1; }
  hd server trust nas --fingerprint "$(ssh-keygen -lf "$sd/host.pub" | awk '{print $2}')" --yes >/dev/null 2>&1 || true
  hd server test nas >/dev/null || { echo "server test failed" >&2; return 1; }
  mkdir -p "$W/srv"
  make_tree "$W/srv/conf" 4 200
  rm -rf "$W/backed" "$W/changed"; cp -a "$W/srv/conf" "$W/backed"
  hd backup source add rconf --kind dir --server nas --path "$W/srv/conf" >/dev/null
  hd backup create rconf >/dev/null
  make_tree "$W/changed" 5 150
  rm -rf "$W/srv/conf"; cp -a "$W/changed" "$W/srv/conf"
  calibrate hd backup restore 1 --yes
  restore_loop 1 "$W/srv/conf"
  kill "$SSHD_PID"; wait "$SSHD_PID" 2>/dev/null; SSHD_PID=
}

scenario_passwd() {
  fresh_home
  printf 'crash-secret-value\n' | hd secret add kept --kind password >/dev/null
  local cur=$W/home/pass
  cp "$cur" "$W/pass-0"; chmod 600 "$W/pass-0"; cur=$W/pass-0
  printf 'calibration passphrase\n' >"$W/pass-c"; chmod 600 "$W/pass-c"
  HOMEDECK_PASSPHRASE_FILE=$cur HOMEDECK_NEW_PASSPHRASE_FILE=$W/pass-c calibrate hd vault passwd
  cur=$W/pass-c
  for i in $(seq "$KILLS"); do
    local new=$W/pass-$i
    printf 'passphrase number %s\n' "$i" >"$new"; chmod 600 "$new"
    HOMEDECK_PASSPHRASE_FILE=$cur HOMEDECK_NEW_PASSPHRASE_FILE=$new run_and_kill hd vault passwd
    local first=$cur second=$new
    if [ "$RC" = 0 ] && [ "$KILLED" = 0 ]; then first=$new; second=$cur; fi
    local opens=""
    if HOMEDECK_PASSPHRASE_FILE=$first hd vault unlock >/dev/null 2>&1; then opens=$first
    else
      # A wrong passphrase starts the unlock backoff: wait it out.
      for _ in 1 2 3 4 5 6 7 8; do
        local err; err=$(HOMEDECK_PASSPHRASE_FILE=$second hd vault unlock 2>&1 >/dev/null) && { opens=$second; break; }
        case "$err" in *"backing off"*) sleep 1 ;; *) break ;; esac
      done
    fi
    check "the vault opens with the old or the new passphrase (${opens:-neither})" "$([ -n "$opens" ] && echo 0 || echo 1)"
    if [ "$RC" = 0 ] && [ "$KILLED" = 0 ]; then
      check "an acknowledged change: the new passphrase opens it" "$([ "$opens" = "$new" ] && echo 0 || echo 1)"
    fi
    [ -n "$opens" ] && cur=$opens
    local v; v=$(HOMEDECK_PASSPHRASE_FILE=$cur hd secret reveal kept 2>&1)
    check "the secret still reads back ($v)" "$([ "$v" = crash-secret-value ] && echo 0 || echo 1)"
    HOMEDECK_PASSPHRASE_FILE=$cur doctor_clean
  done
  report
}

scenario_rotate() {
  fresh_home
  printf 'value-0\n' | hd secret add r --kind password >/dev/null
  local acked=value-0
  MAX_MS=0
  local t0; t0=$(now_ms); printf 'value-c\n' | hd secret rotate r >/dev/null; MAX_MS=$(( ($(now_ms) - t0) * 12 / 10 + 20 )); acked=value-c
  for i in $(seq "$KILLS"); do
    printf 'value-%s\n' "$i" >"$W/newval"
    run_and_kill sh -c "exec '$BIN' secret rotate r <'$W/newval'"
    local v; v=$(hd secret reveal r 2>&1)
    if [ "$RC" = 0 ] && [ "$KILLED" = 0 ]; then
      check "an acknowledged rotation reads back ($v)" "$([ "$v" = "value-$i" ] && echo 0 || echo 1)"
    else
      check "an interrupted rotation reads back the old or the new value ($v)" "$([ "$v" = "$acked" ] || [ "$v" = "value-$i" ] && echo 0 || echo 1)"
    fi
    [ "$v" = "value-$i" ] && acked=$v
    doctor_clean
  done
  report
}

scenario_burst() {
  fresh_home
  mkdir -p "$W/bsrc"
  hd backup source add b --kind dir --path "$W/bsrc" >/dev/null
  local sock=$HOMEDECK_DATA_DIR/homedeck.sock
  # One uninterrupted burst gives the window.
  MAX_MS=1000000
  local t0 d
  "$BIN" daemon >/dev/null 2>&1 & d=$!
  t0=$(now_ms)
  python3 benches/crash_burst.py "$sock" 1000 c "$W/acked" || { echo "burst client failed" >&2; kill "$d"; return 1; }
  MAX_MS=$(( ($(now_ms) - t0) * 12 / 10 + 20 ))
  kill "$d"; wait "$d" 2>/dev/null
  for i in $(seq "$KILLS"); do
    "$BIN" daemon >/dev/null 2>"$W/derr" & d=$!
    python3 benches/crash_burst.py "$sock" 1000 "k$i" "$W/acked" 2>/dev/null &
    local client=$!
    sleep_ms "$(rand_ms "$MAX_MS")"
    kill -9 "$d" 2>/dev/null
    wait "$d" 2>/dev/null; wait "$client" 2>/dev/null
    K=$((K + 1))
    local acked; acked=$(wc -l <"$W/acked")
    # Every acknowledged site_set is in the audit log as a success.
    local missing
    missing=$(hd --json audit search "k$i-" --limit 10000 | python3 -c '
import json, sys
seen = {c["after"] for e in json.load(sys.stdin)["page"]["entries"] if e["action"] == "site_set" and e["status"] == "success" for c in e["changes"] if c.get("after")}
acked = [l.strip() for l in open(sys.argv[1]) if l.strip()]
print(" ".join(a for a in acked if a not in seen))' "$W/acked")
    check "$acked acknowledged commands all audited (missing: ${missing:-none})" "$([ -z "$missing" ] && echo 0 || echo 1)"
    doctor_clean
  done
  report
}

for S in $SCENARIOS; do
  echo "== $S ($KILLS kills)" >&2
  "scenario_$S"
done
echo "--- results"
cat "$RESULTS"
if [ -s "$W/violations" ]; then echo "--- violations"; cat "$W/violations"; exit 1; fi
