package vagoth.http.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import vagoth.api.Manager;
import vagoth.api.NodeNotFoundException;
import vagoth.api.allocator.Placement;

/** Placements as the API answers them: where each VM would go and, for every other hypervisor, why not there. */
final class Plans {
    private Plans() {
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

    private static String name(Manager manager, String id) {
        try {
            return manager.registry().getNode(id).name();
        } catch (NodeNotFoundException e) {
            return id;
        }
    }
}
