package vagoth.api.nodetype;

import org.osgi.annotation.versioning.ConsumerType;
import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;

/**
 * Gives the nodes of one type their API. Published as a service with
 * {@link #TYPE} set to the type it handles ({@link VagothNodeType}).
 */
@ConsumerType
public interface NodeType {
    /** Service property: the node type handled, e.g. {@code vm}. */
    String TYPE = "vagoth.node.type";

    ManagedNode wrap(Manager manager, Node node);
}
