package vagoth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An LXC import unpacks where LXC does not look: a disk cut short half-way
 * leaves nothing in the container directory, and LXC sees the container whole
 * (after commit) or not at all.
 */
@Timeout(60)
class LxcImportTest {
    @TempDir
    Path dir;

    @Test
    void anImportCutShortHalfWayLeavesNothingWhereLxcLooks() throws Exception {
        Path source = Files.createDirectories(dir.resolve("source/rootfs"));
        Files.write(source.resolve("big"), new byte[4 << 20]);
        Files.writeString(dir.resolve("source/config"), "lxc.rootfs.path = dir:/old/ct1/rootfs\n");
        Process pack = new ProcessBuilder("tar", "-C", dir.resolve("source").toString(), "-cf", "-", ".").start();
        byte[] archive = pack.getInputStream().readAllBytes();
        assertTrue(pack.waitFor(30, TimeUnit.SECONDS) && pack.exitValue() == 0);

        Path lxcpath = dir.resolve("lxc");
        LxcBackend lxc = new LxcBackend(lxcpath);
        Backend.Import im = lxc.importing("ct1", Map.of(), "/old/ct1");
        Process tar = new ProcessBuilder(im.tar()).redirectErrorStream(true).start();
        try (OutputStream in = tar.getOutputStream()) {
            in.write(archive, 0, archive.length / 2); // the stream is cut half-way
        }
        tar.getInputStream().readAllBytes();
        tar.waitFor(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(lxcpath.resolve("ct1")), "half a container is in the container directory");
        im.abort();
        try (Stream<Path> left = Files.list(lxcpath)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "nothing is left");
        }

        Backend.Import whole = lxc.importing("ct1", Map.of(), "/old/ct1");
        Process again = new ProcessBuilder(whole.tar()).redirectErrorStream(true).start();
        try (OutputStream in = again.getOutputStream()) {
            in.write(archive);
        }
        again.getInputStream().readAllBytes();
        assertEquals(0, again.waitFor());
        assertFalse(Files.exists(lxcpath.resolve("ct1")), "not before commit");
        whole.commit();
        assertEquals(4 << 20, Files.size(lxcpath.resolve("ct1/rootfs/big")));
        assertEquals("lxc.rootfs.path = dir:" + lxcpath.toAbsolutePath().resolve("ct1") + "/rootfs\n",
                Files.readString(lxcpath.resolve("ct1/config")), "its paths name its new place");
    }
}
