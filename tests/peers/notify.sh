#!/usr/bin/env bash
# Peer of the notification tests (idempotent): Python aiosmtpd, a real SMTP
# server, in a venv cached outside the repository under
# ~/.cache/homedeck-peers/notify-venv (HOMEDECK_NOTIFY_VENV overrides), with
# `cryptography` to make the self-signed certificate its STARTTLS and
# implicit-TLS listeners present. The webhook receiver
# (tests/peers/notify_receiver.py) needs only the standard library.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${HOMEDECK_NOTIFY_VENV:-$HOME/.cache/homedeck-peers/notify-venv}"
VERSION="1.4.6"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import importlib.metadata as m, sys, cryptography; sys.exit(0 if m.version('aiosmtpd') == '$VERSION' else 1)" 2>/dev/null; then
  exit 0
fi
if ! python3 -c "import venv" 2>/dev/null; then
  echo "tests/peers/notify.sh: python3 with venv is needed" >&2
  exit 1
fi
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "aiosmtpd==$VERSION" cryptography
"$VENV/bin/python" -c "import importlib.metadata as m; print('aiosmtpd', m.version('aiosmtpd'))"
