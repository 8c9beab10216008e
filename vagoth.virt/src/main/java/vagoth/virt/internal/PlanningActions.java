package vagoth.virt.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.Selection;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.ActionException;
import vagoth.api.action.VagothAction;
import vagoth.api.allocator.Allocator;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.support.bind.Current;

/**
 * Questions to the selected allocator that change nothing: {@code plan}
 * (where VMs would go, together) and {@code capacity} (how many more of a
 * shape fit). Neither claims a node: a VM busy with a job can be planned for.
 */
final class PlanningActions {
    /** Comma-separated VM ids to plan for. */
    static final String VMS = "vms";
    /** Comma-separated hypervisor ids that take none. */
    static final String AVOID = "avoid";
    /** A hypervisor id: plan for all its VMs, elsewhere (what emptying it, evacuate, would do). */
    static final String FROM = "from";
    /** A tag of the shape asked about: {@code tag.KEY=VALUE}. */
    static final String TAG_PREFIX = "tag.";

    private PlanningActions() {
    }

    /** The selected allocator, as placement uses it ({@code allocator.target}). */
    abstract static class Asking extends RegistryAction {
        final Current<Allocator> allocator = new Current<>("allocator", Selection.DEFAULT_SWAP_GRACE_MS);

        @Reference(name = Selection.ALLOCATOR, cardinality = ReferenceCardinality.OPTIONAL,
                policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
        void bindAllocator(Allocator a) {
            allocator.bind(a);
        }

        void unbindAllocator(Allocator a) {
            allocator.unbind(a);
        }

        @Override
        void configure(Map<String, Object> props) {
            super.configure(props);
            allocator.grace(Current.grace(props));
        }
    }

    /**
     * {@code plan vms=ID,ID [hint=HV] [avoid=HV,HV]}, or {@code plan from=HV}
     * (all of HV's VMs, elsewhere: an evacuation): a list of
     * {@code Placement}s, empty when there is nothing to place.
     */
    @Component(service = Action.class, configurationPid = {Selection.PID, PlacementActions.PID})
    @VagothAction("plan")
    public static final class Plan extends Asking {
        @Override
        public Object run(ActionContext ctx, Map<String, String> args) {
            List<Node> vms = new ArrayList<>();
            Set<String> avoid = new java.util.HashSet<>(list(args.get(AVOID)));
            String from = args.get(FROM);
            if (from != null) {
                Node hv = registry().getNode(from);
                if (!hv.type().equals(Hypervisor.TYPE)) {
                    throw new ActionException("plan: " + from + " is of type " + hv.type() + ", not a hypervisor",
                            from);
                }
                vms.addAll(registry().getNodes(NodeQuery.all().withType(VirtualMachine.TYPE).withParent(from)));
                avoid.add(from);
            }
            for (String id : list(args.get(VMS))) {
                Node vm = registry().getNode(id);
                if (!vm.type().equals(VirtualMachine.TYPE)) {
                    throw new ActionException("plan: " + id + " is of type " + vm.type() + ", not a vm", id);
                }
                vms.add(vm);
            }
            if (vms.isEmpty()) {
                return List.of();
            }
            return allocator.get().plan(vms, args.get(VirtualMachine.HINT), Set.copyOf(avoid));
        }
    }

    /** {@code capacity [ram=MB] [cpus=N] [tag.K=V]...}: a list of {@code Room}s. */
    @Component(service = Action.class, configurationPid = {Selection.PID, PlacementActions.PID})
    @VagothAction("capacity")
    public static final class Capacity extends Asking {
        @Override
        public Object run(ActionContext ctx, Map<String, String> args) {
            Map<String, String> definition = new LinkedHashMap<>();
            Map<String, String> tags = new LinkedHashMap<>();
            args.forEach((k, v) -> {
                if (k.startsWith(TAG_PREFIX)) {
                    tags.put(k.substring(TAG_PREFIX.length()), v);
                } else if (k.equals("ram") || k.equals("cpus")) {
                    definition.put(k, v);
                }
            });
            Node shape = new Node("shape", "shape", VirtualMachine.TYPE, "", definition, Map.of(), tags, Set.of(),
                    null);
            return allocator.get().room(shape);
        }
    }

    private static List<String> list(String csv) {
        return csv == null || csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }
}
