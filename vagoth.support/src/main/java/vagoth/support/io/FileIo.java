package vagoth.support.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * The file operations whose durability matters: opening a channel (whose
 * {@code force} makes its data durable), renaming, deleting, creating
 * directories and syncing a directory (which makes its entries durable).
 * Stores do these through a {@code FileIo} so that a test can put a layer in
 * between that forgets, at a simulated power loss, whatever was not synced.
 * Reads go straight to the files.
 */
public interface FileIo {
    /** The real file system. */
    FileIo REAL = new RealFileIo();

    FileChannel open(Path path, OpenOption... options) throws IOException;

    /** Renames {@code from} over {@code to} atomically. Durable once the directory is synced. */
    void move(Path from, Path to) throws IOException;

    boolean deleteIfExists(Path path) throws IOException;

    void createDirectories(Path dir) throws IOException;

    /** Makes the directory's entries (created, renamed, deleted files) durable. */
    void syncDirectory(Path dir) throws IOException;
}
