package vagoth.provisioner.basic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.InvalidNameException;
import vagoth.api.Node;
import vagoth.api.NodeNotFoundException;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.provision.ProvisioningException;
import vagoth.api.registry.UniqueKeyViolationException;
import vagoth.testing.MemoryRegistry;

class BasicProvisionerTest {
    @TempDir
    Path dir;
    private MemoryRegistry registry;
    private BasicProvisioner provisioner;

    @BeforeEach
    void setUp() {
        registry = new MemoryRegistry();
        provisioner = new BasicProvisioner(registry);
    }

    @AfterEach
    void tearDown() {
    }

    @Test
    void provisionAddsTheNodeAsGiven() {
        Node n = provisioner.provision(new ProvisionRequest("devnode1", null, null, "acme",
                Map.of("template", "debian"), Map.of("role", "web"), Set.of("ip-10.0.0.5")));
        assertEquals(new Node("devnode1", "devnode1", "vm", "acme", Map.of("template", "debian"), Map.of(),
                Map.of("role", "web"), Set.of("ip-10.0.0.5"), null), n);
        assertEquals(n, registry.getNodeByKey("ip-10.0.0.5"));
    }

    @Test
    void provisionRefusesTakenIdsNamesKeysAndUnsafeNames() {
        provisioner.provision(ProvisionRequest.of("devnode1", "vm", Map.of()));
        assertThrows(UniqueKeyViolationException.class, () -> provisioner.provision(ProvisionRequest.of("devnode1", "vm", Map.of())));
        assertThrows(UniqueKeyViolationException.class,
                () -> provisioner.provision(new ProvisionRequest("other", "devnode1", "vm", null, null, null, null)));
        assertThrows(InvalidNameException.class, () -> provisioner.provision(ProvisionRequest.of("rm -rf", "vm", Map.of())));
        assertEquals(1, registry.size());
    }

    @Test
    void deprovisionRefusesANodeStillAssignedToAParent() {
        provisioner.provision(ProvisionRequest.of("hyper1", "hv", Map.of()));
        provisioner.provision(ProvisionRequest.of("devnode1", "vm", Map.of()));
        registry.setParent("devnode1", "hyper1");
        ProvisioningException e = assertThrows(ProvisioningException.class, () -> provisioner.deprovision("devnode1"));
        assertEquals("Cannot deprovision node while it's still assigned to a parent", e.getMessage());
        assertEquals("devnode1", e.node().orElseThrow());
        ProvisioningException kids = assertThrows(ProvisioningException.class, () -> provisioner.deprovision("hyper1"));
        assertTrue(kids.getMessage().contains("devnode1"), kids.getMessage());
        assertEquals(2, registry.size());
        registry.removeParent("devnode1");
        provisioner.deprovision("devnode1");
        provisioner.deprovision("hyper1");
        assertFalse(registry.contains("devnode1"));
        assertThrows(NodeNotFoundException.class, () -> provisioner.deprovision("devnode1"));
    }
}
