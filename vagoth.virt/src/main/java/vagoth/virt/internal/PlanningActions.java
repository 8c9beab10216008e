package vagoth.virt.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Node;
import vagoth.api.Selection;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.VagothAction;
import vagoth.api.allocator.Allocator;
import vagoth.api.virt.VirtualMachine;
import vagoth.support.bind.Current;

/**
 * {@code capacity}: how many more VMs of a shape fit, a question to the
 * selected allocator that changes nothing and claims no node. (Where VMs
 * would go is what the node types' plans answer: {@link Planner}.)
 */
final class PlanningActions {
    /** A tag of the shape asked about: {@code tag.KEY=VALUE}. */
    static final String TAG_PREFIX = "tag.";

    private PlanningActions() {
    }

    /** {@code capacity [ram=MB] [cpus=N] [tag.K=V]...}: a list of {@code Room}s. */
    @Component(service = Action.class, configurationPid = {Selection.PID, PlacementActions.PID})
    @VagothAction("capacity")
    public static final class Capacity extends RegistryAction {
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
}
