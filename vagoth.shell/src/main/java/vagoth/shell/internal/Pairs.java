package vagoth.shell.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import vagoth.api.Names;

/** {@code key=value} arguments: definition pairs and tags. */
final class Pairs {
    private Pairs() {
    }

    /** Definition pairs: every one must have a key and an '='. */
    static Map<String, String> definition(ParsedArgs args, List<String> pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw args.usage("definition pair '" + pair + "' must be key=value");
            }
            String key = pair.substring(0, eq);
            checkToken(args, "definition key", key);
            if (out.put(key, pair.substring(eq + 1)) != null) {
                throw args.usage("definition key '" + key + "' is given twice");
            }
        }
        return out;
    }

    /** Tags: {@code k=v}, or {@code k} alone meaning {@code k=true}; with {@code allowDelete}, {@code k=} means delete. */
    static Map<String, String> tags(ParsedArgs args, List<String> tags, boolean allowDelete) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String tag : tags) {
            int eq = tag.indexOf('=');
            String key = eq < 0 ? tag : tag.substring(0, eq);
            String value = eq < 0 ? "true" : tag.substring(eq + 1);
            checkToken(args, "tag", key);
            if (value.isEmpty() && !allowDelete) {
                throw args.usage("tag '" + tag + "' has an empty value");
            }
            if (out.put(key, value) != null) {
                throw args.usage("tag '" + key + "' is given twice");
            }
        }
        return out;
    }

    private static void checkToken(ParsedArgs args, String what, String key) {
        try {
            Names.requireToken(what, key);
        } catch (IllegalArgumentException | vagoth.api.InvalidNameException e) {
            throw args.usage(e.getMessage());
        }
    }
}
