package vagoth.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import vagoth.api.virt.Capacity;

class CapacityTest {
    private static Node node(String id, String type, Map<String, String> definition, Map<String, String> metadata) {
        return new Node(id, id, type, "", definition, metadata, Map.of(), Set.of(), null);
    }

    @Test
    void whatAHypervisorOffersLessWhatItsVmsAskFor() {
        Node hv = node("hv1", "hv", Map.of("cpus", "8"), Map.of("mem_total", "16384"));
        Capacity c = Capacity.of(hv, List.of(node("a", "vm", Map.of("ram", "1024", "cpus", "2"), Map.of()),
                node("b", "vm", Map.of("ram", "512"), Map.of())));
        assertEquals(new Capacity(16384, 8, -1, 2, 1536, 2), c);
        assertEquals(14848, c.ramFree());
    }

    @Test
    void unknownOffersStayUnknown() {
        Capacity c = Capacity.of(node("hv1", "hv", Map.of(), Map.of()), List.of());
        assertEquals(-1, c.memTotal());
        assertEquals(-1, c.ramFree());
        assertEquals(0, c.vms());
    }
}
