package vagoth.virt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
import vagoth.api.VagothException;
import vagoth.api.action.Action;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.allocator.AllocationException;
import vagoth.api.allocator.Allocator;
import vagoth.api.driver.Driver;
import vagoth.api.driver.DriverException;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;
import vagoth.testing.InlineScheduler;
import vagoth.testing.ScriptedDriver;
import vagoth.testing.TestManager;
import vagoth.testing.MemoryJobStore;
import vagoth.testing.MemoryRegistry;

@Timeout(60)
class VirtActionsTest {
    @TempDir
    Path dir;
    private MemoryRegistry registry;
    private MemoryJobStore jobs;
    private VmType vmType;
    private HvType hvType;
    private TestManager manager;
    private final ScriptedDriver driver = new ScriptedDriver();
    private String nextHv = "hv1";
    private long id;

    /** The allocator stand-in: places on whatever {@link #nextHv} says; refuses a hypervisor in maintenance. */
    private final Allocator allocator = (vm, hint) -> {
        String target = hint != null ? hint : nextHv;
        if (target == null) {
            throw new AllocationException(vm.id(), Map.of("hv1", "is full"));
        }
        if (Boolean.parseBoolean(registry.getNode(target).metadata().get("maintenance"))) {
            throw new AllocationException(vm.id(), Map.of(target, "is in maintenance"));
        }
        return registry.getNode(target);
    };

    @BeforeEach
    void setUp() {
        registry = new MemoryRegistry();
        jobs = new MemoryJobStore();
        manager = new TestManager("myuser", registry).jobs(jobs);
        InlineScheduler scheduler = new InlineScheduler(manager, jobs);
        manager.scheduler(scheduler);
        vmType = new VmType();
        vmType.bindScheduler(scheduler);
        manager.nodeType("vm", vmType);
        hvType = new HvType();
        hvType.bindRegistry(registry);
        hvType.addDriver(driver, props(Driver.NAME, "scripted"));
        hvType.addDriver(new DefaultDriver(), props(Driver.NAME, "default"));
        manager.nodeType("hv", hvType);
        PlacementActions.Define define = new PlacementActions.Define();
        define.bindAllocator(allocator);
        PlacementActions.Provision provision = new PlacementActions.Provision();
        provision.bindAllocator(allocator);
        action("define", define);
        action("provision", provision);
        action("start", new StartAction());
        action("stop", new SimpleVmActions.Stop());
        action("shutdown", new SimpleVmActions.Shutdown());
        action("reboot", new SimpleVmActions.Reboot());
        action("undefine", new ReleaseActions.Undefine());
        action("deprovision", new ReleaseActions.Deprovision());
        MigrateAction migrate = new MigrateAction();
        migrate.bindAllocator(allocator);
        action("migrate", migrate);
        action("fence", new FenceActions.Fence("", 10));
        action("unfence", new FenceActions.Unfence());
        registry.addNode(hv("hv1", "scripted"));
        registry.addNode(hv("hv2", "scripted"));
        registry.addNode(new Node("devnode1", "devnode1", "vm", "", Map.of("template", "debian"), Map.of(), Map.of(),
                Set.of(), null));
    }

    @AfterEach
    void tearDown() {
    }

    private Map<String, Object> props(String key, String value) {
        return Map.of(key, value, Constants.SERVICE_ID, ++id);
    }

    private void action(String name, Action a) {
        if (a instanceof RegistryAction r) {
            r.bindRegistry(registry);
            r.bindJobs(jobs);
        }
        manager.action(name, a);
    }

    private static Node hv(String id, String driverName) {
        return new Node(id, id, "hv", "", Map.of("driver", driverName, Hypervisor.SHARED_STORAGE, "san1"), Map.of(),
                Map.of(), Set.of(), null);
    }

    private VirtualMachine vm() {
        return (VirtualMachine) manager.getNode("devnode1");
    }

    private Node node() {
        return registry.getNode("devnode1");
    }

