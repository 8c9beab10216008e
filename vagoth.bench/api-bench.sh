#!/usr/bin/env bash
# The remote API under load, over TLS, against a daemon run from the distribution:
#   1. GET /api/v1/nodes/ID, 50 connections (requests per second);
#   2. GET /api/v1/vms of N VMs (default 10,000), 10 connections (latency percentiles);
#   3. a change made through the API reaching an open event stream (EventLatency: median, p99);
#   4. an authenticated GET /api/v1/nodes/ID while 200 event streams and 200 stalled uploads without a token are
#      open (UnderAttack: median, p99, and how many took over 10 s).
# With BEFORE=<a distribution directory> (vagoth.dist/target/vagoth of the code to compare with) the same runs are
# made against it too, one after the other, each on a fresh home, for the ratio. The clients are this tree's.
# Needs wrk (apt-get install wrk). Uses free ports and its own homes; ends only the daemons it started, by PID.
set -euo pipefail
export VAGOTH_NO_AUTOSTART=1   # this script starts (and stops) the daemons it measures: commands use it, start none
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-10000}"
(cd "$root" && mvn -q -B install -DskipTests) >&2
cp="$root/vagoth.bench/target/classes:$(cat "$root/vagoth.bench/target/classpath.txt")"
work="$(mktemp -d /var/tmp/vagoth-apibench.XXXXXX)"
daemon_pid=""
stop_daemon() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  daemon_pid=""
}
trap 'stop_daemon; rm -rf "$work"' EXIT
unset VAGOTH_JAVA_OPTS

dists=("now=$root/vagoth.dist/target/vagoth")
[ -n "${BEFORE:-}" ] && dists+=("before=$BEFORE")
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)"
for d in "${dists[@]}"; do
  name="${d%%=*}"; vagoth="${d#*=}/bin/vagoth"
  export VAGOTH_HOME="$work/$name"
  "$vagoth" help >/dev/null
  java -cp "$cp" vagoth.bench.FillRegistry "$VAGOTH_HOME" "$n" >/dev/null
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  echo "port = $port" >"$VAGOTH_HOME/etc/vagoth.http.cfg"
  "$vagoth" daemon >"$work/daemon-$name.log" 2>&1 &
  daemon_pid=$!
  while [ ! -S "$VAGOTH_HOME/var/run/vagoth.sock" ]; do sleep 0.2; done
  token="$("$vagoth" token create --role admin --name bench | tail -1)"
  viewers=""
  for i in 1 2 3 4; do
    viewers="$viewers${viewers:+,}$("$vagoth" token create --role viewer --name "viewer$i" | tail -1)"
  done
  until curl -sk -o /dev/null "https://127.0.0.1:$port/api/v1/nodes"; do sleep 0.2; done
  auth="Authorization: Bearer $token"
  id="$(curl -sk -H "$auth" "https://127.0.0.1:$port/api/v1/vms?name=name-42" \
    | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)"
  [ -n "$id" ] || id="$(curl -sk -H "$auth" "https://127.0.0.1:$port/api/v1/vms" \
    | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)"
  echo "=== $name ($vagoth)"
  echo "--- GET /api/v1/nodes/$id, 50 connections, 2 threads, 20 s (after a 5 s warm-up)"
  wrk -t2 -c50 -d5s -H "$auth" "https://127.0.0.1:$port/api/v1/nodes/$id" >/dev/null
  wrk -t2 -c50 -d20s --latency -H "$auth" "https://127.0.0.1:$port/api/v1/nodes/$id"
  echo "--- GET /api/v1/vms ($n VMs), 10 connections, 2 threads, 20 s (after a 5 s warm-up)"
  wrk -t2 -c10 -d5s -H "$auth" "https://127.0.0.1:$port/api/v1/vms" >/dev/null
  wrk -t2 -c10 -d20s --latency --timeout 10s -H "$auth" "https://127.0.0.1:$port/api/v1/vms"
  echo "--- a change through the API to its event on an open stream"
  java -cp "$cp" vagoth.bench.EventLatency "$VAGOTH_HOME" "$port" "$token" "$id" 300
  echo "--- GET /api/v1/nodes/$id under 200 event streams and 200 stalled uploads"
  java -cp "$cp" vagoth.bench.UnderAttack "$VAGOTH_HOME" "$port" "$token" "$id" "$viewers" 200
  stop_daemon
done
