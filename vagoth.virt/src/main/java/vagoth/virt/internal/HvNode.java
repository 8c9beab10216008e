package vagoth.virt.internal;

import java.util.List;
import java.util.Map;

import vagoth.api.nodetype.BaseManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VmStates;

/** A hypervisor: its driver is the one its definition names ({@code driver}, default {@code default}). */
final class HvNode extends BaseManagedNode implements Hypervisor {
    private final DriverBoard drivers;

    HvNode(Manager manager, Node node, DriverBoard drivers) {
        super(manager, node);
        this.drivers = drivers;
    }

    @Override
    public Driver driver() {
        return drivers.driverFor(node());
    }

    @Override
    public List<Node> children() {
        return manager().registry().getChildren(id());
    }

    @Override
    public Node maintenance(boolean on) {
        Node updated = manager().registry().updateMetadata(id(), Map.of(VmStates.MAINTENANCE_FLAG, String.valueOf(on)),
                List.of());
        refresh();
        return updated;
    }
}
