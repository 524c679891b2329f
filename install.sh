#!/usr/bin/env bash
# Build homedeck in release mode and install it to $PREFIX/bin
# (default ~/.local/bin). Safe to run again: it replaces the binary in place.
#
#   ./install.sh             the binary (and its debug info in .debug/ beside it)
#   ./install.sh --daemon    also a systemd user unit (~/.config/systemd/user/homedeck.service)
#   ./install.sh --system    as root: /usr/local/bin/homedeck and a system unit
#                            for a dedicated `homedeck` user
#   --no-build               install target/release/homedeck (or $HOMEDECK_BIN) as built
#   --no-debuginfo           leave out .debug/homedeck.debug (the line tables and
#                            symbols that name a panic's backtrace frames)
# Every step is idempotent: a unit file is rewritten only when it changed.
set -euo pipefail
cd "$(dirname "$0")"

mode=binary
build=1
debuginfo=1
for arg in "$@"; do
  case "$arg" in
    --daemon) mode=user ;;
    --system) mode=system ;;
    --no-build) build=0 ;;
    --no-debuginfo) debuginfo=0 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$arg' (expected --daemon, --system, --no-build, --no-debuginfo or --help)" >&2; exit 2 ;;
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
# The release build keeps line tables and symbols in the binary. Installed,
# they live apart: the binary is stripped and points (.gnu_debuglink) at
# .debug/homedeck.debug beside it, zlib-compressed, which std's panic
# backtrace reads to name each frame's function, file and line (and gdb and
# addr2line read it too). Without the file the binary runs the same; frames
# then print as <unknown>.
tmp_dir="$(mktemp -d)"
trap 'rm -rf "$tmp_dir"' EXIT
if ! command -v objcopy >/dev/null 2>&1; then
  echo "install.sh: objcopy not found — install binutils (e.g. apt install binutils); it strips the binary" >&2
  exit 1
fi
if [ "$debuginfo" = 1 ] && readelf -S "$SRC_BIN" 2>/dev/null | grep -q '\.debug_line'; then
  objcopy --only-keep-debug --compress-debug-sections=zlib "$SRC_BIN" "$tmp_dir/homedeck.debug"
  objcopy --strip-all --add-gnu-debuglink="$tmp_dir/homedeck.debug" "$SRC_BIN" "$tmp_dir/homedeck"
  mkdir -p "$BIN_DIR/.debug"
  install -m 0644 "$tmp_dir/homedeck.debug" "$BIN_DIR/.debug/homedeck.debug.new"
  mv -f "$BIN_DIR/.debug/homedeck.debug.new" "$BIN_DIR/.debug/homedeck.debug"
else
  objcopy --strip-all "$SRC_BIN" "$tmp_dir/homedeck"
  rm -f "$BIN_DIR/.debug/homedeck.debug"
fi
# Left by installs before the debug info moved to .debug/.
rm -f "$BIN_DIR/homedeck.dwp"
install -m 0755 "$tmp_dir/homedeck" "$BIN_DIR/homedeck.new"
mv -f "$BIN_DIR/homedeck.new" "$BIN_DIR/homedeck"
mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
size="$(mib "$BIN_DIR/homedeck")"
if [ -f "$BIN_DIR/.debug/homedeck.debug" ]; then
  size="$size, plus $(mib "$BIN_DIR/.debug/homedeck.debug") in .debug/homedeck.debug (names a panic's backtrace; --no-debuginfo leaves it out)"
fi
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
