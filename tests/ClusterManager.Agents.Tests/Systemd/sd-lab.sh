#!/usr/bin/env bash
# A throw-away systemd (PID 1 of a systemd-nspawn container) for the systemd agent's tests, on a machine whose
# own PID 1 is not systemd. The container boots the host's OS tree read-only through an overlay on a tmpfs,
# has only loopback networking, and is driven from the host over its D-Bus system bus socket.
#   sd-lab.sh up NAME DIR     boots it; unit files in DIR/units appear at /usr/local/lib/systemd/system;
#                             writes DIR/pid (container PID 1) and DIR/system_bus_socket (a symlink)
#   sd-lab.sh down NAME DIR   halts it, kills what is left and removes its cgroups and DIR
set -euo pipefail
cmd=$1 name=$2 dir=$3
cg=/sys/fs/cgroup
if [ -d "$cg/systemd" ]; then cgroups=("$cg/systemd/$name" "$cg/unified/$name"); else cgroups=("$cg/$name"); fi

up() {
  command -v systemd-nspawn >/dev/null || { echo "systemd-nspawn missing (apt-get install systemd-container)" >&2; exit 2; }
  mkdir -p "$dir/units" "$dir/mnt"
  for c in "${cgroups[@]}"; do mkdir -p "$c"; done
  cat > "$dir/inner.sh" <<EOF
set -e
for c in ${cgroups[*]}; do echo \$\$ > "\$c/cgroup.procs"; done
mount -t tmpfs tmpfs "$dir/mnt"
mkdir -p "$dir/mnt/upper" "$dir/mnt/work" "$dir/mnt/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$dir/mnt/upper,workdir=$dir/mnt/work" "$dir/mnt/root"
R="$dir/mnt/root"
printf '[Unit]\nDescription=lab\nRequires=basic.target dbus.service\nAfter=basic.target dbus.service\nAllowIsolate=yes\n' > "\$R/etc/systemd/system/sd-lab.target"
ln -sf sd-lab.target "\$R/etc/systemd/system/default.target"
for u in timers.target systemd-timesyncd.service systemd-pstore.service getty.target console-getty.service; do
  ln -sf /dev/null "\$R/etc/systemd/system/\$u"
done
mkdir -p "\$R/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' > "\$R/etc/systemd/journald.conf.d/lab.conf"
cat /proc/sys/kernel/random/uuid | tr -d '-' > "\$R/etc/machine-id"
echo "$name" > "\$R/etc/hostname"
mkdir -p /run/systemd/nspawn
mount -t tmpfs tmpfs /run/systemd/nspawn
exec systemd-nspawn -q -D "\$R" -M "$name" -b --private-network --register=no --keep-unit --console=passive \
  --link-journal=no --kill-signal=SIGRTMIN+3 --bind-ro="$dir/units:/usr/local/lib/systemd/system"
EOF
  setsid unshare --mount --propagation private bash "$dir/inner.sh" >"$dir/nspawn.log" 2>&1 </dev/null &
  echo $! > "$dir/nspawn.pid"
  local nspawn=$! pid="" i
  for i in $(seq 1 600); do
    pid=$(ps --ppid "$nspawn" -o pid=,comm= 2>/dev/null | awk '$2=="systemd"{print $1; exit}' || true)
    [ -n "$pid" ] && break
    kill -0 "$nspawn" 2>/dev/null || { echo "nspawn exited:" >&2; cat "$dir/nspawn.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$pid" ] || { echo "container systemd did not appear" >&2; cat "$dir/nspawn.log" >&2; exit 1; }
  echo "$pid" > "$dir/pid"
  for i in $(seq 1 600); do
    [ -S "/proc/$pid/root/run/systemd/private" ] && break
    sleep 0.1
  done
  timeout 60 nsenter -t "$pid" -a systemctl is-system-running --wait >/dev/null 2>&1 || true
  for i in $(seq 1 600); do
    [ -S "/proc/$pid/root/run/dbus/system_bus_socket" ] && break
    sleep 0.1
  done
  [ -S "/proc/$pid/root/run/dbus/system_bus_socket" ] || { echo "no D-Bus socket in the container" >&2; exit 1; }
  ln -sfn "/proc/$pid/root/run/dbus/system_bus_socket" "$dir/system_bus_socket"
}

down() {
  local nspawn pid i
  nspawn=$(cat "$dir/nspawn.pid" 2>/dev/null || true)
  pid=$(cat "$dir/pid" 2>/dev/null || true)
  [ -n "$nspawn" ] && kill -TERM "$nspawn" 2>/dev/null || true
  for i in $(seq 1 100); do
    alive=0
    for p in $nspawn $pid; do
      if [ -e "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ]; then alive=1; fi
    done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  [ -n "$nspawn" ] && kill -KILL "$nspawn" 2>/dev/null || true
  for c in "${cgroups[@]}"; do
    [ -d "$c" ] || continue
    for i in $(seq 1 50); do
      find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [ -d "$c" ] || break
      sleep 0.1
    done
  done
  rmdir /run/systemd/nspawn 2>/dev/null || true
  rm -rf "$dir"
}

"$cmd"
