package vagoth.api;

import java.util.HashMap;
import java.util.Map;
import vagoth.api.registry.Registry;

/**
 * Which nodes to return from {@link Registry#getNodes(NodeQuery)}. Every
 * criterion that is set must hold; an empty query matches every node.
 *
 * @param name   a glob on the node name ({@code *} and {@code ?}); {@code null} for any
 * @param tenant the tenant, or {@code null} for any
 * @param type   the node type, or {@code null} for any
 * @param tags   tags the node must carry; a {@code null} value accepts any value
 * @param key    a unique key the node must hold, or {@code null}
 * @param parent the parent's id; {@link #NO_PARENT} for nodes without a parent; {@code null} for any
 * @param state  the {@code state} metadata, or {@code null} for any
 */
public record NodeQuery(String name, String tenant, String type, Map<String, String> tags, String key, String parent,
        String state) {

    /** The {@link #parent} value that selects nodes that have no parent. */
    public static final String NO_PARENT = "";

    public NodeQuery {
        tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new HashMap<>(tags));
    }

    public static final NodeQuery ALL = new NodeQuery(null, null, null, null, null, null, null);

    public static NodeQuery all() {
        return ALL;
    }

    public NodeQuery withName(String glob) {
        return new NodeQuery(glob, tenant, type, tags, key, parent, state);
    }

    public NodeQuery withTenant(String t) {
        return new NodeQuery(name, t, type, tags, key, parent, state);
    }

    public NodeQuery withType(String t) {
        return new NodeQuery(name, tenant, t, tags, key, parent, state);
    }

    /** Adds a tag criterion; {@code value == null} accepts any value. */
    public NodeQuery withTag(String tag, String value) {
        Map<String, String> m = new HashMap<>(tags);
        m.put(tag, value);
        return new NodeQuery(name, tenant, type, m, key, parent, state);
    }

    public NodeQuery withKey(String k) {
        return new NodeQuery(name, tenant, type, tags, k, parent, state);
    }

    public NodeQuery withParent(String p) {
        return new NodeQuery(name, tenant, type, tags, key, p, state);
    }

    public NodeQuery withState(String s) {
        return new NodeQuery(name, tenant, type, tags, key, parent, s);
    }

    /** Whether {@code node} meets every criterion of this query. */
    public boolean matches(Node node) {
        if (tenant != null && !tenant.equals(node.tenant())) {
            return false;
        }
        if (type != null && !type.equals(node.type())) {
            return false;
        }
        if (key != null && !node.keys().contains(key)) {
            return false;
        }
        if (parent != null && !(parent.equals(NO_PARENT) ? node.parent() == null : parent.equals(node.parent()))) {
            return false;
        }
        if (state != null && !state.equals(node.state())) {
            return false;
        }
        if (!tags.isEmpty() && !tagsMatch(node)) { // no iterator for a query without tags: it runs per node
            return false;
        }
        return name == null || globMatches(name, node.name());
    }

    private boolean tagsMatch(Node node) {
        for (Map.Entry<String, String> t : tags.entrySet()) {
            String has = node.tags().get(t.getKey());
            if (has == null || (t.getValue() != null && !t.getValue().equals(has))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Glob matching with {@code *} (any run) and {@code ?} (any one character),
     * in time linear in the text for each part between stars: the parts are
     * found leftmost, in order (which is enough for a glob: no backtracking),
     * so no glob, however many stars it has, costs more than a few passes over
     * the name.
     */
    public static boolean globMatches(String glob, String text) {
        if (glob.indexOf('*') < 0) {
            return glob.length() == text.length() && partAt(glob, text, 0);
        }
        String[] parts = glob.split("\\*", -1);
        String first = parts[0];
        String last = parts[parts.length - 1];
        if (first.length() + last.length() > text.length() || !partAt(first, text, 0)
                || !partAt(last, text, text.length() - last.length())) {
            return false;
        }
        int from = first.length();
        int end = text.length() - last.length();
        for (int i = 1; i < parts.length - 1; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                continue;
            }
            int at = from;
            while (at + part.length() <= end && !partAt(part, text, at)) {
                at++;
            }
            if (at + part.length() > end) {
                return false;
            }
            from = at + part.length();
        }
        return true;
    }

    /** Whether {@code part} ({@code ?} for any one character) stands in {@code text} at {@code at}. */
    private static boolean partAt(String part, String text, int at) {
        if (at < 0 || at + part.length() > text.length()) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c != '?' && c != text.charAt(at + i)) {
                return false;
            }
        }
        return true;
    }
}
