package vagoth.api.provision;

import java.util.Set;
import java.util.TreeSet;
import vagoth.api.Node;
import vagoth.api.NodeNotFoundException;
import vagoth.api.registry.Registry;

/** The rule every {@link Provisioner} keeps before it lets a node go. */
public final class Deprovisioning {
    /** The original's message. */
    public static final String STILL_ASSIGNED = "Cannot deprovision node while it's still assigned to a parent";

    private Deprovisioning() {
    }

    /**
     * @return the node, when it may be deprovisioned
     * @throws ProvisioningException if it still has a parent or children
     * @throws NodeNotFoundException if there is no such node
     */
    public static Node requireFree(Registry registry, String id) {
        Node node = registry.getNode(id);
        if (node.hasParent()) {
            throw new ProvisioningException(STILL_ASSIGNED, id);
        }
        Set<String> children = new TreeSet<>();
        registry.getChildren(id).forEach(c -> children.add(c.id()));
        if (!children.isEmpty()) {
            throw new ProvisioningException("Cannot deprovision node while it still has children: "
                    + String.join(", ", children), id);
        }
        return node;
    }
}
