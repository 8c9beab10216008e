#!/usr/bin/env bash
# Real QEMU guests (the tiny guest, under TCG on machines whose /dev/kvm cannot run one), through bin/vagoth:
#   1. boot: from 'vagoth start' to the guest answering ssh by name (a bridge in a network namespace of this
#      script's own, dnsmasq serving DHCP and DNS on it, as the README's walkthrough);
#   2. live migration on shared storage of a 256 MiB and a 1 GiB guest, idle and while the guest rewrites 16 MB
#      of memory every second: QEMU's total time and measured downtime (default downtime limit: 300 ms);
#   3. live disk copy: a guest with a 1 GiB disk of data migrated between hosts that share nothing (MB/s).
# Each figure is the median of RUNS runs (default 5); every run's figure is printed too. Needs root, QEMU,
# dnsmasq and ssh. Uses its own homes, namespace and directories; ends only the processes it started, by PID.
set -euo pipefail
export VAGOTH_NO_AUTOSTART=1
runs="${RUNS:-5}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dist="$root/vagoth.dist/target/vagoth"
[ -x "$dist/bin/vagoth" ] || (cd "$root" && mvn -q -B install -DskipTests) >&2
work="$(mktemp -d /var/tmp/vagoth-qemubench.XXXXXX)"
chmod 755 "$work"
ns="vgb$$"
dnsmasq_pid=""
cleanup() {
  set +e
  for pidfile in "$work"/hosts/*/*/qemu.pid; do   # the guests this script started
    [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
  done
  [ -n "$dnsmasq_pid" ] && kill "$dnsmasq_pid" 2>/dev/null && wait "$dnsmasq_pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null; rm -rf "/etc/netns/$ns" "$work"
}
trap cleanup EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(qemu-system-x86_64 --version | head -1)"
"$dist/bin/vagoth-tiny-guest" "$work/images" >/dev/null

# the network: a bridge in a namespace, dnsmasq on it
ip netns add "$ns"; ip -n "$ns" link set lo up; ip -n "$ns" link add br0 type bridge
ip -n "$ns" addr add 10.78.0.1/24 dev br0; ip -n "$ns" link set br0 up
mkdir -p "/etc/netns/$ns"; printf 'nameserver 10.78.0.1\nsearch vagoth.bench\n' > "/etc/netns/$ns/resolv.conf"
export VAGOTH_HOME="$work/home"
v() { # a vagoth command; its error shown, and the script stopped, when it fails
  "$dist/bin/vagoth" "$@" 2>"$work/err" || { echo "vagoth $*: $(grep -v '^vagoth: txid=' "$work/err")" >&2; return 1; }
}
v list >/dev/null
sed -i 's/10\.0\.0\./10.78.0./g; s/domain = vagoth.local/domain = vagoth.bench/; s#^dnsmasq.dir =.*#dnsmasq.dir = '"$work"'/dnsmasq#' \
  "$VAGOTH_HOME/etc/vagoth.provisioner.template.cfg"
printf 'allocator.target = (vagoth.allocator=capacity)\nlive.timeout.s = 300\n' > "$VAGOTH_HOME/etc/vagoth.virt.cfg"
agent="ip netns exec $ns $dist/bin/vagoth-agent --backend qemu --shutdown-timeout 5"
v new --type hv qa driver=geats "agent=$agent --disks $work/shared --state $work/hosts/qa" shared_storage=s1 >/dev/null
v new --type hv qb driver=geats "agent=$agent --disks $work/shared --state $work/hosts/qb" shared_storage=s1 >/dev/null
v new --type hv qc driver=geats "agent=$agent --state $work/hosts/qc" >/dev/null
v new --type hv qd driver=geats "agent=$agent --state $work/hosts/qd" >/dev/null
v new seed0 template=tiny "kernel=$work/images/vmlinuz" >/dev/null   # makes dnsmasq's directories
ip netns exec "$ns" /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --interface=br0 --bind-interfaces \
  --no-resolv --no-hosts --user=nobody --hostsdir="$work/dnsmasq/hosts.d" --dhcp-hostsdir="$work/dnsmasq/dhcp-hosts.d" \
  --dhcp-range=10.78.0.0,static --dhcp-option=option:router,10.78.0.1 --domain=vagoth.bench --local=/vagoth.bench/ \
  --dhcp-leasefile="$work/leases" --log-facility="$work/dnsmasq.log" &
dnsmasq_pid=$!
ssh-keygen -q -t ed25519 -N "" -f "$work/key"
ssh=(ip netns exec "$ns" ssh -i "$work/key" -o BatchMode=yes -o ConnectTimeout=1 -o StrictHostKeyChecking=no
     -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
guest() { # NAME RAM APPEND [k=v...]
  local name="$1" ram="$2" append="$3"; shift 3
  v new "$name" template=tiny "kernel=$work/images/vmlinuz" "initrd=$work/images/initrd.img" "ram=$ram" \
    "append=console=ttyS0 quiet $append" bridge=br0 "ssh_authorized_keys=$(cat "$work/key.pub")" "$@" >/dev/null
}
now_ms() { date +%s%3N; }

echo "1. boot: 'vagoth start' to ssh answering by name (ms)"
boots=()
for i in $(seq "$runs"); do
  guest "boot$i" 256 ""
  v define --hint qa "boot$i" >/dev/null
  t0=$(now_ms); v start "boot$i" >/dev/null
  until "${ssh[@]}" "root@boot$i" true 2>/dev/null; do sleep 0.2; done
  t=$(( $(now_ms) - t0 )); boots+=("$t"); echo "   run $i: $t"
  v stop "boot$i" >/dev/null; v deprovision "boot$i" >/dev/null; v delete "boot$i" >/dev/null
done
echo "   median: $(printf '%s\n' "${boots[@]}" | median) ms"

echo "2. live migration on shared storage: total and downtime (ms)"
for ram in 256 1024; do
  for load in idle dirty; do
    name="m$ram$load"; append=""; [ "$load" = dirty ] && append="vagoth.dirty=16"
    guest "$name" "$ram" "$append"
    v define --hint qa "$name" >/dev/null; v start "$name" >/dev/null
    until "${ssh[@]}" "root@$name" true 2>/dev/null; do sleep 0.5; done
    sleep 3  # the dirtying loop under way
    totals=(); downs=(); to=qb
    for i in $(seq "$runs"); do
      v migrate --live "$name" "$to" >/dev/null
      job="$(v jobs --json | grep -m1 -o '"id": *"[0-9a-f]*"' | grep -o '[0-9a-f]\{8\}')"
      sent="$(v job "$job" | grep -m1 'sent:')"
      total="$(sed -E 's/.*sent: ([0-9]+) ms in all.*/\1/' <<<"$sent")"
      down="$(sed -E 's/.*downtime ([0-9]+) ms.*/\1/' <<<"$sent")"
      totals+=("$total"); downs+=("$down"); echo "   ${ram} MiB $load run $i: total $total, downtime $down"
      [ "$to" = qb ] && to=qa || to=qb
    done
    echo "   ${ram} MiB $load median: total $(printf '%s\n' "${totals[@]}" | median) ms, downtime $(printf '%s\n' "${downs[@]}" | median) ms"
    v stop "$name" >/dev/null; v deprovision "$name" >/dev/null
  done
done

echo "3. live disk copy of a 1 GiB disk (no shared storage)"
qemu-img create -q -f qcow2 "$work/base.qcow2" 1G
qemu-io -f qcow2 -c "write -P 0x5a 0 1G" "$work/base.qcow2" >/dev/null
rates=(); to=qd
for i in $(seq "$runs"); do
  name="disk$i"
  guest "$name" 256 "" "image=$work/base.qcow2" disk_copy=true
  v define --hint qc "$name" >/dev/null; v start "$name" >/dev/null
  sleep 5
  v migrate --live "$name" qd >/dev/null
  job="$(v jobs --json | grep -m1 -o '"id": *"[0-9a-f]*"' | grep -o '[0-9a-f]\{8\}')"
  sent="$(v job "$job" | grep -m1 'sent:')"
  bytes="$(sed -E 's/.*, ([0-9]+) bytes of disk copied in ([0-9]+) ms.*/\1/' <<<"$sent")"
  ms="$(sed -E 's/.*, ([0-9]+) bytes of disk copied in ([0-9]+) ms.*/\2/' <<<"$sent")"
  rate=$(( bytes / 1000 / ms )); rates+=("$rate"); echo "   run $i: $bytes bytes in $ms ms: $rate MB/s"
  v stop "$name" >/dev/null; v deprovision "$name" >/dev/null; v delete "$name" >/dev/null
done
echo "   median: $(printf '%s\n' "${rates[@]}" | median) MB/s"
