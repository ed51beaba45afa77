#!/usr/bin/env bash
# The one test command: installs what the tests need, builds everything, runs every test project and prints
# the totals as the last line: "N passed, N failed".
# Exit status: 0 when every failure is a known gap listed in tests/known-gaps.txt (they still count as failed),
# non-zero on any other failure or on a build error.
set -uo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! dotnet build ClusterManager.sln -c Release -nologo -v q; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
# Test projects run one after another (several use network namespaces and real daemons).
dotnet test ClusterManager.sln -c Release --no-build -nologo -m:1 \
  --logger "trx" --results-directory "$results" -- NUnit.DefaultTimeout=600000 || true

python3 tests/summarize.py "$results" tests/known-gaps.txt
