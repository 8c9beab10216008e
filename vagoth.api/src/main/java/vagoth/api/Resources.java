package vagoth.api;

import java.util.Map;

/**
 * The definition keys placement counts on, and what each may hold. A
 * definition with a value placement could not use is refused before it is
 * stored ({@link Node#validate()}), so a typo can never lower what a
 * hypervisor is thought to carry.
 */
public final class Resources {
    /** A VM's memory, in MB. */
    public static final String RAM = "ram";
    /** A VM's CPUs, or a hypervisor's. */
    public static final String CPUS = "cpus";
    /** A VM's disk size: a whole number with an optional unit K, M, G or T ({@code 10G}). */
    public static final String DISK = "disk";
    /** A hypervisor's memory, in MB. */
    public static final String MEM_TOTAL = "mem_total";
    /** How many VMs a hypervisor takes at most. */
    public static final String MAX_VMS = "max_vms";

    private static final long MAX_MB = 1L << 40;
    private static final long MAX_CPUS = 1L << 16;
    private static final long MAX_VMS_LIMIT = 1_000_000;

    private Resources() {
    }

    /**
     * Checks the resource keys of {@code definition}.
     *
     * @throws InvalidValueException naming the key, the value and the reason
     */
    public static void check(String node, Map<String, String> definition) {
        whole(node, definition, RAM, MAX_MB);
        whole(node, definition, CPUS, MAX_CPUS);
        whole(node, definition, MEM_TOTAL, MAX_MB);
        whole(node, definition, MAX_VMS, MAX_VMS_LIMIT);
        String disk = definition.get(DISK);
        if (disk != null && !disk.strip().matches("[0-9]{1,15}[KMGTkmgt]?")) {
            throw new InvalidValueException(DISK + "=" + disk + ": a disk size is a whole number with an optional unit"
                    + " K, M, G or T (like 10G)", node);
        }
    }

    /**
     * What a hypervisor offers of {@code key} ({@link #MEM_TOTAL}, {@link #CPUS},
     * {@link #MAX_VMS}): its definition when declared there, else the facts
     * its agent last reported; -1 when unknown.
     */
    public static long offered(Node hv, String key) {
        String v = hv.definition().getOrDefault(key, hv.metadata().get(key));
        if (v == null) {
            return -1;
        }
        try {
            return (long) Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** What a VM asks for of {@code key} ({@link #RAM}, {@link #CPUS}): 0 when not given or unreadable. */
    public static long asked(Node vm, String key) {
        String v = vm.definition().get(key);
        try {
            return v == null ? 0 : Math.max(0, Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void whole(String node, Map<String, String> definition, String key, long max) {
        String v = definition.get(key);
        if (v == null) {
            return;
        }
        long n;
        try {
            n = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new InvalidValueException(key + "=" + v + ": not a whole number", node);
        }
        if (n < 0) {
            throw new InvalidValueException(key + "=" + v + ": must not be negative", node);
        }
        if (n > max) {
            throw new InvalidValueException(key + "=" + v + ": too large (at most " + max + ")", node);
        }
    }
}
