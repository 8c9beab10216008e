package vagoth.provisioner.basic.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.provision.Deprovisioning;
import vagoth.api.Selection;
import vagoth.api.Node;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.provision.Provisioner;
import vagoth.api.registry.Registry;
import vagoth.api.provision.VagothProvisioner;
import vagoth.support.bind.Current;
import vagoth.support.bind.FollowingRegistry;

/**
 * The original's pass-through gatekeeper: adds a node as given, refusing a
 * taken id, name or key, and removes only a node that is free of its parent
 * and children. Works on the selected registry.
 */
@Component(service = Provisioner.class, configurationPid = Selection.PID)
@VagothProvisioner("basic")
public final class BasicProvisioner implements Provisioner {
    private final FollowingRegistry registry;

    @Activate
    public BasicProvisioner(Map<String, Object> props) {
        this.registry = new FollowingRegistry(Current.grace(props));
    }

    /** Over a fixed registry: for tests and embedding. */
    public BasicProvisioner(Registry registry) {
        this.registry = FollowingRegistry.of(registry);
    }

    @Reference(name = Selection.REGISTRY, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRegistry(Registry r) {
        registry.bind(r);
    }

    void unbindRegistry(Registry r) {
        registry.unbind(r);
    }

    @Modified
    void modified(Map<String, Object> props) {
        registry.grace(Current.grace(props));
    }

    @Override
    public Node provision(ProvisionRequest request) {
        return registry.addNode(request.toNode().validate());
    }

    @Override
    public void deprovision(String id) {
        Registry registry = this.registry;
        Deprovisioning.requireFree(registry, id);
        registry.deleteNode(id);
    }
}
