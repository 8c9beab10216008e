package vagoth.virt.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.nodetype.NodeType;
import vagoth.api.nodetype.VagothNodeType;
import vagoth.api.driver.Driver;
import vagoth.api.virt.Hypervisor;
import vagoth.api.Selection;
import vagoth.api.registry.Registry;
import vagoth.support.bind.Current;
import vagoth.support.bind.FollowingRegistry;

/**
 * Gives nodes of type {@code hv} the {@link Hypervisor} API, with the drivers
 * installed now: a driver bundle that arrives is usable at once, one that
 * leaves is gone at once. Its VMs and maintenance flag are read and written in
 * the selected registry.
 */
@Component(configurationPid = Selection.PID)
@VagothNodeType(Hypervisor.TYPE)
public final class HvType implements NodeType {
    private final DriverBoard drivers = new DriverBoard();
    private final FollowingRegistry registry = new FollowingRegistry(Selection.DEFAULT_SWAP_GRACE_MS);
    private volatile Planner planner;

    @Activate
    @Modified
    void configure(Map<String, Object> props) {
        registry.grace(Current.grace(props));
    }

    /** The plans its nodes answer, asked of the selected allocator (one planner for both node types). */
    @Reference
    public void bindPlanner(Planner p) {
        planner = p;
    }

    @Reference(name = Selection.REGISTRY, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindRegistry(Registry r) {
        registry.bind(r);
    }

    public void unbindRegistry(Registry r) {
        registry.unbind(r);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addDriver(Driver driver, Map<String, Object> props) {
        drivers.add(driver, props);
    }

    public void removeDriver(Driver driver, Map<String, Object> props) {
        drivers.remove(driver, props);
    }

    @Override
    public ManagedNode wrap(Manager manager, Node node) {
        return new HvNode(manager, node, drivers, registry, planner);
    }
}
