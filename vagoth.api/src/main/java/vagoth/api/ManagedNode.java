package vagoth.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A node with the API its type gives it (for example a virtual machine that
 * can be started). Obtained from {@link Manager#getNode(String)}; holds the
 * node record as it was when read, until {@link #refresh()}.
 */
@ConsumerType
public interface ManagedNode {

    /** The record as last read. */
    Node node();

    default String id() {
        return node().id();
    }

    default String name() {
        return node().name();
    }

    default String state() {
        return node().state();
    }

    /**
     * Reads the node again from the registry.
     *
     * @throws NodeNotFoundException if it has been removed
     */
    void refresh();
}
