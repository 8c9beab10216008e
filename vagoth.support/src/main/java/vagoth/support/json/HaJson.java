package vagoth.support.json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.Registry;
import vagoth.api.virt.HighAvailability;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;

/**
 * High availability as {@code ha status --json} and {@code GET /api/v1/ha}
 * show it: the manager (the daemon that answers, its rules and its last
 * pass), every VM that asks for it, highest priority first, with what
 * recovery did and how many failed starts it has left; every host recovery
 * could not fence, with why.
 */
public final class HaJson {
    private HaJson() {
    }

    /** @param manager this process's recovery, null where none runs (no vagoth.virt) */
    public static Map<String, Object> status(Registry registry, HighAvailability.Status manager) {
        List<Map<String, Object>> vms = new ArrayList<>();
        registry.getNodes(NodeQuery.all().withType(VirtualMachine.TYPE)).stream()
                .filter(n -> VmStates.HA_RESTART.equals(n.definition().get(VmStates.HA)))
                .sorted(Comparator.comparingInt((Node n) -> -priority(n)).thenComparing(Node::name))
                .forEach(n -> {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("name", n.name());
                    o.put("priority", priority(n));
                    o.put("state", n.state());
                    o.put("host", n.hasParent() ? registry.findNode(n.parent()).map(Node::name).orElse(n.parent())
                            : null);
                    o.put("relocations", number(n.metadata().get(VmStates.HA_RELOCATIONS)));
                    o.put("restarts_left", manager == null ? null
                            : Math.max(0, manager.maxRestarts() - number(n.metadata().get(VmStates.HA_ATTEMPTS))));
                    o.put("recovery", n.metadata().get(VmStates.HA_STATE));
                    vms.add(o);
                });
        List<Map<String, Object>> hosts = new ArrayList<>();
        for (Node hv : registry.getNodes(NodeQuery.all().withType(Hypervisor.TYPE))) {
            if (hv.metadata().containsKey(VmStates.HA_FENCE_FAILED)) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("name", hv.name());
                o.put("state", hv.state());
                o.put("fence_failed", hv.metadata().get(VmStates.HA_FENCE_FAILED));
                o.put("next_try", hv.metadata().get(VmStates.HA_NEXT_TRY));
                hosts.add(o);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("manager", manager == null ? null : manager(manager));
        out.put("vms", vms);
        out.put("unfenced", hosts);
        return out;
    }

    private static Map<String, Object> manager(HighAvailability.Status m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("enabled", m.enabled());
        o.put("daemon", m.daemon());
        o.put("last_pass", m.lastPass() == null ? null : m.lastPass().toString());
        o.put("hosts", m.hosts());
        o.put("grace_s", m.grace().toSeconds());
        o.put("min_missed_polls", m.minMissedPolls());
        o.put("max_restarts", m.maxRestarts());
        o.put("max_relocations", m.maxRelocations());
        return o;
    }

    /** A VM's {@code ha_priority}: higher ones are recovered first; 0 when it says none or no number. */
    public static int priority(Node vm) {
        return number(vm.definition().get(VmStates.HA_PRIORITY));
    }

    private static int number(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
