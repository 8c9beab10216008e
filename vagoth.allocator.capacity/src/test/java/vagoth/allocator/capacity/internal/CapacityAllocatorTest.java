package vagoth.allocator.capacity.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.Node;
import vagoth.api.allocator.AllocationException;
import vagoth.testing.MemoryRegistry;

class CapacityAllocatorTest {
    @TempDir
    Path dir;
    private MemoryRegistry registry;

    @BeforeEach
    void setUp() {
        registry = new MemoryRegistry();
    }

    @AfterEach
    void tearDown() {
    }

    private CapacityAllocator allocator(String strategy) {
        return new CapacityAllocator(registry, strategy, 1.0, 1.0, Set.of("anti_affinity"), 0);
    }

    private void hv(String id, long memMb, int cpus, Map<String, String> metadata) {
        Map<String, String> md = new HashMap<>(metadata);
        if (memMb > 0) {
            md.put("mem_total", String.valueOf(memMb));
            md.put("cpus", String.valueOf(cpus));
        }
        registry.addNode(new Node(id, id, "hv", "", Map.of(), md, Map.of(), Set.of(), null));
    }

    private Node vm(String id, long ram, int cpus, Map<String, String> tags) {
        Map<String, String> def = new HashMap<>();
        if (ram > 0) {
            def.put("ram", String.valueOf(ram));
        }
        if (cpus > 0) {
            def.put("cpus", String.valueOf(cpus));
        }
        return registry.addNode(new Node(id, id, "vm", "", def, Map.of(), tags, Set.of(), null));
    }

    private void place(CapacityAllocator a, Node vm) {
        registry.setParent(vm.id(), a.allocate(vm, null).id());
    }

    @Test
    void spreadChoosesTheEmptiestAndPackTheFullestThatFits() {
        hv("small", 4096, 4, Map.of());
        hv("big", 16384, 16, Map.of());
        registry.setParent(vm("old", 2048, 1, Map.of()).id(), "small");
        Node vm = vm("new", 1024, 1, Map.of());
        assertEquals("big", allocator("spread").allocate(vm, null).id());
        assertEquals("small", allocator("pack").allocate(vm, null).id());
    }

    /** A host added after the allocator read its (cached) model is placed on at once when it is the hint. */
    @Test
    void aHostJustAddedIsTakenAsTheHintDespiteTheCache() {
        CapacityAllocator a = new CapacityAllocator(registry, "spread", 1.0, 1.0, Set.of(), 60_000);
        hv("old", 4096, 4, Map.of());
        assertEquals("old", a.allocate(vm("first", 512, 1, Map.of()), null).id());
        hv("added", 4096, 4, Map.of());
        assertEquals("added", a.allocate(vm("second", 512, 1, Map.of()), "added").id());
        assertEquals("added", a.plan(List.of(vm("third", 512, 1, Map.of())), "added", Set.of()).get(0).chosen());
    }

    /** A fenced host that answers again (state up) is still out of placement until it is unfenced. */
    @Test
    void aFencedHostThatAnswersIsNeverChosen() {
        hv("fenced", 65536, 64, Map.of("state", "up", "fenced", "true"));
        hv("small", 4096, 4, Map.of("state", "up"));
        Node vm = vm("new", 1024, 1, Map.of());
        assertEquals("small", allocator("spread").allocate(vm, null).id(), "the emptiest is fenced");
        AllocationException e = assertThrows(AllocationException.class, () -> allocator("spread").allocate(vm, "fenced"));
        assertEquals(Map.of("fenced", "is fenced (unfence it to use it again)"), e.reasons());
    }

