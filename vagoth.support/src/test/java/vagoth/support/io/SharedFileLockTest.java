package vagoth.support.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two users of one lock file in one JVM: closing one must not release the
 * lock the other holds (POSIX locks belong to the process), which a second
 * JVM would otherwise be free to take.
 */
class SharedFileLockTest {
    @TempDir
    Path dir;

    /** Run in a second JVM: prints whether the lock file's lock is free. */
    public static final class Probe {
        public static void main(String[] args) throws IOException {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
                FileLock l = ch.tryLock();
                System.out.println(l == null ? "held" : "free");
            }
        }
    }

    private String probe(Path file) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Probe.class.getName(), file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    @Test
    @Timeout(60)
    void closingAnotherUserKeepsTheLockHeld() throws Exception {
        Path file = dir.resolve("registry.lock");
        SharedFileLock first = SharedFileLock.open(FileIo.REAL, file);
        SharedFileLock second = SharedFileLock.open(FileIo.REAL, dir.resolve(".").resolve("registry.lock"));
        assertEquals("free", probe(file));
        try (SharedFileLock.Held held = first.lock(false)) {
            assertEquals("held", probe(file));
            second.close();
            assertEquals("held", probe(file), "closing the other user released the lock");
        }
        assertEquals("free", probe(file));
        first.close();
    }

    @Test
    @Timeout(60)
    void usersInOneJvmTakeTurns() throws Exception {
        Path file = dir.resolve("registry.lock");
        try (SharedFileLock a = SharedFileLock.open(FileIo.REAL, file);
                SharedFileLock b = SharedFileLock.open(FileIo.REAL, file)) {
            int[] inside = new int[1];
            int[] most = new int[1];
            Thread[] ts = new Thread[4];
            for (int t = 0; t < ts.length; t++) {
                SharedFileLock l = t % 2 == 0 ? a : b;
                ts[t] = new Thread(() -> {
                    for (int i = 0; i < 200; i++) {
                        try (SharedFileLock.Held h = l.lock(i % 3 == 0)) {
                            synchronized (inside) {
                                most[0] = Math.max(most[0], ++inside[0]);
                            }
                            Thread.onSpinWait();
                            synchronized (inside) {
                                inside[0]--;
                            }
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(1, most[0], "two holders at once");
        }
    }
}
