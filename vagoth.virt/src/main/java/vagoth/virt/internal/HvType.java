package vagoth.virt.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.nodetype.NodeType;
import vagoth.api.nodetype.VagothNodeType;
import vagoth.api.driver.Driver;
import vagoth.api.virt.Hypervisor;

/**
 * Gives nodes of type {@code hv} the {@link Hypervisor} API, with the drivers
 * installed now: a driver bundle that arrives is usable at once, one that
 * leaves is gone at once.
 */
@Component
@VagothNodeType(Hypervisor.TYPE)
public final class HvType implements NodeType {
    private final DriverBoard drivers = new DriverBoard();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addDriver(Driver driver, Map<String, Object> props) {
        drivers.add(driver, props);
    }

    public void removeDriver(Driver driver, Map<String, Object> props) {
        drivers.remove(driver, props);
    }

    @Override
    public ManagedNode wrap(Manager manager, Node node) {
        return new HvNode(manager, node, drivers);
    }
}
