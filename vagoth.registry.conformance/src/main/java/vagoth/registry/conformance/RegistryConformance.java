package vagoth.registry.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.InvalidNameException;
import vagoth.api.Node;
import vagoth.api.NodeAlreadyHasParentException;
import vagoth.api.NodeInUseException;
import vagoth.api.NodeNotFoundException;
import vagoth.api.NodeQuery;
import vagoth.api.registry.NodeUpdate;
import vagoth.api.registry.Registry;
import vagoth.api.VagothException;
import vagoth.api.registry.UniqueKeyViolationException;
import vagoth.support.faults.FaultInjectingFileIo;
import vagoth.support.io.FileIo;

/**
 * The rules every {@link Registry} keeps. An implementation's test extends
 * this class, says how to open its registry on a directory, and names a main
 * class that runs {@link RegistryWorker} for the multi-process tests.
 */
@Timeout(300)
public abstract class RegistryConformance {
    @TempDir
    protected Path dir;
    private final List<Registry> opened = new ArrayList<>();
    protected Registry registry;

    /** Opens the registry stored in {@code directory}; opening it twice gives two views of one registry. */
    protected abstract Registry open(Path directory);

    /**
     * A class whose {@code main} calls {@link RegistryWorker#run} with this
     * implementation; null for one that cannot be shared between processes
     * (the multi-process tests are then not applicable).
     */
    protected abstract Class<?> workerMain();

    /**
     * Waits until {@code r} has seen every change committed through other
     * instances so far. A registry whose lookups are served from a view kept
     * current by notifications is allowed that delay; one that reads its
     * store on each call needs nothing here.
     */
    protected void settle(Registry r) {
    }

    private void assumeSharedBetweenProcesses() {
        Assumptions.assumeTrue(workerMain() != null, "this registry is not shared between processes");
    }

    /**
     * Opens the registry in {@code directory} with every file change going
     * through {@code io}, for the power-loss test; an implementation that does
     * not keep its data in files returns null (the test is then not applicable).
     */
    protected Registry openWithFileIo(Path directory, FileIo io) {
        return null;
    }

    @BeforeEach
    void openRegistry() {
        registry = reopen();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (Registry r : opened) {
            if (r instanceof AutoCloseable c) {
                c.close();
            }
        }
    }

    protected Registry reopen() {
        Registry r = open(dir);
        opened.add(r);
        return r;
    }

    protected static Node vm(String id) {
        return Node.of(id, id, "vm");
    }

    protected static Node node(String id, String type, String tenant, Map<String, String> tags, Set<String> keys) {
        return new Node(id, id, type, tenant, Map.of("template", "debian"), Map.of(), tags, keys, null);
    }

    // ---- identity and uniqueness

    @Test
    void addedNodeIsFoundByIdNameAndKey() {
        registry.addNode(new Node("n1", "web1", "vm", "acme", Map.of("ram", "512"), Map.of("state", "unknown"),
                Map.of("role", "web"), Set.of("ip-10.0.0.5"), null));
        Node n = registry.getNode("n1");
        assertEquals("web1", n.name());
        assertEquals("acme", n.tenant());
        assertEquals(Map.of("ram", "512"), n.definition());
        assertEquals(n, registry.getNodeByName("web1"));
        assertEquals(n, registry.getNodeByKey("ip-10.0.0.5"));
        assertTrue(registry.contains("n1"));
        assertEquals(1, registry.size());
    }

    @Test
    void missingNodesAreReportedNotInvented() {
        NodeNotFoundException e = assertThrows(NodeNotFoundException.class, () -> registry.getNode("devnode1"));
        assertEquals("Node devnode1 not found in registry.", e.getMessage());
        assertTrue(registry.findNodeByName("x").isEmpty());
        assertTrue(registry.findNodeByKey("ip-1").isEmpty());
        assertFalse(registry.contains("devnode1"));
    }

    @Test
    void anOperatorsReferenceIsAnIdElseAName() {
        registry.addNode(new Node("n1", "web", "vm", "", Map.of(), Map.of(), Map.of(), Set.of(), null));
        assertEquals("n1", registry.resolve("n1").id());
        assertEquals("n1", registry.resolve("web").id());
        assertEquals("Node db not found in registry.",
                assertThrows(NodeNotFoundException.class, () -> registry.resolve("db")).getMessage());
        assertThrows(InvalidNameException.class, () -> registry.resolve("../etc"));
    }

