package vagoth.support.registry;

import java.util.List;

import vagoth.api.Node;

/**
 * One registry change, checked against the current state under the write lock
 * and turned into log records. {@link #prepare} must not modify the state; it
 * throws a {@link vagoth.api.VagothException} when the change breaks a rule.
 */
@FunctionalInterface
public interface Mutation {

    /**
     * What a mutation does: nodes to store, ids to delete, and what the caller gets back.
     *
     * @param created ids that are new (their stale blobs, if any, are cleared)
     */
    public record Change(List<Node> puts, List<String> deletes, Node result, List<String> created) {
        public static Change put(Node n) {
            return new Change(List.of(n), List.of(), n, List.of());
        }

        public static Change none(Node n) {
            return new Change(List.of(), List.of(), n, List.of());
        }
    }

    public Change prepare(RegistryState state);
}
