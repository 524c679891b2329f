#!/usr/bin/env bash
# Build homedeck in release mode and install it to $PREFIX/bin
# (default ~/.local/bin). Safe to run again: it replaces the binary in place.
#
#   ./install.sh             the binary only
#   ./install.sh --daemon    also a systemd user unit (~/.config/systemd/user/homedeck.service)
#   ./install.sh --system    as root: /usr/local/bin/homedeck and a system unit
#                            for a dedicated `homedeck` user
#   --no-build               install target/release/homedeck (or $HOMEDECK_BIN) as built
#   --debuginfo              also install homedeck.dwp (29 MiB of line tables, so a
#                            panic's backtrace names files and lines)
# Every step is idempotent: a unit file is rewritten only when it changed.
set -euo pipefail
cd "$(dirname "$0")"

mode=binary
build=1
debuginfo=0
for arg in "$@"; do
  case "$arg" in
    --daemon) mode=user ;;
    --system) mode=system ;;
    --no-build) build=0 ;;
    --debuginfo) debuginfo=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$arg' (expected --daemon, --system, --no-build, --debuginfo or --help)" >&2; exit 2 ;;
  esac
done

if [ "$mode" = system ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install.sh: --system writes /etc/systemd/system and creates the 'homedeck' user: run it as root (sudo ./install.sh --system)" >&2
    exit 1
  fi
  PREFIX="${PREFIX:-/usr/local}"
else
  PREFIX="${PREFIX:-$HOME/.local}"
fi
BIN_DIR="$PREFIX/bin"
SRC_BIN="${HOMEDECK_BIN:-target/release/homedeck}"

if [ "$build" = 1 ]; then
  if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo not found — install Rust from https://rustup.rs first" >&2
    exit 1
  fi
  # RELR packs the binary's relative relocations (about 1.3 MiB of
  # .rela.dyn in a PIE) into a few KiB. It needs glibc >= 2.36 where the
  # binary runs — here, since install.sh builds on the machine it installs
  # on — and a linker that knows the flag; elsewhere the build goes without.
  relr=""
  glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
  if [ -n "$glibc" ] && [ "$(printf '%s\n2.36\n' "$glibc" | sort -V | head -1)" = 2.36 ] \
    && ld --help 2>/dev/null | grep -q pack-relative-relocs; then
    relr="-C link-arg=-Wl,-z,pack-relative-relocs"
  fi
  RUSTFLAGS="${RUSTFLAGS:-} $relr" cargo build --release --locked
fi
if [ ! -x "$SRC_BIN" ]; then
  echo "install.sh: no binary at $SRC_BIN — run without --no-build, or set HOMEDECK_BIN" >&2
  exit 1
fi
mkdir -p "$BIN_DIR"
install -m 0755 "$SRC_BIN" "$BIN_DIR/homedeck.new"
mv -f "$BIN_DIR/homedeck.new" "$BIN_DIR/homedeck"
# The release profile keeps line tables in homedeck.dwp beside the binary, so
# a panic's backtrace names files and lines; it is optional at run time and
# larger than the binary, so it is installed only when asked for.
if [ "$debuginfo" = 1 ] && [ -f "$SRC_BIN.dwp" ]; then
  install -m 0644 "$SRC_BIN.dwp" "$BIN_DIR/homedeck.dwp.new"
  mv -f "$BIN_DIR/homedeck.dwp.new" "$BIN_DIR/homedeck.dwp"
fi
mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
size="$(mib "$BIN_DIR/homedeck")"
[ -f "$BIN_DIR/homedeck.dwp" ] && size="$size, plus $(mib "$BIN_DIR/homedeck.dwp") of debug line tables in homedeck.dwp"
echo "installed $BIN_DIR/homedeck ($("$BIN_DIR/homedeck" --version)): $size"

case ":$PATH:" in
  *":$BIN_DIR:"*) ;;
  *) [ "$mode" = system ] || echo "note: $BIN_DIR is not on your PATH; add it, e.g. echo 'export PATH=\"$BIN_DIR:\$PATH\"' >> ~/.bashrc" ;;
esac

# Write $2 from template $1 with @KEY@ replaced; leave it alone if unchanged.
write_unit() {
  local template="$1" dest="$2" tmp
  tmp="$(mktemp)"
  sed -e "s|@BIN@|$BIN_DIR/homedeck|g" -e "s|@DATA@|${DATA:-}|g" \
      -e "s|@CONFIG@|${CONFIG:-}|g" -e "s|@STATE@|${STATE:-}|g" "$template" > "$tmp"
  mkdir -p "$(dirname "$dest")"
  if [ -f "$dest" ] && cmp -s "$tmp" "$dest"; then
    rm -f "$tmp"
    echo "unchanged $dest"
    return 1
  fi
  install -m 0644 "$tmp" "$dest"
  rm -f "$tmp"
  echo "wrote $dest"
}

case "$mode" in
  user)
    DATA="${HOMEDECK_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/homedeck}"
    CONFIG="${HOMEDECK_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/homedeck}"
    STATE="${HOMEDECK_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/homedeck}"
    mkdir -p "$DATA" "$CONFIG" "$STATE"
    chmod 0700 "$DATA"
    unit="${HOMEDECK_UNIT_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user}/homedeck.service"
    if write_unit assets/systemd/homedeck-user.service "$unit" \
        && systemctl --user show-environment >/dev/null 2>&1; then
      systemctl --user daemon-reload
    fi
    echo
    echo "Start it now and at every login:  systemctl --user enable --now homedeck"
    echo "Keep it running while you are logged out:  sudo loginctl enable-linger $USER"
    echo "Then check it:  homedeck daemon status"
    ;;
  system)
    if ! id homedeck >/dev/null 2>&1; then
      useradd --system --home-dir /var/lib/homedeck --no-create-home --shell /usr/sbin/nologin homedeck
      echo "created system user homedeck"
    fi
    unit="${HOMEDECK_UNIT_DIR:-/etc/systemd/system}/homedeck.service"
    if write_unit assets/systemd/homedeck-system.service "$unit" && [ -d /run/systemd/system ]; then
      systemctl daemon-reload
    fi
    echo
    echo "Start it now and at boot:  systemctl enable --now homedeck"
    echo "Use it as its user:  sudo -u homedeck env HOMEDECK_DATA_DIR=/var/lib/homedeck homedeck"
    ;;
  binary) ;;
esac