    @Test
    void startDefinesAnUnassignedVmFirst() {
        assertEquals(JobState.DONE, vm().start().state());
        assertEquals(List.of("define hv1 devnode1", "start hv1 devnode1"), driver.calls);
        assertEquals("hv1", node().parent());
        assertEquals(VmStates.STARTING, node().state());
        assertTrue(node().metadata().containsKey(VmStates.STATE_SINCE));
        assertTrue(manager.getNode("hv1") instanceof Hypervisor h && h.children().size() == 1);
    }

    @Test
    void eachOperationRecordsItsState() {
        vm().define(null);
        assertEquals(VmStates.DEFINED, node().state());
        vm().stop();
        assertEquals(VmStates.STOPPING, node().state());
        vm().shutdown();
        assertEquals(VmStates.SHUTTING_DOWN, node().state());
        vm().reboot();
        assertEquals(VmStates.REBOOTING, node().state());
        registry.updateMetadata("devnode1", Map.of("state", VmStates.STOPPED), List.of());
        driver.reportedState = VmStates.STOPPED;
        vm().undefine();
        assertEquals(VmStates.UNASSIGNED, node().state());
        assertNull(node().parent());
        vm().provision("hv2");
        assertEquals("hv2", node().parent());
        vm().deprovision();
        assertEquals(VmStates.UNASSIGNED, node().state());
        assertNull(node().parent());
        assertEquals(List.of("define hv1 devnode1", "stop hv1 devnode1", "shutdown hv1 devnode1", "reboot hv1 devnode1",
                "info hv1 devnode1", "undefine hv1 devnode1", "provision hv2 devnode1", "deprovision hv2 devnode1"), driver.calls);
    }

    @Test
    void aDriverFailureFailsTheJobAndRecordsTheErrorNotAStaleStarting() {
        driver.failOn.put("start hv1", "container devnode1 has no rootfs");
        DriverException e = assertThrows(DriverException.class, () -> vm().start());
        assertEquals("hv1: start failed: container devnode1 has no rootfs", e.getMessage());
        assertEquals(VmStates.ERROR, node().state());
        assertEquals("hv1: start failed: container devnode1 has no rootfs", node().metadata().get(VmStates.LAST_ERROR));
        var job = jobs.list(JobQuery.recent(1)).get(0);
        assertEquals(JobState.FAILED, job.state());
        assertEquals("hv1: start failed: container devnode1 has no rootfs", job.error());
        driver.failOn.clear();
        vm().start();
        assertEquals(VmStates.STARTING, node().state());
        assertFalse(node().metadata().containsKey(VmStates.LAST_ERROR), "a success clears the last error");
    }

    @Test
    void aFailedDefineUndoesTheAssignment() {
        driver.failOn.put("define hv1", "disk full");
        assertThrows(DriverException.class, () -> vm().define(null));
        assertNull(node().parent(), "not left assigned to a hypervisor that does not have it");
        assertEquals(VmStates.ERROR, node().state());
    }

    @Test
    void whenNothingFitsTheReasonsAreRecorded() {
        nextHv = null;
        String before = node().state();
        AllocationException e = assertThrows(AllocationException.class, () -> vm().start());
        assertEquals("No hypervisor can take devnode1: hv1 is full", e.getMessage());
        assertEquals(before, node().state(), "a refused placement leaves the VM as it was");
        assertNull(node().parent());
    }

    @Test
    void migrateAndDefineObeyOneRule() {
        vm().define("hv1");
        registry.updateMetadata("hv2", Map.of("maintenance", "true"), List.of());
        driver.calls.clear();
        String before = node().state();
        AllocationException e = assertThrows(AllocationException.class, () -> vm().migrate("hv2"));
        assertEquals("No hypervisor can take devnode1: hv2 is in maintenance", e.getMessage());
        assertEquals(List.of(), driver.calls, "nothing was asked of either hypervisor");
        assertEquals("hv1", node().parent());
        assertEquals(before, node().state());
        registry.addNode(new Node("other", "other", "vm", "", Map.of(), Map.of(), Map.of(), Set.of(), null));
        assertThrows(AllocationException.class, () -> ((VirtualMachine) manager.getNode("other")).define("hv2"));
    }

