package vagoth.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import vagoth.api.Node;
import vagoth.api.virt.VmStates;
import vagoth.testing.HypervisorType;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.TestManager;

class HypervisorCommandsTest {
    private MemoryRegistry registry;
    private HypervisorCommands hv;
    private NodeCommands nodes;

    @BeforeEach
    void setUp() {
        registry = new MemoryRegistry();
        TestManager manager = new TestManager("me", registry).nodeType("hv", new HypervisorType());
        hv = new HypervisorCommands(manager);
        nodes = new NodeCommands(manager);
        registry.addNode(new Node("hv1", "hyper1", "hv", "", Map.of("mem_total", "4096", "cpus", "4"), Map.of(),
                Map.of(), Set.of(), null));
        registry.addNode(new Node("vm1", "vm1", "vm", "", Map.of("ram", "1024", "cpus", "2"), Map.of(), Map.of(),
                Set.of(), "hv1"));
    }

    @Test
    void maintenanceTakesAHypervisorOutOfPlacementAndBack() {
        assertEquals("maintenance: on (hyper1)", hv.maintenance(null, "hyper1", "on"));
        assertEquals("true", registry.getNode("hv1").metadata().get(VmStates.MAINTENANCE_FLAG));
        assertTrue(nodes.listhv(null).contains("maintenance=on"), nodes.listhv(null));
        assertEquals("maintenance: off (hyper1)", hv.maintenance(null, "hv1", "off"));
        assertEquals("false", registry.getNode("hv1").metadata().get(VmStates.MAINTENANCE_FLAG));
    }

    @Test
    void maintenanceRefusesWhatIsNotAHypervisorOrNotOnOrOff() {
        assertEquals("maintenance: say on or off, not 'maybe'", assertThrows(UsageException.class,
                () -> hv.maintenance(null, "hyper1", "maybe")).getMessage().lines().findFirst().orElseThrow());
        assertEquals("maintenance: vm1 is of type vm, not a hypervisor (vm1)",
                assertThrows(CommandFailure.class, () -> hv.maintenance(null, "vm1", "on")).getMessage());
        assertEquals(null, registry.getNode("vm1").metadata().get(VmStates.MAINTENANCE_FLAG));
        assertEquals("maintenance: --live goes with --evacuate: it says how the VMs move", assertThrows(
                UsageException.class, () -> hv.maintenance(null, "--live", "hyper1", "on")).getMessage().lines()
                .findFirst().orElseThrow());
        assertEquals("maintenance: --evacuate goes with on: a host put back takes VMs, it does not send them away",
                assertThrows(UsageException.class, () -> hv.maintenance(null, "--evacuate", "hyper1", "off"))
                        .getMessage().lines().findFirst().orElseThrow());
        assertEquals(null, registry.getNode("hv1").metadata().get(VmStates.MAINTENANCE_FLAG), "nothing changed");
    }

    @Test
    void listhvShowsWhatTheVmsAskForAgainstWhatTheHypervisorOffers() {
        String line = nodes.listhv(null);
        assertTrue(line.contains("vms=1  ram=1024/4096  free=3072  cpus=2/4  maintenance=off"), line);
    }
}
