package vagoth.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/** A request's JSON body: bounded, an object, only the fields a route knows, each a string. */
final class Body {
    static final int MAX_BYTES = 1 << 20;

    private Body() {
    }

    /**
     * The body's fields (an empty body is an empty object). @throws Api.Refusal 400 for malformed JSON, a
     * field not in {@code allowed} or not a string, 413 for a body over {@link #MAX_BYTES}
     */
    static Map<String, String> fields(HttpServletRequest req, Set<String> allowed) throws IOException {
        byte[] raw;
        try (InputStream in = req.getInputStream()) {
            raw = in.readNBytes(MAX_BYTES + 1);
        }
        if (raw.length > MAX_BYTES) {
            throw new Api.Refusal(413, "the body is over " + MAX_BYTES + " bytes");
        }
        String text = new String(raw, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return Map.of();
        }
        JsonElement e;
        try {
            e = JsonParser.parseString(text);
        } catch (JsonParseException ex) {
            throw new Api.Refusal(400, "the body is not JSON: " + ex.getMessage());
        }
        if (!e.isJsonObject()) {
            throw new Api.Refusal(400, "the body must be a JSON object");
        }
        JsonObject o = e.getAsJsonObject();
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String k : o.keySet()) {
            if (!allowed.contains(k)) {
                throw new Api.Refusal(400, "unknown field '" + k + "'" + (allowed.isEmpty() ? " (this takes none)"
                        : " (" + String.join(", ", new java.util.TreeSet<>(allowed)) + ")"));
            }
            JsonElement v = o.get(k);
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new Api.Refusal(400, "field '" + k + "' must be a string");
            }
            out.put(k, v.getAsString());
        }
        return out;
    }
}
