package vagoth.registry.file.internal;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;

import vagoth.api.Node;
import vagoth.api.RegistryCorruptException;
import vagoth.api.RegistryException;
import vagoth.api.ServiceUnavailableException;
import vagoth.api.VagothException;

/**
 * The registry's storage: a snapshot plus a write-ahead log in one directory,
 * shared safely by threads and processes.
 *
 * <ul>
 * <li>Writers take an exclusive lock on {@code registry.lock}, catch up with
 * whatever other processes appended, check their changes against that state,
 * append them to {@code wal.log} and fsync before returning. Concurrent
 * writers in one process are committed together (group commit): one append
 * and one fsync for the batch.</li>
 * <li>Readers compare the log's identity, size and mtime with what they last
 * saw; only when it changed do they take a shared lock and read the new
 * records (or the new snapshot, after a compaction).</li>
 * <li>When the log outgrows the snapshot it is compacted: a new snapshot is
 * written and renamed into place, then a fresh log of the next generation.
 * A crash between the two leaves a log of an older generation, which the
 * next open recognises and replaces.</li>
 * </ul>
 */
final class FileStore implements Closeable {
    private static final System.Logger LOG = System.getLogger(FileStore.class.getName());
    static final String WAL = "wal.log";
    static final String SNAPSHOT = "snapshot.json";
    static final String LOCK = "registry.lock";

    private final Path walPath;
    private final Path snapshotPath;
    private final long compactMinBytes;
    private final Consumer<Set<String>> clearBlobs;
    private final ReentrantLock io = new ReentrantLock();
    private final ReentrantReadWriteLock stateLock = new ReentrantReadWriteLock();
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final Path lockPath;
    private FileChannel lockChannel;

    // guarded by io (and a file lock while read or written)
    private FileChannel wal;
    private long generation;
    private long lastSeq;
    private long walEnd;
    private long snapshotBytes;
    private boolean walStale;
    // guarded by stateLock
    private RegistryState state = new RegistryState();
    private volatile FileStamp seen = FileStamp.MISSING;
    private volatile boolean closed;

