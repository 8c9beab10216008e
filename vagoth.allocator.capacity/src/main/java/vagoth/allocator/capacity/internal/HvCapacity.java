package vagoth.allocator.capacity.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import vagoth.api.Node;
import vagoth.api.Resources;
import vagoth.api.virt.VmStates;

/**
 * One hypervisor as placement sees it: what it offers (from its definition
 * when declared there, else the monitor's latest facts; -1 when unknown),
 * what its VMs ask for, and the anti-affinity tag values present on it.
 */
final class HvCapacity {
    final Node node;
    final long memTotal;
    final long cpus;
    final long maxVms;
    long ramUsed;
    long cpusUsed;
    long vms;
    final Map<String, Set<String>> tags = new HashMap<>();

    HvCapacity(Node node) {
        this.node = node;
        this.memTotal = Resources.offered(node, Resources.MEM_TOTAL);
        this.cpus = Resources.offered(node, Resources.CPUS);
        this.maxVms = Resources.offered(node, Resources.MAX_VMS);
    }

    /** A copy to plan on: what it offers, and what is placed on it so far. */
    HvCapacity copy() {
        HvCapacity c = new HvCapacity(node);
        c.ramUsed = ramUsed;
        c.cpusUsed = cpusUsed;
        c.vms = vms;
        tags.forEach((k, v) -> c.tags.put(k, new HashSet<>(v)));
        return c;
    }

    void add(Node vm, Demand d, Set<String> exclusionTags) {
        ramUsed += d.ram();
        cpusUsed += d.cpus();
        vms++;
        for (String key : exclusionTags) {
            String value = vm.tags().get(key);
            if (value != null) {
                tags.computeIfAbsent(key, k -> new HashSet<>()).add(value);
            }
        }
    }

    boolean inMaintenance() {
        return Boolean.parseBoolean(node.metadata().get(VmStates.MAINTENANCE_FLAG));
    }

    boolean fenced() {
        return Boolean.parseBoolean(node.metadata().get(VmStates.FENCED));
    }

    boolean unreachable() {
        return VmStates.UNREACHABLE.equals(node.state());
    }

    long ramLimit(double ratio) {
        return memTotal < 0 ? -1 : (long) Math.floor(memTotal * ratio);
    }

    long cpuLimit(double ratio) {
        return cpus < 0 ? -1 : (long) Math.floor(cpus * ratio);
    }
}
