package vagoth.registry.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.Node;
import vagoth.api.registry.RegistryCorruptException;

/** Every byte read back is checked, and every file the registry needs must be there. */
class FileRegistryDamageTest {
    private static final long NEVER = Long.MAX_VALUE;
    @TempDir
    Path dir;

    private FileRegistry open() {
        return new FileRegistry(dir, NEVER);
    }

    private void compactedRegistry(int nodes) {
        try (FileRegistry r = open()) {
            for (int i = 0; i < nodes; i++) {
                r.addNode(Node.of("n" + i, "n" + i, "vm").withDefinition(Map.of("template", "debian", "cpus", "1")));
            }
            r.compact();
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> SnapshotFile.isSegment(p.getFileName().toString())).sorted().toList();
        }
    }

    private RegistryCorruptException refused() {
        return assertThrows(RegistryCorruptException.class, this::open);
    }

    private static void replaceOnce(Path file, String from, String to) throws IOException {
        assertEquals(from.length(), to.length(), "a flipped byte keeps the length");
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        int at = text.lastIndexOf(from);
        assertTrue(at >= 0, from + " not in " + file);
        Files.writeString(file, text.substring(0, at) + to + text.substring(at + from.length()), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aFlippedByteInsideASnapshotValueIsFoundWithFileAndOffset() throws IOException {
        compactedRegistry(2_000);
        Path segment = segments().get(0);
        replaceOnce(segment, "debian", "decian");
        RegistryCorruptException e = refused();
        assertTrue(e.getMessage().contains(segment.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().matches(".*at byte [0-9]+.*"), e.getMessage());
    }

    @Test
    void aChangedNumberInASnapshotIsFound() throws IOException {
        compactedRegistry(10);
        replaceOnce(segments().get(0), "\"cpus\":\"1\"", "\"cpus\":\"7\"");
        assertTrue(refused().getMessage().contains("checksum mismatch"));
    }

    @Test
    void aChangedSnapshotHeaderIsFound() throws IOException {
        compactedRegistry(10);
        Path header = dir.resolve(FileStore.SNAPSHOT);
        replaceOnce(header, "\"count\":10", "\"count\":11");
        RegistryCorruptException e = refused();
        assertTrue(e.getMessage().contains(header.toString()) && e.getMessage().contains("checksum mismatch"),
                e.getMessage());
    }

    @Test
    void aMissingLogAfterACompactionIsReportedNotTakenForNoChanges() throws IOException {
        compactedRegistry(5);
        try (FileRegistry r = open()) {
            r.addNode(Node.of("after", "after", "vm"));
        }
        Files.delete(dir.resolve(FileStore.WAL));
        RegistryCorruptException e = refused();
        assertTrue(e.getMessage().contains(dir.resolve(FileStore.WAL) + " is missing"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve(FileStore.WAL)), "nothing is recreated in place of the lost log");
    }

    @Test
    void aNewRegistryIsMissedToo() throws IOException {
        try (FileRegistry r = open()) {
            r.addNode(Node.of("a", "a", "vm"));
        }
        Files.delete(dir.resolve(FileStore.WAL));
        assertTrue(refused().getMessage().contains("is missing"));
    }

    @Test
    void aLostSnapshotAndLogWithASegmentLeftIsReportedNotOpenedEmpty() throws IOException {
        compactedRegistry(5);
        Files.delete(dir.resolve(FileStore.SNAPSHOT));
        Files.delete(dir.resolve(FileStore.WAL));
        RegistryCorruptException e = refused();
        assertTrue(e.getMessage().contains(dir.resolve(FileStore.SNAPSHOT) + " and log"), e.getMessage());
        assertTrue(e.getMessage().contains(segments().get(0).toString()), e.getMessage());
    }

    @Test
    void aLostSnapshotAndLogWithBlobsLeftIsReported() throws IOException {
        try (FileRegistry r = open()) {
            r.addNode(Node.of("a", "a", "vm"));
            r.putBlob("a", "cfg", new byte[] {1});
        }
        for (Path p : segments()) {
            Files.delete(p);
        }
        Files.delete(dir.resolve(FileStore.SNAPSHOT));
        Files.delete(dir.resolve(FileStore.WAL));
        assertTrue(refused().getMessage().contains("blobs"));
    }

    @Test
    void aRegistryWithoutChecksumsIsReadAndRewrittenWithThem() throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("snapshot-3-0.json"),
                "[{\"id\":\"old\",\"name\":\"old\",\"type\":\"vm\",\"definition\":{\"ram\":\"512\"}}]");
        Files.writeString(dir.resolve(FileStore.SNAPSHOT), "{\"" + SnapshotFile.MAGIC + "\":2,\"generation\":3,"
                + "\"seq\":7,\"count\":1,\"segments\":[{\"file\":\"snapshot-3-0.json\",\"count\":1}]}\n");
        Files.write(dir.resolve(FileStore.WAL), WriteAheadLog.header(3));
        try (FileRegistry r = open()) {
            assertEquals("512", r.getNode("old").definition().get("ram"));
        }
        assertTrue(Files.readString(dir.resolve(FileStore.SNAPSHOT)).matches("[0-9a-f]{8} \\{.*\"blocks\".*\n"),
                "the snapshot was rewritten with checksums");
        replaceOnce(segments().get(0), "512", "612");
        refused();
    }
}
