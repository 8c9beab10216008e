package vagoth.virt.internal;

import java.util.List;
import java.util.Set;

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
 * It follows the allocator across a swap.
 */
final class Planner {
    final Current<Allocator> allocator = new Current<>("allocator", Selection.DEFAULT_SWAP_GRACE_MS);

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
