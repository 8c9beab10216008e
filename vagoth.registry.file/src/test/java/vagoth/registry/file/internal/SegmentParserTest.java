package vagoth.registry.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.google.gson.stream.JsonWriter;

import vagoth.api.Node;

/** The snapshot reader reads back exactly what the writer wrote, whatever the strings hold. */
class SegmentParserTest {
    private static byte[] written(List<Node> nodes) throws IOException {
        StringWriter s = new StringWriter();
        try (JsonWriter w = new JsonWriter(s)) {
            w.beginArray();
            for (Node n : nodes) {
                NodeCodec.write(w, n);
            }
            w.endArray();
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyKindOfValueRoundTrips() throws IOException {
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            many.put("k" + i, "v" + (i % 7));
        }
        List<Node> nodes = List.of(
                Node.of("a", "a", "vm"),
                new Node("b", "b-name", "hv", "acme", Map.of("agent", "ssh \"root\"@h 'x' \\ back", "ram", "512"),
                        Map.of("state", "running", "note", "line1\nline2\ttab \u0001 \u2028 é ü 日本 😀"),
                        Map.of("role", "web", "flag", "true"), Set.of("ip-10.0.0.5", "mac-02:00:0a:00:00:05"), "a"),
                new Node("c", "c", "vm", "", many, Map.of(), Map.of(), Set.of(), null),
                new Node("d", "d", "vm", "", Map.of("long", "x".repeat(5000)), Map.of("", "empty key"), Map.of(),
                        Set.of(), null));
        assertEquals(nodes, new SegmentParser(written(nodes)).nodes(4));
    }

    @Test
    void anEmptySegmentHoldsNoNodes() throws IOException {
        assertEquals(List.of(), new SegmentParser(" [ ] ".getBytes(StandardCharsets.US_ASCII)).nodes(0));
    }

    @Test
    void sharedStringsAreOneObject() throws IOException {
        List<Node> nodes = List.of(Node.of("a", "a", "vm").withDefinition(Map.of("template", "debian")),
                Node.of("b", "b", "vm").withDefinition(Map.of("template", "debian")));
        List<Node> read = new SegmentParser(written(nodes)).nodes(2);
        assertEquals(nodes, read);
        assertEquals(System.identityHashCode(read.get(0).definition().get("template")),
                System.identityHashCode(read.get(1).definition().get("template")));
    }

    @Test
    void malformedTextIsAnErrorWithItsOffset() {
        for (String bad : List.of("[{\"id\":\"a\",\"name\":\"a\"}]", "[{\"id\":\"a\"", "[{\"id\":\"a\",\"nope\":1}]",
                "[{\"id\":\"a\\q\"}]", "[] x", "{}")) {
            IOException e = assertThrows(IOException.class,
                    () -> new SegmentParser(bad.getBytes(StandardCharsets.UTF_8)).nodes(1), bad);
            assertEquals(true, e.getMessage().contains("at byte"), e.getMessage());
        }
    }
}