    @Test
    void whenNothingFitsEachHypervisorSaysWhy() {
        hv("a", 2048, 2, Map.of());
        hv("b", 8192, 1, Map.of());
        hv("m", 65536, 64, Map.of("maintenance", "true"));
        hv("u", 65536, 64, Map.of("state", "unreachable"));
        registry.setParent(vm("x", 1024, 1, Map.of()).id(), "a");
        AllocationException e = assertThrows(AllocationException.class,
                () -> allocator("spread").allocate(vm("big", 4096, 2, Map.of()), null));
        assertEquals(Map.of("a", "needs 4096 MB RAM, has 1024 MB free of 2048", "b", "needs 2 CPUs, has 1 free of 1",
                "m", "is in maintenance", "u", "is unreachable"), e.reasons());
        assertEquals("No hypervisor can take big: a needs 4096 MB RAM, has 1024 MB free of 2048; b needs 2 CPUs, "
                + "has 1 free of 1; m is in maintenance; u is unreachable", e.getMessage());
    }

    @Test
    void vmsSharingAnExclusionTagNeverShareAHypervisor() {
        hv("a", 16384, 16, Map.of());
        hv("b", 16384, 16, Map.of());
        CapacityAllocator pack = allocator("pack");
        place(pack, vm("web1", 512, 1, Map.of("anti_affinity", "web")));
        place(pack, vm("web2", 512, 1, Map.of("anti_affinity", "web")));
        assertEquals(false, registry.getNode("web1").parent().equals(registry.getNode("web2").parent()));
        AllocationException e = assertThrows(AllocationException.class,
                () -> pack.allocate(vm("web3", 512, 1, Map.of("anti_affinity", "web")), null));
        assertEquals("already has a VM tagged anti_affinity=web", e.reasons().get("a"));
        place(pack, vm("db1", 512, 1, Map.of("anti_affinity", "db")));
    }

    @Test
    void aNeverPolledHypervisorTakesOnlyVmsThatAskForNothing() {
        hv("hyper1", 0, 0, Map.of());
        assertEquals("hyper1", allocator("spread").allocate(vm("devnode1", 0, 0, Map.of()), null).id());
        AllocationException e = assertThrows(AllocationException.class,
                () -> allocator("spread").allocate(vm("sized", 512, 0, Map.of()), null));
        assertEquals("has unknown capacity (never polled, and no mem_total in its definition)", e.reasons().get("hyper1"));
    }

    @Test
    void capacityDeclaredInTheDefinitionWinsAndOvercommitStretchesIt() {
        registry.addNode(new Node("h", "h", "hv", "", Map.of("mem_total", "1000", "cpus", "2", "max_vms", "3"),
                Map.of("mem_total", "999999"), Map.of(), Set.of(), null));
        CapacityAllocator strict = allocator("spread");
        assertThrows(AllocationException.class, () -> strict.allocate(vm("v0", 1500, 0, Map.of()), null));
        CapacityAllocator generous = new CapacityAllocator(registry, "spread", 2.0, 1.0, Set.of(), 0);
        place(generous, vm("v1", 1500, 0, Map.of()));
        place(generous, vm("v2", 100, 0, Map.of()));
        place(generous, vm("v3", 100, 0, Map.of()));
        AllocationException e = assertThrows(AllocationException.class, () -> generous.allocate(vm("v4", 1, 0, Map.of()), null));
        assertEquals("already has its maximum of 3 VMs", e.reasons().get("h"));
    }

    @Test
    void aHintIsHonouredOrRefusedWithItsReason() {
        hv("a", 4096, 4, Map.of());
        hv("b", 4096, 4, Map.of("maintenance", "true"));
        assertEquals("a", allocator("spread").allocate(vm("v", 512, 1, Map.of()), "a").id());
        AllocationException e = assertThrows(AllocationException.class,
                () -> allocator("spread").allocate(vm("w", 512, 1, Map.of()), "b"));
        assertEquals(Map.of("b", "is in maintenance"), e.reasons());
        AllocationException none = assertThrows(AllocationException.class,
                () -> allocator("spread").allocate(vm("x", 512, 1, Map.of()), "nosuch"));
        assertEquals(Map.of("nosuch", "is not a hypervisor in the registry"), none.reasons());
    }