    @Test
    void duplicateIdIsRefusedAndNothingChanges() {
        registry.addNode(vm("a"));
        UniqueKeyViolationException e = assertThrows(UniqueKeyViolationException.class,
                () -> registry.addNode(new Node("a", "other", "vm", "", null, null, null, Set.of("k1"), null)));
        assertEquals(UniqueKeyViolationException.Kind.ID, e.kind());
        assertTrue(registry.findNodeByName("other").isEmpty());
        assertTrue(registry.findNodeByKey("k1").isEmpty());
    }

    @Test
    void duplicateNameIsRefused() {
        registry.addNode(vm("a"));
        UniqueKeyViolationException e = assertThrows(UniqueKeyViolationException.class,
                () -> registry.addNode(new Node("b", "a", "vm", "", null, null, null, null, null)));
        assertEquals(UniqueKeyViolationException.Kind.NAME, e.kind());
        assertEquals("a", e.owner());
        assertFalse(registry.contains("b"));
    }

    @Test
    void idsAndNamesAreOneNamespace() {
        registry.addNode(vm("a"));
        registry.addNode(vm("b"));
        registry.rename("a", "x");
        UniqueKeyViolationException e = assertThrows(UniqueKeyViolationException.class, () -> registry.rename("b", "a"));
        assertEquals(UniqueKeyViolationException.Kind.NAME, e.kind());
        assertEquals("b", registry.getNode("b").name(), "the refused rename changed nothing");
        assertThrows(UniqueKeyViolationException.class, () -> registry.addNode(Node.of("c", "b", "vm")),
                "a name that is another node's id");
        assertThrows(UniqueKeyViolationException.class, () -> registry.addNode(Node.of("x", "y", "vm")),
                "an id that is another node's name");
        assertThrows(UniqueKeyViolationException.class,
                () -> registry.updateNode("b", NodeUpdate.builder().name("a").build()));
        registry.rename("a", "a"); // its own id is its own to take back
        assertEquals("a", registry.getNode("a").name());
        registry.addNode(Node.of("x", "y", "vm"));
        assertEquals(3, registry.size());
    }

    @Test
    void keyHeldByAnotherNodeIsRefusedAndTheWholeChangeIsNotApplied() {
        registry.addNode(node("a", "vm", "", Map.of(), Set.of("ip-10.0.0.5")));
        assertThrows(UniqueKeyViolationException.class,
                () -> registry.addNode(node("b", "vm", "", Map.of(), Set.of("mac-02:00", "ip-10.0.0.5"))));
        assertFalse(registry.contains("b"));
        assertTrue(registry.findNodeByKey("mac-02:00").isEmpty());

        registry.addNode(vm("c"));
        assertThrows(UniqueKeyViolationException.class, () -> registry.updateNode("c",
                NodeUpdate.builder().name("renamed").addKey("k-new").addKey("ip-10.0.0.5").build()));
        Node c = registry.getNode("c");
        assertEquals("c", c.name());
        assertTrue(c.keys().isEmpty());
        assertTrue(registry.findNodeByKey("k-new").isEmpty());
        assertTrue(registry.findNodeByName("renamed").isEmpty());
    }

    @Test
    void unsafeIdsNamesAndKeysAreRefused() {
        for (String bad : List.of("", "a b", "../etc", "-x", "x;rm", "a".repeat(64), "é", "a/b", "$(x)")) {
            assertThrows(InvalidNameException.class, () -> registry.addNode(Node.of(bad, "ok", "vm")), bad);
            assertThrows(InvalidNameException.class, () -> registry.addNode(Node.of("ok", bad, "vm")), bad);
        }
        assertThrows(InvalidNameException.class, () -> registry.addNode(node("k", "vm", "", Map.of(), Set.of("a b"))));
        assertThrows(InvalidNameException.class, () -> registry.addNode(node("k", "vm", "", Map.of("a=b", "1"), Set.of())));
        registry.addNode(vm("ok"));
        assertThrows(InvalidNameException.class, () -> registry.rename("ok", "no way"));
        assertEquals(1, registry.size());
        assertEquals("ok", registry.getNode("ok").name());
        assertTrue(registry.findNode("a".repeat(63)).isEmpty());
        registry.addNode(vm("a".repeat(63)));
    }

