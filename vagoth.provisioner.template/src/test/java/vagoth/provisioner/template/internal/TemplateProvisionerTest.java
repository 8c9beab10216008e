package vagoth.provisioner.template.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

import vagoth.api.Node;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.provision.ProvisioningException;
import vagoth.testing.MemoryRegistry;

@Timeout(120)
class TemplateProvisionerTest {
    @TempDir
    Path home;
    private MemoryRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(home.resolve("etc/templates"));
        Files.writeString(home.resolve("etc/templates/debian.json"), "{\"ram\": 1024, \"cpus\": 1, \"disk\": \"10G\"}");
        Files.writeString(home.resolve("etc/templates/broken.json"), "{\"ram\": 1024,");
        registry = new MemoryRegistry();
    }

    @AfterEach
    void tearDown() {
    }

    private TemplateProvisioner provisioner(Map<String, String> config) {
        return new TemplateProvisioner(registry, Configs.of(config), home);
    }

    private static ProvisionRequest vm(String id, Map<String, String> def) {
        return ProvisionRequest.of(id, "vm", def);
    }

    @Test
    void aTemplateIsMergedWithTheGivenPairsWhichWin() {
        Node n = provisioner(Map.of()).provision(vm("devnode1", Map.of("template", "debian", "ram", "2048")));
        assertEquals("2048", n.definition().get("ram"));
        assertEquals("1", n.definition().get("cpus"));
        assertEquals("10G", n.definition().get("disk"));
        assertEquals("debian", n.definition().get("template"));
        assertEquals("devnode1.vagoth.local", n.definition().get("fqdn"));
    }

    @Test
    void anUnknownOrBrokenTemplateIsRefusedAndNothingIsAdded() {
        TemplateProvisioner p = provisioner(Map.of());
        ProvisioningException unknown = assertThrows(ProvisioningException.class,
                () -> p.provision(vm("a", Map.of("template", "centos"))));
        assertTrue(unknown.getMessage().startsWith("Unknown template centos (templates: broken, debian"), unknown.getMessage());
        ProvisioningException broken = assertThrows(ProvisioningException.class,
                () -> p.provision(vm("b", Map.of("template", "broken"))));
        assertTrue(broken.getMessage().contains("broken.json is not valid JSON"), broken.getMessage());
        assertEquals(0, registry.size());
    }

    @Test
    void addressesAreAllocatedClaimedAsKeysAndReleased() {
        TemplateProvisioner p = provisioner(Map.of());
        Node a = p.provision(vm("a", Map.of()));
        Node b = p.provision(vm("b", Map.of()));
        assertEquals("10.0.0.10", a.definition().get("ip"));
        assertEquals("02:00:0a:00:00:0a", a.definition().get("mac"));
        assertEquals(Set.of("ip-10.0.0.10", "mac-02:00:0a:00:00:0a"), a.keys());
        assertEquals("10.0.0.11", b.definition().get("ip"));
        p.deprovision("a");
        assertTrue(registry.findNodeByKey("ip-10.0.0.10").isEmpty());
        assertEquals("10.0.0.12", p.provision(vm("c", Map.of())).definition().get("ip"),
                "the next address follows the last handed out; a released one comes back when the range wraps");
    }

    @Test
    void explicitAddressesAreHonouredWhenFreeAndInsideTheNetwork() {
        TemplateProvisioner p = provisioner(Map.of());
        Node a = p.provision(vm("a", Map.of("ip", "10.0.0.99", "mac", "02:AA:BB:CC:DD:EE")));
        assertEquals("10.0.0.99", a.definition().get("ip"));
        assertEquals("02:aa:bb:cc:dd:ee", a.definition().get("mac"));
        assertEquals("ip=10.0.0.99 is taken by a",
                assertThrows(ProvisioningException.class, () -> p.provision(vm("b", Map.of("ip", "10.0.0.99")))).getMessage());
        assertEquals("mac=02:aa:bb:cc:dd:ee is taken by a", assertThrows(ProvisioningException.class,
                () -> p.provision(vm("b", Map.of("mac", "02:aa:bb:cc:dd:ee")))).getMessage());
        assertTrue(assertThrows(ProvisioningException.class, () -> p.provision(vm("g", Map.of("mac", "00:00:00:00:00:00"))))
                .getMessage().startsWith("mac=00:00:00:00:00:00 is not a unicast MAC address"));
        assertTrue(assertThrows(ProvisioningException.class, () -> p.provision(vm("c", Map.of("ip", "192.168.1.5"))))
                .getMessage().startsWith("ip=192.168.1.5 is outside the network 10.0.0.0/24"));
        assertThrows(ProvisioningException.class, () -> p.provision(vm("d", Map.of("ip", "10.0.0.1"))), "the gateway");
        assertThrows(ProvisioningException.class, () -> p.provision(vm("e", Map.of("ip", "10.0.0.300"))));
        assertThrows(ProvisioningException.class, () -> p.provision(vm("f", Map.of("mac", "01:00:00:00:00:01"))), "multicast");
        assertEquals(1, registry.size());
        Node h = p.provision(vm("h", Map.of("ip", "10.0.0.98")));
        assertEquals("ip=10.0.0.98 is taken by h", assertThrows(ProvisioningException.class,
                () -> p.provision(vm("i", Map.of("ip", "10.0.0.98")))).getMessage(),
                "its MAC, derived from the address, is taken too: the address is what was asked for");
        assertEquals(2, registry.size());
    }

    @Test
    void anExhaustedRangeGivesAClearError() {
        TemplateProvisioner p = provisioner(Map.of("range", "10.0.0.10-10.0.0.12"));
        for (String id : List.of("a", "b", "c")) {
            p.provision(vm(id, Map.of()));
        }
        ProvisioningException e = assertThrows(ProvisioningException.class, () -> p.provision(vm("d", Map.of())));
        assertEquals("No free address left in 10.0.0.10-10.0.0.12 (3 addresses, all taken); widen the range or "
                + "deprovision nodes", e.getMessage());
        assertFalse(registry.contains("d"));
    }

    private List<String> entry(String dir, String id) throws Exception {
        return Files.readAllLines(home.resolve("var/dnsmasq").resolve(dir).resolve(id));
    }

    @Test
    void dnsmasqFilesFollowEveryChange() throws Exception {
        TemplateProvisioner p = provisioner(Map.of());
        p.provision(vm("devnode1", Map.of()));
        p.provision(vm("devnode2", Map.of()));
        assertEquals(List.of("02:00:0a:00:00:0a,10.0.0.10,devnode1"), entry("dhcp-hosts.d", "devnode1"));
        assertEquals(List.of("10.0.0.11 devnode2.vagoth.local devnode2"), entry("hosts.d", "devnode2"));
        p.deprovision("devnode1");
        assertFalse(Files.exists(home.resolve("var/dnsmasq/hosts.d/devnode1")));
        assertFalse(Files.exists(home.resolve("var/dnsmasq/dhcp-hosts.d/devnode1")));
        assertEquals(List.of("10.0.0.11 devnode2.vagoth.local devnode2"), entry("hosts.d", "devnode2"));
    }

    @Test
    void aRenameRewritesItsEntriesAndItsFqdn() throws Exception {
        TemplateProvisioner p = provisioner(Map.of());
        p.provision(vm("web7", Map.of()));
        registry.rename("web7", "web8");
        assertEquals(List.of(), p.renamed("web7"));
        assertEquals(List.of("10.0.0.10 web8.vagoth.local web8"), entry("hosts.d", "web7"));
        assertEquals(List.of("02:00:0a:00:00:0a,10.0.0.10,web8"), entry("dhcp-hosts.d", "web7"));
        assertEquals("web8.vagoth.local", registry.getNode("web7").definition().get("fqdn"));
    }

    @Test
    void aDnsmasqThatIsDownIsWarnedAboutNeverARefusal() throws Exception {
        TemplateProvisioner noDnsmasq = provisioner(Map.of("dnsmasq_pidfile", home.resolve("no-such.pid").toString()));
        noDnsmasq.provision(vm("x", Map.of()));
        assertTrue(registry.contains("x"), "the files are the truth: the reload is a courtesy");
        assertEquals(List.of("10.0.0.10 x.vagoth.local x"), entry("hosts.d", "x"));
        noDnsmasq.deprovision("x");
        assertFalse(registry.contains("x"));
        assertFalse(Files.exists(home.resolve("var/dnsmasq/hosts.d/x")));
    }

    @Test
    void theNextAddressDoesNotScanTheTakenOnesAndAFreedOneComesBackAfterTheRangeWraps() {
        TemplateProvisioner p = provisioner(Map.of("range", "10.0.0.10-10.0.0.13"));
        for (String id : List.of("a", "b", "c")) {
            p.provision(vm(id, Map.of()));
        }
        p.deprovision("a");
        assertEquals("10.0.0.13", p.provision(vm("d", Map.of())).definition().get("ip"), "after the last handed out");
        assertEquals("10.0.0.10", p.provision(vm("e", Map.of())).definition().get("ip"), "wrapped: a's again");
    }

    /**
     * Three provisioners (as three processes would have, each with its own
     * dnsmasq files writer) over one registry, all at once: the registry's
     * unique keys make them retry on a taken address, never share one. That
     * the file registry keeps keys unique across processes is its conformance
     * suite's concern.
     */
    @Test
    void concurrentProvisionersNeverDuplicateAnAddress() throws Exception {
        List<TemplateProvisioner> provisioners = List.of(provisioner(Map.of()), provisioner(Map.of()),
                provisioner(Map.of()));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<List<String>>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TemplateProvisioner p = provisioners.get(i);
            String prefix = "p" + i;
            runs.add(pool.submit(() -> {
                List<String> ips = new ArrayList<>();
                for (int n = 0; n < 25; n++) {
                    ips.add(p.provision(ProvisionRequest.of(prefix + "-" + n, "vm", Map.of())).definition().get("ip"));
                }
                return ips;
            }));
        }
        Set<String> ips = new HashSet<>();
        for (Future<List<String>> run : runs) {
            for (String ip : run.get(120, TimeUnit.SECONDS)) {
                assertTrue(ips.add(ip), "address given twice: " + ip);
            }
        }
        pool.shutdown();
        assertEquals(75, ips.size());
        assertEquals(75, registry.size());
        try (java.util.stream.Stream<Path> files = Files.list(home.resolve("var/dnsmasq/hosts.d"))) {
            assertEquals(75, files.count(), "every VM is in DNS");
        }
    }

    @Test
    void dnsmasqFilesThatFellBehindAreRepairedByReconcile() throws Exception {
        TemplateProvisioner p = provisioner(Map.of());
        p.provision(vm("devnode1", Map.of()));
        Path entry = home.resolve("var/dnsmasq/hosts.d/devnode1");
        String good = Files.readString(entry);
        assertEquals(List.of(), p.reconcile(), "nothing to repair");
        // as if the process died between adding a node and writing its files, and a VM's files were left behind
        Files.delete(entry);
        Files.writeString(home.resolve("var/dnsmasq/hosts.d/gone"), "10.0.0.99 gone.vagoth.local gone\n");
        List<String> repaired = p.reconcile();
        assertEquals(2, repaired.size(), repaired.toString());
        assertTrue(repaired.get(0).contains("had fallen behind the registry"), repaired.get(0));
        assertEquals(good, Files.readString(entry));
        assertFalse(Files.exists(home.resolve("var/dnsmasq/hosts.d/gone")));
        assertEquals(List.of(), p.reconcile());
    }
}
