package vagoth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's word that it serves never leaves a file where bin/vagoth's pipe was. */
class ReadyPipeIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void aReadyPipeThatWasRemovedIsNotMadeAgainAsAFile() {
        Path pipe = dir.resolve("ready.123");
        DaemonControl.sayReady(pipe); // bin/vagoth stopped waiting and removed it
        assertFalse(Files.exists(pipe));
    }

    @Test
    @Timeout(30)
    void aPipeThatIsThereIsToldReady() throws Exception {
        Path pipe = dir.resolve("ready.124");
        Process mk = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertEquals(0, mk.waitFor());
        try (java.nio.channels.FileChannel r = java.nio.channels.FileChannel.open(pipe,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            DaemonControl.sayReady(pipe);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(6);
            r.read(b);
            assertEquals("ready\n", new String(b.array(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
