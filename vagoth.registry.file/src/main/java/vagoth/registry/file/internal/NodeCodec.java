package vagoth.registry.file.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
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

    private final MapBuilder map = new MapBuilder();

    /** Reads a string map straight into an immutable map. */
    private Map<String, String> readMap(JsonReader in) throws IOException {
        map.clear();
        in.beginObject();
        while (in.hasNext()) {
            String k = share(in.nextName());
            if (in.peek() == JsonToken.NULL) {
                throw new IOException("null value for " + k + " (near " + in.getPath() + ")");
            }
            map.put(k, share(in.nextString()));
        }
        in.endObject();
        return map.build();
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