    @Test
    void renameReleasesTheOldName() {
        registry.addNode(new Node("a", "alpha", "vm", "", null, null, null, null, null));
        registry.rename("a", "beta");
        assertEquals("a", registry.getNodeByName("beta").id());
        assertTrue(registry.findNodeByName("alpha").isEmpty());
        registry.addNode(new Node("x", "alpha", "vm", "", null, null, null, null, null));
        assertEquals("x", registry.getNodeByName("alpha").id());
        registry.rename("a", "beta"); // to its own name: a no-op
        assertThrows(UniqueKeyViolationException.class, () -> registry.rename("x", "beta"));
    }

    @Test
    void deleteReleasesNameAndKeys() {
        registry.addNode(node("a", "vm", "", Map.of(), Set.of("ip-1", "mac-1")));
        registry.deleteNode("a");
        assertFalse(registry.contains("a"));
        assertTrue(registry.findNodeByKey("ip-1").isEmpty());
        registry.addNode(new Node("b", "a", "vm", "", null, null, null, Set.of("ip-1", "mac-1"), null));
        assertEquals("b", registry.getNodeByKey("mac-1").id());
        assertThrows(NodeNotFoundException.class, () -> registry.deleteNode("a"));
    }

    @Test
    void keysAndTagsAreClaimedAndReleasedByUpdate() {
        registry.addNode(node("a", "vm", "", Map.of("role", "web"), Set.of("ip-1")));
        Node a = registry.updateNode("a", NodeUpdate.builder().removeKey("ip-1").addKey("ip-2").tag("env", "prod")
                .removeTag("role").tenant("acme").build());
        assertEquals(Set.of("ip-2"), a.keys());
        assertEquals(Map.of("env", "prod"), a.tags());
        assertEquals("acme", a.tenant());
        assertTrue(registry.findNodeByKey("ip-1").isEmpty());
        registry.addNode(node("b", "vm", "", Map.of(), Set.of("ip-1")));
        assertEquals(a, registry.getNodeByKey("ip-2"));
    }

    // ---- parents and children

    @Test
    void parentRules() {
        registry.addNode(Node.of("hv1", "hv1", "hv"));
        registry.addNode(Node.of("hv2", "hv2", "hv"));
        registry.addNode(vm("vm1"));
        assertThrows(NodeNotFoundException.class, () -> registry.setParent("vm1", "nohv"));
        assertThrows(NodeNotFoundException.class, () -> registry.setParent("novm", "hv1"));
        assertEquals("hv1", registry.setParent("vm1", "hv1").parent());
        NodeAlreadyHasParentException e = assertThrows(NodeAlreadyHasParentException.class,
                () -> registry.setParent("vm1", "hv2"));
        assertTrue(e.getMessage().contains("hv1"), e.getMessage());
        assertEquals("hv1", registry.getNode("vm1").parent());
        assertEquals(List.of("vm1"), registry.getChildren("hv1").stream().map(Node::id).toList());
        assertTrue(registry.getChildren("hv2").isEmpty());
        registry.removeParent("vm1");
        assertTrue(registry.getChildren("hv1").isEmpty());
        registry.setParent("vm1", "hv2");
        assertEquals("hv2", registry.getNode("vm1").parent());
    }

    @Test
    void aNodeCannotBecomeItsOwnAncestor() {
        registry.addNode(vm("a"));
        registry.addNode(vm("b"));
        registry.setParent("b", "a");
        assertThrows(VagothException.class, () -> registry.setParent("a", "b"));
        assertThrows(VagothException.class, () -> registry.setParent("a", "a"));
        assertFalse(registry.getNode("a").hasParent());
    }

