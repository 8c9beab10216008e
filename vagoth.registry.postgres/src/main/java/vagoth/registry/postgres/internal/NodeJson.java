package vagoth.registry.postgres.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import vagoth.api.Node;

/** A node as the JSON document stored in {@code vagoth_nodes.node} and carried by events. */
final class NodeJson {
    private NodeJson() {
    }

    static String write(Node n) {
        JsonObject o = new JsonObject();
        o.addProperty("id", n.id());
        o.addProperty("name", n.name());
        o.addProperty("type", n.type());
        o.addProperty("tenant", n.tenant());
        if (n.parent() != null) {
            o.addProperty("parent", n.parent());
        }
        o.add("definition", map(n.definition()));
        o.add("metadata", map(n.metadata()));
        o.add("tags", map(n.tags()));
        JsonArray keys = new JsonArray();
        new TreeSet<>(n.keys()).forEach(keys::add);
        o.add("keys", keys);
        return o.toString();
    }

    private static JsonObject map(Map<String, String> m) {
        JsonObject o = new JsonObject();
        m.forEach(o::addProperty);
        return o;
    }

    static Node read(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        Set<String> keys = new TreeSet<>();
        o.getAsJsonArray("keys").forEach(k -> keys.add(k.getAsString()));
        JsonElement parent = o.get("parent");
        return new Node(o.get("id").getAsString(), o.get("name").getAsString(), o.get("type").getAsString(),
                o.get("tenant").getAsString(), read(o, "definition"), read(o, "metadata"), read(o, "tags"), keys,
                parent == null || parent.isJsonNull() ? null : parent.getAsString());
    }

    private static Map<String, String> read(JsonObject o, String field) {
        Map<String, String> m = new LinkedHashMap<>();
        o.getAsJsonObject(field).entrySet().forEach(e -> m.put(e.getKey(), e.getValue().getAsString()));
        return m;
    }
}
