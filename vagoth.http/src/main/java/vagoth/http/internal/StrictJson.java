package vagoth.http.internal;

import java.io.IOException;
import java.io.StringReader;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * JSON as RFC 8259 has it, nothing more: Gson's reader in strict mode (no
 * unquoted keys or strings, no comments, no single quotes, one value and
 * nothing after it), and an object with a key twice is refused rather than
 * read as its last value ({@code {"id":"a","id":"b"}} would create {@code b}).
 */
final class StrictJson {
    private StrictJson() {
    }

    /** @throws JsonParseException saying what is wrong and where */
    static JsonElement parse(String text) {
        try (JsonReader in = new JsonReader(new StringReader(text))) {
            in.setLenient(false);
            JsonElement e = read(in);
            if (in.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("more after the value, at " + in.getPath());
            }
            return e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new JsonParseException(e.getMessage(), e);
        }
    }

    private static JsonElement read(JsonReader in) throws IOException {
        switch (in.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject o = new JsonObject();
                in.beginObject();
                while (in.hasNext()) {
                    String key = in.nextName();
                    if (o.has(key)) {
                        throw new JsonParseException("the key \"" + key + "\" appears twice in an object (at "
                                + in.getPath() + ")");
                    }
                    o.add(key, read(in));
                }
                in.endObject();
                return o;
            }
            case BEGIN_ARRAY -> {
                JsonArray a = new JsonArray();
                in.beginArray();
                while (in.hasNext()) {
                    a.add(read(in));
                }
                in.endArray();
                return a;
            }
            case STRING -> {
                return new JsonPrimitive(in.nextString());
            }
            case NUMBER -> {
                return new JsonPrimitive(new java.math.BigDecimal(in.nextString()));
            }
            case BOOLEAN -> {
                return new JsonPrimitive(in.nextBoolean());
            }
            case NULL -> {
                in.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw new JsonParseException("not a JSON value at " + in.getPath());
        }
    }
}
