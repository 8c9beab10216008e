package vagoth.support.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vagoth.support.io.Durable;

class FaultInjectingFileIoTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void write(FileChannel ch, String s, long pos) throws IOException {
        Durable.writeFully(ch, ByteBuffer.wrap(b(s)), pos);
    }

    @Test
    void whatWasThereBeforeIsDurable() throws IOException {
        Files.write(dir.resolve("old"), b("old"));
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        io.powerLoss();
        assertArrayEquals(b("old"), Files.readAllBytes(dir.resolve("old")));
    }

    @Test
    void unsyncedDataIsLostAndSyncedDataKept() throws IOException {
        Files.write(dir.resolve("log"), b("a"));
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        try (FileChannel ch = io.open(dir.resolve("log"), StandardOpenOption.WRITE)) {
            write(ch, "b", 1);
            ch.force(false);
            write(ch, "c", 2);
            assertArrayEquals(b("abc"), Files.readAllBytes(dir.resolve("log")));
            io.powerLoss();
        }
        assertArrayEquals(b("ab"), Files.readAllBytes(dir.resolve("log")));
    }

    @Test
    void aNewFileNeedsItsDirectorySynced() throws IOException {
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        try (FileChannel ch = io.open(dir.resolve("new"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            write(ch, "x", 0);
            ch.force(true);
        }
        io.powerLoss();
        assertFalse(Files.exists(dir.resolve("new")), "created and synced, but its directory was not");
    }

    @Test
    void aRenameNeedsItsDirectorySynced() throws IOException {
        Files.write(dir.resolve("f"), b("old"));
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        Path tmp = Durable.temporaryFor(dir.resolve("f"));
        try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            write(ch, "new", 0);
            ch.force(true);
        }
        io.move(tmp, dir.resolve("f"));
        assertArrayEquals(b("new"), Files.readAllBytes(dir.resolve("f")));
        io.powerLoss();
        assertArrayEquals(b("old"), Files.readAllBytes(dir.resolve("f")));
    }

    @Test
    void aDurableWriteSurvives() throws IOException {
        Files.write(dir.resolve("f"), b("old"));
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        io.createDirectories(dir.resolve("sub"));
        io.syncDirectory(dir);
        Durable.write(io, dir.resolve("f"), b("new"));
        Durable.write(io, dir.resolve("sub").resolve("g"), b("g"));
        io.powerLoss();
        assertArrayEquals(b("new"), Files.readAllBytes(dir.resolve("f")));
        assertArrayEquals(b("g"), Files.readAllBytes(dir.resolve("sub").resolve("g")));
        assertFalse(Files.exists(Durable.temporaryFor(dir.resolve("f"))));
    }

    @Test
    void aDirectoryNeedsItsParentSynced() throws IOException {
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        io.createDirectories(dir.resolve("sub"));
        Durable.write(io, dir.resolve("sub").resolve("g"), b("g"));
        io.powerLoss();
        assertFalse(Files.exists(dir.resolve("sub")));
    }

    @Test
    void aDeleteNeedsItsDirectorySynced() throws IOException {
        Files.write(dir.resolve("f"), b("f"));
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        io.deleteIfExists(dir.resolve("f"));
        io.powerLoss();
        assertTrue(Files.exists(dir.resolve("f")));
    }

    @Test
    void nothingWorksAfterThePowerIsLost() throws IOException {
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        FileChannel ch = io.open(dir.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        io.powerLoss();
        assertThrows(IOException.class, () -> write(ch, "x", 0));
        assertThrows(IOException.class, () -> io.open(dir.resolve("g"), StandardOpenOption.CREATE, StandardOpenOption.WRITE));
    }
}
