package vagoth.support.registry;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.registry.Registry;
import vagoth.api.telemetry.Telemetry;

/**
 * A registry that keeps its nodes in a {@link RegistryState} and changes them
 * by {@link Mutations}: lookups and changes are written once here; an
 * implementation says how it reads its state (under what lock, after what
 * catching up) and how it makes a change durable. Blobs are its own. Each
 * lookup and change is timed for the {@link Telemetry} bound with
 * {@link #measureWith}, if any.
 */
public abstract class StateRegistry implements Registry {
    private volatile Telemetry telemetry;

    /** Reports each operation's time to {@code t} from now on. */
    public final void measureWith(Telemetry t) {
        telemetry = t;
    }

    /** Stops reporting to {@code t}, if it is the one reported to. */
    public final void stopMeasuring(Telemetry t) {
        if (telemetry == t) {
            telemetry = null;
        }
    }

    private <T> T measured(String operation, Supplier<T> work) {
        Telemetry t = telemetry;
        if (t == null) {
            return work.get();
        }
        long start = System.nanoTime();
        boolean failed = true;
        try {
            T result = work.get();
            failed = false;
            return result;
        } finally {
            t.registryOperation(operation, System.nanoTime() - start, failed);
        }
    }

    /** Runs {@code query} on the state as it is now. */
    protected abstract <T> T read(Function<RegistryState, T> query);

    /** Checks {@code m} against the state, makes its change durable, and returns the node it results in. */
    protected abstract Node commit(Mutation m);

    @Override
    public final Optional<Node> findNode(String id) {
        return Optional.ofNullable(measured("find", () -> read(s -> s.get(id))));
    }

    @Override
    public final Optional<Node> findNodeByName(String name) {
        return Optional.ofNullable(measured("find", () -> read(s -> s.byName(name))));
    }

    @Override
    public final Optional<Node> findNodeByKey(String key) {
        return Optional.ofNullable(measured("find", () -> read(s -> s.byKey(key))));
    }

    @Override
    public final List<Node> getNodes(NodeQuery query) {
        return measured("list", () -> read(s -> s.query(query)));
    }

    @Override
    public final int size() {
        return measured("list", () -> read(RegistryState::size));
    }

    @Override
    public final Node addNode(Node node) {
        return measured("add", () -> commit(Mutations.add(node)));
    }

    @Override
    public final Node updateNode(String id, NodeUpdate update) {
        return measured("update", () -> commit(Mutations.update(id, update)));
    }

    @Override
    public final Node setParent(String id, String parentId) {
        return measured("parent", () -> commit(Mutations.setParent(id, parentId)));
    }

    @Override
    public final Node removeParent(String id) {
        return measured("parent", () -> commit(Mutations.removeParent(id)));
    }

    @Override
    public final void deleteNode(String id) {
        measured("delete", () -> commit(Mutations.delete(id)));
    }
}
