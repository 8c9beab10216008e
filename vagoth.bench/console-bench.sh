#!/usr/bin/env bash
# The web console in Debian's headless Chromium (apt-get install chromium chromium-driver), against a daemon
# started from the distribution with N VMs (default 10,000) and one simulated VM, bench1, that starts and stops:
#   1. the VM list ready for input after navigation; 2. a VM's state change visible in an open list.
# Uses a free port and its own home; stops only the daemon it started (Chromium ends with its driver).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-10000}"
runs="${2:-20}"
(cd "$root" && mvn -q -B install -DskipTests) >&2
vagoth="$root/vagoth.dist/target/vagoth/bin/vagoth"
cp="$root/vagoth.bench/target/classes:$(cat "$root/vagoth.bench/target/classpath.txt")"
work="$(mktemp -d /var/tmp/vagoth-consolebench.XXXXXX)"
export VAGOTH_HOME="$work/home"
trap '"$vagoth" daemon stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
unset VAGOTH_NO_DAEMON VAGOTH_JAVA_OPTS

VAGOTH_NO_DAEMON=1 "$vagoth" help >/dev/null
java -cp "$cp" vagoth.bench.FillRegistry "$VAGOTH_HOME" "$n"
# the filled VMs hold the default range's addresses: give bench1 room of its own
sed -i -e 's|^subnet = .*|subnet = 10.1.0.0/24|' -e 's|^gateway = .*|gateway = 10.1.0.1|' \
  -e 's|^range = .*|range = 10.1.0.10-10.1.0.250|' "$VAGOTH_HOME/etc/vagoth.provisioner.template.cfg"
VAGOTH_NO_DAEMON=1 "$vagoth" new bench1 ram=512 >/dev/null
VAGOTH_NO_DAEMON=1 "$vagoth" define --hint hyper1 bench1 >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "port = $port" >"$VAGOTH_HOME/etc/vagoth.http.cfg"
"$vagoth" daemon start 2>/dev/null
token="$(VAGOTH_NO_DAEMON=1 "$vagoth" token create --role operator --name bench | tail -1)"
until curl -sk -o /dev/null "https://127.0.0.1:$port/ui/"; do sleep 0.2; done
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)," \
  "$(/usr/bin/chromium --version 2>/dev/null | head -1)"
java -cp "$cp" vagoth.bench.ConsoleBenchmark "$VAGOTH_HOME" "$port" "$token" bench1 "$runs"