    @Test
    void aMalformedDemandIsRefused() {
        hv("a", 4096, 4, Map.of());
        Node bad = new Node("bad", "bad", "vm", "", Map.of("ram", "lots"), Map.of(), Map.of(), Set.of(), null);
        assertThrows(vagoth.api.InvalidValueException.class, () -> registry.addNode(bad), "never stored");
        AllocationException e = assertThrows(AllocationException.class, () -> allocator("spread").allocate(bad, null));
        assertEquals("ram=lots is not a whole number", e.reasons().get("(definition)"));
    }

    @Test
    void aPlanPlacesAllTogetherLargestFirstAndChangesNothing() {
        hv("hv1", 4096, 4, Map.of());
        hv("hv2", 2048, 4, Map.of());
        hv("src", 8192, 8, Map.of());
        CapacityAllocator a = allocator("pack");
        Node small = vm("small", 1024, 1, Map.of());
        Node big = vm("big", 3072, 1, Map.of());
        Node mid = vm("mid", 2048, 1, Map.of());
        List<vagoth.api.allocator.Placement> plan = a.plan(List.of(small, big, mid), null, Set.of("src"));
        assertEquals(List.of("big", "mid", "small"), plan.stream().map(vagoth.api.allocator.Placement::vm).toList());
        assertEquals("hv1", plan.get(0).chosen()); // 3072 of 4096
        assertEquals("hv2", plan.get(1).chosen()); // hv1 has 1024 left: counted from the first placement
        assertEquals("hv1", plan.get(2).chosen());
        assertEquals("is being emptied", plan.get(0).others().get("src"));
        assertTrue(plan.get(0).others().get("hv2").startsWith("needs 3072 MB RAM"), plan.get(0).others().toString());
        // nothing was placed: the same plan again, and a real placement sees every host empty
        assertEquals(plan, a.plan(List.of(small, big, mid), null, Set.of("src")));
        assertEquals("hv1", a.allocate(big, null).id()); // had the plan placed it, hv1 would lack the room
    }

    @Test
    void aPlanKeepsVmsOfOneExclusionTagApartAndSaysWhatDoesNotFit() {
        hv("hv1", 8192, 8, Map.of());
        hv("hv2", 8192, 8, Map.of());
        CapacityAllocator a = allocator("pack");
        List<Node> db = List.of(vm("db1", 512, 1, Map.of("anti_affinity", "db")),
                vm("db2", 512, 1, Map.of("anti_affinity", "db")), vm("db3", 512, 1, Map.of("anti_affinity", "db")));
        List<vagoth.api.allocator.Placement> plan = a.plan(db, null, Set.of());
        assertEquals(Set.of("hv1", "hv2"), Set.of(plan.get(0).chosen(), plan.get(1).chosen()));
        assertFalse(plan.get(2).fits());
        assertEquals(Map.of("hv1", "already has a VM tagged anti_affinity=db", "hv2",
                "already has a VM tagged anti_affinity=db"), plan.get(2).others());
    }

    @Test
    void roomSaysHowManyMoreFitAndWhatLimitsThem() {
        hv("hv1", 4096, 2, Map.of());
        hv("hv2", 16384, 4, Map.of("maintenance", "true"));
        hv("hv3", 0, 0, Map.of());
        CapacityAllocator a = allocator("pack");
        place(a, vm("used", 1024, 1, Map.of()));
        List<vagoth.api.allocator.Room> room = a.room(vm("shape", 1024, 1, Map.of()));
        assertEquals(new vagoth.api.allocator.Room("hv1", 1, "CPUs"), room.get(0)); // 3 GB left, but 1 CPU
        assertEquals(new vagoth.api.allocator.Room("hv2", 0, "is in maintenance"), room.get(1));
        assertEquals(0, room.get(2).more());
        assertTrue(room.get(2).limit().startsWith("has unknown capacity"), room.get(2).limit());
        assertEquals(1, a.room(vm("db", 512, 0, Map.of("anti_affinity", "db"))).get(0).more());
        assertEquals(-1, a.room(vm("nothing", 0, 0, Map.of())).get(0).more());
    }
}
