package vagoth.dist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * {@code var/log/vagoth.log}, shared by every process of a home: each line is
 * appended with one write (O_APPEND keeps lines of several processes whole),
 * and once the file passes {@code maxBytes} it is renamed to
 * {@code vagoth.log.1} (older ones shifted, the oldest beyond {@code keep}
 * dropped) under a lock, so the log never fills the disk.
 */
final class RotatingLogFile {
    private final Path file;
    private final long maxBytes;
    private final int keep;

    RotatingLogFile(Path file, long maxBytes, int keep) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    synchronized void append(byte[] line) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(line));
            if (ch.size() > maxBytes) {
                rotate();
            }
        }
    }

    private void rotate() throws IOException {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock l = lc.lock()) {
            if (!Files.exists(file) || Files.size(file) <= maxBytes) {
                return; // another process rotated it first
            }
            Files.deleteIfExists(numbered(keep));
            for (int i = keep - 1; i >= 1; i--) {
                if (Files.exists(numbered(i))) {
                    Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path numbered(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }
}
