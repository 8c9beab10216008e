package vagoth.support.json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import vagoth.api.Node;

/** A node as scripts read it: {@code list --json} and the remote API print the same. */
public final class NodeJson {
    private NodeJson() {
    }

    /** The node's fields in a fixed order; an absent value (no parent) is left out. */
    public static Map<String, Object> of(Node n) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", n.id());
        o.put("name", n.name());
        o.put("type", n.type());
        o.put("tenant", n.tenant());
        o.put("state", n.state());
        if (n.parent() != null) {
            o.put("parent", n.parent());
        }
        o.put("definition", new TreeMap<>(n.definition()));
        o.put("metadata", new TreeMap<>(n.metadata()));
        o.put("tags", new TreeMap<>(n.tags()));
        o.put("keys", List.copyOf(new TreeSet<>(n.keys())));
        return o;
    }
}
