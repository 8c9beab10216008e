package vagoth.support.whiteboard;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

import org.osgi.framework.Constants;

/**
 * Services published under a name property ({@code vagoth.action=start},
 * {@code vagoth.driver=geats}...). When several claim one name, the highest
 * service ranking wins, then the oldest service; when the winner leaves, the
 * next one takes its place. Thread-safe: services come and go while it is
 * read. The one board every Vagoth bundle that picks services by name uses.
 */
public final class Whiteboard<S> {
    private final String property;
    private final Map<String, ConcurrentSkipListSet<Entry<S>>> byName = new ConcurrentHashMap<>();

    private record Entry<S>(S service, int ranking, long id) {
    }

    private static final Comparator<Entry<?>> BEST_FIRST = Comparator.<Entry<?>>comparingInt(e -> -e.ranking())
            .thenComparingLong(Entry::id);

    public Whiteboard(String property) {
        this.property = property;
    }

    public void add(S service, Map<String, ?> props) {
        String name = name(props);
        if (name != null) {
            byName.computeIfAbsent(name, n -> new ConcurrentSkipListSet<>(BEST_FIRST))
                    .add(new Entry<>(service, ranking(props), id(props)));
        }
    }

    public void remove(S service, Map<String, ?> props) {
        String name = name(props);
        if (name == null) {
            return;
        }
        byName.computeIfPresent(name, (n, set) -> {
            set.removeIf(e -> e.service() == service);
            return set.isEmpty() ? null : set;
        });
    }

    public Optional<S> get(String name) {
        ConcurrentSkipListSet<Entry<S>> set = byName.get(name);
        if (set == null) {
            return Optional.empty();
        }
        Entry<S> best = set.isEmpty() ? null : set.first();
        return best == null ? Optional.empty() : Optional.of(best.service());
    }

    public Set<String> names() {
        return new TreeSet<>(byName.keySet());
    }

    private String name(Map<String, ?> props) {
        Object v = props.get(property);
        return v instanceof String s && !s.isBlank() ? s : null;
    }

    private static int ranking(Map<String, ?> props) {
        return props.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    private static long id(Map<String, ?> props) {
        return props.get(Constants.SERVICE_ID) instanceof Long l ? l : 0L;
    }
}
