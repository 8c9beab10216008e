package vagoth.support.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock file that keeps processes, and threads of this process, apart.
 *
 * <p>POSIX record locks belong to a process, not to a channel: closing any
 * channel on the file releases every lock the process holds on it, and a
 * second lock on it from the same process fails. So every user of one lock
 * file in this JVM shares one channel, opened by the first and closed by the
 * last ({@link #close}), and they take turns through an in-process lock
 * before taking the file lock. This table is per JVM by nature, which is why
 * it is static.
 */
public final class SharedFileLock implements Closeable {
    private static final Map<Path, Entry> OPEN = new HashMap<>();

    private final Path key;
    private final Entry entry;
    private boolean closed;

    private SharedFileLock(Path key, Entry entry) {
        this.key = key;
        this.entry = entry;
    }

    /** Opens (creating it if needed) {@code lockFile}, sharing its channel with every other user in this JVM. */
    public static SharedFileLock open(FileIo io, Path lockFile) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        synchronized (OPEN) {
            Entry e = OPEN.get(key);
            if (e == null) {
                e = new Entry(io, key);
                OPEN.put(key, e);
            }
            e.users++;
            return new SharedFileLock(key, e);
        }
    }

    /** A lock held until closed. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes the lock: alone among this JVM's users, and shared or exclusive
     * towards other processes. Waits as long as it takes.
     */
    public Held lock(boolean shared) throws IOException {
        entry.turn.lock();
        try {
            return held(entry.channel().lock(0, Long.MAX_VALUE, shared));
        } catch (IOException | RuntimeException e) {
            entry.turn.unlock();
            throw e;
        }
    }

    /**
     * Takes the lock exclusively if nobody holds it, in this JVM or another
     * process; otherwise returns null at once.
     */
    public Held tryLock() throws IOException {
        if (!entry.turn.tryLock()) {
            return null;
        }
        try {
            FileLock l = entry.channel().tryLock(0, Long.MAX_VALUE, false);
            if (l == null) {
                entry.turn.unlock();
                return null;
            }
            return held(l);
        } catch (IOException | RuntimeException e) {
            entry.turn.unlock();
            throw e;
        }
    }

    /** Releases the file lock, then this JVM's turn. */
    private Held held(FileLock l) {
        return () -> {
            try {
                if (l.isValid()) {
                    l.release();
                }
            } catch (IOException e) {
                // the channel is gone, and the lock with it
            } finally {
                entry.turn.unlock();
            }
        };
    }

    @Override
    public void close() throws IOException {
        synchronized (OPEN) {
            if (closed) {
                return;
            }
            closed = true;
            if (--entry.users == 0) {
                OPEN.remove(key);
                entry.channel.close();
            }
        }
    }

    private static final class Entry {
        final FileIo io;
        final Path path;
        final ReentrantLock turn = new ReentrantLock(true);
        FileChannel channel;
        int users;

        Entry(FileIo io, Path path) throws IOException {
            this.io = io;
            this.path = path;
            this.channel = openChannel();
        }

        /** The channel, reopened if an interrupted thread closed it (NIO's rule). Called with {@code turn} held. */
        FileChannel channel() throws IOException {
            if (!channel.isOpen()) {
                channel = openChannel();
            }
            return channel;
        }

        private FileChannel openChannel() throws IOException {
            return io.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }
}
