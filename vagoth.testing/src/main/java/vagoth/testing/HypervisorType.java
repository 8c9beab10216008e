package vagoth.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.ServiceUnavailableException;
import vagoth.api.driver.Driver;
import vagoth.api.nodetype.BaseManagedNode;
import vagoth.api.nodetype.NodeType;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VmStates;

/**
 * A node type for tests of what talks to hypervisors (the monitor, an
 * allocator): nodes of type {@code hv} with the driver their definition names
 * ({@code driver}), from the drivers the test gives it.
 */
public final class HypervisorType implements NodeType {
    private final Map<String, Driver> drivers = new ConcurrentHashMap<>();

    public HypervisorType driver(String name, Driver driver) {
        drivers.put(name, driver);
        return this;
    }

    @Override
    public ManagedNode wrap(Manager manager, Node node) {
        return new Hv(manager, node);
    }

    private final class Hv extends BaseManagedNode implements Hypervisor {
        Hv(Manager manager, Node node) {
            super(manager, node);
        }

        @Override
        public Driver driver() {
            String name = node().definition().getOrDefault("driver", "default");
            Driver d = drivers.get(name);
            if (d == null) {
                throw new ServiceUnavailableException("driver '" + name + "'");
            }
            return d;
        }

        @Override
        public List<Node> children() {
            return manager().registry().getChildren(id());
        }

        @Override
        public vagoth.api.virt.Evacuation planEvacuation() {
            throw new UnsupportedOperationException("the test hypervisor type plans nothing: vagoth.virt's does");
        }

        @Override
        public Node maintenance(boolean on) {
            Node updated = manager().registry().updateMetadata(id(),
                    Map.of(VmStates.MAINTENANCE_FLAG, String.valueOf(on)), List.of());
            refresh();
            return updated;
        }
    }
}
