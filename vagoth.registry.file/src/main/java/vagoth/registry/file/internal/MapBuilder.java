package vagoth.registry.file.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects a node's string map as it is read and makes it immutable without
 * an intermediate copy for up to ten entries (the usual definition). Reused
 * from node to node by one reader; not thread-safe.
 */
final class MapBuilder {
    private final String[] kv = new String[64];
    private int n;
    private Map<String, String> big;

    void clear() {
        n = 0;
        big = null;
    }

    void put(String k, String v) {
        if (big == null && n < kv.length) {
            kv[n++] = k;
            kv[n++] = v;
            return;
        }
        if (big == null) {
            big = new LinkedHashMap<>();
            for (int i = 0; i < n; i += 2) {
                big.put(kv[i], kv[i + 1]);
            }
        }
        big.put(k, v);
    }

    Map<String, String> build() {
        return big != null ? Map.copyOf(big) : immutable(kv, n / 2);
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> immutable(String[] a, int size) {
        return switch (size) {
            case 0 -> Map.of();
            case 1 -> Map.of(a[0], a[1]);
            case 2 -> Map.of(a[0], a[1], a[2], a[3]);
            case 3 -> Map.of(a[0], a[1], a[2], a[3], a[4], a[5]);
            case 4 -> Map.of(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
            case 5 -> Map.of(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
            case 6 -> Map.of(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
            case 7 -> Map.of(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);
            case 8 -> Map.of(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13],
                    a[14], a[15]);
            case 9 -> Map.of(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13],
                    a[14], a[15], a[16], a[17]);
            case 10 -> Map.of(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13],
                    a[14], a[15], a[16], a[17], a[18], a[19]);
            default -> {
                Map.Entry<String, String>[] entries = new Map.Entry[size];
                for (int i = 0; i < size; i++) {
                    entries[i] = Map.entry(a[2 * i], a[2 * i + 1]);
                }
                yield Map.ofEntries(entries);
            }
        };
    }

}
