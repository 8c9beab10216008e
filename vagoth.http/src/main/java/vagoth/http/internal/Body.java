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

/** A request's JSON body: bounded, an object, only the fields a route knows, each a string. */
final class Body {
    static final int MAX_BYTES = 1 << 20;

    private Body() {
    }

    /**
     * The body's fields (an empty body is an empty object), each a string. @throws Api.Refusal 400 for
     * malformed JSON, a field not in {@code allowed} or not a string, 413 for a body over {@link #MAX_BYTES}
     */
    static Map<String, String> fields(HttpServletRequest req, Set<String> allowed) throws IOException {
        return strings(object(req, allowed), allowed, null);
    }

    /**
     * Reads what is left of the body (up to {@link #MAX_BYTES}) and drops it:
     * a refusal answered before the body was read would otherwise leave it on
     * the connection, which Jetty then closes under a client reusing it.
     */
    static void drain(HttpServletRequest req) {
        try {
            InputStream in = req.getInputStream();
            long left = MAX_BYTES;
            byte[] buf = new byte[8192];
            int n;
            while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException | IllegalStateException e) {
            // already read, or the client went: nothing is left to keep the connection for
        }
    }

    /** The body as a JSON object whose fields are all in {@code allowed}; an empty body is an empty object. */
    static JsonObject object(HttpServletRequest req, Set<String> allowed) throws IOException {
        byte[] raw;
        try (InputStream in = req.getInputStream()) {
            raw = in.readNBytes(MAX_BYTES + 1);
            if (raw.length > MAX_BYTES) {
                // read (and drop) the rest, Jetty bounding it, so that the client reads the refusal whole
                in.transferTo(java.io.OutputStream.nullOutputStream());
                throw new Api.Refusal(413, "the body is over " + MAX_BYTES + " bytes");
            }
        }
        String text = new String(raw, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return new JsonObject();
        }
        JsonElement e;
        try {
            e = StrictJson.parse(text);
        } catch (JsonParseException ex) {
            throw new Api.Refusal(400, "the body is not JSON: " + ex.getMessage());
        }
        if (!e.isJsonObject()) {
            throw new Api.Refusal(400, "the body must be a JSON object");
        }
        for (String k : e.getAsJsonObject().keySet()) {
            if (!allowed.contains(k)) {
                throw new Api.Refusal(400, "unknown field '" + k + "'" + (allowed.isEmpty() ? " (this takes none)"
                        : " (" + String.join(", ", new java.util.TreeSet<>(allowed)) + ")"));
            }
        }
        return e.getAsJsonObject();
    }

    /**
     * The fields of {@code o} named in {@code names} that are there, each a string ({@code within}: the
     * object's name in errors, or null for the body).
     */
    static Map<String, String> strings(JsonObject o, Set<String> names, String within) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String k : o.keySet()) {
            if (!names.contains(k)) {
                continue;
            }
            JsonElement v = o.get(k);
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new Api.Refusal(400, "field '" + (within == null ? "" : within + ".") + k + "' must be a string");
            }
            out.put(k, v.getAsString());
        }
        return out;
    }

    /**
     * The body's one field {@code name}, a JSON boolean; null when it is absent. The strings {@code "true"} and
     * {@code "false"}, which the API took before, are still taken (until the next release: README "Remote API").
     * @throws Api.Refusal 400 for any other value, or another field
     */
    static Boolean flag(HttpServletRequest req, String name) throws IOException {
        return bool(object(req, Set.of(name)), name);
    }

    /** The field {@code name} of {@code o} as {@link #flag} takes it; null when it is absent. */
    static Boolean bool(JsonObject o, String name) {
        JsonElement v = o.get(name);
        if (v == null) {
            return null;
        }
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean()) {
            return v.getAsBoolean();
        }
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()
                && (v.getAsString().equals("true") || v.getAsString().equals("false"))) {
            return Boolean.valueOf(v.getAsString());
        }
        throw new Api.Refusal(400, "field '" + name + "' takes true or false, not " + v);
    }

    /** The object field {@code name} of {@code o} as string pairs (absent: empty). */
    static Map<String, String> pairs(JsonObject o, String name) {
        JsonElement v = o.get(name);
        if (v == null) {
            return Map.of();
        }
        if (!v.isJsonObject()) {
            throw new Api.Refusal(400, "field '" + name + "' must be an object of strings");
        }
        return strings(v.getAsJsonObject(), v.getAsJsonObject().keySet(), name);
    }
}
