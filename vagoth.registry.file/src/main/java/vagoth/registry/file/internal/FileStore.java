package vagoth.registry.file.internal;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;

import vagoth.api.Node;
import vagoth.api.registry.RegistryCorruptException;
import vagoth.api.registry.RegistryException;
import vagoth.api.ServiceUnavailableException;
import vagoth.api.VagothException;
import vagoth.support.io.Durable;
import vagoth.support.io.FileIo;
import vagoth.support.io.SharedFileLock;
import vagoth.support.io.StoreIdentity;
import vagoth.support.registry.RegistryState;
import vagoth.support.registry.Mutation;
import vagoth.support.registry.Mutations;

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
 * next open recognises and replaces. The log is therefore never missing
 * once a registry exists: a missing log, snapshot or segment is reported,
 * never taken for an empty registry.</li>
 * <li>All file work runs on one I/O thread per store. A caller interrupted
 * while it waits keeps waiting for its change (and keeps its interrupt
 * status): NIO closes a channel that an interrupted thread uses, so no
 * caller's interrupt may reach the files, or a change could be on disk but
 * reported failed, or the file lock released mid-write.</li>
 * </ul>
 */
final class FileStore implements Closeable {
    private static final System.Logger LOG = System.getLogger(FileStore.class.getName());
    static final String WAL = "wal.log";
    static final String SNAPSHOT = "snapshot.json";
    static final String LOCK = "registry.lock";

    private final FileIo io;
    private final Path dir;
    private final Path walPath;
    private final Path snapshotPath;
    private final long compactMinBytes;
    private final Consumer<Set<String>> clearBlobs;
    private final ReentrantReadWriteLock stateLock = new ReentrantReadWriteLock();
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final ExecutorService ioThread;
    private volatile Thread ioThreadItself;
    private final SharedFileLock lock;

    // confined to the I/O thread
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
     * @param clearBlobs      called on the I/O thread with ids that were deleted or newly added
     * @param hasBlobs        whether blobs exist (a registry with blobs but no snapshot or log lost them)
     */
    FileStore(FileIo io, Path dir, long compactMinBytes, Consumer<Set<String>> clearBlobs, Callable<Boolean> hasBlobs) {
        this(io, dir, null, compactMinBytes, clearBlobs, hasBlobs);
    }

