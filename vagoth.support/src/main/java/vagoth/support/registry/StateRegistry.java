package vagoth.support.registry;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.registry.Registry;

/**
 * A registry that keeps its nodes in a {@link RegistryState} and changes them
 * by {@link Mutations}: lookups and changes are written once here; an
 * implementation says how it reads its state (under what lock, after what
 * catching up) and how it makes a change durable. Blobs are its own.
 */
public abstract class StateRegistry implements Registry {

    /** Runs {@code query} on the state as it is now. */
    protected abstract <T> T read(Function<RegistryState, T> query);

    /** Checks {@code m} against the state, makes its change durable, and returns the node it results in. */
    protected abstract Node commit(Mutation m);

    @Override
    public final Optional<Node> findNode(String id) {
        return Optional.ofNullable(read(s -> s.get(id)));
    }

    @Override
    public final Optional<Node> findNodeByName(String name) {
        return Optional.ofNullable(read(s -> s.byName(name)));
    }

    @Override
    public final Optional<Node> findNodeByKey(String key) {
        return Optional.ofNullable(read(s -> s.byKey(key)));
    }

    @Override
    public final List<Node> getNodes(NodeQuery query) {
        return read(s -> s.query(query));
    }

    @Override
    public final int size() {
        return read(RegistryState::size);
    }

    @Override
    public final Node addNode(Node node) {
        return commit(Mutations.add(node));
    }

    @Override
    public final Node updateNode(String id, NodeUpdate update) {
        return commit(Mutations.update(id, update));
    }

    @Override
    public final Node setParent(String id, String parentId) {
        return commit(Mutations.setParent(id, parentId));
    }

    @Override
    public final Node removeParent(String id) {
        return commit(Mutations.removeParent(id));
    }

    @Override
    public final void deleteNode(String id) {
        commit(Mutations.delete(id));
    }
}
