package vagoth.registry.file.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import vagoth.api.Node;

/**
 * Reads a snapshot segment (a JSON array of nodes as {@link NodeCodec#write}
 * writes them) straight from its bytes. Opening a large registry is mostly
 * this: decoding in place, and sharing short strings (definition keys and
 * values, types, tenants) through a table looked up by their bytes, keeps it
 * from allocating a string for every one of them only to throw it away.
 * Accepts any JSON of that shape (whitespace, escapes, fields in any order).
 */
final class SegmentParser {
    private static final int SHARE_MAX_BYTES = 24;

    private final byte[] b;
    private int pos;
    private final MapBuilder map = new MapBuilder();
    // open-addressing table of shared strings, keyed by their bytes
    private String[] table = new String[1024];
    private int shared;

    SegmentParser(byte[] bytes) {
        this.b = bytes;
    }

    List<Node> nodes(int expected) throws IOException {
        List<Node> out = new ArrayList<>(expected);
        expect('[');
        if (peek() == ']') {
            pos++;
        } else {
            do {
                out.add(node());
            } while (next(',', ']'));
        }
        if (peekOrEnd() != -1) {
            throw error("text after the end of the segment");
        }
        return out;
    }

    private Node node() throws IOException {
        String id = null;
        String name = null;
        String type = null;
        String tenant = "";
        String parent = null;
        Map<String, String> definition = Map.of();
        Map<String, String> metadata = Map.of();
        Map<String, String> tags = Map.of();
        Set<String> keys = Set.of();
        expect('{');
        if (peek() == '}') {
            pos++;
        } else {
            do {
                String field = string(true);
                expect(':');
                switch (field) {
                    case "id" -> id = string(false);
                    case "name" -> name = string(false);
                    case "type" -> type = string(true);
                    case "tenant" -> tenant = string(true);
                    case "parent" -> parent = string(false);
                    case "definition" -> definition = map();
                    case "metadata" -> metadata = map();
                    case "tags" -> tags = map();
                    case "keys" -> keys = keys();
                    default -> throw error("unknown field '" + field + "'");
                }
            } while (next(',', '}'));
        }
        if (id == null || name == null || type == null) {
            throw error("a node lacks its id, name or type");
        }
        return new Node(id, name, type, tenant, definition, metadata, tags, keys, parent);
    }

    private Map<String, String> map() throws IOException {
        expect('{');
        if (peek() == '}') {
            pos++;
            return Map.of();
        }
        map.clear();
        do {
            String k = string(true);
            expect(':');
            map.put(k, string(true));
        } while (next(',', '}'));
        return map.build();
    }

    private Set<String> keys() throws IOException {
        expect('[');
        if (peek() == ']') {
            pos++;
            return Set.of();
        }
        List<String> keys = new ArrayList<>(4);
        do {
            keys.add(string(false));
        } while (next(',', ']'));
        return Set.copyOf(keys);
    }

    /** A string; short plain ones are shared when {@code share}. */
    private String string(boolean share) throws IOException {
        expect('"');
        int start = pos;
        int hash = 0;
        boolean ascii = true;
        while (true) {
            if (pos >= b.length) {
                throw error("a string does not end");
            }
            byte c = b[pos];
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                pos = start;
                return escaped();
            }
            ascii &= c >= 0;
            hash = 31 * hash + c;
            pos++;
        }
        int len = pos - start;
        pos++;
        if (!ascii) {
            return new String(b, start, len, StandardCharsets.UTF_8);
        }
        return share && len <= SHARE_MAX_BYTES ? sharedString(start, len, hash)
                : new String(b, start, len, StandardCharsets.ISO_8859_1);
    }

    private String sharedString(int start, int len, int hash) {
        int mask = table.length - 1;
        for (int i = mix(hash) & mask;; i = (i + 1) & mask) {
            String s = table[i];
            if (s == null) {
                s = new String(b, start, len, StandardCharsets.ISO_8859_1);
                table[i] = s;
                if (++shared * 2 > table.length) {
                    grow();
                }
                return s;
            }
            if (sameBytes(s, start, len)) {
                return s;
            }
        }
    }

    private boolean sameBytes(String s, int start, int len) {
        if (s.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != b[start + i]) {
                return false;
            }
        }
        return true;
    }

    private void grow() {
        String[] old = table;
        table = new String[old.length * 2];
        int mask = table.length - 1;
        for (String s : old) {
            if (s != null) {
                int i = mix(s.hashCode()) & mask;
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = s;
            }
        }
    }

    /** Spreads the hash; for ASCII the string's own hashCode equals the hash computed over its bytes. */
    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    private String escaped() throws IOException {
        StringBuilder sb = new StringBuilder();
        int runStart = pos;
        while (true) {
            if (pos >= b.length) {
                throw error("a string does not end");
            }
            byte c = b[pos];
            if (c == '"') {
                sb.append(new String(b, runStart, pos - runStart, StandardCharsets.UTF_8));
                pos++;
                return sb.toString();
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            sb.append(new String(b, runStart, pos - runStart, StandardCharsets.UTF_8));
            if (pos + 1 >= b.length) {
                throw error("a string does not end");
            }
            char e = (char) b[pos + 1];
            pos += 2;
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > b.length) {
                        throw error("a \\u escape is cut short");
                    }
                    try {
                        sb.append((char) Integer.parseInt(new String(b, pos, 4, StandardCharsets.ISO_8859_1), 16));
                    } catch (NumberFormatException x) {
                        throw error("a \\u escape is not hexadecimal");
                    }
                    pos += 4;
                }
                default -> throw error("unknown escape \\" + e);
            }
            runStart = pos;
        }
    }

    /** After a value: true on {@code more}, false on {@code end}. */
    private boolean next(char more, char end) throws IOException {
        int c = peek();
        pos++;
        if (c == more) {
            return true;
        }
        if (c == end) {
            return false;
        }
        pos--;
        throw error("expected '" + more + "' or '" + end + "'");
    }

    private void expect(char want) throws IOException {
        if (peek() != want) {
            throw error("expected '" + want + "'");
        }
        pos++;
    }

    private int peek() throws IOException {
        int c = peekOrEnd();
        if (c < 0) {
            throw error("the segment ends early");
        }
        return c;
    }

    private int peekOrEnd() {
        while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) {
            pos++;
        }
        return pos < b.length ? b[pos] : -1;
    }

    private IOException error(String what) {
        return new IOException(what + " at byte " + pos);
    }
}
