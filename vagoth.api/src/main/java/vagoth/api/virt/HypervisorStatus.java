package vagoth.api.virt;

import java.util.Map;

/**
 * One answer of a hypervisor to a status poll.
 *
 * @param vms   every VM it runs or has defined, by name
 * @param facts host facts such as {@code mem_total}, {@code mem_free}, {@code cpus}, {@code load_avg}
 */
public record HypervisorStatus(Map<String, VmInfo> vms, Map<String, String> facts) {
    public HypervisorStatus {
        vms = vms == null ? Map.of() : Map.copyOf(vms);
        facts = facts == null ? Map.of() : Map.copyOf(facts);
    }
}
