package vagoth.virt.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import vagoth.api.Node;
import vagoth.api.Selection;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.ActionException;
import vagoth.api.action.VagothAction;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;

/**
 * {@code ha}: a VM asks for high availability ({@code on=true}: {@code
 * ha=restart} in its definition, with {@code priority} as its
 * {@code ha_priority} when given) or no longer ({@code on=false}). Either way
 * what recovery counted for it starts from nothing again. Returns
 * {@code name}, {@code on}, {@code priority} (0 when its definition says none) and {@code shared}: whether its
 * host shares storage (a VM whose disk no other host reaches stays
 * unassigned when its host dies); true while it has no host.
 */
@Component(service = Action.class, configurationPid = Selection.PID)
@VagothAction("ha")
public final class HaAction extends RegistryAction {
    /** {@code true} or {@code false}. */
    static final String ON_ARG = "on";
    /** A number from -1000 to 1000; only with {@code on=true}. */
    static final String PRIORITY_ARG = "priority";
    static final int MAX_PRIORITY = 1000;

    @Override
    public Object run(ActionContext ctx, Map<String, String> args) {
        String id = args.get(Action.NODE_ARG);
        String on = args.get(ON_ARG);
        if (id == null || id.isBlank() || !("true".equals(on) || "false".equals(on))) {
            throw new ActionException("ha needs the VM and on=true or on=false", id);
        }
        Node vm = registry().getNode(id);
        if (!VirtualMachine.TYPE.equals(vm.type())) {
            throw new ActionException(vm.name() + " is a " + vm.type() + ", not a VM", vm.id());
        }
        Integer priority = priority(args.get(PRIORITY_ARG), Boolean.parseBoolean(on), vm.id());
        Map<String, String> def = new HashMap<>(vm.definition());
        if (Boolean.parseBoolean(on)) {
            def.put(VmStates.HA, VmStates.HA_RESTART);
            if (priority != null) {
                def.put(VmStates.HA_PRIORITY, String.valueOf(priority));
            }
        } else {
            def.remove(VmStates.HA);
            def.remove(VmStates.HA_PRIORITY);
        }
        registry().updateNode(vm.id(), NodeUpdate.builder().definition(def).build());
        registry().updateMetadata(vm.id(), Map.of(), List.of(VmStates.HA_STATE, VmStates.HA_RELOCATIONS,
                VmStates.HA_ATTEMPTS, VmStates.HA_NEXT_TRY));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", vm.name());
        out.put("on", Boolean.parseBoolean(on));
        out.put("priority", priorityOf(def));
        out.put("shared", !vm.hasParent() || !registry().getNode(vm.parent()).definition()
                .getOrDefault(Hypervisor.SHARED_STORAGE, "").isBlank());
        return out;
    }

    private static int priorityOf(Map<String, String> def) {
        try {
            return Integer.parseInt(def.getOrDefault(VmStates.HA_PRIORITY, "0").trim());
        } catch (NumberFormatException e) {
            return 0; // as recovery takes it
        }
    }

    private static Integer priority(String given, boolean on, String vm) {
        if (given == null) {
            return null;
        }
        if (!on) {
            throw new ActionException("a priority goes with turning high availability on", vm);
        }
        try {
            int p = Integer.parseInt(given.trim());
            if (Math.abs(p) <= MAX_PRIORITY) {
                return p;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ActionException("the priority is a number from -" + MAX_PRIORITY + " to " + MAX_PRIORITY + ", not '"
                + vagoth.api.Printable.of(given) + "'", vm);
    }
}
