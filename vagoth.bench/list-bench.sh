#!/usr/bin/env bash
# `bin/vagoth list` on a registry of N nodes (default 10,000), as whole processes:
# one-shot (no daemon) and through a running daemon, with hyperfine; then the thin
# client's peak RSS (GNU time) and the daemon's RSS holding a registry of M nodes
# (default 100,000) after a listing. Needs hyperfine and time (apt-get install hyperfine time).
set -euo pipefail
export VAGOTH_NO_AUTOSTART=1   # this script starts (and stops) the daemon it measures: commands use it, start none
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-10000}"; m="${2:-100000}"
(cd "$root" && mvn -q -B install -DskipTests) >&2
vagoth="$root/vagoth.dist/target/vagoth/bin/vagoth"
cp="$root/vagoth.bench/target/classes:$(cat "$root/vagoth.bench/target/classpath.txt")"
work="$(mktemp -d /var/tmp/vagoth-listbench.XXXXXX)"
daemon_pid=""
stop_daemon() {   # ends only the daemon this script started, by its PID
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  daemon_pid=""
}
trap 'stop_daemon; rm -rf "$work"' EXIT

export VAGOTH_HOME="$work/home"
"$vagoth" help >/dev/null                        # creates the home and hyper1
java -cp "$cp" vagoth.bench.FillRegistry "$VAGOTH_HOME" "$n"
lines=$("$vagoth" list | wc -l)
echo "listing prints $lines lines"
hyperfine --warmup 2 --runs 15 --export-json "$work/oneshot.json" --export-markdown "$work/oneshot.md" -n "one-shot list, $n nodes" "$vagoth list"
"$vagoth" daemon >"$work/daemon.log" 2>&1 &
daemon_pid=$!
while [ ! -S "$VAGOTH_HOME/var/run/vagoth.sock" ]; do sleep 0.2; done
hyperfine --warmup 3 --runs 40 --export-json "$work/daemon.json" --export-markdown "$work/daemon.md" -n "list through the daemon, $n nodes" "$vagoth list"
/usr/bin/time -f "%M" -o "$work/thin.rss" "$vagoth" list >/dev/null
echo "thin client peak RSS: $(cat "$work/thin.rss") KB"
stop_daemon

export VAGOTH_HOME="$work/big"
"$vagoth" help >/dev/null
java -cp "$cp" vagoth.bench.FillRegistry "$VAGOTH_HOME" "$m"
"$vagoth" daemon >"$work/daemon-big.log" 2>&1 &
daemon_pid=$!
while [ ! -S "$VAGOTH_HOME/var/run/vagoth.sock" ]; do sleep 0.2; done
"$vagoth" list >/dev/null
echo "daemon RSS holding $m nodes, after a full listing: $(( $(awk '/VmRSS/{print $2}' /proc/$daemon_pid/status) / 1024 )) MB"
median() { grep -o '"median": *[0-9.]*' "$1" | head -1 | sed 's/.*: *//' | awk '{printf "%.1f ms", $1 * 1000}'; }
echo "median one-shot: $(median "$work/oneshot.json"); median through the daemon: $(median "$work/daemon.json")"
cat "$work/oneshot.md" "$work/daemon.md"
