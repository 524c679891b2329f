#!/usr/bin/env bash
# Backups benchmark (issue 6): one generated tree shaped like a real config
# (many small text files plus a few large binaries), measured in one run:
#   create  — homedeck (zstd, encrypted, read back from the file and verified alongside the write) vs `tar -c | zstd` vs restic's first backup
#   restore — homedeck (verify + preview, then extract to staging and swap) vs `zstd -d | tar -x` vs `restic restore`
# Peak RSS of homedeck from /usr/bin/time. Medians of RUNS runs.
# Usage: bash benches/backups.sh [SIZE_MB=1024] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-1024}
RUNS=${2:-3}
bash tests/peers/backups.sh >/dev/null
cargo build --profile bench --quiet
BIN=$PWD/target/release/homedeck
W=$(mktemp -d /tmp/homedeck-bench.XXXX)
trap 'rm -rf "$W"' EXIT
SRC=$W/src
mkdir -p "$SRC"
python3 - "$SRC" "$SIZE_MB" <<'PY'
import os, random, sys
root, size_mb = sys.argv[1], int(sys.argv[2])
random.seed(6)
words = [w.encode() for w in "light switch sensor automation trigger condition action entity_id state attribute service data template".split()]
small_total = size_mb * 1024 * 1024 * 3 // 10    # 30 % many small config-like files
n = 0; written = 0
while written < small_total:
    d = os.path.join(root, f"dir{n % 50}", f"sub{n % 7}")
    os.makedirs(d, exist_ok=True)
    body = b"\n".join(b"  " + b" ".join(random.choice(words) for _ in range(8)) + b": " + str(random.random()).encode() for _ in range(random.randint(5, 300)))
    open(os.path.join(d, f"file{n}.yaml"), "wb").write(body)
    written += len(body); n += 1
big = size_mb * 1024 * 1024 - written             # a few large ones: half compressible db-like, half random
for i in range(4):
    with open(os.path.join(root, f"big{i}.db"), "wb") as f:
        left = big // 4
        while left > 0:
            chunk = min(left, 1 << 20)
            f.write(os.urandom(chunk // 2) + bytes(chunk - chunk // 2))
            left -= chunk
print(f"{n} small files, 4 large", file=sys.stderr)
PY
export HOMEDECK_DATA_DIR=$W/data HOMEDECK_CONFIG_DIR=$W/cfg HOMEDECK_BACKUP_PASSWORD_FILE=$W/pw RESTIC_PASSWORD_FILE=$W/pw
(umask 077; echo "benchmark-password-1" > "$W/pw")
$BIN backup source add bench --kind dir --path "$SRC" --encrypt true >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
sync
declare -A R
for i in $(seq "$RUNS"); do
  R[hd_create]+="$( /usr/bin/time -f '%e %M' -o "$W/time" $BIN backup create bench >/dev/null 2>&1; cat "$W/time" )"$'\n'
  R[tar_zstd]+="$(t sh -c "tar -C '$SRC' -cf - . | zstd -q -3 -o '$W/t$i.tar.zst'")"$'\n'
  rm -rf "$W/restic$i"; restic init -q --repo "$W/restic$i" >/dev/null
  R[restic_backup]+="$(t restic -q --repo "$W/restic$i" backup "$SRC")"$'\n'
  # Keep only the first run's outputs (disk space); the restores read those.
  if [ "$i" -gt 1 ]; then rm -rf "$W/t$i.tar.zst" "$W/restic$i"; fi
done
ID=$($BIN --json backup list | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"][0]["id"])')
for i in $(seq "$RUNS"); do
  rm -rf "$W/out" "$W/out2" "$W/out3"; mkdir -p "$W/out2" "$W/out3"
  R[hd_restore]+="$( /usr/bin/time -f '%e %M' -o "$W/time" $BIN backup restore "$ID" --target "$W/out" --yes >/dev/null 2>&1; cat "$W/time" )"$'\n'
  R[untar_zstd]+="$(t sh -c "zstd -q -d -c '$W/t1.tar.zst' | tar -C '$W/out2' -xf -")"$'\n'
  R[restic_restore]+="$(t restic -q --repo "$W/restic1" restore latest --target "$W/out3")"$'\n'
done
diff -r "$SRC" "$W/out" >/dev/null && echo "restored tree identical"
hd_c=$(printf '%s' "${R[hd_create]}" | awk '{print $1}' | median); hd_c_rss=$(printf '%s' "${R[hd_create]}" | awk '{print $2}' | sort -n | tail -1)
hd_r=$(printf '%s' "${R[hd_restore]}" | awk '{print $1}' | median); hd_r_rss=$(printf '%s' "${R[hd_restore]}" | awk '{print $2}' | sort -n | tail -1)
tz=$(printf '%s' "${R[tar_zstd]}" | median); rb=$(printf '%s' "${R[restic_backup]}" | median)
uz=$(printf '%s' "${R[untar_zstd]}" | median); rr=$(printf '%s' "${R[restic_restore]}" | median)
echo "tree: ${SIZE_MB} MB; runs: $RUNS (medians, seconds)"
echo "create:  homedeck ${hd_c} s (peak RSS ${hd_c_rss} KiB) | tar|zstd ${tz} s | restic ${rb} s"
echo "         ratio tar|zstd / homedeck = $(echo "scale=2; $tz / $hd_c" | bc); restic / homedeck = $(echo "scale=2; $rb / $hd_c" | bc)"
echo "restore: homedeck ${hd_r} s (peak RSS ${hd_r_rss} KiB) | zstd -d|tar -x ${uz} s | restic restore ${rr} s"
echo "         ratio (zstd -d|tar -x) / homedeck = $(echo "scale=2; $uz / $hd_r" | bc); restic / homedeck = $(echo "scale=2; $rr / $hd_r" | bc)"
