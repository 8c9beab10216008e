package vagoth.driver.geats.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.Node;
import vagoth.api.driver.DriverException;
import vagoth.testing.StreamTamper;

/**
 * A disk between two real agent processes (simulated back end, each with a
 * state directory of its own, sharing nothing), through the driver: whole
 * when the stream is, refused with nothing kept when a byte on the way
 * changes, stopped when the source stalls.
 */
@Timeout(120)
class DiskCopyTest {
    @TempDir
    Path dir;
    /** A short long-timeout: it is the copy's idle limit. */
    private final GeatsDriver driver = new GeatsDriver(Duration.ofSeconds(20), Duration.ofSeconds(3));

    @AfterEach
    void close() {
        driver.close();
        // a test that failed may leave an agent it started (a stalled one sleeps): end them, by PID
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    private static String java() {
        return "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "'";
    }

    private String agent(String hv) {
        return java() + " -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("vagoth.agent.classpath")
                + "' vagoth.agent.Agent --backend sim --state '" + dir.resolve(hv) + "' --mem-total 4096 --cpus 4";
    }

    /** The agent of {@code hv} behind {@link StreamTamper}. */
    private String tampered(String hv, String mode, long at) {
        return java() + " -cp '" + System.getProperty("java.class.path") + "' " + StreamTamper.class.getName() + " "
                + mode + " " + at + " -- " + agent(hv);
    }

    private static Node hv(String id, String agent) {
        return new Node(id, id, "hv", "", Map.of("driver", "geats", "agent", agent), Map.of(), Map.of(), Set.of(), null);
    }

    private static final Node VM = new Node("vm1", "vm1", "vm", "", Map.of("template", "busybox", "ram", "256"),
            Map.of(), Map.of(), Set.of(), null);

    /** vm1 provisioned on {@code source}, with 3 MiB of data on its disk (several frames). */
    private byte[] provisioned(Node source) throws Exception {
        driver.provision(source, VM);
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        Files.write(dir.resolve(source.id()).resolve("disks/vm1/data.bin"), data);
        return data;
    }

    @Test
    void aDiskTravelsWholeAndTheSourceKeepsItsCopy() throws Exception {
        Node a = hv("hvA", agent("hvA"));
        Node b = hv("hvB", agent("hvB"));
        byte[] data = provisioned(a);
        AtomicLong seen = new AtomicLong();
        long bytes = driver.copyDisk(a, VM, b, seen::set);
        assertTrue(bytes > data.length, "a tar of the disk: " + bytes);
        assertTrue(seen.get() >= bytes, "progress heard the whole stream: " + seen.get());
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("hvB/disks/vm1/data.bin")));
        assertEquals("stopped", driver.info(b, VM).state());
        assertEquals(VM.definition(), driver.info(b, VM).definition());
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("hvA/disks/vm1/data.bin")), "the source keeps it");
        assertEquals(Set.of("vm1"), driver.status(a).vms().keySet());

        DriverException twice = assertThrows(DriverException.class, () -> driver.copyDisk(a, VM, b, x -> { }));
        assertTrue(twice.getMessage().contains("hvB: import failed: exists"), twice.getMessage());
    }

    @Test
    void aByteChangedOnTheWayIsRefusedAndNothingIsKept() throws Exception {
        Node a = hv("hvA", tampered("hvA", "flip", 100_000));
        Node b = hv("hvB", agent("hvB"));
        byte[] data = provisioned(hv("hvA", agent("hvA")));
        DriverException e = assertThrows(DriverException.class, () -> driver.copyDisk(a, VM, b, x -> { }));
        assertTrue(e.getMessage().contains("hvB: import failed: checksum_mismatch")
                && e.getMessage().contains("nothing was kept"), e.getMessage());
        assertNothingAt("hvB");
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("hvA/disks/vm1/data.bin")), "the source is untouched");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocked read is not interrupted
    void aSourceThatStallsIsStoppedAndTheDestinationKeepsNothing() throws Exception {
        Node a = hv("hvA", tampered("hvA", "stall", 200_000));
        Node b = hv("hvB", agent("hvB"));
        provisioned(hv("hvA", agent("hvA")));
        DriverException e = assertThrows(DriverException.class, () -> driver.copyDisk(a, VM, b, x -> { }));
        assertTrue(e.getMessage().contains("made no progress for 3 s"), e.getMessage());
        assertNothingAt("hvB");
    }

    @Test
    void anAgentWithoutStreamModeIsAClearRefusal() throws Exception {
        Node a = hv("hvA", agent("hvA"));
        Node old = hv("hvB", "/bin/sh -c 'echo usage: no such option >&2; exit 2' x");
        provisioned(a);
        DriverException e = assertThrows(DriverException.class, () -> driver.copyDisk(a, VM, old, x -> { }));
        assertTrue(e.getMessage().startsWith("hvB: the agent gave no answer to 'import'")
                && e.getMessage().contains("--stream"), e.getMessage());
    }

    private void assertNothingAt(String hv) throws Exception {
        Path disks = dir.resolve(hv).resolve("disks");
        try (var s = Files.list(disks)) {
            assertEquals(0, s.count(), "nothing, not even a staging directory, at " + hv);
        }
        assertFalse(Files.exists(dir.resolve(hv).resolve("vms/vm1.json")));
    }
}