    @Test
    void aHintOnAnAssignedVmIsRefused() {
        vm().define("hv1");
        VagothException e = assertThrows(VagothException.class, () -> vm().define("hv2"));
        assertEquals("devnode1 is already on hv1; migrate it to move it to hv2", e.getMessage());
    }

    @Test
    void migrationIsColdAndNeverLeavesTheVmOnTwoHypervisors() {
        vm().start();
        registry.updateMetadata("devnode1", Map.of("state", "running"), List.of());
        driver.calls.clear();
        vagoth.api.job.Job job = vm().migrate("hv2");
        assertEquals(List.of("stop hv1 devnode1", "undefine hv1 devnode1", "define hv2 devnode1", "start hv2 devnode1"),
                driver.calls);
        assertEquals(List.of("migrating from hv1 to hv2 (it runs)", "stopped on hv1", "undefined on hv1", "assigned to hv2",
                "defined on hv2", "started on hv2"), jobs.steps(job.id()), "each step is recorded in the job");
        assertEquals("hv2", node().parent());
        assertEquals(VmStates.STARTING, node().state());
    }

    @Test
    void aFailedMigrationSaysWhereTheVmIsLeft() {
        vm().define("hv1");
        driver.calls.clear();
        driver.failOn.put("define hv2", "no space");
        VagothException e = assertThrows(VagothException.class, () -> vm().migrate("hv2"));
        assertEquals("migration of devnode1 from hv1 to hv2 failed defining it on hv2 (it is now assigned there, but "
                + "not defined): hv2: define failed: no space", e.getMessage());
        assertEquals(VmStates.ERROR, node().state());
        assertEquals("hv2", node().parent());
        assertEquals(List.of("undefine hv1 devnode1", "define hv2 devnode1"), driver.calls,
                "nothing more was tried after the failure: the VM is left where the message says");
    }

    @Test
    void hypervisorsWithoutAUsableDriverSayWhy() {
        registry.addNode(hv("hv3", "default"));
        registry.addNode(hv("hv4", "xen"));
        DriverException none = assertThrows(DriverException.class, () -> vm().define("hv3"));
        assertTrue(none.getMessage().startsWith("hv3 has no driver, so it cannot define devnode1"), none.getMessage());
        DriverException unknown = assertThrows(DriverException.class, () -> vm().define("hv4"));
        assertEquals("hv4: no driver 'xen' is installed (installed: default, scripted)", unknown.getMessage());
    }

    @Test
    void vmActionsRefuseOtherNodes() {
        VagothException e = assertThrows(VagothException.class,
                () -> manager.action("start", Map.of(Action.NODE_ARG, "hv1")));
        assertEquals("start: hv1 is of type hv, not a vm", e.getMessage());
        assertThrows(VagothException.class, () -> manager.action("stop", Map.of(Action.NODE_ARG, "devnode1")),
                "an unassigned VM cannot be stopped");
    }

