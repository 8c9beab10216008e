package vagoth.monitor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Constants;

import vagoth.api.Node;
import vagoth.api.nodetype.NodeType;
import vagoth.api.action.Action;
import vagoth.api.driver.Driver;
import vagoth.api.driver.DriverException;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.PollReport;
import vagoth.api.virt.VmInfo;
import vagoth.api.virt.VmStates;
import vagoth.testing.HypervisorType;
import vagoth.testing.StatusDriver;
import vagoth.testing.TestManager;
import vagoth.testing.MemoryRegistry;

@Timeout(120)
class VagothMonitorTest {
    @TempDir
    Path dir;
    private MemoryRegistry registry;
    private TestManager manager;
    /** What each hypervisor answers; a missing entry means it does not answer. */
    private final Map<String, Map<String, String>> reports = new HashMap<>();

    /** When set, a status call waits here (after reading what it answers): a host asked before a change. */
    private volatile java.util.concurrent.CountDownLatch asked;
    private volatile java.util.concurrent.CountDownLatch answer;

    private final Driver reporting = new StatusDriver() {
        @Override
        public HypervisorStatus status(Node hv) {
            Map<String, String> vms = reports.get(hv.id()) == null ? null : Map.copyOf(reports.get(hv.id()));
            if (answer != null) {
                asked.countDown();
                try {
                    answer.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (vms == null) {
                throw new DriverException(hv.id() + ": agent failed on 'status': no route to host", hv.id());
            }
            Map<String, VmInfo> infos = new HashMap<>();
            vms.forEach((name, state) -> infos.put(name, new VmInfo(Map.of("ram", "256"), state, state)));
            return new HypervisorStatus(infos, Map.of("mem_total", "8192", "mem_free", "4096", "cpus", "4"));
        }
    };

    @BeforeEach
    void setUp() {
        registry = new MemoryRegistry();
        manager = new TestManager("test", registry).nodeType("hv", new HypervisorType().driver("reporting", reporting));
        for (String id : List.of("hv1", "hv2")) {
            registry.addNode(new Node(id, id, "hv", "", Map.of("driver", "reporting"), Map.of(), Map.of(), Set.of(), null));
        }
    }

    @AfterEach
    void tearDown() {
    }

    private VagothMonitor monitor(Duration grace, boolean createMissing) {
        return new VagothMonitor(manager, registry, 4, grace, Duration.ofMinutes(10), createMissing, 0);
    }

    /**
     * A VM defined on a host while that host's status call is under way: the answer, from before the define, does
     * not unassign it (the next pass sees it there).
     */
    @Test
    void anAnswerFromBeforeAnActionDoesNotUndoIt() throws Exception {
        reports.put("hv1", Map.of());
        reports.put("hv2", Map.of());
        vm("vm1", null, VmStates.UNASSIGNED, Instant.now().minusSeconds(60));
        asked = new java.util.concurrent.CountDownLatch(2);
        answer = new java.util.concurrent.CountDownLatch(1);
        VagothMonitor m = monitor(Duration.ZERO, false);
        java.util.concurrent.CompletableFuture<vagoth.api.virt.PollReport> pass =
                java.util.concurrent.CompletableFuture.supplyAsync(m::poll);
        asked.await();
        registry.setParent("vm1", "hv1"); // the define, after hv1 was asked
        registry.updateMetadata("vm1", Map.of("state", VmStates.DEFINED, VmStates.STATE_SINCE,
                Instant.now().plusMillis(1).toString()), List.of());
        answer.countDown();
        pass.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("hv1", registry.getNode("vm1").parent(), "not undone by an answer from before it");
        answer = null;
        reports.put("hv1", Map.of("vm1", "stopped"));
        m.poll();
        assertEquals("hv1", registry.getNode("vm1").parent());
    }

    private Node vm(String id, String parent, String state, Instant since) {
        return registry.addNode(new Node(id, id, "vm", "", Map.of(), Map.of("state", state, VmStates.STATE_SINCE,
                since.toString()), Map.of(), Set.of(), parent));
    }

    @Test
    void statesAndFactsFollowWhatHypervisorsReport() {
        vm("a", "hv1", "starting", Instant.now());
        vm("b", "hv1", "running", Instant.now());
        reports.put("hv1", Map.of("a", "running", "b", "stopped"));
        reports.put("hv2", Map.of());
        PollReport r = monitor(Duration.ofMinutes(5), false).poll();
        assertEquals("running", registry.getNode("a").state());
        assertEquals("stopped", registry.getNode("b").state());
        Node hv1 = registry.getNode("hv1");
        assertEquals("up", hv1.state());
        assertEquals("8192", hv1.metadata().get("mem_total"));
        assertEquals("4", hv1.metadata().get("cpus"));
        assertEquals(List.of("hv1", "hv2"), r.polled());
        assertTrue(r.changes().contains("a: starting -> running"), r.changes().toString());
    }

    @Test
    void aVmFoundOnAHypervisorIsAssignedAndOneNoLongerThereIsUnassigned() {
        vm("found", null, "unknown", Instant.now());
        vm("gone", "hv1", "running", Instant.now());
        reports.put("hv1", Map.of("found", "running"));
        reports.put("hv2", Map.of());
        monitor(Duration.ofMinutes(5), false).poll();
        assertEquals("hv1", registry.getNode("found").parent());
        assertEquals("running", registry.getNode("found").state());
        assertNull(registry.getNode("gone").parent());
        assertEquals(VmStates.UNASSIGNED, registry.getNode("gone").state());
    }

    @Test
    void unknownVmsAreReportedOrCreatedWhenAsked() {
        reports.put("hv1", Map.of("stray", "running"));
        reports.put("hv2", Map.of());
        PollReport r = monitor(Duration.ofMinutes(5), false).poll();
        assertTrue(r.warnings().contains("hv1 runs stray, which the registry does not know (create_missing is off)"));
        assertTrue(registry.findNode("stray").isEmpty());
        monitor(Duration.ofMinutes(5), true).poll();
        assertEquals("hv1", registry.getNode("stray").parent());
        assertEquals(Map.of("ram", "256"), registry.getNode("stray").definition());
    }

    @Test
    void theWholeLifeOfAnUnreachableHypervisor() {
        vm("a", "hv1", "running", Instant.now());
        reports.put("hv1", Map.of("a", "running"));
        reports.put("hv2", Map.of());
        monitor(Duration.ofMinutes(5), false).poll();
        assertEquals(VmStates.UP, registry.getNode("hv1").state());

        reports.remove("hv1"); // it stops answering
        PollReport r = monitor(Duration.ofMinutes(5), false).poll();
        assertEquals(List.of("hv1"), r.unreachable());
        assertEquals(VmStates.UNREACHABLE, registry.getNode("hv1").state());
        assertEquals("hv1", registry.getNode("a").parent(), "one missed poll moves nothing");
        assertEquals("running", registry.getNode("a").state());
        assertTrue(r.warnings().contains("hv1 did not answer: hv1: agent failed on 'status': no route to host"));

        r = monitor(Duration.ZERO, false).poll(); // the grace period passes while it stays down
        assertEquals(VmStates.LOST, registry.getNode("a").state());
        assertEquals("hv1", registry.getNode("a").parent(), "a lost VM keeps its place: it may still run there");
        assertTrue(r.changes().stream().anyMatch(c -> c.startsWith("a: running -> lost")), r.changes().toString());
        assertTrue(monitor(Duration.ZERO, false).poll().changes().stream().noneMatch(c -> c.startsWith("a:")),
                "nothing more happens to it by itself");

        // the operator fences hv1 ('vagoth fence hv1', tested with the fence action in vagoth.virt): hv1 is marked
        // fenced and its VMs released
        registry.updateMetadata("hv1", Map.of(VmStates.FENCED, "true"), List.of());
        registry.removeParent("a");
        registry.updateMetadata("a", Map.of("state", VmStates.UNASSIGNED, VmStates.LAST_HOST, "hv1"), List.of());
        assertTrue(monitor(Duration.ZERO, false).poll().changes().stream().noneMatch(c -> c.startsWith("a:")),
                "a released VM found nowhere is left for the operator to start");

        registry.setParent("a", "hv2"); // started elsewhere
        registry.updateMetadata("a", Map.of("state", "running"), List.of());
        reports.put("hv2", Map.of("a", "running"));
        reports.put("hv1", Map.of("a", "running")); // the fenced host comes back, still running it
        r = monitor(Duration.ZERO, false).poll();
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("duplicate: fenced hv1 still runs a (running); it"
                + " now runs on hv2. It is not started, defined or moved anywhere")), r.warnings().toString());
        assertEquals("hv2", registry.getNode("a").parent(), "nothing is moved by itself");
        assertEquals("running", registry.getNode("a").state());
        assertEquals(VmStates.UP, registry.getNode("hv1").state());
        assertEquals("true", registry.getNode("hv1").metadata().get(VmStates.FENCED), "still fenced until unfenced");
        assertNull(registry.getNode("hv1").metadata().get(VmStates.UNREACHABLE_SINCE));
    }

