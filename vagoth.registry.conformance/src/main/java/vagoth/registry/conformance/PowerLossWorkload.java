package vagoth.registry.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import vagoth.api.Node;
import vagoth.api.registry.Registry;

/**
 * Changes of every kind, each remembered once it is acknowledged, and the
 * check that a registry reopened after a power loss holds every one of them.
 * The change under way when the power went (acknowledged or not) may be
 * there or not, but nothing else may differ.
 */
final class PowerLossWorkload {
    private final Map<String, Node> expected = new HashMap<>();
    private final Map<String, byte[]> blobs = new HashMap<>();
    private String inFlight;

    /** Runs {@code nodes} rounds of changes; stops at the first failure (the power went). */
    void run(Registry r, int nodes) {
        inFlight = "hv";
        expected.put("hv", r.addNode(new Node("hv", "hv", "hv", "", Map.of(), Map.of(), Map.of(), Set.of(), null)));
        for (int i = 0; i < nodes; i++) {
            String id = "vm" + i;
            inFlight = id;
            expected.put(id, r.addNode(new Node(id, id, "vm", "t", Map.of("template", "debian"), Map.of(),
                    Map.of("i", String.valueOf(i)), Set.of("ip-" + i), null)));
            if (i % 3 == 0) {
                expected.put(id, r.updateMetadata(id, Map.of("state", "running"), List.of()));
            }
            if (i % 4 == 0) {
                expected.put(id, r.rename(id, "renamed" + i));
            }
            if (i % 5 == 0) {
                expected.put(id, r.setParent(id, "hv"));
            }
            if (i % 6 == 0) {
                byte[] data = ("blob of " + id).getBytes(StandardCharsets.UTF_8);
                r.putBlob(id, "cfg", data);
                blobs.put(id, data);
            }
            if (i % 12 == 0) {
                assertTrue(r.deleteBlob(id, "cfg"));
                blobs.remove(id);
            }
            if (i % 7 == 1) {
                r.removeParent(id);
                expected.put(id, r.getNode(id));
                r.deleteNode(id);
                expected.remove(id);
                blobs.remove(id);
            }
            inFlight = null;
        }
    }

    /** Checks that {@code after} holds every acknowledged change and nothing else. */
    void check(Registry after, String when) {
        for (Node want : expected.values()) {
            if (!want.id().equals(inFlight)) {
                assertEquals(want, after.findNode(want.id()).orElse(null), when + ": acknowledged change lost: " + want.id());
                assertArrayEquals(blobs.get(want.id()), after.getBlob(want.id(), "cfg").orElse(null),
                        when + ": blob of " + want.id());
            }
        }
        int extra = after.size() - expected.size();
        assertTrue(extra == 0 || inFlight != null && Math.abs(extra) == 1,
                when + ": " + after.size() + " nodes where " + expected.size() + " were acknowledged");
    }
}
