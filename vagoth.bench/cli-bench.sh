#!/usr/bin/env bash
# The fast command line, as an operator meets it (the distribution's bin/vagoth, daemon started by itself):
#   1. the JVM's own start (a class printing one line), and with a Unix-socket connect: the floor under the thin client;
#   2. `bin/vagoth list` of N VMs (default 10,000) through the daemon;
#   3. the original's ten-command walkthrough as ten bin/vagoth processes, the daemon already started;
#   4. the very first command on a fresh home, the daemon's start included;
#   5. the thin client's peak RSS (GNU time).
# hyperfine for 1-4 (medians); needs hyperfine and time (apt-get install hyperfine time).
# Ends only the daemons it started (by `vagoth daemon stop` on its own homes).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-10000}"
(cd "$root" && mvn -q -B install -DskipTests) >&2
vagoth="$root/vagoth.dist/target/vagoth/bin/vagoth"
cp="$root/vagoth.bench/target/classes:$(cat "$root/vagoth.bench/target/classpath.txt")"
work="$(mktemp -d /var/tmp/vagoth-clibench.XXXXXX)"
homes=()
stop_daemons() { for h in "${homes[@]}"; do VAGOTH_HOME="$h" "$vagoth" daemon stop >/dev/null 2>&1 || true; done; }
trap 'stop_daemons; rm -rf "$work"' EXIT
unset VAGOTH_NO_DAEMON VAGOTH_JAVA_OPTS

# the floor: a class printing one line, and one that also connects to a Unix socket first (what any Java thin
# client pays the JDK for its socket), each with a static class-data-sharing archive of its own as the thin client
mkdir -p "$work/hello"
cat >"$work/hello/Hello.java" <<'JAVA'
public class Hello {
    public static void main(String[] a) throws Exception {
        if (a.length > 0) {
            try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                c.connect(java.net.UnixDomainSocketAddress.of(a[0]));
            }
        }
        System.out.println("hello");
    }
}
JAVA
javac -d "$work/hello" "$work/hello/Hello.java"
jar cf "$work/hello.jar" -C "$work/hello" Hello.class   # an archive's classes come from jars, not directories
jvm="java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx32m -Xss512k -XX:-UsePerfData"
archive() { # archive NAME ARGS...: a static archive of Hello run with ARGS
  local name=$1; shift
  $jvm -Xshare:off -XX:DumpLoadedClassList="$work/$name.classes" -cp "$work/hello.jar" Hello "$@" >/dev/null
  $jvm -Xshare:dump -XX:SharedClassListFile="$work/$name.classes" -XX:SharedArchiveFile="$work/$name.jsa" \
    -cp "$work/hello.jar" >/dev/null
}

export VAGOTH_HOME="$work/list"; homes+=("$VAGOTH_HOME")
VAGOTH_NO_DAEMON=1 "$vagoth" help >/dev/null                      # creates the home and hyper1
java -cp "$cp" vagoth.bench.FillRegistry "$VAGOTH_HOME" "$n"
"$vagoth" daemon start 2>/dev/null
echo "listing prints $("$vagoth" list | wc -l) lines"
archive hello; archive connect "$VAGOTH_HOME/var/run/vagoth.sock"
hyperfine -N --warmup 5 --runs 40 --export-json "$work/jvm.json" -n "the JVM's own start" \
  "$jvm -XX:SharedArchiveFile=$work/hello.jsa -cp $work/hello.jar Hello"
hyperfine -N --warmup 5 --runs 40 --export-json "$work/connect.json" -n "the JVM's start and a Unix-socket connect" \
  "$jvm -XX:SharedArchiveFile=$work/connect.jsa -cp $work/hello.jar Hello $VAGOTH_HOME/var/run/vagoth.sock"
hyperfine -N --warmup 5 --runs 40 --export-json "$work/list.json" -n "list through the daemon, $n nodes" "$vagoth list"
/usr/bin/time -f "%M" -o "$work/thin.rss" "$vagoth" list >/dev/null

export VAGOTH_HOME="$work/walk"; homes+=("$VAGOTH_HOME")
"$vagoth" list >/dev/null 2>&1                                     # starts the daemon
cat >"$work/walkthrough" <<EOF
#!/usr/bin/env bash
set -e
export VAGOTH_HOME="$VAGOTH_HOME"
v="$vagoth"
"\$v" new devnode1 template=debian; "\$v" list devnode1; "\$v" start devnode1; "\$v" list devnode1; "\$v" poll
"\$v" list devnode1; "\$v" stop devnode1; "\$v" poll; "\$v" deprovision devnode1; "\$v" delete devnode1
EOF
chmod +x "$work/walkthrough"
hyperfine -N --warmup 2 --runs 15 --export-json "$work/walk.json" -n "the ten-command walkthrough" \
  "$work/walkthrough"

fresh="$work/fresh"; homes+=("$fresh")
hyperfine -N --runs 10 --export-json "$work/first.json" -n "first command on a fresh home" \
  --prepare "bash -c 'VAGOTH_HOME=$fresh $vagoth daemon stop >/dev/null 2>&1; rm -rf $fresh'" \
  "env VAGOTH_HOME=$fresh $vagoth list"

median() { grep -o '"median": *[0-9.]*' "$1" | head -1 | sed 's/.*: *//' | awk '{printf "%.1f ms", $1 * 1000}'; }
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)"
echo "the JVM's own start:                       $(median "$work/jvm.json")"
echo "the JVM's start and a Unix-socket connect: $(median "$work/connect.json")"
echo "list of $n VMs through the daemon:      $(median "$work/list.json")"
echo "ten-command walkthrough (ten processes):   $(median "$work/walk.json")"
echo "first command on a fresh home:             $(median "$work/first.json")"
echo "thin client peak RSS:                      $(( $(cat "$work/thin.rss") / 1024 )) MB"
