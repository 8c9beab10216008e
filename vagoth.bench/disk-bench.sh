#!/usr/bin/env bash
# A container's disk between two local LXC agents (stream mode, through the Geats driver), against
# tar c | tar x between the same directories, alternating in one run (medians).
#   vagoth.bench/disk-bench.sh [SIZE_MB (default 1024)] [RUNS (default 5)]
# Needs root and LXC (apt-get install lxc busybox-static). Works in its own directory under /var/tmp
# and removes it, and the container it made, at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$root" && mvn -q -B install -DskipTests) >&2
cp="$root/vagoth.bench/target/classes:$(cat "$root/vagoth.bench/target/classpath.txt")"
work="$(mktemp -d /var/tmp/vagoth-diskbench.XXXXXX)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)"
echo "disk: $(df -h "$work" | tail -1 | awk '{print $1, $2}')"
java -cp "$cp" vagoth.bench.DiskCopyBenchmark "$root/vagoth.dist/target/vagoth" "$work" "${1:-1024}" "${2:-5}"