    @Test
    void aCopyAFencedHypervisorStillRunsIsMarkedUntilItStopsThere() {
        vm("v2", null, VmStates.UNASSIGNED, Instant.now()); // released when hv1 was fenced
        registry.updateMetadata("hv1", Map.of(VmStates.FENCED, "true"), List.of());
        reports.put("hv1", Map.of("v2", "running", "v3", "stopped"));
        vm("v3", null, VmStates.UNASSIGNED, Instant.now());
        reports.put("hv2", Map.of());
        PollReport r = monitor(Duration.ZERO, false).poll();
        assertEquals("hv1", registry.getNode("v2").metadata().get(VmStates.DUPLICATE_ON), r.changes().toString());
        assertNull(registry.getNode("v3").metadata().get(VmStates.DUPLICATE_ON), "a stopped copy runs nowhere");
        assertTrue(r.warnings().stream().noneMatch(w -> w.contains("still runs v3")), "nor is it called a duplicate: "
                + r.warnings());
        assertNull(registry.getNode("v2").parent(), "not adopted by the fenced host");
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("fenced hv1 answers again")), r.warnings().toString());

        reports.put("hv1", Map.of("v3", "stopped")); // the operator stopped v2 there
        r = monitor(Duration.ZERO, false).poll();
        assertNull(registry.getNode("v2").metadata().get(VmStates.DUPLICATE_ON), r.changes().toString());
        assertTrue(r.changes().contains("v2: fenced hv1 no longer runs a copy of it"), r.changes().toString());
    }

    @Test
    void aFencedHypervisorThatAloneReportsAReleasedVmDoesNotGetItBack() {
        vm("v1", null, VmStates.UNASSIGNED, Instant.now());
        registry.updateMetadata("hv1", Map.of(VmStates.FENCED, "true"), List.of());
        reports.put("hv1", Map.of("v1", "running"));
        reports.put("hv2", Map.of());
        monitor(Duration.ZERO, false).poll();
        assertNull(registry.getNode("v1").parent(), "a fenced host is never given a VM by the monitor");
        assertEquals(VmStates.UNASSIGNED, registry.getNode("v1").state());
    }

    @Test
    void theGracePeriodEndsOnlyWhenItHasPassed() {
        vm("a", "hv1", "running", Instant.now());
        reports.put("hv2", Map.of());
        vagoth.testing.HandClock clock = new vagoth.testing.HandClock(Instant.parse("2026-01-01T00:00:00Z"));
        VagothMonitor m = monitor(Duration.ofMinutes(5), false).clock(clock);
        m.poll(); // hv1 does not answer: unreachable from now
        assertEquals(VmStates.UNREACHABLE, registry.getNode("hv1").state());
        clock.advance(Duration.ofMinutes(4));
        m.poll();
        assertEquals("running", registry.getNode("a").state(), "within the grace period");
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        m.poll();
        assertEquals(VmStates.LOST, registry.getNode("a").state(), "the grace period has passed");
    }

    @Test
    void aStateTheAgentMadeUpIsNotStored() {
        vm("a", "hv1", "stopped", Instant.now());
        reports.put("hv1", Map.of("a", "running\r\u0007bell"));
        reports.put("hv2", Map.of());
        PollReport r = monitor(Duration.ZERO, false).poll();
        assertEquals("stopped", registry.getNode("a").state());
        assertTrue(r.warnings().contains("hv1 reports a in state 'running\\r\\u0007bell', which is not a state Vagoth"
                + " knows; not stored"), r.warnings().toString());
    }

    @Test
    void aWarningIsToldOnceWhileItHoldsAndAgainWhenItComesBack() {
        List<String> told = new java.util.ArrayList<>();
        VagothMonitor m = monitor(Duration.ofMinutes(5), false);
        m.bindTelemetry(new vagoth.api.telemetry.Telemetry() {
            @Override
            public void registryOperation(String operation, long nanos, boolean failed) {
            }

            @Override
            public void monitorPass(long nanos, int polled, int unreachable) {
            }

            @Override
            public void agentCall(String hypervisor, String action, long nanos, boolean failed) {
            }

            @Override
            public void monitorWarning(String kind, String text) {
                told.add(kind + ": " + text);
            }
        });
        reports.put("hv2", Map.of());
        m.poll();
        m.poll();
        assertEquals(List.of("unreachable: hv1 did not answer: hv1: agent failed on 'status': no route to host"), told);
        reports.put("hv1", Map.of());
        m.poll();
        reports.remove("hv1");
        m.poll();
        assertEquals(2, told.size(), told.toString());
    }

    @Test
    void aLostVmWhoseHypervisorAnswersAgainIsWhereItWas() {
        vm("a", "hv1", "running", Instant.now());
        reports.put("hv2", Map.of());
        monitor(Duration.ZERO, false).poll();
        assertEquals(VmStates.LOST, registry.getNode("a").state());
        reports.put("hv1", Map.of("a", "running"));
        monitor(Duration.ZERO, false).poll();
        assertEquals("running", registry.getNode("a").state());
        assertEquals("hv1", registry.getNode("a").parent());
    }

    @Test
    void factsTooLargeOrBadlyNamedAreNotStored() {
        HypervisorStatus big = new HypervisorStatus(Map.of(), Map.of("mem_total", "8192", "motd", "x".repeat(100_000),
                "bad name", "1"));
        Reconciler rec = new Reconciler(registry, manager, new Reconciler.Rules(Duration.ZERO, false, 4096), Instant.now());
        Node hv1 = registry.getNode("hv1");
        try {
            rec.reconcile(Map.of(hv1, big), Map.of(), java.util.concurrent.Executors.newSingleThreadExecutor());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        Map<String, String> md = registry.getNode("hv1").metadata();
        assertEquals("8192", md.get("mem_total"));
        assertNull(md.get("motd"));
        assertTrue(rec.warnings.stream().anyMatch(w -> w.text().contains("motd of 100000 characters, more than"
                + " max.fact.bytes (4096)")), rec.warnings.toString());
        assertTrue(rec.warnings.stream().anyMatch(w -> w.text().contains("unusable name")), rec.warnings.toString());
    }

    @Test
    void aVmReportedByTwoHypervisorsIsReportedNotMoved() {
        vm("twin", "hv1", "running", Instant.now());
        reports.put("hv1", Map.of("twin", "running"));
        reports.put("hv2", Map.of("twin", "running"));
        PollReport r = monitor(Duration.ofMinutes(5), false).poll();
        assertEquals("hv1", registry.getNode("twin").parent());
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("twin is reported by hv1 and hv2")), r.warnings().toString());
    }

    @Test
    void aTransitionThatDoesNotResolveIsKeptAndReportedAsStuck() {
        vm("slow", "hv1", "starting", Instant.now().minus(Duration.ofHours(1)));
        vm("fresh", "hv1", "stopping", Instant.now());
        reports.put("hv1", Map.of("slow", "stopped", "fresh", "running"));
        reports.put("hv2", Map.of());
        VagothMonitor m = monitor(Duration.ofMinutes(5), false);
        PollReport r = m.poll();
        assertEquals("starting", registry.getNode("slow").state(), "stopped is not where starting goes");
        assertEquals("stopping", registry.getNode("fresh").state());
        assertEquals(List.of("slow"), m.stuck().stream().map(Node::id).toList());
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("slow has been starting since")), r.warnings().toString());
    }

    private Node migrating(String id, String from, String to) {
        vm(id, from, "running", Instant.now());
        return registry.updateMetadata(id, Map.of("state", VmStates.MIGRATING, VmStates.MIGRATING_TO, to), List.of());
    }

    @Test
    void aMigrationCutShortIsResolvedToWhereTheVmIsFound() {
        migrating("m1", "hv1", "hv2");
        reports.put("hv1", Map.of());
        reports.put("hv2", Map.of("m1", "stopped")); // defined at the destination, not started again
        PollReport r = monitor(Duration.ofMinutes(5), false).poll();
        Node m1 = registry.getNode("m1");
        assertEquals("hv2", m1.parent());
        assertEquals("stopped", m1.state());
        assertNull(m1.metadata().get(VmStates.MIGRATING_TO));
        assertTrue(r.changes().contains("m1: an interrupted migration is resolved: found on hv2 (stopped)"),
                r.changes().toString());
    }

    @Test
    void aMigrationCutShortWithTheVmNowhereLeavesItLostWithItsLastHost() {
        migrating("m1", "hv1", "hv2");
        reports.put("hv1", Map.of());
        reports.put("hv2", Map.of());
        PollReport r = monitor(Duration.ofMinutes(5), false).poll();
        Node m1 = registry.getNode("m1");
        assertEquals(VmStates.LOST, m1.state());
        assertNull(m1.parent());
        assertEquals("hv1", m1.metadata().get(VmStates.LAST_HOST));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("m1 is lost: an interrupted migration")),
                r.warnings().toString());
    }

    @Test
    void aMigrationUnderWayOrWithAnEndUnheardIsLeftAlone() throws Exception {
        migrating("m1", "hv1", "hv2");
        reports.put("hv1", Map.of());
        monitor(Duration.ofMinutes(5), false).poll(); // hv2 did not answer: it may have it
        assertEquals(VmStates.MIGRATING, registry.getNode("m1").state());

        reports.put("hv2", Map.of());
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        manager.action("migrate", (ctx, args) -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        Thread migration = new Thread(() -> manager.action("migrate", Map.of(Action.NODE_ARG, "m1")));
        migration.start();
        running.await();
        monitor(Duration.ofMinutes(5), false).poll();
        assertEquals(VmStates.MIGRATING, registry.getNode("m1").state(), "a migration under way was interfered with");
        release.countDown();
        migration.join();
    }
}
