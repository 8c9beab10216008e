package vagoth.virt.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.Selection;
import vagoth.api.VagothException;
import vagoth.api.allocator.Allocator;
import vagoth.api.allocator.Placement;
import vagoth.api.registry.Registry;
import vagoth.api.virt.Evacuation;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.MigrationPlan;
import vagoth.api.virt.VirtualMachine;
import vagoth.support.bind.Current;

/**
 * The selected allocator asked where VMs would go, for the plans the node
 * types answer ({@link VirtualMachine#planPlacement}, {@link
 * VirtualMachine#planMigration}, {@link Hypervisor#planEvacuation}): nothing
 * changes, and no node is claimed (a VM busy with a job can be planned for).
 * It follows the allocator across a swap. A component of this bundle's own:
 * both node types use the one instance.
 */
@Component(service = Planner.class, configurationPid = {Selection.PID, PlacementActions.PID})
public final class Planner {
    private final Current<Allocator> allocator = new Current<>("allocator", Selection.DEFAULT_SWAP_GRACE_MS);

    @Activate
    @Modified
    void configure(Map<String, Object> props) {
        allocator.grace(Current.grace(props));
    }

    /** The selected allocator ({@code allocator.target} in {@code etc/vagoth.virt.cfg}). */
    @Reference(name = Selection.ALLOCATOR, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindAllocator(Allocator a) {
        allocator.bind(a);
    }

    public void unbindAllocator(Allocator a) {
        allocator.unbind(a);
    }

    /** Where {@code vm} would be placed: on {@code hint} only, or anywhere when null. */
    Placement placement(Node vm, String hint) {
        return allocator.get().plan(List.of(vm), hint, Set.of()).get(0);
    }

    /** What migrating {@code vm} would do: to {@code destination} only, or anywhere else when null. */
    MigrationPlan migration(Registry registry, VirtualMachine vm, String destination) {
        Node node = registry.getNode(vm.id());
        if (!node.hasParent()) {
            throw new VagothException(node.name() + " is on no hypervisor: define places it", node.id());
        }
        Node from = registry.getNode(node.parent());
        Placement p = allocator.get().plan(List.of(node), destination, Set.of(from.id())).get(0);
        if (!p.fits()) {
            return new MigrationPlan(p, from.id(), null, false);
        }
        Node to = registry.getNode(p.chosen());
        String accel = from.metadata().get("accel");
        return new MigrationPlan(p, from.id(), Hypervisor.sharedStorage(from, to),
                vm.canMigrateLive() && accel != null && accel.equals(to.metadata().get("accel")));
    }

    /** Where each of {@code hv}'s VMs would go, planned together, none back to it. */
    Evacuation evacuation(Registry registry, Node hv) {
        List<Node> vms = registry.getNodes(NodeQuery.all().withType(VirtualMachine.TYPE).withParent(hv.id()));
        return new Evacuation(hv.id(), vms.isEmpty() ? List.of() : allocator.get().plan(vms, null, Set.of(hv.id())));
    }
}
