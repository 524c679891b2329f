#!/usr/bin/env bash
# Prepares what the deployment tests need to install Home Assistant Core
# quickly and repeatably (idempotent): a wheelhouse of HA 2024.3.3 built with
# HA's own constraints file (../shared/peers.md: a plain install can hang in
# dependency resolution) plus `josepy<2`, and the packages HA installs itself
# at first start for the minimal test configuration. homedeck's venv runtime
# is pointed at it with `find_links=` (pip --find-links), so only the first
# run pays the ~70 s download; a deployment still runs the real pip install.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION="${HOMEDECK_HA_VERSION:-2024.3.3}"
# The release tests/deploy_ha.rs upgrades to (and rolls back from). Its
# constraints file is identical to $VERSION's, so its own wheel is all it
# adds; fetched here with the rest, never at test time.
UPGRADE="${HOMEDECK_HA_UPGRADE_VERSION:-2024.3.2}"
DIR="${HOMEDECK_HA_PEER_DIR:-target/peers/ha}"
WHEELS="$DIR/wheels-$VERSION"
STAMP="$WHEELS/.complete"
upgrade_wheel() {
  ls "$WHEELS"/homeassistant-"$UPGRADE"-*.whl >/dev/null 2>&1 ||
    "$PY" -m pip download -q --no-deps "homeassistant==$UPGRADE" -d "$WHEELS"
}
PY="$(command -v python3.11 || command -v python3)"
if [ -f "$STAMP" ]; then
  upgrade_wheel
  exit 0
fi
if ! "$PY" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "tests/peers/homeassistant.sh: python3 >= 3.11 with venv is needed (found $("$PY" --version 2>&1))" >&2
  exit 1
fi
mkdir -p "$WHEELS" "$DIR/pip-cache"
export PIP_CACHE_DIR="$PWD/$DIR/pip-cache"
unset PIP_FIND_LINKS
"$PY" -m pip download -q --no-deps "homeassistant==$VERSION" -d "$WHEELS"
"$PY" - "$WHEELS" "$VERSION" "$DIR/constraints-$VERSION.txt" <<'PY'
import sys, zipfile, glob
wheels, version, out = sys.argv[1:]
whl = glob.glob(f"{wheels}/homeassistant-{version}-*.whl")[0]
with zipfile.ZipFile(whl) as z:
    data = z.read("homeassistant/package_constraints.txt")
open(out, "wb").write(data)
PY
# Everything HA needs, plus what it pip-installs at first start for the
# minimal configuration (frontend and the integrations it depends on,
# auth's multi-factor modules, the recorder's and backup's libraries,
# colorlog for the config check script).
"$PY" -m venv "$DIR/build-venv"
"$DIR/build-venv/bin/pip" install -q --upgrade pip wheel
"$DIR/build-venv/bin/pip" wheel -q -w "$WHEELS" -c "$DIR/constraints-$VERSION.txt" \
  "homeassistant==$VERSION" 'josepy<2' -r /dev/stdin <<'REQ'
Pillow==10.2.0
aiohttp-fast-url-dispatcher==0.3.0
aiohttp-zlib-ng==0.3.1
aiohttp_cors==0.7.0
home-assistant-frontend==20240307.0
janus==1.0.0
securetar==2024.2.1
fnv-hash-fast==0.5.0
psutil-home-assistant==0.0.1
PyQRCode==1.2.1
SQLAlchemy==2.0.27
pyotp==2.8.0
colorlog==6.8.2
REQ
upgrade_wheel
touch "$STAMP"
echo "tests/peers/homeassistant.sh: $(ls "$WHEELS"/*.whl | wc -l) wheels in $WHEELS"
