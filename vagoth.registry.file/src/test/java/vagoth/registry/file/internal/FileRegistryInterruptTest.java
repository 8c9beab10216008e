package vagoth.registry.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.RegistryException;

/**
 * Writers interrupted in the middle of their writes (as {@code shutdownNow}
 * and {@code Future.cancel(true)} do): a call that returned is in memory and
 * on disk, a call that threw is in neither, and memory always matches the disk.
 */
class FileRegistryInterruptTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void interruptedWritersNeverLeaveMemoryAndDiskApart() throws Exception {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Set<String> failed = ConcurrentHashMap.newKeySet();
        AtomicInteger interruptsSeen = new AtomicInteger();
        try (FileRegistry r = new FileRegistry(dir, 32 * 1024)) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int ww = w;
                writers.add(new Thread(() -> {
                    for (int i = 0; i < 400; i++) {
                        String id = "w" + ww + "-" + i;
                        try {
                            r.addNode(Node.of(id, id, "vm").withDefinition(Map.of("ram", "512")));
                            acked.add(id);
                            r.updateMetadata(id, Map.of("state", "running"), Set.of());
                        } catch (RegistryException e) {
                            failed.add(id);
                        }
                        if (Thread.interrupted()) {
                            interruptsSeen.incrementAndGet();
                        }
                    }
                }));
            }
            writers.forEach(Thread::start);
            AtomicBoolean done = new AtomicBoolean();
            Thread interrupter = new Thread(() -> {
                while (!done.get()) {
                    writers.get(ThreadLocalRandom.current().nextInt(writers.size())).interrupt();
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50 + ThreadLocalRandom.current().nextInt(200)));
                }
            });
            interrupter.start();
            for (Thread t : writers) {
                t.join();
            }
            done.set(true);
            interrupter.join();

            assertTrue(interruptsSeen.get() > 0, "no writer was ever interrupted");
            for (String id : acked) {
                assertTrue(r.contains(id), "acknowledged but not in memory: " + id);
            }
            for (String id : failed) {
                assertFalse(r.contains(id), "reported failed but applied: " + id);
            }
            try (FileRegistry fromDisk = new FileRegistry(dir.resolve("..").resolve(dir.getFileName()), Long.MAX_VALUE)) {
                assertEquals(r.getNodes(NodeQuery.all()), fromDisk.getNodes(NodeQuery.all()), "memory and disk differ");
            }
            assertEquals(0, failed.size(), "writes failed because their thread was interrupted, e.g. "
                    + failed.stream().limit(5).toList());
        }
        try (FileRegistry again = new FileRegistry(dir, Long.MAX_VALUE)) {
            assertEquals(acked.size(), again.size());
            for (String id : acked) {
                assertEquals("running", again.getNode(id).state(), id);
            }
        }
    }
}
