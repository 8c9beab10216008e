#!/usr/bin/env bash
# The native client against the JVM client (VAGOTH_JVM_CLIENT=1), side by side in one hyperfine run each, through
# one running daemon (bin/vagoth as an operator runs it; medians, -N: no shell unless a figure needs one):
#   1. bin/vagoth --version: bin/vagoth and the client, no daemon asked (the floor under every command);
#   2. list of one node, in a home of N VMs (default 10,000);
#   3. list of all N;
#   4. new NAME (a new name each run) in that home;
#   5. the original's ten-command walkthrough (new, list, start, list, poll, list, stop, poll, deprovision,
#      delete) as ten bin/vagoth processes in a script, on a home of its own.
# 30 runs after 5 warm-ups (the walkthrough: 15 after 2). Needs hyperfine (apt-get install hyperfine) and a C
# compiler for the native client (apt-get install gcc). Ends only the daemons it started (vagoth daemon stop).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-10000}"
(cd "$root" && mvn -q -B install -DskipTests) >&2
vagoth="$root/vagoth.dist/target/vagoth/bin/vagoth"
[ -x "$root/vagoth.dist/target/vagoth/lib/vagoth-client" ] || { echo "no native client was built (no cc?)" >&2; exit 1; }
cp="$root/vagoth.bench/target/classes:$(cat "$root/vagoth.bench/target/classpath.txt")"
work="$(mktemp -d /var/tmp/vagoth-nativebench.XXXXXX)"
homes=()
stop_daemons() { for h in "${homes[@]}"; do VAGOTH_HOME="$h" "$vagoth" daemon stop >/dev/null 2>&1 || true; done; }
trap 'stop_daemons; rm -rf "$work"' EXIT
unset VAGOTH_NO_DAEMON VAGOTH_JAVA_OPTS VAGOTH_JVM_CLIENT
export VAGOTH_NO_AUTOSTART=1   # the daemons are this script's
median() { grep -o '"median": *[0-9.]*' "$1" | sed -n "${2}p" | sed 's/.*: *//' | awk '{printf "%.1f", $1 * 1000}'; }
row() { # row LABEL JSON: "LABEL | native | JVM | ratio"
  local a b; a=$(median "$2" 1); b=$(median "$2" 2)
  awk -v l="$1" -v a="$a" -v b="$b" 'BEGIN { printf "| %s | %s ms | %s ms | %.1fx |\n", l, a, b, b / a }'
}

export VAGOTH_HOME="$work/list"; homes+=("$VAGOTH_HOME")
VAGOTH_NO_DAEMON=1 "$vagoth" help >/dev/null                      # creates the home and hyper1
sed -i -e 's|^subnet = .*|subnet = 10.0.0.0/14|' -e 's|^range = .*|range = 10.0.0.10-10.3.255.250|' \
  "$VAGOTH_HOME/etc/vagoth.provisioner.template.cfg"               # addresses for every new VM of the runs
java -cp "$cp" vagoth.bench.FillRegistry "$VAGOTH_HOME" "$n" >/dev/null
"$vagoth" daemon start 2>/dev/null
for i in $(seq 30); do "$vagoth" list >/dev/null; done            # the daemon warmed
jvm="env VAGOTH_JVM_CLIENT=1 $vagoth"
hyperfine -N --warmup 5 --runs 30 --export-json "$work/version.json" \
  -n native "$vagoth --version" -n JVM "$jvm --version"
hyperfine -N --warmup 5 --runs 30 --export-json "$work/one.json" \
  -n native "$vagoth list hyper1" -n JVM "$jvm list hyper1"
hyperfine -N --warmup 5 --runs 30 --export-json "$work/all.json" \
  -n native "$vagoth list" -n JVM "$jvm list"
# a new name each run: bash's $RANDOM twice (hyperfine subtracts the shell's own start)
hyperfine --shell=bash --warmup 5 --runs 30 --export-json "$work/new.json" \
  -n native "$vagoth new n\$RANDOM\$RANDOM >/dev/null" -n JVM "$jvm new j\$RANDOM\$RANDOM >/dev/null"

export VAGOTH_HOME="$work/walk"; homes+=("$VAGOTH_HOME")
VAGOTH_NO_DAEMON=1 "$vagoth" help >/dev/null
"$vagoth" daemon start 2>/dev/null
for client in native jvm; do
  cat >"$work/walk-$client" <<EOF
#!/usr/bin/env bash
set -e
export VAGOTH_HOME="$VAGOTH_HOME"
$([ "$client" = jvm ] && echo "export VAGOTH_JVM_CLIENT=1")
v="$vagoth"
"\$v" new devnode1 template=debian; "\$v" list devnode1; "\$v" start devnode1; "\$v" list devnode1; "\$v" poll
"\$v" list devnode1; "\$v" stop devnode1; "\$v" poll; "\$v" deprovision devnode1; "\$v" delete devnode1
EOF
  chmod +x "$work/walk-$client"
done
hyperfine -N --warmup 2 --runs 15 --export-json "$work/walk.json" \
  -n native "$work/walk-native" -n JVM "$work/walk-jvm"

echo
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)"
echo "| figure (median) | native client | JVM client | JVM / native |"
echo "|---|---|---|---|"
row "bin/vagoth --version (no daemon asked)" "$work/version.json"
row "list of one node ($n in the registry)" "$work/one.json"
row "list of $n VMs" "$work/all.json"
row "new at $n" "$work/new.json"
row "ten-command walkthrough" "$work/walk.json"
