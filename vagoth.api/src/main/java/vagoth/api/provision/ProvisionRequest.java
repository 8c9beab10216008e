package vagoth.api.provision;

import java.util.Map;
import java.util.Set;
import vagoth.api.Node;

/**
 * What an operator asks the {@link Provisioner} to add. The provisioner may
 * complete it (expand a template, allocate addresses) before storing it.
 *
 * @param id         the node id
 * @param name       the node name; {@code null} means the id
 * @param type       the node type; {@code null} means {@value #DEFAULT_TYPE}
 * @param tenant     the tenant, or {@code null}
 * @param definition the definition pairs given
 * @param tags       the tags given
 * @param keys       unique keys to claim
 */
public record ProvisionRequest(String id, String name, String type, String tenant, Map<String, String> definition,
        Map<String, String> tags, Set<String> keys) {

    public static final String DEFAULT_TYPE = "vm";

    public ProvisionRequest {
        name = name == null ? id : name;
        type = type == null ? DEFAULT_TYPE : type;
        tenant = tenant == null ? "" : tenant;
        definition = definition == null ? Map.of() : Map.copyOf(definition);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        keys = keys == null ? Set.of() : Set.copyOf(keys);
    }

    public static ProvisionRequest of(String id, String type, Map<String, String> definition) {
        return new ProvisionRequest(id, id, type, null, definition, null, null);
    }

    /** The node this request describes, before a provisioner completes it. */
    public Node toNode() {
        return new Node(id, name, type, tenant, definition, Map.of(), tags, keys, null);
    }
}
