package vagoth.api.registry;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import vagoth.api.Node;

/**
 * One atomic change to a node's name, tenant, definition, tags, unique keys
 * and metadata, applied by {@link Registry#updateNode(String, NodeUpdate)}.
 * The id, type and parent are changed by other means (never, never and
 * {@link Registry#setParent}).
 *
 * @param name           the new name, or {@code null} to keep it
 * @param tenant         the new tenant, or {@code null} to keep it
 * @param definition     the new definition (replaces the old), or {@code null} to keep it
 * @param setTags        tags to add or overwrite
 * @param removeTags     tags to delete
 * @param addKeys        unique keys to claim
 * @param removeKeys     unique keys to release
 * @param mergeMetadata  metadata entries to add or overwrite
 * @param removeMetadata metadata keys to delete
 */
public record NodeUpdate(String name, String tenant, Map<String, String> definition, Map<String, String> setTags,
        Set<String> removeTags, Set<String> addKeys, Set<String> removeKeys, Map<String, String> mergeMetadata,
        Set<String> removeMetadata) {

    public NodeUpdate {
        definition = definition == null ? null : Map.copyOf(definition);
        setTags = setTags == null ? Map.of() : Map.copyOf(setTags);
        removeTags = removeTags == null ? Set.of() : Set.copyOf(removeTags);
        addKeys = addKeys == null ? Set.of() : Set.copyOf(addKeys);
        removeKeys = removeKeys == null ? Set.of() : Set.copyOf(removeKeys);
        mergeMetadata = mergeMetadata == null ? Map.of() : Map.copyOf(mergeMetadata);
        removeMetadata = removeMetadata == null ? Set.of() : Set.copyOf(removeMetadata);
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean isEmpty() {
        return name == null && tenant == null && definition == null && setTags.isEmpty() && removeTags.isEmpty()
                && addKeys.isEmpty() && removeKeys.isEmpty() && mergeMetadata.isEmpty() && removeMetadata.isEmpty();
    }

    /** The node as it is after this update; does not check uniqueness. */
    public Node applyTo(Node node) {
        Node n = node;
        if (name != null) {
            n = n.withName(name);
        }
        if (tenant != null) {
            n = n.withTenant(tenant);
        }
        if (definition != null) {
            n = n.withDefinition(definition);
        }
        if (!setTags.isEmpty() || !removeTags.isEmpty()) {
            n = n.withTags(merge(n.tags(), setTags, removeTags));
        }
        if (!addKeys.isEmpty() || !removeKeys.isEmpty()) {
            Set<String> keys = new HashSet<>(n.keys());
            keys.removeAll(removeKeys);
            keys.addAll(addKeys);
            n = n.withKeys(keys);
        }
        if (!mergeMetadata.isEmpty() || !removeMetadata.isEmpty()) {
            n = n.withMetadata(merge(n.metadata(), mergeMetadata, removeMetadata));
        }
        return n;
    }

    private static Map<String, String> merge(Map<String, String> old, Map<String, String> put, Set<String> remove) {
        Map<String, String> m = new HashMap<>(old);
        m.keySet().removeAll(remove);
        m.putAll(put);
        return m;
    }

    /** Collects an update step by step. */
    public static final class Builder {
        private String name;
        private String tenant;
        private Map<String, String> definition;
        private final Map<String, String> setTags = new LinkedHashMap<>();
        private final Set<String> removeTags = new HashSet<>();
        private final Set<String> addKeys = new HashSet<>();
        private final Set<String> removeKeys = new HashSet<>();
        private final Map<String, String> mergeMetadata = new LinkedHashMap<>();
        private final Set<String> removeMetadata = new HashSet<>();

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        public Builder tenant(String t) {
            this.tenant = t;
            return this;
        }

        public Builder definition(Map<String, String> d) {
            this.definition = d;
            return this;
        }

        public Builder tag(String key, String value) {
            setTags.put(key, value);
            removeTags.remove(key);
            return this;
        }

        public Builder removeTag(String key) {
            removeTags.add(key);
            setTags.remove(key);
            return this;
        }

        public Builder addKey(String key) {
            addKeys.add(key);
            return this;
        }

        public Builder removeKey(String key) {
            removeKeys.add(key);
            return this;
        }

        public Builder metadata(Map<String, String> merge, Collection<String> remove) {
            mergeMetadata.putAll(merge);
            removeMetadata.addAll(remove);
            return this;
        }

        public Builder state(String state) {
            mergeMetadata.put(Node.STATE, state);
            return this;
        }

        public NodeUpdate build() {
            return new NodeUpdate(name, tenant, definition, new HashMap<>(setTags), removeTags, addKeys, removeKeys,
                    new HashMap<>(mergeMetadata), removeMetadata);
        }
    }
}
