package vagoth.testing;

import vagoth.api.Node;
import vagoth.api.provision.Deprovisioning;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.provision.Provisioner;
import vagoth.api.registry.Registry;

/** A provisioner for tests of what provisions: adds the node as asked, removes one that is free. */
public final class TestProvisioner implements Provisioner {
    private final Registry registry;

    public TestProvisioner(Registry registry) {
        this.registry = registry;
    }

    @Override
    public Node provision(ProvisionRequest request) {
        return registry.addNode(request.toNode().validate());
    }

    @Override
    public void deprovision(String id) {
        Deprovisioning.requireFree(registry, id);
        registry.deleteNode(id);
    }
}
