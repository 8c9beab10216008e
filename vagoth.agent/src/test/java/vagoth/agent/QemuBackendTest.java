package vagoth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;

/**
 * The qemu back end against a real QEMU under TCG (the guests are BIOS-only:
 * an empty disk SeaBIOS finds nothing to boot on, still a live guest with
 * memory to migrate). Each test ends every QEMU it started, by pid.
 */
@Timeout(180)
@org.junit.jupiter.api.Tag("slow") // real guests: a minute; the fast tier (-P fast) leaves it out
class QemuBackendTest {
    @TempDir
    Path dir;
    private final List<QemuBackend> backends = new ArrayList<>();
    private Path base;

    @BeforeEach
    void baseImage() throws Exception {
        base = dir.resolve("base.qcow2");
        run("qemu-img", "create", "-f", "qcow2", base.toString(), "64M");
    }

    @AfterEach
    void endEveryGuest() throws Exception {
        for (QemuBackend b : backends) {
            try (var s = Files.list(b.dir("x").getParent())) {
                for (Path d : s.toList()) {
                    Long pid = b.alive(d.getFileName().toString());
                    if (pid != null) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        }
    }

    private QemuBackend backend(String name, Path disks) throws AgentException {
        QemuBackend b = QemuBackend.open(dir.resolve(name), disks, "qemu-system-x86_64", Duration.ofSeconds(2));
        backends.add(b);
        return b;
    }

    private Map<String, String> guest() {
        return Map.of("image", base.toString(), "ram", "128");
    }

    @Test
    void aGuestIsDefinedPinnedStartedAndStopped() throws Exception {
        QemuBackend a = backend("a", null);
        a.define("vm1", guest());
        Backend.Info info = a.info("vm1");
        assertEquals("stopped", info.state());
        assertEquals("defined", info.substate());
        assertTrue(info.definition().get("machine").matches("pc-i440fx-[0-9.]+"), info.definition().toString());
        assertEquals("qemu64", info.definition().get("cpu_model"));
        assertEquals(String.valueOf(64L << 20), info.definition().get("disk_bytes"));
        assertTrue(Files.exists(a.disk("vm1")));
        assertTrue(Files.exists(a.dir("vm1").resolve(QemuBackend.SEED)));

        a.start("vm1");
        assertEquals("running", a.info("vm1").state());
        assertEquals("running", a.status().vms().get("vm1").state());
        assertEquals("tcg", a.status().host().get("accel"));
        // the agent runs per request: another back end on the same state finds the guest (it outlived its starter)
        QemuBackend again = QemuBackend.open(dir.resolve("a"), null, "qemu-system-x86_64", Duration.ofSeconds(2));
        assertEquals("running", again.info("vm1").state());
        long pid = again.alive("vm1");
        assertTrue(ProcessHandle.of(pid).orElseThrow().parent().map(p -> p.pid() != ProcessHandle.current().pid())
                .orElse(true), "QEMU is detached from the agent that started it");

        again.stop("vm1");
        assertEquals("stopped", a.info("vm1").state());
        assertEquals("stopped", a.info("vm1").substate());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void aQemuThatDiedIsStoppedWithItsReasonNeverUnknown() throws Exception {
        QemuBackend a = backend("a", null);
        a.define("vm1", guest());
        a.start("vm1");
        long pid = a.alive("vm1");
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        h.destroyForcibly();
        h.onExit().get(10, TimeUnit.SECONDS);
        Backend.Info info = a.info("vm1");
        assertEquals("stopped", info.state());
        assertTrue(info.substate().startsWith("crashed: QEMU (pid " + pid + ") ended without being asked"),
                info.substate());
        assertEquals(info.substate(), a.info("vm1").substate(), "the reason stays");
        a.start("vm1");
        assertEquals("running", a.info("vm1").state(), "and it starts again");
    }

    @Test
    void shutdownEndsAGuestThatIgnoresTheAcpiButton() throws Exception {
        QemuBackend a = backend("a", null);
        a.define("vm1", guest());
        a.start("vm1");
        a.shutdown("vm1"); // SeaBIOS has no ACPI handler: the 2 s timeout ends it
        Backend.Info info = a.info("vm1");
        assertEquals("stopped", info.state());
        assertTrue(info.substate().contains("ignored the ACPI power button"), info.substate());
    }

    @Test
    void undefineKeepsTheDiskAndDeprovisionRemovesIt() throws Exception {
        QemuBackend a = backend("a", null);
        a.define("vm1", guest());
        a.start("vm1");
        AgentException running = assertThrows(AgentException.class, () -> a.undefine("vm1"));
        assertEquals("vm_running", running.code());
        a.stop("vm1");
        a.undefine("vm1");
        assertFalse(a.status().vms().containsKey("vm1"));
        assertTrue(Files.exists(a.disk("vm1")), "undefine keeps the disk");
        a.define("vm1", Map.of("ram", "128"));
        assertTrue(a.status().vms().containsKey("vm1"), "define takes the kept disk back");
        a.deprovision("vm1");
        assertFalse(Files.exists(a.dir("vm1")));
    }

    @Test
    void badDefinitionsAreRefusedAndChangeNothing() throws Exception {
        QemuBackend a = backend("a", null);
        for (Map<String, String> bad : List.of(Map.of("ram", "128"), Map.of("image", "relative.qcow2"),
                Map.of("image", base.toString(), "machine", "pc-i440fx-1.0-nonesuch"),
                Map.of("image", base.toString(), "ram", "lots"), Map.of("image", base.toString(), "mac", "zz"),
                Map.of("image", base.toString(), "bridge", "a bridge"))) {
            AgentException e = assertThrows(AgentException.class, () -> a.define("vm1", bad), bad.toString());
            assertEquals("bad_definition", e.code(), e.getMessage());
            assertFalse(Files.exists(a.dir("vm1")), "nothing was made for " + bad);
        }
    }

    @Test
    void theQmpClientSpeaksToARealQemu() throws Exception {
        QemuBackend a = backend("a", null);
        a.define("vm1", guest());
        a.start("vm1");
        try (Qmp q = a.qmp("vm1")) {
            assertEquals("running", q.query("query-status").get("status").getAsString());
            q.execute("stop", null);
            assertEquals("paused", q.query("query-status").get("status").getAsString());
            assertFalse(q.events().isEmpty(), "the STOP event is kept");
            AgentException e = assertThrows(AgentException.class, () -> q.execute("no-such-command", null));
            assertEquals("qmp_error", e.code());
            assertTrue(e.getMessage().contains("no-such-command"), e.getMessage());
            q.execute("cont", null);
        }
        assertEquals("running", a.info("vm1").state());
    }

    /** Prepares {@code to}, sends from {@code from}, finishes, stops the source: the steps the daemon takes. */
    private Map<String, Object> migrate(QemuBackend from, QemuBackend to, boolean copyDisk) throws Exception {
        Map<String, Object> prepared = to.livePrepare("vm1", from.info("vm1").definition(), "127.0.0.1", copyDisk);
        List<Map<String, Object>> progress = Collections.synchronizedList(new ArrayList<>());
        Map<String, Object> done = from.liveSend("vm1", (String) prepared.get("uri"), (String) prepared.get("nbd"),
                new LiveMigration.Limits(300, 1024, Duration.ofSeconds(120)), progress::add);
        assertEquals("completed", done.get("status"));
        assertFalse(progress.isEmpty(), "progress was told");
        assertEquals("postmigrate", from.info("vm1").substate());
        to.liveFinish("vm1");
        assertEquals("running", to.info("vm1").state());
        from.stop("vm1");
        return done;
    }

    @Test
    void aGuestMigratesLiveOnSharedStorage() throws Exception {
        Path shared = dir.resolve("shared");
        QemuBackend a = backend("a", shared);
        QemuBackend b = backend("b", shared);
        a.define("vm1", guest());
        a.start("vm1");
        Map<String, Object> done = migrate(a, b, false);
        assertEquals(0L, ((Number) done.get("disk_copied")).longValue());
        a.undefine("vm1"); // the shared disk stays: it is the guest's at b
        assertTrue(Files.exists(b.disk("vm1")));
        assertEquals("running", b.info("vm1").state());
        assertFalse(a.status().vms().containsKey("vm1"));
    }

    @Test
    void aGuestMigratesLiveWithItsDiskCopied() throws Exception {
        QemuBackend a = backend("a", null);
        QemuBackend b = backend("b", null);
        a.define("vm1", guest());
        // something on the disk to copy: a pattern written through qemu-io before the guest starts
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 1M 2M", a.disk("vm1").toString());
        a.start("vm1");
        Map<String, Object> done = migrate(a, b, true);
        assertEquals(64L << 20, ((Number) done.get("disk_copied")).longValue());
        b.stop("vm1");
        run("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", a.disk("vm1").toString(), b.disk("vm1").toString());
        a.deprovision("vm1");
        assertTrue(Files.exists(b.disk("vm1")));
    }

    @Test
    void aMigrationWhoseDestinationDiesLeavesTheGuestRunningAtTheSourceOnce() throws Exception {
        QemuBackend a = backend("a", null);
        QemuBackend b = backend("b", null);
        a.define("vm1", Map.of("image", base.toString(), "ram", "512"));
        a.start("vm1");
        Map<String, Object> prepared = b.livePrepare("vm1", a.info("vm1").definition(), "127.0.0.1", true);
        ProcessHandle dest = ProcessHandle.of(b.alive("vm1")).orElseThrow();
        CompletableFuture<Map<String, Object>> send = sendInBackground(a, prepared, 8);
        waitFor(() -> a.status("vm1").equals("running") && mirroring(a), "the mirror to start");
        dest.destroyForcibly();
        Exception e = assertThrows(Exception.class, () -> send.get(60, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof AgentException, e.toString());
        assertEquals("running", a.info("vm1").state(), "the source runs on");
        b.liveAbort("vm1", false);
        assertFalse(Files.exists(b.dir("vm1")), "the destination's remains are removed");
        assertFalse(Files.exists(b.disk("vm1")));
    }

    @Test
    void anAbortOfTheSourceCancelsAMigrationUnderWay() throws Exception {
        QemuBackend a = backend("a", null);
        QemuBackend b = backend("b", null);
        a.define("vm1", Map.of("image", base.toString(), "ram", "1024"));
        a.start("vm1");
        Map<String, Object> prepared = b.livePrepare("vm1", a.info("vm1").definition(), "127.0.0.1", true);
        CompletableFuture<Map<String, Object>> send = sendInBackground(a, prepared, 1);
        waitFor(() -> sendingMemory(a), "the memory to be under way");
        QemuBackend other = QemuBackend.open(dir.resolve("a"), null, "qemu-system-x86_64", Duration.ofSeconds(2));
        other.liveAbort("vm1", true);
        Exception e = assertThrows(Exception.class, () -> send.get(60, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof AgentException a2 && a2.code().equals("cancelled"), e.toString());
        assertEquals("running", a.info("vm1").state());
        b.liveAbort("vm1", false);
        assertNull(b.alive("vm1"));
        assertFalse(Files.exists(b.dir("vm1")));
    }

    @Test
    void aDestinationRefusesAGuestItCannotRunOrAlreadyHas() throws Exception {
        QemuBackend a = backend("a", null);
        QemuBackend b = backend("b", null);
        a.define("vm1", guest());
        Map<String, String> def = new java.util.TreeMap<>(a.info("vm1").definition());
        def.put("machine", "pc-q35-0.1");
        AgentException e = assertThrows(AgentException.class, () -> b.livePrepare("vm1", def, "127.0.0.1", true));
        assertEquals("incompatible", e.code());
        assertFalse(Files.exists(b.dir("vm1")));
        AgentException shared = assertThrows(AgentException.class, () -> b.livePrepare("vm1",
                a.info("vm1").definition(), "127.0.0.1", false));
        assertEquals("no_shared_disk", shared.code());
        AgentException here = assertThrows(AgentException.class, () -> a.livePrepare("vm1",
                a.info("vm1").definition(), "127.0.0.1", true));
        assertEquals("exists", here.code());
        assertNotNull(a.info("vm1"), "the VM it has is untouched");
    }

    /** The source's live_send on another thread, at {@code mibs} MiB/s. */
    private static CompletableFuture<Map<String, Object>> sendInBackground(QemuBackend a, Map<String, Object> prepared,
            long mibs) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return a.liveSend("vm1", (String) prepared.get("uri"), (String) prepared.get("nbd"),
                        new LiveMigration.Limits(300, mibs, Duration.ofSeconds(120)), p -> { });
            } catch (AgentException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    private static boolean sendingMemory(QemuBackend a) {
        try (Qmp q = a.qmp("vm1")) {
            JsonObject m = q.query("query-migrate");
            return m.has("status") && m.get("status").getAsString().equals("active");
        } catch (AgentException e) {
            return false;
        }
    }

    private static boolean mirroring(QemuBackend a) {
        try (Qmp q = a.qmp("vm1")) {
            return q.execute("query-block-jobs", null).getAsJsonArray().size() > 0
                    || q.query("query-migrate").has("status");
        } catch (AgentException e) {
            return false;
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 60 s for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", argv));
        assertEquals(0, p.exitValue(), String.join(" ", argv) + ": " + out);
    }
}
