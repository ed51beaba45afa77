#!/usr/bin/env bash
# Resource agents: HA_RSCTMP, the agents' runtime state directory. Debian creates it at boot through
# /usr/lib/tmpfiles.d/resource-agents.conf, which does not run on machines that do not boot with systemd.
set -euo pipefail
install -d -m 1755 -o root -g root /run/resource-agents