    @Test
    void deleteRefusesANodeWithAParentOrChildren() {
        registry.addNode(Node.of("hv1", "hv1", "hv"));
        registry.addNode(vm("vm1"));
        registry.setParent("vm1", "hv1");
        assertThrows(NodeInUseException.class, () -> registry.deleteNode("vm1"));
        NodeInUseException e = assertThrows(NodeInUseException.class, () -> registry.deleteNode("hv1"));
        assertTrue(e.getMessage().contains("vm1"), e.getMessage());
        assertEquals(2, registry.size());
        registry.removeParent("vm1");
        registry.deleteNode("vm1");
        registry.deleteNode("hv1");
        assertEquals(0, registry.size());
    }

    @Test
    void addWithAParentNeedsThatParent() {
        assertThrows(NodeNotFoundException.class, () -> registry.addNode(vm("vm1").withParent("hv1")));
        registry.addNode(Node.of("hv1", "hv1", "hv"));
        registry.addNode(vm("vm1").withParent("hv1"));
        assertEquals(1, registry.getChildren("hv1").size());
    }

    // ---- metadata

    @Test
    void updateMetadataMergesAndDeletesAtomically() {
        registry.addNode(vm("a").withMetadata(Map.of("state", "stopped", "load", "1", "old", "x")));
        Node a = registry.updateMetadata("a", Map.of("state", "running", "mem_free", "100"), List.of("old"));
        assertEquals(Map.of("state", "running", "load", "1", "mem_free", "100"), a.metadata());
        assertEquals("running", registry.getNode("a").state());
        assertThrows(NodeNotFoundException.class, () -> registry.updateMetadata("b", Map.of("x", "1"), List.of()));
    }