    @Test
    void aLostVmIsNeverStartedDefinedOrMovedElsewhere() {
        vm().define("hv1");
        registry.updateMetadata("devnode1", Map.of("state", VmStates.LOST), List.of());
        driver.calls.clear();
        for (Runnable op : List.<Runnable>of(() -> vm().start(), () -> vm().migrate("hv2"))) {
            VagothException e = assertThrows(VagothException.class, op::run);
            assertTrue(e.getMessage().startsWith("devnode1 is lost: its hypervisor hv1 has not answered since"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("'vagoth fence hv1' releases it"), e.getMessage());
        }
        assertEquals(List.of(), driver.calls, "no hypervisor was asked to do anything");
        assertEquals("hv1", node().parent());
        assertEquals(VmStates.LOST, node().state());
    }

    @Test
    void fencingReleasesTheVmsOfAHostThatIsOffAndKeepsItOutOfPlacement() {
        vm().define("hv1");
        registry.updateMetadata("hv1", Map.of("state", VmStates.UP), List.of());
        VagothException up = assertThrows(VagothException.class,
                () -> manager.action("fence", Map.of(Action.NODE_ARG, "hv1")));
        assertTrue(up.getMessage().startsWith("hv1 answered its last poll"), up.getMessage());
        assertEquals("hv1", node().parent(), "a host that answers is not fenced");

        registry.updateMetadata("hv1", Map.of("state", VmStates.UNREACHABLE), List.of());
        registry.updateMetadata("devnode1", Map.of("state", VmStates.LOST), List.of());
        assertEquals(Map.of("released", List.of("devnode1"), "gone", List.of()),
                manager.action("fence", Map.of(Action.NODE_ARG, "hv1")));
        assertNull(node().parent());
        assertEquals(VmStates.UNASSIGNED, node().state());
        assertEquals("hv1", node().metadata().get(VmStates.LAST_HOST));
        vm().start(); // elsewhere now: the allocator stand-in places on hv1 unless told, so say hv2
        assertEquals("hv1", node().parent(), "the stand-in allocator does not know fencing; the real ones do");
        manager.action("unfence", Map.of(Action.NODE_ARG, "hv1"));
        assertNull(registry.getNode("hv1").metadata().get(VmStates.FENCED));
        assertThrows(VagothException.class, () -> manager.action("unfence", Map.of(Action.NODE_ARG, "hv1")));
    }

    @Test
    void aVmAFencedHostStillRunsIsNeitherStartedNorDefinedNorMovedAnywhere() {
        vm().define("hv1");
        registry.updateMetadata("hv1", Map.of("state", VmStates.UNREACHABLE), List.of());
        manager.action("fence", Map.of(Action.NODE_ARG, "hv1"));
        // hv1 came back and its poll reported devnode1 running: the monitor marked it
        registry.updateMetadata("devnode1", Map.of(VmStates.DUPLICATE_ON, "hv1"), List.of());
        driver.calls.clear();
        for (Runnable op : List.<Runnable>of(() -> vm().start(), () -> vm().define("hv2"), () -> vm().provision("hv2"))) {
            VagothException e = assertThrows(VagothException.class, op::run);
            assertTrue(e.getMessage().startsWith("devnode1 still runs on fenced hv1 (its last poll reported it)"),
                    e.getMessage());
        }
        assertEquals(List.of(), driver.calls, "no hypervisor was asked to do anything");
        assertNull(node().parent());

        VagothException unfence = assertThrows(VagothException.class,
                () -> manager.action("unfence", Map.of(Action.NODE_ARG, "hv1")));
        assertTrue(unfence.getMessage().startsWith("hv1 still runs copies of devnode1"), unfence.getMessage());
        assertEquals("true", registry.getNode("hv1").metadata().get(VmStates.FENCED), "still fenced");

        assertEquals(List.of("devnode1"), manager.action("unfence", Map.of(Action.NODE_ARG, "hv1",
                "stop_duplicates", "true")));
        assertEquals(List.of("stop hv1 devnode1"), driver.calls, "the copy is stopped where it runs");
        assertNull(node().metadata().get(VmStates.DUPLICATE_ON));
        assertNull(registry.getNode("hv1").metadata().get(VmStates.FENCED));
        vm().start(); // now it may start
    }

    /** Poll leases as a shared registry's: this daemon holds a host's lease while {@link #held} says so. */
    private static final class Leases implements vagoth.api.monitor.PollLeases {
        volatile boolean held;

        @Override
        public Set<String> take(java.util.Collection<String> hypervisors) {
            return held ? Set.copyOf(hypervisors) : Set.of();
        }

        @Override
        public boolean holds(String hypervisor) {
            return held;
        }
    }

    /**
     * Recovery fences and restarts only while this daemon holds the dead
     * host's poll lease: one that lost it leaves the host to the daemon that
     * took it, whatever its own last poll said.
     */
    @Test
    void recoveryActsOnlyOnAHostWhosePollLeaseItStillHolds() {
        registry.addNode(hv("hv3", "scripted"));
        action("fence", new FenceActions.Fence("true", 10));
        registry.updateNode("devnode1", vagoth.api.registry.NodeUpdate.builder().definition(Map.of("template",
                "debian", VmStates.HA, VmStates.HA_RESTART)).build());
        vm().define("hv1");
        vm().start();
        registry.updateMetadata("hv1", Map.of("state", VmStates.UNREACHABLE, VmStates.UNREACHABLE_SINCE,
                java.time.Instant.now().minusSeconds(60).toString(), VmStates.MISSED_POLLS, "5"), List.of());
        nextHv = "hv2";
        driver.calls.clear();
        Leases leases = new Leases();
        HaRecovery.Rules rules = new HaRecovery.Rules(true, 1, Duration.ZERO, 3, 5, Duration.ofSeconds(1),
                Duration.ofSeconds(10));
        vagoth.api.virt.PollReport report = new vagoth.api.virt.PollReport(List.of("hv2", "hv3"), List.of("hv1"),
                List.of(), List.of());

        HaRecovery lost = new HaRecovery(manager, leases, rules, java.time.Instant.now(), null);
        manager.inTransaction("ha", () -> {
            lost.run(report);
            return null;
        });
        assertNull(registry.getNode("hv1").metadata().get(VmStates.FENCED), "not fenced by a daemon without its lease");
        assertEquals("hv1", node().parent());
        assertEquals(List.of(), driver.calls);
        assertTrue(lost.warnings.contains("ha: hv1 is left to the daemon that polls it now: this one lost its poll"
                + " lease"), lost.warnings.toString());

        leases.held = true;
        HaRecovery holding = new HaRecovery(manager, leases, rules, java.time.Instant.now(), null);
        manager.inTransaction("ha", () -> {
            holding.run(report);
            return null;
        });
        assertEquals("true", registry.getNode("hv1").metadata().get(VmStates.FENCED), holding.warnings.toString());
        assertEquals("hv2", node().parent(), "restarted elsewhere");
        assertTrue(driver.calls.contains("start hv2 devnode1"), driver.calls.toString());
    }

    /** A fenced host that answers again has its copies stopped on the operator's word, and stays fenced. */
    @Test
    void fenceStopDuplicatesStopsTheCopiesAndLeavesTheHostFenced() {
        vm().define("hv1");
        VagothException notFenced = assertThrows(VagothException.class, () -> manager.action("fence",
                Map.of(Action.NODE_ARG, "hv1", "stop_duplicates", "true")));
        assertTrue(notFenced.getMessage().startsWith("hv1 is not fenced: --stop-duplicates stops the copies"),
                notFenced.getMessage());
        registry.updateMetadata("hv1", Map.of("state", VmStates.UNREACHABLE), List.of());
        manager.action("fence", Map.of(Action.NODE_ARG, "hv1"));
        // hv1 came back, answers, and its poll reported devnode1 running: the monitor marked it
        registry.updateMetadata("hv1", Map.of("state", VmStates.UP), List.of());
        registry.updateMetadata("devnode1", Map.of(VmStates.DUPLICATE_ON, "hv1"), List.of());
        driver.calls.clear();
        assertEquals(Map.of("released", List.of(), "gone", List.of(), "stopped", List.of("devnode1")),
                manager.action("fence", Map.of(Action.NODE_ARG, "hv1", "stop_duplicates", "true")));
        assertEquals(List.of("stop hv1 devnode1"), driver.calls, "the copy is stopped where it runs");
        assertNull(node().metadata().get(VmStates.DUPLICATE_ON));
        assertEquals("true", registry.getNode("hv1").metadata().get(VmStates.FENCED), "still fenced");
        assertNull(node().parent(), "the released VM stays released");
    }

    @Test
    void fencingAHostAgainDeclaresTheCopiesItRanGone() {
        vm().define("hv1");
        registry.updateMetadata("hv1", Map.of("state", VmStates.UNREACHABLE), List.of());
        manager.action("fence", Map.of(Action.NODE_ARG, "hv1"));
        registry.updateMetadata("devnode1", Map.of(VmStates.DUPLICATE_ON, "hv1"), List.of());
        assertEquals(Map.of("released", List.of(), "gone", List.of("devnode1")),
                manager.action("fence", Map.of(Action.NODE_ARG, "hv1")));
        assertNull(node().metadata().get(VmStates.DUPLICATE_ON));
    }

    @Test
    void aRunningVmIsNotUndefinedAndKeepsItsState() {
        vm().define("hv1");
        registry.updateMetadata("devnode1", Map.of("state", VmStates.RUNNING), List.of());
        driver.calls.clear();
        VagothException e = assertThrows(VagothException.class, () -> vm().undefine());
        assertEquals("undefine refused: devnode1 is running on hv1; stop it first ('vagoth stop devnode1')",
                e.getMessage());
        assertEquals(VmStates.RUNNING, node().state());
        assertEquals("hv1", node().parent());
        assertEquals(List.of(), driver.calls);
    }

    @Test
    void aVmItsHypervisorSaysIsRunningIsNotUndefined() {
        vm().define("hv1");
        registry.updateMetadata("devnode1", Map.of("state", VmStates.STOPPED), List.of()); // the registry is behind
        VagothException e = assertThrows(VagothException.class, () -> vm().undefine());
        assertTrue(e.getMessage().startsWith("undefine refused: devnode1 is running on hv1"), e.getMessage());
        assertEquals(VmStates.STOPPED, node().state(), "not marked error");
    }

    @Test
    void aFenceCommandMustSucceedBeforeAnythingIsReleased() {
        vm().define("hv1");
        registry.updateMetadata("hv1", Map.of("state", VmStates.UNREACHABLE), List.of());
        VagothException none = assertThrows(VagothException.class,
                () -> manager.action("fence", Map.of(Action.NODE_ARG, "hv1", "command", "true")));
        assertTrue(none.getMessage().startsWith("no fence command is configured (fence.command in vagoth.virt.cfg,"
                + " or fence_command in hv1's definition)"), none.getMessage());
        action("fence", new FenceActions.Fence("sh -c 'echo power off failed for {hv}; exit 3'", 10));
        VagothException e = assertThrows(VagothException.class,
                () -> manager.action("fence", Map.of(Action.NODE_ARG, "hv1", "command", "true")));
        assertEquals("the fence command failed (exit status 3): power off failed for hv1; hv1 is not fenced",
                e.getMessage());
        assertEquals("hv1", node().parent());
        assertNull(registry.getNode("hv1").metadata().get(VmStates.FENCED));

        // the host's own fence command is the one that runs
        Map<String, String> def = new java.util.HashMap<>(registry.getNode("hv1").definition());
        def.put("fence_command", "sh -c 'echo off > /dev/null'");
        registry.updateNode("hv1", vagoth.api.registry.NodeUpdate.builder().definition(def).build());
        manager.action("fence", Map.of(Action.NODE_ARG, "hv1", "command", "true"));
        assertEquals("true", registry.getNode("hv1").metadata().get(VmStates.FENCED));
        assertNull(node().parent(), "released");
    }

    /** A fence command that hangs without a word is ended at its timeout: the host is not fenced, nothing waits on. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aFenceCommandThatHangsSilentlyIsEndedAtItsTimeout() {
        vm().define("hv1");
        registry.updateMetadata("hv1", Map.of("state", VmStates.UNREACHABLE), List.of());
        action("fence", new FenceActions.Fence("sh -c 'sleep 1000'", 1));
        VagothException e = assertThrows(VagothException.class,
                () -> manager.action("fence", Map.of(Action.NODE_ARG, "hv1", "command", "true")));
        assertTrue(e.getMessage().startsWith("the fence command did not finish within 1 s"), e.getMessage());
        assertNull(registry.getNode("hv1").metadata().get(VmStates.FENCED));
        assertEquals("hv1", node().parent());
    }

    @Test
    void aVmIsNeverMigratedAwayFromItsDisk() {
        vm().define("hv1");
        registry.addNode(new Node("hv3", "hv3", "hv", "", Map.of("driver", "scripted"), Map.of(), Map.of(), Set.of(), null));
        driver.calls.clear();
        String before = node().state();
        VagothException e = assertThrows(VagothException.class, () -> vm().migrate("hv3"));
        assertTrue(e.getMessage().startsWith("migrate refused: hv1 and hv3 share no storage")
                && e.getMessage().contains("cannot move devnode1's disk"), e.getMessage());
        assertEquals(List.of(), driver.calls, "nothing was asked of either hypervisor");
        assertEquals("hv1", node().parent());
        assertEquals(before, node().state());
    }

    private void running(String hv) {
        vm().define(hv);
        registry.updateMetadata("devnode1", Map.of("state", VmStates.RUNNING), List.of());
        registry.addNode(new Node("hv3", "hv3", "hv", "", Map.of("driver", "scripted"), Map.of(), Map.of(), Set.of(), null));
        driver.movesDisks = true;
        driver.calls.clear();
    }

    @Test
    void aVmMovesWithItsDiskAndLeavesTheSourceOnlyAtTheEnd() {
        running("hv1");
        vm().migrate("hv3");
        assertEquals(List.of("stop hv1 devnode1", "copyDisk hv1 devnode1", "define hv3 devnode1", "start hv3 devnode1",
                "deprovision hv1 devnode1"), driver.calls);
        assertEquals("hv3", node().parent());
        assertEquals(VmStates.STARTING, node().state());
        assertNull(node().metadata().get(VmStates.MIGRATING_TO));
    }

    @Test
    void aFailedDiskCopyLeavesTheVmRunningWholeAtTheSource() {
        running("hv1");
        driver.failOn.put("copyDisk hv1", "checksum_mismatch: the disk arrived damaged");
        VagothException e = assertThrows(VagothException.class, () -> vm().migrate("hv3"));
        assertTrue(e.getMessage().contains("failed copying its disk from hv1 to hv3")
                && e.getMessage().contains("it is whole on hv1, started again on hv1"), e.getMessage());
        assertEquals(List.of("stop hv1 devnode1", "copyDisk hv1 devnode1", "start hv1 devnode1"), driver.calls);
        assertEquals("hv1", node().parent());
        assertEquals(VmStates.STARTING, node().state());
        assertNull(node().metadata().get(VmStates.MIGRATING_TO));
    }

    @Test
    void aFailureThatIsNoDriverErrorRollsTheMigrationBackToo() {
        running("hv1");
        driver.bugOn.put("define hv3", "a bug in the driver");
        VagothException e = assertThrows(VagothException.class, () -> vm().migrate("hv3"));
        assertTrue(e.getMessage().contains("failed defining it on hv3") && e.getMessage().contains("a bug in the driver")
                && e.getMessage().contains("it is whole on hv1, started again on hv1"), e.getMessage());
        assertEquals(List.of("stop hv1 devnode1", "copyDisk hv1 devnode1", "define hv3 devnode1",
                "deprovision hv3 devnode1", "start hv1 devnode1"), driver.calls);
        assertEquals("hv1", node().parent());
        assertNull(node().metadata().get(VmStates.MIGRATING_TO));

        registry.addNode(new Node("hv4", "hv4", "hv", "", Map.of("driver", "scripted", "shared_storage", "san"),
                Map.of(), Map.of(), Set.of(), null));
        registry.updateNode("hv1", vagoth.api.registry.NodeUpdate.builder().definition(Map.of("driver", "scripted",
                "shared_storage", "san")).build());
        driver.calls.clear();
        driver.bugOn.put("define hv4", "another bug");
        e = assertThrows(VagothException.class, () -> vm().migrate("hv4"));
        assertTrue(e.getMessage().contains("failed defining it on hv4") && e.getMessage().contains("another bug"),
                e.getMessage());
        assertEquals(VmStates.ERROR, node().state(), "shared storage: recorded as failed, not left migrating");
    }

    @Test
    void aVmThatCannotStartAtTheDestinationGoesBackToTheSource() {
        running("hv1");
        driver.failOn.put("start hv3", "no memory");
        VagothException e = assertThrows(VagothException.class, () -> vm().migrate("hv3"));
        assertTrue(e.getMessage().contains("failed starting it on hv3"), e.getMessage());
        assertEquals(List.of("stop hv1 devnode1", "copyDisk hv1 devnode1", "define hv3 devnode1", "start hv3 devnode1",
                "deprovision hv3 devnode1", "start hv1 devnode1"), driver.calls, "the copy at hv3 removed");
        assertEquals("hv1", node().parent());
    }

    @Test
    void plansAskTheAllocatorAndChangeNothing() {
        registry.addNode(new Node("vm2", "vm2", "vm", "", Map.of(), Map.of(), Map.of(), Set.of(), null));
        registry.addNode(new Node("hv3", "hv3", "hv", "", Map.of("driver", "scripted"), Map.of(), Map.of(), Set.of(),
                null)); // shares no storage
        assertEquals(JobState.DONE, vm().define("hv1").state());
        assertEquals(JobState.DONE, ((VirtualMachine) manager.getNode("vm2")).define("hv1").state());
        List<Object> asked = new java.util.ArrayList<>();
        Allocator planner = new Allocator() {
            @Override
            public Node allocate(Node vm, String hint) {
                throw new AssertionError("a plan places nothing");
            }

            @Override
            public List<vagoth.api.allocator.Placement> plan(List<Node> vms, String hint, Set<String> avoid) {
                asked.add(vms.stream().map(Node::id).sorted().toList());
                asked.add(avoid);
                return vms.stream().map(v -> new vagoth.api.allocator.Placement(v.id(), hint != null ? hint : "hv2",
                        Map.of())).toList();
            }
        };
        Planner plans = new Planner();
        plans.bindAllocator(planner);
        hvType.bindPlanner(plans);
        vmType.bindPlanner(plans);
        driver.calls.clear();

        // an evacuation: all of hv1's VMs together, none of them back to hv1
        vagoth.api.virt.Evacuation e = ((Hypervisor) manager.getNode("hv1")).planEvacuation();
        assertEquals(List.of(List.of("devnode1", "vm2"), Set.of("hv1")), asked);
        assertEquals("hv1", e.hypervisor());
        assertEquals(2, e.moves().size());
        assertEquals(List.of(), e.stays());
        assertEquals(List.of(), ((Hypervisor) manager.getNode("hv2")).planEvacuation().placements(),
                "nothing on hv2: nothing to plan");
        assertEquals(2, asked.size(), "and the allocator is not asked");

        // a migration: away from its host; hv1 and hv2 share san1, hv3 shares nothing; it does not run: not live
        vagoth.api.virt.MigrationPlan m = vm().planMigration(null);
        assertEquals(Set.of("hv1"), asked.get(3));
        assertEquals("hv2", m.placement().chosen());
        assertEquals("hv1", m.from());
        assertEquals("san1", m.sharedStorage());
        assertFalse(m.live());
        assertNull(vm().planMigration("hv3").sharedStorage(), "its disk would be copied to hv3");

        // a placement, where define would put it
        assertEquals("hv3", ((VirtualMachine) manager.getNode("vm2")).planPlacement("hv3").chosen());
        assertEquals(Set.of(), asked.get(asked.size() - 1), "a new placement avoids nothing");

        assertEquals(List.of(), driver.calls, "no hypervisor was asked anything");
        assertEquals("hv1", node().parent(), "nothing moved");
        registry.addNode(new Node("vm3", "vm3", "vm", "", Map.of(), Map.of(), Map.of(), Set.of(), null));
        VagothException nowhere = assertThrows(VagothException.class,
                () -> ((VirtualMachine) manager.getNode("vm3")).planMigration(null));
        assertEquals("vm3 is on no hypervisor: define places it", nowhere.getMessage());
    }
}
