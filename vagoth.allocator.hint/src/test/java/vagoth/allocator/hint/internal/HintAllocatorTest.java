package vagoth.allocator.hint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.Node;
import vagoth.api.allocator.AllocationException;
import vagoth.testing.MemoryRegistry;

class HintAllocatorTest {
    @TempDir
    Path dir;

    @Test
    void theHintElseTheConfiguredNode() {
        MemoryRegistry r = new MemoryRegistry();
        {
            r.addNode(Node.of("hyper1", "hyper1", "hv"));
            r.addNode(Node.of("hyper2", "hyper2", "hv"));
            r.addNode(new Node("hyper3", "hyper3", "hv", "", Map.of(), Map.of("maintenance", "true"), Map.of(), Set.of(), null));
            Node vm = r.addNode(Node.of("vm1", "vm1", "vm"));
            assertEquals("hyper2", new HintAllocator(r, "hyper1").allocate(vm, "hyper2").id());
            assertEquals("hyper1", new HintAllocator(r, "hyper1").allocate(vm, null).id());
            assertEquals(Map.of("hyper3", "is in maintenance"), assertThrows(AllocationException.class,
                    () -> new HintAllocator(r, "").allocate(vm, "hyper3")).reasons());
            assertEquals(Map.of("vm1", "is a vm, not a hypervisor"), assertThrows(AllocationException.class,
                    () -> new HintAllocator(r, "").allocate(vm, "vm1")).reasons());
            assertEquals(Map.of("nosuch", "does not exist"), assertThrows(AllocationException.class,
                    () -> new HintAllocator(r, "").allocate(vm, "nosuch")).reasons());
            AllocationException none = assertThrows(AllocationException.class,
                    () -> new HintAllocator(r, "").allocate(vm, null));
            // the key as an operator writes it in the file (the metatype name default_node reads default.node)
            assertEquals(true, none.getMessage().contains("default.node in etc/vagoth.allocator.hint.cfg"),
                    none.getMessage());
        }
    }
}
