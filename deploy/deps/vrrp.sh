#!/usr/bin/env bash
# VRRP tests run keepalived themselves inside network namespaces; the Debian package's system service must not
# run beside them (it would hold VRRP sockets in the root namespace). Idempotent; no-op without systemd.
set -euo pipefail
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now keepalived.service >/dev/null 2>&1 || true
fi
