#!/usr/bin/env bash
# The OpenSSH server the servers tests start (idempotent).
set -euo pipefail
if [ ! -x /usr/sbin/sshd ]; then
  echo "tests/peers/sshd.sh: installing openssh-server"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server
  fi
fi
mkdir -p /run/sshd 2>/dev/null || true
