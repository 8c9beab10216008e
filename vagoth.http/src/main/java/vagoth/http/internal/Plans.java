package vagoth.http.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeNotFoundException;
import vagoth.api.allocator.Placement;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;

/** Plans as the API answers them: where each VM would go and, for every other hypervisor, why not there. */
final class Plans {
    private Plans() {
    }

    /**
     * Where the allocator would place {@code vms} together ({@code hint}: only
     * there, or null; {@code avoid}: never there, or null); nothing changes.
     */
    @SuppressWarnings("unchecked")
    static List<Placement> plan(Manager manager, List<Node> vms, String hint, String avoid) {
        Map<String, String> args = new HashMap<>();
        args.put("vms", String.join(",", vms.stream().map(Node::id).toList()));
        if (hint != null) {
            args.put(VirtualMachine.HINT, hint);
        }
        if (avoid != null) {
            args.put("avoid", avoid);
        }
        return (List<Placement>) manager.action("plan", args);
    }

    /** Where each of {@code hv}'s VMs would go, planned together, none to {@code hv}: emptying it. */
    @SuppressWarnings("unchecked")
    static List<Placement> evacuation(Manager manager, String hv) {
        return (List<Placement>) manager.action("plan", Map.of("from", hv));
    }

    /** {@code {"vm", "to", "reasons": {HV: why not}}}, by name ({@code to} is null when it fits nowhere). */
    static Map<String, Object> json(Manager manager, Placement p) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("vm", name(manager, p.vm()));
        o.put("to", p.fits() ? name(manager, p.chosen()) : null);
        Map<String, String> reasons = new TreeMap<>();
        p.others().forEach((hv, why) -> reasons.put(name(manager, hv), why));
        o.put("reasons", reasons);
        return o;
    }

    /**
     * Whether moving a VM from {@code from} to {@code to} moves only its
     * definition (they share storage) or copies its disk.
     */
    static boolean sharedStorage(Manager manager, String from, String to) {
        String here = manager.registry().getNode(from).definition().getOrDefault(Hypervisor.SHARED_STORAGE, "");
        return !here.isBlank() && here.equals(manager.registry().getNode(to).definition()
                .get(Hypervisor.SHARED_STORAGE));
    }

    private static String name(Manager manager, String id) {
        try {
            return manager.registry().getNode(id).name();
        } catch (NodeNotFoundException e) {
            return id;
        }
    }
}