    /**
     * @param record the home's record of this registry ({@link StoreIdentity}); null: none is kept
     */
    FileStore(FileIo io, Path dir, Path record, long compactMinBytes, Consumer<Set<String>> clearBlobs,
            Callable<Boolean> hasBlobs) {
        this.io = io;
        this.dir = dir;
        this.walPath = dir.resolve(WAL);
        this.snapshotPath = dir.resolve(SNAPSHOT);
        this.compactMinBytes = compactMinBytes;
        this.clearBlobs = clearBlobs;
        this.ioThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                ioThreadItself = Thread.currentThread();
                r.run();
            }, "vagoth-registry-io " + dir.getFileName());
            t.setDaemon(true);
            return t;
        });
        try {
            StoreIdentity.open(io, record, StoreIdentity.directory(io, dir), "the registry", "registry.file");
            lock = SharedFileLock.open(io, dir.resolve(LOCK));
        } catch (StoreIdentity.Refused e) {
            ioThread.shutdown();
            throw new RegistryException(e.getMessage());
        } catch (IOException e) {
            ioThread.shutdown();
            throw new RegistryException("Cannot open registry directory " + dir + ": " + e.getMessage(), e);
        }
        try {
            onIoThread(() -> {
                try (SharedFileLock.Held l = lock.lock(false)) {
                    boolean legacy = loadFully(hasBlobs);
                    prepareForWrite();
                    if (legacy || !Files.exists(snapshotPath)) {
                        // a new registry gets its snapshot at once, so a lost log is always noticed;
                        // one without checksums is rewritten with them
                        compact();
                    }
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            closeFiles();
            ioThread.shutdown();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new RegistryException("Cannot open registry " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code query} on the current state, after catching up with other processes. */
    <T> T read(Function<RegistryState, T> query) {
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
        ensureOpen();
        Pending p = new Pending(m);
        pending.add(p);
        try {
            onIoThread(() -> {
                List<Pending> batch = new ArrayList<>();
                for (Pending q; (q = pending.poll()) != null;) {
                    batch.add(q);
                }
                if (!batch.isEmpty()) {
                    writeBatch(batch);
                }
                return null;
            });
        } catch (ServiceUnavailableException e) {
            // closed (a swap or a shutdown) before it was written: nothing was; the caller may retry elsewhere
            pending.remove(p);
            if (!p.done) {
                throw e;
            }
        } catch (IOException e) {
            throw new RegistryException("Registry write failed: " + e.getMessage(), e);
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
        ensureOpen();
        try {
            return onIoThread(() -> {
                try (SharedFileLock.Held l = lock.lock(false)) {
                    catchUp();
                    read0(Mutations.exists(id));
                    return work.run();
                }
            });
        } catch (IOException e) {
            throw new RegistryException("Registry I/O failed: " + e.getMessage(), e);
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
        try {
            onIoThread(() -> {
                try (SharedFileLock.Held l = lock.lock(true)) {
                    catchUp();
                }
                return null;
            });
        } catch (IOException e) {
            throw new RegistryException("Cannot read registry log " + walPath + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code work} on the I/O thread and waits for it however often the
     * caller is interrupted; the interrupt status is kept for the caller.
     */
    private <T> T onIoThread(IoCall<T> work) throws IOException {
        if (Thread.currentThread() == ioThreadItself) {
            return work.call();
        }
        Future<T> f;
        try {
            f = ioThread.submit(() -> {
                if (closed) {
                    throw new ServiceUnavailableException("registry (this one was just closed)");
                }
                return work.call();
            });
        } catch (RejectedExecutionException e) {
            throw new ServiceUnavailableException("registry (this one was just closed)");
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new RegistryException("Registry I/O failed: " + cause, cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Work for the I/O thread. */
    @FunctionalInterface
    private interface IoCall<T> {
        T call() throws IOException;
    }

    /** Reads what other processes wrote since we last looked. On the I/O thread, with a file lock. */
    private void catchUp() throws IOException {
        FileStamp now = FileStamp.of(walPath);
        if (now.equals(seen)) {
            return;
        }
        if (now == FileStamp.MISSING) {
            throw missingLog();
        }
        if (!now.sameFileAs(seen) || walStale || wal == null) {
            loadFully(() -> false);
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

    private RegistryCorruptException missingLog() {
        return new RegistryCorruptException("Registry log " + walPath + " is missing, but snapshot " + snapshotPath
                + " (generation " + generation + ") expects it: every change since that snapshot is in it."
                + " Restore it from a backup; Vagoth will not open a registry that lost changes.");
    }

    /**
     * Reads the snapshot and the whole log, and checks that every file a
     * registry of this generation must have is there. On the I/O thread, with
     * a file lock.
     *
     * @return whether the snapshot is of the format without checksums
     */
    private boolean loadFully(Callable<Boolean> hasBlobs) throws IOException {
        FileStamp stamp = FileStamp.of(walPath);
        SnapshotFile.Loaded snap = SnapshotFile.read(snapshotPath);
        long snapGeneration = snap == null ? 0 : snap.generation();
        long snapSeq = snap == null ? 0 : snap.seq();
        RegistryState loaded = snap == null ? new RegistryState() : snap.state();
        closeWal();
        long end = 0;
        long seq = snapSeq;
        boolean stale = false;
        if (snap == null) {
            requireNothingElse(stamp, hasBlobs);
        }
        if (stamp == FileStamp.MISSING) {
            if (snap != null) {
                generation = snapGeneration;
                throw missingLog();
            }
        } else {
            wal = io.open(walPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
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
        return snap != null && snap.legacy();
    }

    /**
     * Without a snapshot, the registry is new (nothing but the lock file), or
     * its first compaction has not finished (a log of generation 0, perhaps
     * beside segments of generation 1). With neither snapshot nor log,
     * segments or blobs mean that both were lost.
     */
    private void requireNothingElse(FileStamp walStamp, Callable<Boolean> hasBlobs) throws IOException {
        if (walStamp != FileStamp.MISSING) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (SnapshotFile.isSegment(p.getFileName().toString())) {
                    throw new RegistryCorruptException("Registry snapshot " + snapshotPath + " and log " + walPath
                            + " are missing, but segment " + p + " is there: restore them from a backup; Vagoth will"
                            + " not open a registry that lost nodes");
                }
            }
        }
        boolean blobs;
        try {
            blobs = hasBlobs.call();
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
        if (blobs) {
            throw new RegistryCorruptException("Registry snapshot " + snapshotPath + " and log " + walPath
                    + " are missing, but node blobs are there: restore them from a backup; Vagoth will not open a"
                    + " registry that lost its nodes");
        }
    }

    /**
     * Makes the log ready to append: creates it (or replaces a stale one) and
     * sets aside the bytes of a write that never finished. On the I/O thread,
     * with the exclusive lock.
     */
    private void prepareForWrite() throws IOException {
        if (wal == null || walStale) {
            newLog(generation);
            return;
        }
        long size = wal.size();
        if (size > walEnd) {
            Path aside = walPath.resolveSibling(WAL + ".unfinished-" + System.currentTimeMillis());
            Durable.write(io, aside, WriteAheadLog.readRange(wal, walEnd, size));
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
        Durable.write(io, walPath, header);
        wal = io.open(walPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
        walEnd = header.length;
        walStale = false;
        seen = FileStamp.of(walPath);
    }

    private void writeBatch(List<Pending> batch) {
        try (SharedFileLock.Held l = lock.lock(false)) {
            catchUp();
            prepareForWrite();
            Set<String> touched = appendBatch(batch);
            afterCommit(touched);
        } catch (IOException | RuntimeException e) {
            RegistryException failure = e instanceof RegistryException re ? re
                    : new RegistryException("Registry write failed: " + e, e);
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
                } catch (IOException | RuntimeException e) {
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
        long end = Durable.writeFully(wal, ByteBuffer.wrap(bytes), walEnd);
        wal.force(false);
        walEnd = end;
        seen = FileStamp.of(walPath);
    }

    /** Undoes a failed append in memory and on disk: memory always matches what the disk holds. */
    private void recoverAfterFailedAppend() {
        try {
            wal.truncate(walEnd);
            wal.force(false);
            loadFully(() -> false);
        } catch (IOException | RuntimeException e) {
            walStale = true; // the next caller reloads from disk before anything else
            LOG.log(Level.ERROR, "Registry log " + walPath + " could not be restored after a failed write", e);
        }
    }

    /** Writes a snapshot of the current state and starts a new log generation. */
    private void compact() throws IOException {
        long next = generation + 1;
        stateLock.readLock().lock();
        try {
            snapshotBytes = SnapshotFile.write(io, snapshotPath, next, lastSeq, state);
        } finally {
            stateLock.readLock().unlock();
        }
        generation = next;
        newLog(next);
    }

    /** Compacts now, whatever the log's size. */
    void compactNow() {
        ensureOpen();
        try {
            onIoThread(() -> {
                try (SharedFileLock.Held l = lock.lock(false)) {
                    catchUp();
                    prepareForWrite();
                    compact();
                }
                return null;
            });
        } catch (IOException e) {
            throw new RegistryException("Registry compaction failed: " + e.getMessage(), e);
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
        if (closed) {
            return;
        }
        try {
            onIoThread(() -> {
                closed = true;
                closeFiles();
                return null;
            });
        } catch (IOException | ServiceUnavailableException e) {
            // already closed
        } finally {
            closed = true;
            ioThread.shutdown();
        }
    }

    private void closeFiles() {
        try {
            closeWal();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Closing registry files failed", e);
        }
        try {
            if (lock != null) {
                lock.close();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Closing registry files failed", e);
        }
    }

    /** One caller's mutation waiting to be committed. */
    private static final class Pending {
        final Mutation mutation;
        volatile boolean done;
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
