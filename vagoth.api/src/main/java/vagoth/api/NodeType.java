package vagoth.api;

import org.osgi.annotation.versioning.ConsumerType;

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
