#!/usr/bin/env bash
# The host agent's PAM service and the accounts pcs users expect (pacemaker's packages create them on a pcs node):
# group haclient and the system user hacluster (its password is set by the operator: passwd hacluster). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! cmp -s "$here/pam.d/clustermanager" /etc/pam.d/clustermanager 2>/dev/null; then
  install -m 0644 "$here/pam.d/clustermanager" /etc/pam.d/clustermanager
fi
getent group haclient >/dev/null || groupadd --system haclient
if ! getent passwd hacluster >/dev/null; then
  useradd --system --gid haclient --home-dir /var/lib/clusterd-host --no-create-home --shell /usr/sbin/nologin \
    --comment "cluster user" hacluster
fi
