package vagoth.support.registry;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A multi-valued index: one value (a type, a tenant, a parent...) to the ids that have it. */
public final class Index {
    private final Map<String, Set<String>> ids = new HashMap<>();

    public void add(String value, String id) {
        ids.computeIfAbsent(value, v -> new TreeSet<>()).add(id);
    }

    public void remove(String value, String id) {
        Set<String> set = ids.get(value);
        if (set != null && set.remove(id) && set.isEmpty()) {
            ids.remove(value);
        }
    }

    /** The ids having {@code value}, in order; empty, never null. Callers must not modify it. */
    public Set<String> get(String value) {
        return ids.getOrDefault(value, Set.of());
    }
}
