# Shared part of ClusterManager's fence agents (sourced by fence_cm_ipmi and fence_cm_virsh).
# Implements the fence-agent standard as Debian's fence-agents do (lib/fencing.py): arguments as key=value lines on
# stdin when there is no argv (how Pacemaker runs agents), or --name=value options; exit 0 success, 1 failure,
# 2 "off" for status.
# shellcheck shell=bash

declare -A OPT=()
declare -A OPT_DEFAULT=()
declare -A OPT_ALIAS=([ipaddr]=ip [login]=username [passwd]=password [port]=plug [passwd_script]=password_script)
KNOWN_OPTS=" action nodename verbose "

fail() { echo "ERROR: $*" >&2; exit 1; }
warn() { echo "WARNING: $*" >&2; }
debug() { if is_true "${OPT[verbose]:-0}"; then echo "DEBUG: $*" >&2; fi; }
is_true() { case "${1,,}" in 1|yes|on|true) return 0 ;; *) return 1 ;; esac; }
opt() { if [ -n "${OPT[$1]+x}" ]; then printf '%s' "${OPT[$1]}"; else printf '%s' "${OPT_DEFAULT[$1]:-}"; fi; }

# set_opt NAME VALUE: canonical name (dashes as underscores, deprecated aliases), unknown names are warned about.
set_opt() {
  local name="${1//-/_}" value="$2"
  name="${OPT_ALIAS[$name]:-$name}"
  if [[ "$KNOWN_OPTS" != *" $name "* ]]; then
    warn "Parse error: Ignoring unknown option '$1=$value'"
    return
  fi
  OPT[$name]="$value"
}

# Stdin grammar of fence-agents: strip each line, skip blanks and # comments, split at the first '=', drop one
# pair of surrounding double quotes, last occurrence wins.
read_stdin() {
  local line name value
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [[ -z "$line" || "$line" == \#* ]] && continue
    if [[ "$line" != *=* ]]; then
      warn "Parse error: Ignoring unknown option '$line'"
      continue
    fi
    name="${line%%=*}"
    value="${line#*=}"
    if [[ ${#value} -ge 2 && "$value" == \"*\" ]]; then value="${value:1:${#value}-2}"; fi
    set_opt "$name" "$value"
  done
}

# Command line: --name=value, --flag (boolean true), -o ACTION, -n PLUG, --action ACTION.
read_argv() {
  while [ $# -gt 0 ]; do
    case "$1" in
      -o|--action) set_opt action "${2:-}"; shift ;;
      -n|--plug) set_opt plug "${2:-}"; shift ;;
      -v|--verbose) set_opt verbose 1 ;;
      -h|--help) set_opt action usage ;;
      --*=*) local kv="${1#--}"; set_opt "${kv%%=*}" "${kv#*=}" ;;
      --*) set_opt "${1#--}" 1 ;;
      *) fail "unknown argument '$1' (use --name=value, or key=value lines on stdin)" ;;
    esac
    shift
  done
}

read_args() {
  if [ $# -gt 0 ]; then read_argv "$@"; else read_stdin; fi
  OPT[action]="${OPT[action]:-reboot}"
  [ "${OPT[action]}" = "meta-data" ] && OPT[action]=metadata
  return 0
}

# require_number NAME: the option is a non-negative number (seconds may have a fraction).
require_number() {
  local v; v="$(opt "$1")"
  [[ "$v" =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "$1 '$v' is not a number"
}

# now_ms: wall-clock milliseconds for deadlines (no fork: bash 5's EPOCHREALTIME).
now_ms() { local t="${EPOCHREALTIME/[.,]/}"; echo $(( t / 1000 )); }

# to_ms SECONDS: seconds (may have a fraction) as whole milliseconds.
to_ms() { awk -v t="$1" 'BEGIN { printf "%d", t * 1000 }'; }

# power_state_or_fail CONTEXT: prints on/off, or fails with CONTEXT and the reason get_power_state gave.
power_state_or_fail() {
  local out
  if ! out="$(get_power_state 2>&1)"; then
    fail "$1: $(printf '%s\n' "$out" | grep -v '^DEBUG:' | tail -n 1)"
  fi
  printf '%s\n' "$out" | tail -n 1
}

# wait_for_state WANT: poll get_power_state until it equals WANT ("on"/"off") or power_timeout elapses.
wait_for_state() {
  local want="$1" deadline state
  deadline=$(( $(now_ms) + $(to_ms "$(opt power_timeout)") ))
  while :; do
    state="$(power_state_or_fail "status failed while waiting to power ${want^^}")" || exit 1
    [ "$state" = "$want" ] && return 0
    [ "$(now_ms)" -ge "$deadline" ] && fail "Timed out waiting to power ${want^^} (still ${state^^} after $(opt power_timeout) s)"
    sleep "$(opt power_poll)"
  done
}

# set_power WANT [KNOWN_STATE]: the standard's verified power change (KNOWN_STATE skips the first status read).
set_power() {
  local want="$1" state="${2:-}"
  if [ -z "$state" ]; then
    state="$(power_state_or_fail "Unable to obtain correct plug status")" || exit 1
  fi
  if [ "$state" = "$want" ]; then
    echo "Success: Already ${want^^}"
    return 0
  fi
  send_power "$want"
  local wait; wait="$(opt power_wait)"
  if [ "$wait" != 0 ]; then sleep "$wait"; fi
  wait_for_state "$want"
  echo "Success: Powered ${want^^}"
}

run_standard_action() {
  local state
  case "${OPT[action]}" in
    metadata) print_metadata; exit 0 ;;
    usage) print_metadata; exit 0 ;;
    validate-all) validate; exit 0 ;;
  esac
  validate
  if declare -F prepare >/dev/null; then prepare; fi
  case "${OPT[action]}" in
    status)
      state="$(power_state_or_fail "Unable to obtain correct plug status")" || exit 1
      echo "Status: ${state^^}"
      [ "$state" = on ] && exit 0
      exit 2 ;;
    monitor) monitor_device; exit 0 ;;
    off|on) set_power "${OPT[action]}"; exit 0 ;;
    reboot)
      set_power off
      # The off is verified: the node is fenced. A failed power-on is reported but does not undo that.
      if ! ( set_power on off ); then
        warn "power ON after a verified OFF failed"
      fi
      echo "Success: Rebooted"
      exit 0 ;;
    list) list_plugs; exit 0 ;;
    list-status) list_plugs status; exit 0 ;;
    *) fail "action '${OPT[action]}' is not supported" ;;
  esac
}
