package vagoth.provisioner.basic.internal;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.ProvisionRequest;
import vagoth.api.Provisioner;
import vagoth.api.ProvisioningException;
import vagoth.api.Registry;

/**
 * The original's pass-through gatekeeper: adds a node as given, refusing a
 * taken id, name or key, and removes only a node that is free of its parent
 * and children. Works on whichever registry the manager has active.
 */
@Component(service = Provisioner.class, property = "vagoth.provisioner=basic")
public final class BasicProvisioner implements Provisioner {
    static final String STILL_ASSIGNED = "Cannot deprovision node while it's still assigned to a parent";
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
        Node node = registry.getNode(id);
        if (node.hasParent()) {
            throw new ProvisioningException(STILL_ASSIGNED, id);
        }
        Set<String> children = registry.getChildren(id).stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
        if (!children.isEmpty()) {
            throw new ProvisioningException("Cannot deprovision node while it still has children: "
                    + String.join(", ", children), id);
        }
        registry.deleteNode(id);
    }
}
