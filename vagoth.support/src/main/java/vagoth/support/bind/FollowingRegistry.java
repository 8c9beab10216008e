package vagoth.support.bind;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.registry.Registry;
import vagoth.api.ServiceUnavailableException;

/**
 * A registry that follows a swap: each call goes to the registry bound at that
 * moment ({@link Current}), so work that holds it (an action between two
 * driver calls) writes to the new one instead of one that has been closed,
 * and a call made during a swap waits for the new one within the grace.
 */
public final class FollowingRegistry implements Registry {
    private final Current<Registry> current;

    /** Bound by the component's reference methods; waits up to {@code graceMs} during a swap. */
    public FollowingRegistry(long graceMs) {
        this(new Current<>("registry", graceMs));
    }

    /** A fixed registry: for tests and embedding. */
    public static FollowingRegistry of(Registry registry) {
        return new FollowingRegistry(Current.of("registry", registry));
    }

    private static final int ATTEMPTS = 3;

    private FollowingRegistry(Current<Registry> current) {
        this.current = current;
    }

    public void bind(Registry r) {
        current.bind(r);
    }

    public void unbind(Registry r) {
        current.unbind(r);
    }

    public void grace(long ms) {
        current.grace(ms);
    }

    /** The registry bound now (waiting within the grace during a swap): to ask what else it offers. */
    public Registry current() {
        return current.get();
    }

    /** Fails at once, naming what is missing, when no registry is bound (or comes within the grace). */
    public FollowingRegistry require() {
        current.get();
        return this;
    }

    /**
     * Runs a call on the current registry; one that was closed under it (a
     * swap) refused it before doing anything, so it is run again on the next.
     */
    private <T> T retrying(java.util.function.Function<Registry, T> call) {
        for (int attempt = 1;; attempt++) {
            Registry r = current.get();
            try {
                return call.apply(r);
            } catch (ServiceUnavailableException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Optional<Node> findNode(String id) {
        return retrying(r -> r.findNode(id));
    }

    @Override
    public Optional<Node> findNodeByName(String name) {
        return retrying(r -> r.findNodeByName(name));
    }

    @Override
    public Optional<Node> findNodeByKey(String key) {
        return retrying(r -> r.findNodeByKey(key));
    }

    @Override
    public List<Node> getNodes(NodeQuery query) {
        return retrying(r -> r.getNodes(query));
    }

    @Override
    public int size() {
        return retrying(r -> r.size());
    }

    @Override
    public Node addNode(Node node) {
        return retrying(r -> r.addNode(node));
    }

    @Override
    public Node updateNode(String id, NodeUpdate update) {
        return retrying(r -> r.updateNode(id, update));
    }

    @Override
    public Node setParent(String id, String parentId) {
        return retrying(r -> r.setParent(id, parentId));
    }

    @Override
    public Node removeParent(String id) {
        return retrying(r -> r.removeParent(id));
    }

    @Override
    public void deleteNode(String id) {
        retrying(r -> {
            r.deleteNode(id);
            return null;
        });
    }

    @Override
    public Optional<byte[]> getBlob(String id, String blobName) {
        return retrying(r -> r.getBlob(id, blobName));
    }

    @Override
    public void putBlob(String id, String blobName, byte[] data) {
        retrying(r -> {
            r.putBlob(id, blobName, data);
            return null;
        });
    }

    @Override
    public boolean deleteBlob(String id, String blobName) {
        return retrying(r -> r.deleteBlob(id, blobName));
    }

    @Override
    public Set<String> listBlobs(String id) {
        return retrying(r -> r.listBlobs(id));
    }
}
