package vagoth.support.registry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import vagoth.api.Node;
import vagoth.api.NodeQuery;

/**
 * Every node in memory with the indexes that make lookups constant-time and
 * queries index-driven. Not thread-safe: the registry that holds it guards it.
 */
public final class RegistryState {
    private static final String ROOT = "";

    private final Map<String, Node> byId;
    private final Map<String, String> idByName;
    private final Map<String, String> idByKey;
    /** Built on first use: opening a registry for one lookup should not pay for them. */
    private volatile Secondary secondary;

    public RegistryState() {
        this(16);
    }

    public RegistryState(int expected) {
        int capacity = Math.max(16, (int) (expected / 0.75f) + 1);
        byId = new HashMap<>(capacity);
        idByName = new HashMap<>(capacity);
        idByKey = new HashMap<>(capacity * 2);
    }

    /** The indexes that serve queries by type, tenant, parent and tag. */
    private static final class Secondary {
        final Index byType = new Index();
        final Index byTenant = new Index();
        final Index byParent = new Index();
        final Index byTagKey = new Index();
        final Map<String, Index> byTagValue = new HashMap<>();

        void index(Node n) {
            byType.add(n.type(), n.id());
            byTenant.add(n.tenant(), n.id());
            byParent.add(n.parent() == null ? ROOT : n.parent(), n.id());
            n.tags().forEach((k, v) -> {
                byTagKey.add(k, n.id());
                byTagValue.computeIfAbsent(k, x -> new Index()).add(v, n.id());
            });
        }

        void unindex(Node n) {
            byType.remove(n.type(), n.id());
            byTenant.remove(n.tenant(), n.id());
            byParent.remove(n.parent() == null ? ROOT : n.parent(), n.id());
            n.tags().forEach((k, v) -> {
                byTagKey.remove(k, n.id());
                Index values = byTagValue.get(k);
                if (values != null) {
                    values.remove(v, n.id());
                }
            });
        }
    }

    /**
     * The secondary indexes, built now if they were not. Readers may call this
     * concurrently (under the shared state lock), hence the synchronisation;
     * writers, who maintain them, hold the state lock exclusively.
     */
    private Secondary secondary() {
        Secondary s = secondary;
        if (s == null) {
            synchronized (this) {
                s = secondary;
                if (s == null) {
                    s = new Secondary();
                    for (Node n : byId.values()) {
                        s.index(n);
                    }
                    secondary = s;
                }
            }
        }
        return s;
    }

    public Node get(String id) {
        return byId.get(id);
    }

    public String idOfName(String name) {
        return idByName.get(name);
    }

    public String idOfKey(String key) {
        return idByKey.get(key);
    }

    /** The node with this name, or null. */
    public Node byName(String name) {
        String id = idByName.get(name);
        return id == null ? null : byId.get(id);
    }

    /** The node holding this key, or null. */
    public Node byKey(String key) {
        String id = idByKey.get(key);
        return id == null ? null : byId.get(id);
    }

    public Set<String> childrenOf(String id) {
        return secondary().byParent.get(id);
    }

    public int size() {
        return byId.size();
    }

    public Collection<Node> nodes() {
        return byId.values();
    }

    /** Stores or replaces a node, re-indexing it. */
    public void put(Node node) {
        Node old = byId.put(node.id(), node);
        if (old != null) {
            unindex(old);
        }
        index(node);
    }

    public void remove(String id) {
        Node old = byId.remove(id);
        if (old != null) {
            unindex(old);
        }
    }

    private void index(Node n) {
        idByName.put(n.name(), n.id());
        n.keys().forEach(k -> idByKey.put(k, n.id()));
        Secondary s = secondary;
        if (s != null) {
            s.index(n);
        }
    }

    private void unindex(Node n) {
        idByName.remove(n.name(), n.id());
        n.keys().forEach(k -> idByKey.remove(k, n.id()));
        Secondary s = secondary;
        if (s != null) {
            s.unindex(n);
        }
    }

    /** The matching nodes, ordered by id; starts from the most selective index. */
    public List<Node> query(NodeQuery q) {
        Collection<String> candidates = candidates(q);
        List<Node> result = new ArrayList<>(Math.min(1024, candidates == null ? byId.size() : candidates.size()));
        if (candidates == null) {
            for (Node n : byId.values()) {
                if (q.matches(n)) {
                    result.add(n);
                }
            }
        } else {
            for (String id : candidates) {
                Node n = byId.get(id);
                if (n != null && q.matches(n)) {
                    result.add(n);
                }
            }
        }
        if (candidates == null) { // an index's ids come in order already
            result.sort(Comparator.comparing(Node::id));
        }
        return result;
    }

    /** The smallest id set an indexed criterion allows, or null when no criterion is indexed. */
    private Collection<String> candidates(NodeQuery q) {
        Collection<String> best = null;
        if (q.key() != null) {
            String id = idByKey.get(q.key());
            return id == null ? List.of() : List.of(id);
        }
        if (q.name() != null && q.name().indexOf('*') < 0 && q.name().indexOf('?') < 0) {
            String id = idByName.get(q.name());
            return id == null ? List.of() : List.of(id);
        }
        if (q.type() == null && q.tenant() == null && q.parent() == null && q.tags().isEmpty()) {
            return null;
        }
        Secondary s = secondary();
        if (q.type() != null) {
            best = smaller(best, s.byType.get(q.type()));
        }
        if (q.tenant() != null) {
            best = smaller(best, s.byTenant.get(q.tenant()));
        }
        if (q.parent() != null) {
            best = smaller(best, s.byParent.get(q.parent().equals(NodeQuery.NO_PARENT) ? ROOT : q.parent()));
        }
        for (Map.Entry<String, String> tag : q.tags().entrySet()) {
            Set<String> ids;
            if (tag.getValue() == null) {
                ids = s.byTagKey.get(tag.getKey());
            } else {
                Index values = s.byTagValue.get(tag.getKey());
                ids = values == null ? Set.of() : values.get(tag.getValue());
            }
            best = smaller(best, ids);
        }
        return best;
    }

    private static Collection<String> smaller(Collection<String> a, Collection<String> b) {
        return a == null || b.size() < a.size() ? b : a;
    }
}
