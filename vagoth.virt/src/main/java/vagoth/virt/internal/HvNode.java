package vagoth.virt.internal;

import java.util.List;
import java.util.Map;

import vagoth.api.nodetype.BaseManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VmStates;
import vagoth.api.registry.Registry;

/** A hypervisor: its driver is the one its definition names ({@code driver}, default {@code default}). */
final class HvNode extends BaseManagedNode implements Hypervisor {
    private final DriverBoard drivers;
    private final Registry registry;
    private final Planner planner;

    HvNode(Manager manager, Node node, DriverBoard drivers, Registry registry, Planner planner) {
        super(manager, node);
        this.drivers = drivers;
        this.registry = registry;
        this.planner = planner;
    }

    @Override
    public vagoth.api.virt.Evacuation planEvacuation() {
        return planner.evacuation(registry, registry.getNode(id()));
    }

    @Override
    public Driver driver() {
        return drivers.driverFor(node());
    }

    @Override
    public List<Node> children() {
        return registry.getChildren(id());
    }

    @Override
    public Node maintenance(boolean on) {
        Node updated = registry.updateMetadata(id(), Map.of(VmStates.MAINTENANCE_FLAG, String.valueOf(on)),
                List.of());
        refresh();
        return updated;
    }
}
