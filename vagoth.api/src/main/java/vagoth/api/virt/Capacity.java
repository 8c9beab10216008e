package vagoth.api.virt;

import java.util.Collection;

import vagoth.api.Node;
import vagoth.api.Resources;

/**
 * What a hypervisor offers and what the VMs on it ask for: the arithmetic
 * placement and {@code listhv} share. Offers are -1 when unknown (neither
 * declared in the definition nor reported by its agent).
 *
 * @param memTotal MB of memory it offers
 * @param cpus     CPUs it offers
 * @param maxVms   how many VMs it takes at most
 * @param vms      how many VMs are on it
 * @param ramUsed  MB its VMs ask for
 * @param cpusUsed CPUs its VMs ask for
 */
public record Capacity(long memTotal, long cpus, long maxVms, int vms, long ramUsed, long cpusUsed) {

    /** The capacity of {@code hv} carrying {@code vms}. */
    public static Capacity of(Node hv, Collection<Node> vms) {
        Capacity c = new Capacity(Resources.offered(hv, Resources.MEM_TOTAL), Resources.offered(hv, Resources.CPUS),
                Resources.offered(hv, Resources.MAX_VMS), 0, 0, 0);
        for (Node vm : vms) {
            c = c.with(vm);
        }
        return c;
    }

    /** This capacity with {@code vm} on it as well. */
    public Capacity with(Node vm) {
        return new Capacity(memTotal, cpus, maxVms, vms + 1, ramUsed + Resources.asked(vm, Resources.RAM),
                cpusUsed + Resources.asked(vm, Resources.CPUS));
    }

    /** MB of memory not asked for; -1 when what it offers is unknown. */
    public long ramFree() {
        return memTotal < 0 ? -1 : memTotal - ramUsed;
    }
}
