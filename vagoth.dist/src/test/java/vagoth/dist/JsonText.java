package vagoth.dist;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** JSON a test reads (a command's {@code --json}, an API answer, an agent's state file) parsed, not matched as text. */
final class JsonText {
    private JsonText() {
    }

    static JsonObject object(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    /** The value of the first field named {@code key} at any depth (depth first, in order), or null. */
    static JsonElement find(JsonElement e, String key) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has(key)) {
                return o.get(key);
            }
            for (String k : o.keySet()) {
                JsonElement found = find(o.get(k), key);
                if (found != null) {
                    return found;
                }
            }
        } else if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                JsonElement found = find(x, key);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
