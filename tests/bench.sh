#!/usr/bin/env bash
# The project's benchmark command: bash tests/bench.sh WORD [options]
# WORD selects the benchmark (scheduler, cluster, agents, fencing, vrrp, failover). Builds
# the benchmark project once in Release, then runs it. Benchmarks print figures; none asserts a time.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: bash tests/bench.sh WORD [options]   (bash tests/bench.sh WORD --help)"
  echo "  scheduler   policy engine vs Pacemaker's crm_simulate on generated clusters (docs/benchmarks.md; --gc large|workstation)"
  echo "  cluster     clusterd: configuration writes per second, leader failover, leader step-down (--only writes|failover|stepdown|apply)"
  echo "  agents      native IPaddr2 vs the heartbeat script, systemd via D-Bus vs systemctl (root, namespaces)"
  echo "  fencing     time to fence through fence_cm_ipmi, fence_ipmilan and fence_cm_virsh (root, ipmi_sim)"
  echo "  vrrp        failover after kill -9 of the master, ours vs keepalived (root, namespaces)"
  echo "  failover    the lab's seed stack: kill, partition, fail-service of the VIP's node, clusterd vs keepalived (root, deploy/lab)"
}

run_project() {
  local project="$1"; shift
  local log
  log="$(mktemp)"
  if ! dotnet build "tests/$project" -c Release -nologo -v q >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "bench: build of $project failed" >&2
    exit 1
  fi
  rm -f "$log"
  exec dotnet "tests/$project/bin/Release/net10.0/$project.dll" "$@"
}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

build_benchmarks() {
  local log
  log="$(mktemp)"
  if ! dotnet build tests/ClusterManager.Benchmarks -c Release -nologo -v q >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "bench: build failed" >&2
    exit 1
  fi
  rm -f "$log"
}

word="${1:-}"
case "$word" in
  scheduler)
    shift
    # --gc large: the garbage collector clusterd is given for large clusters (deploy/clusterd-large-cluster.conf):
    # server GC with a 512 MB generation-0 budget. The default is workstation GC, as clusterd runs out of the box.
    args=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --gc)
          case "${2:-}" in
            large) export DOTNET_gcServer=1 DOTNET_GCgen0size=0x20000000 ;;
            workstation) unset DOTNET_gcServer DOTNET_GCgen0size ;;
            *) echo "bench: --gc takes 'large' or 'workstation', not '${2:-}'" >&2; exit 2 ;;
          esac
          shift 2
          ;;
        *) args+=("$1"); shift ;;
      esac
    done
    build_benchmarks
    exec dotnet tests/ClusterManager.Benchmarks/bin/Release/net10.0/ClusterManager.Benchmarks.dll scheduler "${args[@]}"
    ;;
  cluster)
    shift
    run_project ClusterManager.Daemon.Benchmarks "$@"
    ;;
  agents)
    shift
    run_project ClusterManager.Agents.Benchmarks "$@"
    ;;
  fencing)
    shift
    run_project ClusterManager.Fencing.Benchmarks "$@"
    ;;
  vrrp)
    shift
    run_project ClusterManager.Vrrp.Benchmarks "$@"
    ;;
  failover)
    shift
    run_project ClusterManager.Lab.Benchmarks "$@"
    ;;
  ""|-h|--help|help)
    usage
    [ -n "$word" ]
    ;;
  *)
    echo "bench: unknown benchmark '$word'" >&2
    usage >&2
    exit 2
    ;;
esac
