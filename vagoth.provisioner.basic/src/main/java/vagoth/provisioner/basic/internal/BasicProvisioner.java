package vagoth.provisioner.basic.internal;


import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Deprovisioning;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.ProvisionRequest;
import vagoth.api.Provisioner;
import vagoth.api.Registry;
import vagoth.api.VagothProvisioner;

/**
 * The original's pass-through gatekeeper: adds a node as given, refusing a
 * taken id, name or key, and removes only a node that is free of its parent
 * and children. Works on whichever registry the manager has active.
 */
@Component(service = Provisioner.class)
@VagothProvisioner("basic")
public final class BasicProvisioner implements Provisioner {
    private final Manager manager;

    @Activate
    public BasicProvisioner(@Reference Manager manager) {
        this.manager = manager;
    }

    @Override
    public Node provision(ProvisionRequest request) {
        return manager.registry().addNode(request.toNode().validate());
    }

    @Override
    public void deprovision(String id) {
        Registry registry = manager.registry();
        Deprovisioning.requireFree(registry, id);
        registry.deleteNode(id);
    }
}
