package vagoth.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.Registry;
import vagoth.api.registry.RegistryCopy;
import vagoth.api.registry.RegistryException;

/** Moving an installation's nodes and blobs from one registry to another. */
class RegistryCopyTest {

    private static MemoryRegistry source() {
        MemoryRegistry r = new MemoryRegistry();
        r.addNode(new Node("hv1", "hyper1", "hv", "", Map.of("mem_total", "4096"), Map.of("state", "up"), Map.of(),
                Set.of(), null));
        r.addNode(new Node("vm1", "web", "vm", "acme", Map.of("ram", "512"), Map.of("state", "running"),
                Map.of("role", "web"), Set.of("ip-10.0.0.11"), null));
        r.setParent("vm1", "hv1");
        r.putBlob("vm1", "console", new byte[] {1, 2, 3});
        return r;
    }

    @Test
    void everyNodeParentAndBlobArrivesAndIsVerified() {
        MemoryRegistry from = source();
        MemoryRegistry to = new MemoryRegistry();
        assertEquals(new RegistryCopy.Copied(2, 1), RegistryCopy.copy(from, to, false));
        assertEquals(from.getNodes(NodeQuery.all()), to.getNodes(NodeQuery.all()));
        assertEquals("hv1", to.getNode("vm1").parent());
        assertArrayEquals(new byte[] {1, 2, 3}, to.getBlob("vm1", "console").orElseThrow());
    }

    @Test
    void aTargetThatHoldsNodesIsRefusedUnlessToBeReplaced() {
        MemoryRegistry to = new MemoryRegistry();
        to.addNode(Node.of("other", "other", "vm"));
        RegistryException e = assertThrows(RegistryException.class, () -> RegistryCopy.copy(source(), to, false));
        assertEquals("The target registry already holds 1 node(s); nothing was copied (replace them with --replace)",
                e.getMessage());
        assertEquals(Set.of("other"), Set.copyOf(to.getNodes(NodeQuery.all()).stream().map(Node::id).toList()));
        RegistryCopy.copy(source(), to, true);
        assertEquals(2, to.size());
        assertTrue(to.findNode("other").isEmpty());
    }

    @Test
    void aCopyThatDoesNotMatchIsReported() {
        MemoryRegistry to = new MemoryRegistry();
        Registry lossy = new ForwardingRegistry(to) {
            @Override
            public void putBlob(String id, String name, byte[] data) {
                super.putBlob(id, name, new byte[] {9});
            }
        };
        RegistryException e = assertThrows(RegistryException.class, () -> RegistryCopy.copy(source(), lossy, false));
        assertEquals("The copy does not match the source: vm1 (blob console)", e.getMessage());
    }
}
