package vagoth.api.nodetype;

import java.util.Objects;
import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;

/** The common part of every {@link ManagedNode}: the record and refresh. */
public abstract class BaseManagedNode implements ManagedNode {
    private final Manager manager;
    private volatile Node node;

    protected BaseManagedNode(Manager manager, Node node) {
        this.manager = Objects.requireNonNull(manager);
        this.node = Objects.requireNonNull(node);
    }

    protected Manager manager() {
        return manager;
    }

    @Override
    public Node node() {
        return node;
    }

    @Override
    public void refresh() {
        node = manager.registry().getNode(node.id());
    }

    @Override
    public String toString() {
        return "<" + getClass().getSimpleName() + " " + node.id() + ">";
    }
}
