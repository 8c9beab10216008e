#!/usr/bin/env bash
# `bin/vagoth new NAME template=debian` through a running daemon in a home of N provisioned VMs (each with its
# address, MAC and DNS name), for N = 1,000, 10,000 and 100,000 (or the sizes given): hyperfine, 3 warm-ups and
# 15 runs each, medians; beside it, on the same daemon, `list` of one node: the thin client's floor (a JVM and a
# socket), which `new` cannot go under; and the daemon's own part, as `POST /api/v1/nodes` with curl (a TLS
# connection each, hyperfine subtracting its shell). With BEFORE=<a distribution directory> (vagoth.dist/target/vagoth of the code to compare
# with) the same runs are made with it, one after the other on the same homes' copies, for the ratio.
# Needs hyperfine (apt-get install hyperfine). Ends only the daemons it started, by their PIDs.
set -euo pipefail
export VAGOTH_NO_AUTOSTART=1   # this script starts (and stops) the daemons it measures: commands use it, start none
root="$(cd "$(dirname "$0")/.." && pwd)"
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
(cd "$root" && mvn -q -B install -DskipTests) >&2
cp="$root/vagoth.bench/target/classes:$(cat "$root/vagoth.bench/target/classpath.txt")"
work="$(mktemp -d /var/tmp/vagoth-newbench.XXXXXX)"
daemon_pid=""
stop_daemon() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  daemon_pid=""
}
trap 'stop_daemon; rm -rf "$work"' EXIT

dists=("now=$root/vagoth.dist/target/vagoth")
[ -n "${BEFORE:-}" ] && dists+=("before=$BEFORE")
median() { grep -o '"median": *[0-9.]*' "$1" | head -1 | sed 's/.*: *//' | awk '{printf "%.1f", $1 * 1000}'; }
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)"
for n in "${sizes[@]}"; do
  for d in "${dists[@]}"; do
    name="${d%%=*}"; vagoth="${d#*=}/bin/vagoth"
    export VAGOTH_HOME="$work/$name-$n"
    "$vagoth" help >/dev/null                                  # creates the home and hyper1
    cfg="$VAGOTH_HOME/etc/vagoth.provisioner.template.cfg"     # room for 100,000 VMs and more
    sed -i -e 's|^subnet = .*|subnet = 10.0.0.0/14|' -e 's|^range = .*|range = 10.0.0.10-10.3.255.250|' "$cfg"
    sed -i 's/(vagoth.provisioner=basic)/(vagoth.provisioner=template)/' "$VAGOTH_HOME/etc/vagoth.manager.cfg"
    java -cp "$cp" vagoth.bench.FillRegistry "$VAGOTH_HOME" "$n" provisioned >/dev/null
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    printf 'port = %s\n' "$port" >"$VAGOTH_HOME/etc/vagoth.http.cfg"
    "$vagoth" daemon >"$work/daemon-$name-$n.log" 2>&1 &
    daemon_pid=$!
    while [ ! -S "$VAGOTH_HOME/var/run/vagoth.sock" ]; do sleep 0.2; done
    hyperfine -N --warmup 3 --runs 15 --export-json "$work/$name-$n.json" -n "$name: new, $n VMs" \
      "bash -c '\"$vagoth\" new b\$RANDOM\$RANDOM\$RANDOM template=debian'" >/dev/null
    hyperfine -N --warmup 3 --runs 15 --export-json "$work/$name-$n-floor.json" -n "$name: list one, $n VMs" \
      "bash -c '\"$vagoth\" list hyper1'" >/dev/null
    token=$("$vagoth" token create --role admin --name bench | tail -1)
    until curl -sk -o /dev/null "https://127.0.0.1:$port/api/v1/nodes/hyper1" -H "Authorization: Bearer $token"; do
      sleep 0.5
    done
    hyperfine --shell=bash --warmup 3 --runs 15 --export-json "$work/$name-$n-api.json" -n "$name: POST, $n VMs" \
      "curl -sk -o /dev/null -X POST https://127.0.0.1:$port/api/v1/nodes -H 'Authorization: Bearer $token' \
       -H 'Content-Type: application/json' -d '{\"id\": \"a'\$RANDOM\$RANDOM\$RANDOM'\", \"definition\": {\"template\": \"debian\"}}'" \
      >/dev/null
    echo "$name: new through the daemon at $n VMs: median $(median "$work/$name-$n.json") ms" \
      "(list of one node on the same daemon: $(median "$work/$name-$n-floor.json") ms;" \
      "POST /api/v1/nodes with curl: $(median "$work/$name-$n-api.json") ms)"
    stop_daemon
    rm -rf "$VAGOTH_HOME"
  done
done
