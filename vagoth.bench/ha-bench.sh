#!/usr/bin/env bash
# High availability: 100 VMs asking for it (ha=restart) over 10 simulated hosts sharing storage, one daemon
# polling every second (grace.s = 5, min.missed.polls = 2); one host killed (its agent stops answering, its session
# agent ended): the time from its last answer to the last of its VMs running elsewhere, split into detection (grace
# and missed polls, up to the fence), the fence command, and the restarts (to the poll that sees them running).
# RUNS runs (default 5), each on a fresh home; medians. The fence command here is instant (a script): a real one
# (IPMI) adds its own time. Ends only the daemon it started, by its PID.
set -euo pipefail
export VAGOTH_NO_AUTOSTART=1
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-5}"
hosts=10
per_host=10
grace=5
vagoth="$root/vagoth.dist/target/vagoth/bin/vagoth"
agent="$root/vagoth.dist/target/vagoth/bin/vagoth-agent"
[ -x "$vagoth" ] || (cd "$root" && mvn -q -B install -DskipTests) >&2
work="$(mktemp -d /var/tmp/vagoth-habench.XXXXXX)"
daemon_pid=""
stop_daemon() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  daemon_pid=""
}
trap 'stop_daemon; rm -rf "$work"' EXIT
now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)) }'; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)"
for run in $(seq 1 "$runs"); do
  d="$work/run$run"
  mkdir -p "$d"
  export VAGOTH_HOME="$d/home"
  cat >"$d/agent" <<EOF
#!/bin/sh
# a simulated host that stops answering once it is killed (\$1.dead); its pid kept for the kill
h="\$1"; shift
[ -e "$d/\$h.dead" ] && { echo "ssh: connect to host \$h: No route to host" >&2; exit 255; }
echo \$\$ > "$d/\$h.pid"
exec "$agent" --backend sim --state "$d/\$h" --mem-total 65536 --cpus 64 "\$@"
EOF
  cat >"$d/fence" <<EOF
#!/bin/sh
date +%s.%N > "$d/fence.start"
touch "$d/\$1.dead"; rm -f "$d/\$1/vms/"*.json
date +%s.%N > "$d/fence.end"
EOF
  chmod +x "$d/agent" "$d/fence"
  "$vagoth" help >/dev/null
  printf '\ninterval.s = 1\ngrace.s = %s\n' "$grace" >>"$VAGOTH_HOME/etc/vagoth.monitor.cfg"
  printf '\nmin.missed.polls = 2\nbackoff.s = 1\n' >>"$VAGOTH_HOME/etc/vagoth.ha.cfg"
  printf '\nfence.command = %s {name}\n' "$d/fence" >>"$VAGOTH_HOME/etc/vagoth.virt.cfg"
  "$vagoth" daemon >"$d/daemon.log" 2>&1 &
  daemon_pid=$!
  while [ ! -S "$VAGOTH_HOME/var/run/vagoth.sock" ]; do sleep 0.2; done
  "$vagoth" maintenance hyper1 on >/dev/null
  for h in $(seq -w 1 "$hosts"); do
    "$vagoth" new --type hv "h$h" driver=geats agent_session=true shared_storage=san1 \
      "agent=/bin/sh $d/agent h$h" >/dev/null 2>&1
    for v in $(seq -w 1 "$per_host"); do
      "$vagoth" new "vm$h$v" ram=512 ha=restart "ha_priority=$v" >/dev/null 2>&1
      "$vagoth" define --hint "h$h" "vm$h$v" >/dev/null 2>&1
      "$vagoth" start "vm$h$v" >/dev/null 2>&1
    done
  done
  "$vagoth" poll >/dev/null 2>&1
  # the kill: h01 answers no more, its agent process ended
  last="$(now)"
  touch "$d/h01.dead"
  kill "$(cat "$d/h01.pid")" 2>/dev/null || true
  while true; do
    left="$("$vagoth" listvm --json 'vm01*' | python3 -c '
import json, sys
print(sum(1 for v in json.load(sys.stdin) if v.get("state") != "running" or v.get("parent") == "h01"))')"
    [ "$left" = 0 ] && break
    sleep 0.2
  done
  end="$(now)"
  fs="$(cat "$d/fence.start")"; fe="$(cat "$d/fence.end")"
  echo "run $run: $(ms "$last" "$end") ms in all: detection $(ms "$last" "$fs") ms (grace $grace s, 2 missed polls)," \
    "fence $(ms "$fs" "$fe") ms, restarts $(ms "$fe" "$end") ms ($per_host VMs)" | tee -a "$work/runs"
  stop_daemon
done
for part in "in all" detection fence restarts; do
  printf '%s: median %s ms\n' "$part" "$(grep -o "$part [0-9]*\|[0-9]* ms $part" "$work/runs" | grep -o '[0-9]*' | median)"
done
