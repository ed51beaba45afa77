#!/usr/bin/env bash
# Installs what ClusterManager's build, tests and lab need on a Debian 12 machine (run as root).
# Each part of the project lists its own packages in deploy/deps/*.packages (one Debian package a line).
# Idempotent: packages already installed are not fetched again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET 10 SDK (dotnet) is not on PATH; install it first (it is not a Debian package)" >&2
  exit 2
fi

wanted=()
for list in "$here"/deps/*.packages; do
  [ -e "$list" ] || continue
  while read -r pkg _; do
    case "$pkg" in ''|'#'*) continue ;; esac
    wanted+=("$pkg")
  done < "$list"
done

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
    exit 2
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Per-part setup hooks (e.g. enabling a kernel module), each idempotent.
for hook in "$here"/deps/*.sh; do
  [ -e "$hook" ] || continue
  bash "$hook"
done
