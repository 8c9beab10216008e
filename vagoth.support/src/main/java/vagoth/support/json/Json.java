package vagoth.support.json;

import java.util.Collection;
import java.util.Map;

/**
 * Writes maps, lists, strings, numbers, booleans and nulls as indented JSON
 * (two spaces, {@code "key": value}), for command output a script reads.
 * Bundles that print JSON copy this in rather than import a JSON library.
 */
public final class Json {
    private Json() {
    }

    /** {@code value} as indented JSON; a map's entries in its own order. */
    public static String pretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    /** {@code value} as JSON without any white space, for the wire. */
    public static String compact(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, COMPACT);
        return sb.toString();
    }

    /** The depth that means: no indentation, no new lines. */
    private static final int COMPACT = Integer.MIN_VALUE;

    private static void write(StringBuilder sb, Object v, int depth) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            object(sb, m, depth);
        } else if (v instanceof Collection<?> c) {
            array(sb, c, depth);
        } else {
            string(sb, v.toString());
        }
    }

    private static void object(StringBuilder sb, Map<?, ?> m, int depth) {
        if (m.isEmpty()) {
            sb.append("{}");
            return;
        }
        boolean compact = depth == COMPACT;
        sb.append('{');
        String sep = compact ? "" : "\n";
        for (Map.Entry<?, ?> e : m.entrySet()) {
            sb.append(sep);
            indent(sb, depth + 1);
            string(sb, String.valueOf(e.getKey()));
            sb.append(compact ? ":" : ": ");
            write(sb, e.getValue(), compact ? COMPACT : depth + 1);
            sep = compact ? "," : ",\n";
        }
        if (!compact) {
            sb.append('\n');
        }
        indent(sb, depth);
        sb.append('}');
    }

    private static void array(StringBuilder sb, Collection<?> c, int depth) {
        if (c.isEmpty()) {
            sb.append("[]");
            return;
        }
        boolean compact = depth == COMPACT;
        sb.append('[');
        String sep = compact ? "" : "\n";
        for (Object o : c) {
            sb.append(sep);
            indent(sb, depth + 1);
            write(sb, o, compact ? COMPACT : depth + 1);
            sep = compact ? "," : ",\n";
        }
        if (!compact) {
            sb.append('\n');
        }
        indent(sb, depth);
        sb.append(']');
    }

    private static void indent(StringBuilder sb, int depth) {
        if (depth < 0) {
            return; // compact (COMPACT + 1 is negative too)
        }
        sb.append("  ".repeat(depth));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
