package vagoth.registry.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

import vagoth.api.Node;
import vagoth.api.registry.RegistryCorruptException;

/** What is particular to the file registry: its files, compaction and damage. */
@Timeout(120)
class FileRegistryStorageTest {
    private static final long NEVER = Long.MAX_VALUE;
    @TempDir
    Path dir;

    private FileRegistry open(long compact) {
        return new FileRegistry(dir, compact);
    }

    private static void addSome(FileRegistry r, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            r.addNode(Node.of(prefix + i, prefix + i, "vm").withDefinition(Map.of("ram", "512")));
        }
    }

    @Test
    void aDamagedLogLineIsReportedWithFileAndOffset() throws IOException {
        try (FileRegistry r = open(NEVER)) {
            addSome(r, "n", 3);
        }
        Path wal = dir.resolve(FileStore.WAL);
        String text = Files.readString(wal);
        Files.writeString(wal, text.replace("\"n1\"", "\"nX\""));
        RegistryCorruptException e = assertThrows(RegistryCorruptException.class, () -> open(NEVER));
        assertTrue(e.getMessage().contains(wal.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("at byte"), e.getMessage());
        assertEquals(text.replace("\"n1\"", "\"nX\""), Files.readString(wal), "the damaged log must be left as it was");
    }

    @Test
    void anUnfinishedLastWriteIsSetAsideNotApplied() throws IOException {
        try (FileRegistry r = open(NEVER)) {
            addSome(r, "n", 2);
        }
        Path wal = dir.resolve(FileStore.WAL);
        byte[] half = "1234abcd {\"seq\":3,\"put\":{\"id\":\"half".getBytes(StandardCharsets.UTF_8);
        Files.write(wal, half, StandardOpenOption.APPEND);
        try (FileRegistry r = open(NEVER)) {
            assertEquals(2, r.size());
            r.addNode(Node.of("after", "after", "vm"));
        }
        try (FileRegistry r = open(NEVER); Stream<Path> files = Files.list(dir)) {
            assertEquals(3, r.size());
            List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("wal.log.unfinished-")).toList();
            assertEquals(1, aside.size());
            assertEquals(new String(half, StandardCharsets.UTF_8), Files.readString(aside.get(0)));
        }
    }

    @Test
    void aTruncatedSnapshotSegmentIsReportedNotReset() throws IOException {
        try (FileRegistry r = open(NEVER)) {
            addSome(r, "n", 50);
            r.compact();
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> SnapshotFile.isSegment(p.getFileName().toString())).findFirst().orElseThrow();
        }
        byte[] all = Files.readAllBytes(segment);
        Files.write(segment, java.util.Arrays.copyOf(all, all.length / 2));
        RegistryCorruptException e = assertThrows(RegistryCorruptException.class, () -> open(NEVER));
        assertTrue(e.getMessage().contains(segment.toString()), e.getMessage());
        assertEquals(all.length / 2, Files.size(segment), "the damaged snapshot must be left as it was");
        Files.delete(segment);
        e = assertThrows(RegistryCorruptException.class, () -> open(NEVER));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void aDamagedSnapshotHeaderIsReported() throws IOException {
        try (FileRegistry r = open(NEVER)) {
            addSome(r, "n", 5);
            r.compact();
        }
        Path header = dir.resolve(FileStore.SNAPSHOT);
        Files.writeString(header, Files.readString(header).substring(0, 20));
        RegistryCorruptException e = assertThrows(RegistryCorruptException.class, () -> open(NEVER));
        assertTrue(e.getMessage().contains(header.toString()), e.getMessage());
    }

    @Test
    void aLargeRegistryIsSnapshottedInSegmentsAndOldOnesAreRemoved() throws IOException {
        try (FileRegistry r = open(NEVER)) {
            addConcurrently(r, 25_000);
            r.compact();
            r.compact();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> segments = files.map(p -> p.getFileName().toString()).filter(SnapshotFile::isSegment)
                    .sorted().toList();
            String generation = segments.get(0).split("-")[1];
            assertEquals(List.of(0, 1, 2, 3).stream().map(i -> "snapshot-" + generation + "-" + i + ".json").toList(),
                    segments, "four segments of the last generation, nothing older");
        }
        try (FileRegistry r = open(NEVER)) {
            assertEquals(25_000, r.size());
            assertEquals("vm", r.getNodeByName("b24999").type());
        }
    }

    /** Many writers, so that group commit keeps this quick. */
    private static void addConcurrently(FileRegistry r, int n) {
        int writers = 32;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int ww = w;
                fs.add(pool.submit(() -> {
                    for (int i = ww; i < n; i += writers) {
                        r.addNode(Node.of("b" + i, "b" + i, "vm"));
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : fs) {
                f.get();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMissingSnapshotWithALaterLogIsReported() throws IOException {
        try (FileRegistry r = open(NEVER)) {
            addSome(r, "n", 5);
            r.compact();
            addSome(r, "m", 5);
        }
        Files.delete(dir.resolve(FileStore.SNAPSHOT));
        RegistryCorruptException e = assertThrows(RegistryCorruptException.class, () -> open(NEVER));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void aLogFromBeforeTheLastSnapshotIsRecognisedAfterACrashInCompaction() throws IOException {
        byte[] oldLog;
        try (FileRegistry r = open(NEVER)) {
            addSome(r, "n", 5);
            oldLog = Files.readAllBytes(dir.resolve(FileStore.WAL));
            r.compact();
        }
        // as if the process died after renaming the new snapshot but before the new log
        Files.write(dir.resolve(FileStore.WAL), oldLog);
        try (FileRegistry r = open(NEVER)) {
            assertEquals(5, r.size());
            r.addNode(Node.of("x", "x", "vm"));
        }
        try (FileRegistry r = open(NEVER)) {
            assertEquals(6, r.size());
        }
    }

    @Test
    void compactionKeepsTheLogSmallAndLosesNothing() throws IOException {
        try (FileRegistry r = open(8 * 1024)) {
            addSome(r, "n", 500);
            assertTrue(Files.size(dir.resolve(FileStore.WAL)) < 64 * 1024, "log was never compacted");
            assertTrue(Files.exists(dir.resolve(FileStore.SNAPSHOT)));
        }
        try (FileRegistry r = open(NEVER)) {
            assertEquals(500, r.size());
            assertEquals("512", r.getNode("n499").definition().get("ram"));
        }
    }

    @Test
    void aReaderFollowsAnotherInstancesCompaction() {
        try (FileRegistry writer = open(4 * 1024); FileRegistry reader = open(NEVER)) {
            addSome(writer, "a", 10);
            assertEquals(10, reader.size());
            addSome(writer, "b", 300);
            assertEquals(310, reader.size());
            assertTrue(reader.findNodeByName("b299").isPresent());
            reader.deleteNode("a0");
            assertFalse(writer.contains("a0"));
        }
    }

    @Test
    void aLogThatIsNotOursIsRefused() throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(FileStore.WAL), "hello world\n");
        assertThrows(RegistryCorruptException.class, () -> open(NEVER));
        assertEquals("hello world\n", Files.readString(dir.resolve(FileStore.WAL)));
    }
}
