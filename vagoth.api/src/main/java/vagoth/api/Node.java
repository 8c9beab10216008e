package vagoth.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import vagoth.api.registry.Registry;

/**
 * One node of the cluster, as the registry holds it. Immutable: every change
 * goes through the {@link Registry} and yields a new record.
 *
 * @param id         immutable and unique; matches {@link Names#SAFE_NAME}
 * @param name       unique, renamable; matches {@link Names#SAFE_NAME}
 * @param type       selects the node type that gives the node its API ({@code vm}, {@code hv}, ...)
 * @param tenant     who the node belongs to; empty when nobody in particular
 * @param definition how to deploy the node; must not change while it is deployed
 * @param metadata   runtime facts ({@code state}, load, free RAM...), updated atomically by merge
 * @param tags       key to value; a tag given without a value has the value {@code true}
 * @param keys       unique keys such as {@code ip-10.0.0.5}; no two nodes share one
 * @param parent     the id of the node this one is assigned to, or {@code null}
 */
public record Node(String id, String name, String type, String tenant, Map<String, String> definition,
        Map<String, String> metadata, Map<String, String> tags, Set<String> keys, String parent) {

    /** The metadata key that holds a node's state. */
    public static final String STATE = "state";
    /** The state of a node whose metadata says nothing. */
    public static final String UNKNOWN_STATE = "unknown";

    public Node {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        tenant = tenant == null ? "" : tenant;
        definition = definition == null ? Map.of() : Map.copyOf(definition);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        keys = keys == null ? Set.of() : Set.copyOf(keys);
    }

    /** A node with only an id, name and type. */
    public static Node of(String id, String name, String type) {
        return new Node(id, name, type, "", Map.of(), Map.of(), Map.of(), Set.of(), null);
    }

    public Optional<String> parentId() {
        return Optional.ofNullable(parent);
    }

    public boolean hasParent() {
        return parent != null;
    }

    /** The {@code state} metadata, or {@value #UNKNOWN_STATE}. */
    public String state() {
        return metadata.getOrDefault(STATE, UNKNOWN_STATE);
    }

    public Node withName(String newName) {
        return new Node(id, newName, type, tenant, definition, metadata, tags, keys, parent);
    }

    public Node withTenant(String newTenant) {
        return new Node(id, name, type, newTenant, definition, metadata, tags, keys, parent);
    }

    public Node withDefinition(Map<String, String> newDefinition) {
        return new Node(id, name, type, tenant, newDefinition, metadata, tags, keys, parent);
    }

    public Node withMetadata(Map<String, String> newMetadata) {
        return new Node(id, name, type, tenant, definition, newMetadata, tags, keys, parent);
    }

    public Node withTags(Map<String, String> newTags) {
        return new Node(id, name, type, tenant, definition, metadata, newTags, keys, parent);
    }

    public Node withKeys(Set<String> newKeys) {
        return new Node(id, name, type, tenant, definition, metadata, tags, newKeys, parent);
    }

    public Node withParent(String newParent) {
        return new Node(id, name, type, tenant, definition, metadata, tags, keys, newParent);
    }

    /**
     * Checks everything a registry must refuse to store: unsafe id, name or
     * type, and malformed keys, tag keys or metadata keys.
     *
     * @return this node
     * @throws InvalidNameException  naming the first offending field
     * @throws InvalidValueException when a resource value ({@link Resources}) is unusable
     */
    public Node validate() {
        Names.requireSafe("node id", id);
        Names.requireSafe("node name", name);
        Names.requireSafe("node type", type);
        if (!tenant.isEmpty()) {
            Names.requireSafe("tenant", tenant);
        }
        if (parent != null) {
            Names.requireSafe("parent id", parent);
        }
        keys.forEach(k -> Names.requireToken("unique key", k));
        tags.keySet().forEach(k -> Names.requireToken("tag", k));
        definition.keySet().forEach(k -> Names.requireToken("definition key", k));
        metadata.keySet().forEach(k -> Names.requireToken("metadata key", k));
        Resources.check(id, definition);
        return this;
    }
}
