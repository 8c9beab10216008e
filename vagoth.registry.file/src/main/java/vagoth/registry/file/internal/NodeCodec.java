package vagoth.registry.file.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import vagoth.api.Node;

/**
 * Writes and reads a node as a JSON object with Gson's streaming API. Empty
 * fields are left out. Reading shares equal short strings (definition keys,
 * types, tenants) so a large registry does not hold a copy of each per node.
 */
final class NodeCodec {
    private static final int SHARE_MAX_LENGTH = 24;
    private final Map<String, String> shared = new HashMap<>();

    static void write(JsonWriter out, Node n) throws IOException {
        out.beginObject();
        out.name("id").value(n.id());
        out.name("name").value(n.name());
        out.name("type").value(n.type());
        if (!n.tenant().isEmpty()) {
            out.name("tenant").value(n.tenant());
        }
        if (n.parent() != null) {
            out.name("parent").value(n.parent());
        }
        writeMap(out, "definition", n.definition());
        writeMap(out, "metadata", n.metadata());
        writeMap(out, "tags", n.tags());
        if (!n.keys().isEmpty()) {
            out.name("keys").beginArray();
            for (String k : n.keys()) {
                out.value(k);
            }
            out.endArray();
        }
        out.endObject();
    }

    private static void writeMap(JsonWriter out, String name, Map<String, String> map) throws IOException {
        if (map.isEmpty()) {
            return;
        }
        out.name(name).beginObject();
        for (Map.Entry<String, String> e : map.entrySet()) {
            out.name(e.getKey()).value(e.getValue());
        }
        out.endObject();
    }

    Node read(JsonReader in) throws IOException {
        String id = null;
        String name = null;
        String type = null;
        String tenant = "";
        String parent = null;
        Map<String, String> definition = Map.of();
        Map<String, String> metadata = Map.of();
        Map<String, String> tags = Map.of();
        Set<String> keys = Set.of();
        in.beginObject();
        while (in.hasNext()) {
            String field = in.nextName();
            switch (field) {
                case "id" -> id = in.nextString();
                case "name" -> name = in.nextString();
                case "type" -> type = share(in.nextString());
                case "tenant" -> tenant = share(in.nextString());
                case "parent" -> parent = in.nextString();
                case "definition" -> definition = readMap(in);
                case "metadata" -> metadata = readMap(in);
                case "tags" -> tags = readMap(in);
                case "keys" -> keys = readKeys(in);
                default -> in.skipValue();
            }
        }
        in.endObject();
        if (id == null || name == null || type == null) {
            throw new IOException("a node lacks its id, name or type (near " + in.getPath() + ")");
        }
        return new Node(id, name, type, tenant, definition, metadata, tags, keys, parent);
    }

    private final String[] kv = new String[64];

    /** Reads a string map straight into an immutable map (no intermediate copy for up to ten entries). */
    private Map<String, String> readMap(JsonReader in) throws IOException {
        int n = 0;
        Map<String, String> big = null;
        in.beginObject();
        while (in.hasNext()) {
            String k = share(in.nextName());
            if (in.peek() == JsonToken.NULL) {
                throw new IOException("null value for " + k + " (near " + in.getPath() + ")");
            }
            String v = share(in.nextString());
            if (big == null && n < kv.length) {
                kv[n++] = k;
                kv[n++] = v;
            } else {
                if (big == null) {
                    big = new LinkedHashMap<>();
                    for (int i = 0; i < n; i += 2) {
                        big.put(kv[i], kv[i + 1]);
                    }
                }
                big.put(k, v);
            }
        }
        in.endObject();
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

    private static Set<String> readKeys(JsonReader in) throws IOException {
        List<String> keys = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            keys.add(in.nextString());
        }
        in.endArray();
        return Set.copyOf(keys);
    }

    private String share(String s) {
        if (s.length() > SHARE_MAX_LENGTH) {
            return s;
        }
        String had = shared.putIfAbsent(s, s);
        return had == null ? s : had;
    }
}
