#!/usr/bin/env bash
# Build homedeck in release mode and install it to $PREFIX/bin
# (default ~/.local/bin). Safe to run again: it replaces the binary in place.
set -euo pipefail
cd "$(dirname "$0")"
PREFIX="${PREFIX:-$HOME/.local}"
BIN_DIR="$PREFIX/bin"

if ! command -v cargo >/dev/null 2>&1; then
  echo "install.sh: cargo not found — install Rust from https://rustup.rs first" >&2
  exit 1
fi

cargo build --release --locked
mkdir -p "$BIN_DIR"
install -m 0755 target/release/homedeck "$BIN_DIR/homedeck.new"
mv -f "$BIN_DIR/homedeck.new" "$BIN_DIR/homedeck"
echo "installed $BIN_DIR/homedeck ($("$BIN_DIR/homedeck" --version))"

case ":$PATH:" in
  *":$BIN_DIR:"*) ;;
  *) echo "note: $BIN_DIR is not on your PATH; add it, e.g. echo 'export PATH=\"$BIN_DIR:\$PATH\"' >> ~/.bashrc" ;;
esac
