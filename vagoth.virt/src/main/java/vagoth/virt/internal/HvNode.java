package vagoth.virt.internal;

import java.util.List;

import vagoth.api.nodetype.BaseManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.virt.Hypervisor;

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
}