    @Test
    void concurrentMetadataMergesLoseNothing() throws Exception {
        registry.addNode(vm("a"));
        int threads = 8;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        registry.updateMetadata("a", Map.of("t" + tt + "-" + i, "1"), List.of());
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * each, registry.getNode("a").metadata().size());
        assertEquals(threads * each, reopen().getNode("a").metadata().size());
    }

    // ---- queries

    @Test
    void queriesFilterByEveryCriterion() {
        registry.addNode(node("hv1", "hv", "", Map.of("rack", "r1"), Set.of()));
        registry.addNode(node("web1", "vm", "acme", Map.of("role", "web", "ssd", "true"), Set.of("ip-1")));
        registry.addNode(node("web2", "vm", "acme", Map.of("role", "web"), Set.of("ip-2")));
        registry.addNode(node("db1", "vm", "globex", Map.of("role", "db"), Set.of("ip-3")));
        registry.setParent("web1", "hv1");
        registry.updateMetadata("db1", Map.of("state", "running"), List.of());

        assertEquals(List.of("db1", "hv1", "web1", "web2"), ids(NodeQuery.all()));
        assertEquals(List.of("db1", "web1", "web2"), ids(NodeQuery.all().withType("vm")));
        assertEquals(List.of("web1", "web2"), ids(NodeQuery.all().withTenant("acme")));
        assertEquals(List.of("web1", "web2"), ids(NodeQuery.all().withTag("role", "web")));
        assertEquals(List.of("db1", "web1", "web2"), ids(NodeQuery.all().withTag("role", null)));
        assertEquals(List.of("web1"), ids(NodeQuery.all().withTag("role", "web").withTag("ssd", null)));
        assertEquals(List.of("web1"), ids(NodeQuery.all().withParent("hv1")));
        assertEquals(List.of("db1", "hv1", "web2"), ids(NodeQuery.all().withParent(NodeQuery.NO_PARENT)));
        assertEquals(List.of("web2"), ids(NodeQuery.all().withKey("ip-2")));
        assertEquals(List.of("db1"), ids(NodeQuery.all().withState("running")));
        assertEquals(List.of("hv1", "web2"), ids(NodeQuery.all().withState("unknown").withParent(NodeQuery.NO_PARENT)));
        assertEquals(List.of("web1", "web2"), ids(NodeQuery.all().withName("web*")));
        assertEquals(List.of("web2"), ids(NodeQuery.all().withName("w?b2")));
        assertEquals(List.of("web1"), ids(NodeQuery.all().withName("web1")));
        assertEquals(List.of(), ids(NodeQuery.all().withName("web")));
        assertEquals(List.of(), ids(NodeQuery.all().withType("vm").withTenant("initech")));
        assertEquals(List.of(), ids(NodeQuery.all().withKey("ip-9")));
    }

    @Test
    void queriesFollowChanges() {
        registry.addNode(node("a", "vm", "acme", Map.of("role", "web"), Set.of()));
        registry.updateNode("a", NodeUpdate.builder().tenant("globex").tag("role", "db").build());
        assertEquals(List.of(), ids(NodeQuery.all().withTenant("acme")));
        assertEquals(List.of(), ids(NodeQuery.all().withTag("role", "web")));
        assertEquals(List.of("a"), ids(NodeQuery.all().withTag("role", "db").withTenant("globex")));
        registry.deleteNode("a");
        assertEquals(List.of(), ids(NodeQuery.all().withTag("role", null)));
    }

    private List<String> ids(NodeQuery q) {
        return registry.getNodes(q).stream().map(Node::id).toList();
    }

    // ---- blobs

    @Test
    void blobsBelongToTheirNode() {
        registry.addNode(vm("a"));
        byte[] data = "console log\n".getBytes(StandardCharsets.UTF_8);
        registry.putBlob("a", "console", data);
        assertArrayEquals(data, registry.getBlob("a", "console").orElseThrow());
        assertEquals(Set.of("console"), registry.listBlobs("a"));
        assertArrayEquals(data, reopen().getBlob("a", "console").orElseThrow());
        assertTrue(registry.deleteBlob("a", "console"));
        assertFalse(registry.deleteBlob("a", "console"));
        assertTrue(registry.getBlob("a", "console").isEmpty());
        assertThrows(NodeNotFoundException.class, () -> registry.putBlob("zz", "console", data));
        assertThrows(InvalidNameException.class, () -> registry.putBlob("a", "../escape", data));
    }

    @Test
    void anyBlobNameIsItsOwnEvenOneLikeATemporaryFile() {
        registry.addNode(vm("a"));
        registry.putBlob("a", "cfg.tmp", new byte[] {1});
        registry.putBlob("a", "cfg", new byte[] {2});
        assertEquals(Set.of("cfg", "cfg.tmp"), registry.listBlobs("a"));
        assertArrayEquals(new byte[] {1}, registry.getBlob("a", "cfg.tmp").orElseThrow());
        assertArrayEquals(new byte[] {2}, reopen().getBlob("a", "cfg").orElseThrow());
    }

    @Test
    void deletingANodeDeletesItsBlobs() {
        registry.addNode(vm("a"));
        registry.putBlob("a", "cfg", new byte[] {1, 2, 3});
        registry.deleteNode("a");
        registry.addNode(vm("a"));
        assertTrue(registry.getBlob("a", "cfg").isEmpty());
        assertTrue(registry.listBlobs("a").isEmpty());
    }

    // ---- durability and sharing

    @Test
    void everythingSurvivesReopening() {
        registry.addNode(node("hv1", "hv", "", Map.of(), Set.of()));
        registry.addNode(node("a", "vm", "acme", Map.of("role", "web"), Set.of("ip-1")));
        registry.setParent("a", "hv1");
        registry.updateMetadata("a", Map.of("state", "running"), List.of());
        registry.rename("a", "web1");
        registry.addNode(vm("gone"));
        registry.deleteNode("gone");
        Registry again = reopen();
        Node a = again.getNode("a");
        assertEquals("web1", a.name());
        assertEquals("hv1", a.parent());
        assertEquals("running", a.state());
        assertEquals(a, again.getNodeByKey("ip-1"));
        assertFalse(again.contains("gone"));
        assertEquals(2, again.size());
    }

    @Test
    void twoOpenRegistriesSeeEachOthersChanges() {
        Registry other = reopen();
        registry.addNode(node("a", "vm", "", Map.of(), Set.of("ip-1")));
        settle(other);
        assertEquals("a", other.getNodeByKey("ip-1").id());
        assertThrows(UniqueKeyViolationException.class, () -> other.addNode(node("b", "vm", "", Map.of(), Set.of("ip-1"))));
        other.rename("a", "renamed");
        settle(registry);
        assertEquals("renamed", registry.getNode("a").name());
        other.deleteNode("a");
        settle(registry);
        assertFalse(registry.contains("a"));
        assertEquals(List.of(), registry.getNodes(NodeQuery.all()));
    }

    @Test
    void concurrentThreadsNeverBreakUniqueness() throws Exception {
        int threads = 8;
        int perThread = 40;
        Set<String> winners = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Registry second = reopen();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                Registry r = tt % 2 == 0 ? registry : second;
                fs.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        r.addNode(vm("t" + tt + "-" + i));
                        try {
                            r.addNode(node("c" + tt + "-" + i, "vm", "", Map.of(), Set.of("contended-" + i)));
                            winners.add("contended-" + i);
                        } catch (UniqueKeyViolationException e) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(perThread, winners.size());
        assertEquals(threads * perThread - perThread, refused.get());
        Registry fresh = reopen();
        assertEquals(threads * perThread + perThread, fresh.size());
        for (int i = 0; i < perThread; i++) {
            assertEquals(1, fresh.getNodes(NodeQuery.all().withKey("contended-" + i)).size());
        }
    }

    // ---- several processes

    @Test
    void concurrentProcessesLoseNothingAndKeepKeysUnique() throws Exception {
        assumeSharedBetweenProcesses();
        int processes = 4;
        int count = 60;
        int shared = 30;
        List<Process> ps = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            ps.add(startWorker("p" + p, count, shared));
        }
        Map<String, String> claims = new HashMap<>();
        Set<String> acked = new HashSet<>();
        for (Process p : ps) {
            List<String> lines = readAll(p);
            assertEquals(0, p.waitFor(), "worker failed: " + lines + " " + stderr(p));
            for (String line : lines) {
                if (line.startsWith("ack ")) {
                    acked.add(line.substring(4));
                } else if (line.startsWith("claimed ")) {
                    String[] f = line.split(" ");
                    String before = claims.put(f[1], f[2]);
                    assertEquals(null, before, "key " + f[1] + " acknowledged to two nodes");
                }
            }
        }
        assertEquals(processes * count, acked.size());
        Registry r = reopen();
        assertEquals(processes * count, r.size());
        for (String id : acked) {
            Node n = r.getNode(id);
            assertEquals("running", n.state(), id);
            assertEquals(n, r.getNodeByKey("key-" + id));
        }
        assertEquals(shared, claims.size());
        for (Map.Entry<String, String> c : claims.entrySet()) {
            assertEquals(c.getValue(), r.getNodeByKey(c.getKey()).id());
        }
        // the registry that was open all along sees the other processes' work too
        settle(registry);
        assertEquals(processes * count, registry.size());
    }

    @Test
    void aWriterKilledMidWriteLosesNoAcknowledgedChange() throws Exception {
        assumeSharedBetweenProcesses();
        Set<String> acked = new HashSet<>();
        Set<String> metaAcked = new HashSet<>();
        for (int round = 0; round < 6; round++) {
            Process p = startWorker("k" + round, 100_000, 0);
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", in.readLine(), () -> stderr(p));
            long killAfter = 40 + ThreadLocalRandom.current().nextLong(200);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(killAfter);
            String line;
            while (System.nanoTime() < deadline && (line = in.readLine()) != null) {
                record(line, acked, metaAcked);
            }
            p.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroyForcibly it leaves the pipe readable
            p.waitFor(30, TimeUnit.SECONDS);
            while ((line = in.readLine()) != null) {
                record(line, acked, metaAcked);
            }
            Registry r = reopen();
            for (String id : acked) {
                assertTrue(r.contains(id), "acknowledged node lost after kill -9: " + id);
            }
            for (String id : metaAcked) {
                assertEquals("running", r.getNode(id).state(), "acknowledged metadata lost: " + id);
            }
        }
        assertFalse(acked.isEmpty(), "the writer never got to write");
    }

    @Test
    @Timeout(120)
    void closingOneOfTwoInstancesInOneProcessLeavesTheOtherSafe() throws Exception {
        assumeSharedBetweenProcesses();
        List<Process> ps = List.of(startWorker("w0", 200, 0), startWorker("w1", 200, 0));
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService churn = Executors.newSingleThreadExecutor();
        Future<?> churning = churn.submit(() -> {
            for (int i = 0; !stop.get(); i++) {
                Registry other = open(dir);
                try {
                    other.addNode(vm("c" + i));
                    acked.add("c" + i);
                } finally {
                    close(other);
                }
            }
            return null;
        });
        try {
            for (int i = 0; ps.stream().anyMatch(Process::isAlive); i++) {
                registry.addNode(vm("a" + i));
                acked.add("a" + i);
            }
        } finally {
            stop.set(true);
            churn.shutdown();
        }
        churning.get(60, TimeUnit.SECONDS);
        for (Process p : ps) {
            List<String> lines = readAll(p);
            assertEquals(0, p.waitFor(), "worker failed: " + stderr(p));
            lines.stream().filter(l -> l.startsWith("ack ")).forEach(l -> acked.add(l.substring(4)));
        }
        Registry fresh = reopen();
        for (String id : acked) {
            assertTrue(fresh.contains(id), "acknowledged node lost: " + id);
        }
        assertEquals(acked.size(), fresh.size());
    }

    private static void close(Registry r) {
        if (r instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ---- power loss

    /**
     * Every acknowledged change survives a power loss: the registry writes
     * through a layer that forgets whatever was not synced (file data and
     * directory entries alike) and is then reopened from what a machine
     * would find after the power came back.
     */
    @Test
    @Timeout(120)
    void acknowledgedChangesSurviveAPowerLoss() throws Exception {
        Path d = dir.resolve("power");
        FaultInjectingFileIo io = new FaultInjectingFileIo(d);
        Registry r = openWithFileIo(d, io);
        Assumptions.assumeTrue(r != null, "this registry keeps no files");
        PowerLossWorkload work = new PowerLossWorkload();
        work.run(r, 300);
        assertTrue(io.syncs() > 0, "the registry never synced anything");
        io.powerLoss();
        closeQuietly(r);
        Registry after = open(d);
        opened.add(after);
        work.check(after, "after the work");
    }

    /**
     * The same, with the power lost just before each sync in turn, and the
     * directory changes not yet synced kept or lost by chance: a sync that
     * orders two steps (data before the rename that publishes it) is needed
     * too.
     */
    @Test
    @Timeout(300)
    void aPowerLossAtAnySyncLosesNoAcknowledgedChange() throws Exception {
        Path probe = dir.resolve("probe");
        FaultInjectingFileIo counting = new FaultInjectingFileIo(probe);
        Registry r = openWithFileIo(probe, counting);
        Assumptions.assumeTrue(r != null, "this registry keeps no files");
        new PowerLossWorkload().run(r, 24);
        closeQuietly(r);
        int syncs = counting.syncs();
        for (int k = 1; k <= syncs; k++) {
            Path d = dir.resolve("crash-" + k);
            FaultInjectingFileIo io = new FaultInjectingFileIo(d, new Random(k));
            io.crashAtSync(k);
            PowerLossWorkload work = new PowerLossWorkload();
            Registry crashing = null;
            try {
                crashing = openWithFileIo(d, io);
                work.run(crashing, 24);
            } catch (RuntimeException e) {
                if (!io.lost()) {
                    throw e;
                }
            }
            if (crashing != null) {
                closeQuietly(crashing);
            }
            Registry after = open(d);
            try {
                work.check(after, "power lost at sync " + k + " of " + syncs);
            } finally {
                close(after);
            }
        }
    }

    private static void closeQuietly(Registry r) {
        try {
            close(r);
        } catch (RuntimeException e) {
            // its files may be gone with the power; what matters is what comes back
        }
    }

    private static void record(String line, Set<String> acked, Set<String> metaAcked) {
        if (line.startsWith("ack ")) {
            acked.add(line.substring(4));
        } else if (line.startsWith("meta ")) {
            metaAcked.add(line.substring(5));
        }
    }

    protected Process startWorker(String prefix, int count, int shared) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                workerMain().getName(), dir.toString(), prefix, String.valueOf(count), String.valueOf(shared)));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
    }

    private static List<String> readAll(Process p) throws IOException {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = in.readLine()) != null;) {
                lines.add(l);
            }
        }
        return lines;
    }

    private static String stderr(Process p) {
        try {
            return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }
}
