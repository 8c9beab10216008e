#!/usr/bin/env bash
# The remote API under load, over TLS, against a daemon started from the distribution:
#   1. GET /api/v1/nodes/ID, 50 connections (requests per second);
#   2. GET /api/v1/vms of N VMs (default 10,000), 10 connections (latency percentiles);
#   3. a change made through the API reaching an open event stream (EventLatency: median, p99).
# Needs wrk (apt-get install wrk). Uses a free port and its own home; stops only the daemon it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-10000}"
(cd "$root" && mvn -q -B install -DskipTests) >&2
vagoth="$root/vagoth.dist/target/vagoth/bin/vagoth"
cp="$root/vagoth.bench/target/classes:$(cat "$root/vagoth.bench/target/classpath.txt")"
work="$(mktemp -d /var/tmp/vagoth-apibench.XXXXXX)"
export VAGOTH_HOME="$work/home"
trap '"$vagoth" daemon stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
unset VAGOTH_NO_DAEMON VAGOTH_JAVA_OPTS

VAGOTH_NO_DAEMON=1 "$vagoth" help >/dev/null
java -cp "$cp" vagoth.bench.FillRegistry "$VAGOTH_HOME" "$n"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "port = $port" >"$VAGOTH_HOME/etc/vagoth.http.cfg"
"$vagoth" daemon start 2>/dev/null
token="$(VAGOTH_NO_DAEMON=1 "$vagoth" token create --role admin --name bench | tail -1)"
until curl -sk -o /dev/null "https://127.0.0.1:$port/api/v1/nodes"; do sleep 0.2; done
id="$(curl -sk -H "Authorization: Bearer $token" "https://127.0.0.1:$port/api/v1/vms?name=name-42" \
  | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)"
[ -n "$id" ] || id="$(curl -sk -H "Authorization: Bearer $token" "https://127.0.0.1:$port/api/v1/vms" \
  | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)"
auth="Authorization: Bearer $token"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)"
echo "--- GET /api/v1/nodes/$id, 50 connections, 2 threads, 20 s (after a 5 s warm-up)"
wrk -t2 -c50 -d5s -H "$auth" "https://127.0.0.1:$port/api/v1/nodes/$id" >/dev/null
wrk -t2 -c50 -d20s --latency -H "$auth" "https://127.0.0.1:$port/api/v1/nodes/$id"
echo "--- GET /api/v1/vms ($n VMs), 10 connections, 2 threads, 20 s (after a 5 s warm-up)"
wrk -t2 -c10 -d5s -H "$auth" "https://127.0.0.1:$port/api/v1/vms" >/dev/null
wrk -t2 -c10 -d20s --latency --timeout 10s -H "$auth" "https://127.0.0.1:$port/api/v1/vms"
echo "--- a change through the API to its event on an open stream"
java -cp "$cp" vagoth.bench.EventLatency "$VAGOTH_HOME" "$port" "$token" "$id" 300
