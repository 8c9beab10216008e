package vagoth.support.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** File changes that are on disk when they return. */
public final class Durable {
    private Durable() {
    }

    /**
     * The temporary file a durable write of {@code target} goes through. Its
     * name starts with a dot, which no safe name ({@code [A-Za-z0-9]...}) does,
     * so it can never be mistaken for, or collide with, a file of that name.
     */
    public static Path temporaryFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".tmp");
    }

    /** Whether {@code fileName} is one of {@link #temporaryFor}'s temporary files. */
    public static boolean isTemporary(String fileName) {
        return fileName.startsWith(".") && fileName.endsWith(".tmp");
    }

    /** Writes {@code data} to a temporary file, syncs it, renames it over {@code target} and syncs the directory. */
    public static void write(FileIo io, Path target, byte[] data) throws IOException {
        Path tmp = temporaryFor(target);
        try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(data), 0);
            ch.force(true);
        }
        move(io, tmp, target);
    }

    /** Atomically renames {@code from} to {@code to} and syncs the directory. */
    public static void move(FileIo io, Path from, Path to) throws IOException {
        io.move(from, to);
        io.syncDirectory(to.getParent());
    }

    /** Writes every byte of {@code buf} at {@code position}; returns the position after them. */
    public static long writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
        return pos;
    }
}
