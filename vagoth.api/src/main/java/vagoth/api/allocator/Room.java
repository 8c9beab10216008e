package vagoth.api.allocator;

/**
 * How many more VMs of one shape a hypervisor takes: {@code more} (-1 when
 * what the shape asks for sets no limit there), and what limits it (RAM,
 * CPUs, its maximum of VMs, an exclusion tag, or why it takes none).
 */
public record Room(String hypervisor, long more, String limit) {
}
