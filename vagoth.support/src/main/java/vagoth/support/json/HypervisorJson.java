package vagoth.support.json;

import java.util.LinkedHashMap;
import java.util.Map;

import vagoth.api.virt.Capacity;
import vagoth.api.virt.Hypervisor;

/** A hypervisor as {@code listhv --json} and the remote API show it. */
public final class HypervisorJson {
    private HypervisorJson() {
    }

    /**
     * The node's fields ({@link NodeJson}) and what {@code listhv} shows:
     * {@code capacity} (VM count, RAM and CPUs used of total, free RAM; null
     * where unknown), {@code maintenance} and {@code fenced}.
     */
    public static Map<String, Object> of(Hypervisor hv) {
        Map<String, Object> o = NodeJson.of(hv.node());
        Capacity c = hv.capacity();
        Map<String, Object> cap = new LinkedHashMap<>();
        cap.put("vms", c.vms());
        cap.put("max_vms", c.maxVms() >= 0 ? c.maxVms() : null);
        cap.put("ram_used", c.ramUsed());
        cap.put("ram_total", c.memTotal() >= 0 ? c.memTotal() : null);
        cap.put("ram_free", c.memTotal() >= 0 ? c.ramFree() : null);
        cap.put("cpus_used", c.cpusUsed());
        cap.put("cpus_total", c.cpus() >= 0 ? c.cpus() : null);
        o.put("capacity", cap);
        o.put("maintenance", hv.inMaintenance());
        o.put("fenced", hv.fenced());
        return o;
    }
}