    /**
     * @param compactMinBytes the log is compacted once it is larger than this and than the snapshot
     * @param clearBlobs      called, under the write lock, with ids that were deleted or newly added
     */
    FileStore(Path dir, long compactMinBytes, Consumer<Set<String>> clearBlobs) {
        this.walPath = dir.resolve(WAL);
        this.snapshotPath = dir.resolve(SNAPSHOT);
        this.compactMinBytes = compactMinBytes;
        this.clearBlobs = clearBlobs;
        this.lockPath = dir.resolve(LOCK);
        try {
            Files.createDirectories(dir);
            lockChannel = openLock();
        } catch (IOException e) {
            throw new RegistryException("Cannot open registry directory " + dir + ": " + e.getMessage(), e);
        }
        io.lock();
        try (FileLock l = fileLock(false)) {
            loadFully();
            prepareForWrite();
        } catch (IOException e) {
            closeQuietly();
            throw new RegistryException("Cannot open registry " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        } finally {
            io.unlock();
        }
    }

    /** Runs {@code query} on the current state, after catching up with other processes. */
    <T> T read(Function<RegistryState, T> query) {
        ensureOpen();
        refreshIfChanged();
        stateLock.readLock().lock();
        try {
            return query.apply(state);
        } finally {
            stateLock.readLock().unlock();
        }
    }

    /** Applies {@code m} durably; concurrent callers share one append and fsync. */
    Node commit(Mutation m) {
        Pending p = new Pending(m);
        pending.add(p);
        io.lock();
        try {
            if (!p.done && closed) {
                // closed (a swap or a shutdown): nothing was written; the caller may retry elsewhere
                p.fail(new ServiceUnavailableException("registry (this one was just closed)"));
            }
            if (!p.done) {
                List<Pending> batch = new ArrayList<>();
                for (Pending q; (q = pending.poll()) != null;) {
                    batch.add(q);
                }
                writeBatch(batch);
            }
        } finally {
            io.unlock();
        }
        if (p.error != null) {
            throw p.error;
        }
        return p.result;
    }

    /**
     * Runs {@code work} under the exclusive lock, after catching up, when the
     * node exists; used for blobs, which live beside the log.
     */
    <T> T underWriteLock(String id, IoWork<T> work) {
        io.lock();
        ensureOpen();
        try (FileLock l = fileLock(false)) {
            catchUp();
            read0(Mutations.exists(id));
            return work.run();
        } catch (IOException e) {
            throw new RegistryException("Registry I/O failed: " + e.getMessage(), e);
        } finally {
            io.unlock();
        }
    }

    /** Blob work that may fail with an I/O error. */
    @FunctionalInterface
    interface IoWork<T> {
        T run() throws IOException;
    }

    private void read0(Mutation m) {
        stateLock.readLock().lock();
        try {
            m.prepare(state);
        } finally {
            stateLock.readLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            if (io.isHeldByCurrentThread()) {
                io.unlock();
            }
            throw new ServiceUnavailableException("registry (this one was just closed)");
        }
    }

    void refreshIfChanged() {
        ensureOpen();
        FileStamp now;
        try {
            now = FileStamp.of(walPath);
        } catch (IOException e) {
            throw new RegistryException("Cannot read registry log " + walPath + ": " + e.getMessage(), e);
        }
        if (now.equals(seen)) {
            return;
        }
        io.lock();
        ensureOpen();
        try (FileLock l = fileLock(true)) {
            catchUp();
        } catch (IOException e) {
            throw new RegistryException("Cannot read registry log " + walPath + ": " + e.getMessage(), e);
        } finally {
            io.unlock();
        }
    }

    /** Reads what other processes wrote since we last looked. Holds io and a file lock. */
    private void catchUp() throws IOException {
        FileStamp now = FileStamp.of(walPath);
        if (now.equals(seen)) {
            return;
        }
        if (now == FileStamp.MISSING) {
            throw new RegistryCorruptException("Registry log " + walPath + " has disappeared; restore it from a backup");
        }
        if (!now.sameFileAs(seen) || walStale) {
            loadFully();
            return;
        }
        WriteAheadLog.Read r = WriteAheadLog.read(walPath, wal, walEnd, lastSeq + 1, new NodeCodec());
        if (!r.records().isEmpty()) {
            stateLock.writeLock().lock();
            try {
                r.records().forEach(rec -> rec.applyTo(state));
            } finally {
                stateLock.writeLock().unlock();
            }
            lastSeq = r.records().get(r.records().size() - 1).seq();
        }
        walEnd = r.end();
        seen = now;
    }

    /** Reads the snapshot and the whole log. Holds io and a file lock. */
    private void loadFully() throws IOException {
        FileStamp stamp = FileStamp.of(walPath);
        SnapshotFile.Loaded snap = SnapshotFile.read(snapshotPath);
        long snapGeneration = snap == null ? 0 : snap.generation();
        long snapSeq = snap == null ? 0 : snap.seq();
        RegistryState loaded = snap == null ? new RegistryState() : snap.state();
        closeWal();
        long end = 0;
        long seq = snapSeq;
        boolean stale = false;
        if (stamp == FileStamp.MISSING) {
            if (snap != null) {
                stale = true; // the log is recreated by prepareForWrite
            }
        } else {
            wal = FileChannel.open(walPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long[] header = WriteAheadLog.readHeader(walPath, wal);
            long walGeneration = header[0];
            if (snap == null && walGeneration != 0) {
                throw new RegistryCorruptException("Registry snapshot " + snapshotPath + " is missing, but the log "
                        + walPath + " continues generation " + walGeneration + "; restore the snapshot from a backup");
            }
            if (walGeneration > snapGeneration) {
                throw new RegistryCorruptException("Registry log " + walPath + " continues generation " + walGeneration
                        + " but snapshot " + snapshotPath + " is generation " + snapGeneration
                        + "; the snapshot is older than the log: restore it from a backup");
            }
            if (walGeneration == snapGeneration) {
                WriteAheadLog.Read r = WriteAheadLog.read(walPath, wal, header[1], snapSeq + 1, new NodeCodec());
                r.records().forEach(rec -> rec.applyTo(loaded));
                if (!r.records().isEmpty()) {
                    seq = r.records().get(r.records().size() - 1).seq();
                }
                end = r.end();
            } else {
                stale = true; // a crash between writing the snapshot and the new log: the snapshot has it all
            }
        }
        stateLock.writeLock().lock();
        try {
            state = loaded;
        } finally {
            stateLock.writeLock().unlock();
        }
        generation = snapGeneration;
        lastSeq = seq;
        walEnd = end;
        walStale = stale;
        snapshotBytes = snap == null ? 0 : snap.bytes();
        seen = stamp;
    }

    /**
     * Makes the log ready to append: creates it (or replaces a stale one) and
     * sets aside the bytes of a write that never finished. Holds io and the
     * exclusive lock.
     */
    private void prepareForWrite() throws IOException {
        if (wal == null || walStale) {
            newLog(generation);
            return;
        }
        long size = wal.size();
        if (size > walEnd) {
            Path aside = walPath.resolveSibling(WAL + ".unfinished-" + System.currentTimeMillis());
            Files.write(aside, WriteAheadLog.readRange(wal, walEnd, size));
            LOG.log(Level.WARNING, "Registry log {0} ended with {1} bytes of a write that never finished (a crash);"
                    + " they were never acknowledged and are kept in {2}", walPath, size - walEnd, aside);
            wal.truncate(walEnd);
            wal.force(true);
            seen = FileStamp.of(walPath);
        }
    }

    private void newLog(long gen) throws IOException {
        closeWal();
        byte[] header = WriteAheadLog.header(gen);
        Durable.write(walPath, header);
        wal = FileChannel.open(walPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
        walEnd = header.length;
        walStale = false;
        seen = FileStamp.of(walPath);
    }

    private void writeBatch(List<Pending> batch) {
        try (FileLock l = fileLock(false)) {
            catchUp();
            prepareForWrite();
            Set<String> touched = appendBatch(batch);
            afterCommit(touched);
        } catch (IOException | RuntimeException e) {
            RegistryException failure = e instanceof RegistryException re ? re
                    : new RegistryException("Registry write failed: " + e.getMessage(), e);
            batch.stream().filter(p -> !p.done).forEach(p -> p.fail(failure));
        }
    }

    /** Housekeeping once a batch is durable; a failure here loses nothing, so it is logged. */
    private void afterCommit(Set<String> touched) {
        try {
            if (!touched.isEmpty()) {
                clearBlobs.accept(touched);
            }
            if (walEnd > Math.max(compactMinBytes, snapshotBytes)) {
                compact();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Registry housekeeping after a write failed (the write itself is safe)", e);
        }
    }

    /** Checks, applies and appends the batch; returns ids whose blobs must be cleared. */
    private Set<String> appendBatch(List<Pending> batch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Pending> accepted = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        long firstSeq = lastSeq;
        stateLock.writeLock().lock();
        try {
            for (Pending p : batch) {
                Mutation.Change c;
                try {
                    c = p.mutation.prepare(state);
                } catch (VagothException e) {
                    p.fail(e);
                    continue;
                }
                for (Node n : c.puts()) {
                    LogRecord r = LogRecord.put(++lastSeq, n);
                    out.write(WriteAheadLog.encode(r));
                    r.applyTo(state);
                }
                for (String id : c.deletes()) {
                    LogRecord r = LogRecord.delete(++lastSeq, id);
                    out.write(WriteAheadLog.encode(r));
                    r.applyTo(state);
                    touched.add(id);
                }
                touched.addAll(c.created());
                p.result = c.result();
                accepted.add(p);
            }
            if (out.size() > 0) {
                try {
                    append(out.toByteArray());
                } catch (IOException e) {
                    lastSeq = firstSeq;
                    recoverAfterFailedAppend();
                    throw e;
                }
            }
        } finally {
            stateLock.writeLock().unlock();
        }
        accepted.forEach(p -> p.done = true);
        return touched;
    }

    private void append(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long pos = walEnd;
        while (buf.hasRemaining()) {
            pos += wal.write(buf, pos);
        }
        wal.force(false);
        walEnd = pos;
        seen = FileStamp.of(walPath);
    }

    private void recoverAfterFailedAppend() {
        try {
            wal.truncate(walEnd);
            loadFully();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "Registry log " + walPath + " could not be restored after a failed write", e);
        }
    }

    /** Writes a snapshot of the current state and starts a new log generation. */
    void compact() throws IOException {
        long next = generation + 1;
        stateLock.readLock().lock();
        try {
            snapshotBytes = SnapshotFile.write(snapshotPath, next, lastSeq, state);
        } finally {
            stateLock.readLock().unlock();
        }
        generation = next;
        newLog(next);
    }

    /** Compacts now, whatever the log's size. */
    void compactNow() {
        io.lock();
        ensureOpen();
        try (FileLock l = fileLock(false)) {
            catchUp();
            prepareForWrite();
            compact();
        } catch (IOException e) {
            throw new RegistryException("Registry compaction failed: " + e.getMessage(), e);
        } finally {
            io.unlock();
        }
    }

    private FileChannel openLock() throws IOException {
        return FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /**
     * Takes the file lock. A thread interrupted in file I/O closes the channel
     * it used (NIO's rule); the next caller reopens what was closed, so one
     * interrupted caller cannot leave the registry unusable.
     */
    private FileLock fileLock(boolean shared) throws IOException {
        if (!lockChannel.isOpen()) {
            lockChannel = openLock();
        }
        if (wal != null && !wal.isOpen()) {
            wal = FileChannel.open(walPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        while (true) {
            try {
                return lockChannel.lock(0, Long.MAX_VALUE, shared);
            } catch (OverlappingFileLockException e) {
                // another registry instance in this JVM holds it: wait for it like another process would
                try {
                    Thread.sleep(1);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException("Interrupted while waiting for the registry lock");
                }
            }
        }
    }

    private void closeWal() throws IOException {
        if (wal != null) {
            wal.close();
            wal = null;
        }
    }

    @Override
    public void close() {
        io.lock();
        try {
            closed = true;
            closeQuietly();
        } finally {
            io.unlock();
        }
    }

    private void closeQuietly() {
        try {
            closeWal();
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Closing registry files failed", e);
        }
    }

    /** One caller's mutation waiting to be committed. */
    private static final class Pending {
        final Mutation mutation;
        boolean done;
        Node result;
        RuntimeException error;

        Pending(Mutation mutation) {
            this.mutation = mutation;
        }

        void fail(RuntimeException e) {
            error = e;
            done = true;
        }
    }
}
