package vagoth.jobs.file.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

import vagoth.api.registry.RegistryCorruptException;
import vagoth.api.registry.RegistryException;
import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.JobStore;
import vagoth.api.job.Transaction;
import vagoth.support.io.Durable;
import vagoth.support.io.FileIo;
import vagoth.support.io.SharedFileLock;
import vagoth.support.io.StoreIdentity;
import vagoth.api.job.VagothJobs;
import vagoth.api.Installation;

/**
 * Job records in {@code jobs.log}: each change appends the job's whole record.
 * Changes are kept in memory and written in batches (one append and one fsync
 * every {@code flush.ms}, and on {@link #flush()} and close), so recording a
 * job costs microseconds. A crash can lose the last {@code flush.ms} of
 * records; a job lost that way, like a job left queued or running by a process
 * that died, is never run again by itself. Other processes' changes are read when the file
 * changes. When the log grows it is rewritten with the live jobs, dropping
 * finished ones past their retention.
 */
@Component(service = JobStore.class, configurationPid = FileJobStore.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@VagothJobs("file")
@Designate(ocd = FileJobStoreConfig.class)
public final class FileJobStore implements JobStore, AutoCloseable {
    static final String PID = "vagoth.jobs.file";
    static final String LOG = "jobs.log";
    private static final System.Logger LOG_ = System.getLogger(FileJobStore.class.getName());
    private static final long COMPACT_MIN_BYTES = 4L * 1024 * 1024;

    private final Path path;
    private final Clock clock;
    private final Duration retention;
    private final int retentionMax;
    private final long pid = ProcessHandle.current().pid();
    private final FileIo io;
    private final SharedFileLock lock;
    private final ScheduledExecutorService flusher;

    // guarded by this
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    /** Changes not yet on disk: a job's latest state only, in the order jobs first changed. */
    private final Map<String, Job> pending = new LinkedHashMap<>();
    /** Ids of queued jobs, oldest first: what schedulers ask for on every call. */
    private final java.util.Set<String> queuedIds = new java.util.LinkedHashSet<>();
    /** The steps each job recorded, in order. */
    private final Map<String, List<String>> steps = new java.util.HashMap<>();
    /** The process that last wrote each job's record. */
    private final Map<String, Long> owners = new java.util.HashMap<>();
    private long offset;
    private Object fileKey;
    private long size = -1;
    private long compactAt = COMPACT_MIN_BYTES;
    /** Jobs dropped by retention since the log was last rewritten: their records still take room in it. */
    private int droppedSinceCompaction;
    private boolean closed;

    @Activate
    public FileJobStore(FileJobStoreConfig config, BundleContext context) {
        this(FileIo.REAL, directory(config, context), record(context), config.flush_ms(),
                Duration.ofHours(config.retention_hours()), config.retention_max(), Clock.systemUTC());
    }

    private static Path record(BundleContext context) {
        String home = context.getProperty("vagoth.home");
        return home == null || home.isBlank() ? null : StoreIdentity.record(Path.of(home), "jobs.file");
    }

    public FileJobStore(Path dir, long flushMs, Duration retention, int retentionMax, Clock clock) {
        this(FileIo.REAL, dir, flushMs, retention, retentionMax, clock);
    }

    /** A job store whose file changes go through {@code io} (crash tests put a fault-injecting layer there). */
    public FileJobStore(FileIo io, Path dir, long flushMs, Duration retention, int retentionMax, Clock clock) {
        this(io, dir, null, flushMs, retention, retentionMax, clock);
    }

    /**
     * @param record the home's record of its job records ({@link StoreIdentity}), so that lost ones are refused
     *               rather than replaced by an empty store; null: none is kept
     */
    public FileJobStore(FileIo io, Path dir, Path record, long flushMs, Duration retention, int retentionMax,
            Clock clock) {
        this.io = io;
        this.path = dir.resolve(LOG);
        this.clock = clock;
        this.retention = retention;
        this.retentionMax = retentionMax;
        try {
            boolean made = !Files.isDirectory(dir);
            StoreIdentity.open(io, record, StoreIdentity.directory(io, dir), "the job records", "jobs.file");
            if (made) {
                io.syncDirectory(dir.getParent());
            }
            lock = SharedFileLock.open(io, dir.resolve("jobs.lock"));
        } catch (StoreIdentity.Refused e) {
            throw new RegistryException(e.getMessage());
        } catch (IOException e) {
            throw new RegistryException("Cannot open job records in " + dir + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            refresh(true);
            markDeadOwnersInterrupted();
        }
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vagoth-jobs-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flushQuietly, flushMs, flushMs, TimeUnit.MILLISECONDS);
    }

    private static Path directory(FileJobStoreConfig config, BundleContext context) {
        if (!config.directory().isBlank()) {
            return Path.of(config.directory());
        }
        String home = context.getProperty(Installation.HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            throw new RegistryException("Job records have no directory: configure " + PID + " directory=... or set vagoth.home");
        }
        return Path.of(home, "var", "jobs");
    }

    @Override
    public synchronized Job create(String queue, String action, Map<String, String> args, Transaction tx) {
        String id;
        do {
            byte[] b = new byte[4];
            ThreadLocalRandom.current().nextBytes(b);
            id = HexFormat.of().formatHex(b);
        } while (jobs.containsKey(id));
        return record(new Job(id, tx.txid(), tx.source(), queue, action, args, JobState.QUEUED, null, clock.instant(),
                null, null));
    }

    @Override
    public synchronized Optional<Job> get(String id) {
        refresh(false);
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public synchronized List<Job> list(JobQuery q) {
        refresh(false);
        List<Job> out = new ArrayList<>();
        List<Job> all = new ArrayList<>(jobs.values());
        for (int i = all.size() - 1; i >= 0 && (q.limit() <= 0 || out.size() < q.limit()); i--) {
            if (q.matches(all.get(i))) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    /**
     * This process's queued jobs, oldest first. Another process's queued jobs
     * are its own to run; those of a process that died are marked interrupted
     * when the store opens, never run by another.
     */
    @Override
    public synchronized List<Job> queued() {
        refresh(false);
        return queuedIds.stream().filter(id -> owners.getOrDefault(id, pid) == pid).map(jobs::get).toList();
    }

    @Override
    public synchronized Optional<Job> start(String id) {
        refresh(false);
        Job j = jobs.get(id);
        if (j == null || j.state() != JobState.QUEUED) {
            return Optional.empty();
        }
        return Optional.of(record(j.withState(JobState.RUNNING, null, clock.instant())));
    }

    @Override
    public synchronized Job finish(String id, String error) {
        Job j = running(id);
        return record(j.withState(error == null ? JobState.DONE : JobState.FAILED, error, clock.instant()));
    }

    @Override
    public synchronized Job interrupt(String id, String reason) {
        Job j = running(id);
        return record(j.withState(JobState.INTERRUPTED, reason, clock.instant()));
    }

    @Override
    public synchronized Job cancel(String id) {
        refresh(false);
        Job j = jobs.get(id);
        if (j == null) {
            throw new JobNotFoundException(id);
        }
        if (j.state() != JobState.QUEUED) {
            throw new VagothException("Job " + id + " is " + j.state().label() + "; only a queued job can be cancelled", id);
        }
        return record(j.withState(JobState.CANCELLED, "cancelled", clock.instant()));
    }

    private Job running(String id) {
        Job j = jobs.get(id);
        if (j == null) {
            throw new JobNotFoundException(id);
        }
        if (j.state() != JobState.RUNNING) {
            throw new VagothException("Job " + id + " is " + j.state().label() + ", not running", id);
        }
        return j;
    }

    private Job record(Job j) {
        if (closed) {
            throw new RegistryException("The job store has been closed");
        }
        put(j);
        pending.put(j.id(), j);
        if (j.state().isFinished()) {
            trim();
        }
        return j;
    }

    /**
     * Applies retention to what this store holds: finished jobs past
     * {@code retention}, and the oldest beyond {@code retention.max}. Their
     * records leave the log when it is next rewritten.
     */
    private void trim() {
        Instant cutoff = clock.instant().minus(retention);
        List<Job> finished = jobs.values().stream().filter(j -> j.state().isFinished()).toList();
        int over = Math.max(0, finished.size() - retentionMax);
        for (int i = 0; i < finished.size(); i++) {
            Job j = finished.get(i);
            if (i < over || j.finished() != null && j.finished().isBefore(cutoff)) {
                jobs.remove(j.id());
                queuedIds.remove(j.id());
                owners.remove(j.id());
                steps.remove(j.id());
                droppedSinceCompaction++;
            }
        }
    }

    private void put(Job j) {
        jobs.put(j.id(), j);
        if (j.state() == JobState.QUEUED) {
            queuedIds.add(j.id());
        } else {
            queuedIds.remove(j.id());
        }
    }

    @Override
    public synchronized boolean restore(Job job, List<String> jobSteps) {
        refresh(false);
        if (!job.state().isFinished()) {
            throw new VagothException("Job " + job.id() + " is " + job.state().label() + ": only a finished job's"
                    + " record can be copied", job.id());
        }
        if (jobs.containsKey(job.id())) {
            return false;
        }
        steps.put(job.id(), List.copyOf(jobSteps));
        record(job);
        flush();
        return true;
    }

    @Override
    public synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        try (SharedFileLock.Held l = lock.lock(false)) {
            writePending();
        } catch (IOException e) {
            throw new RegistryException("Cannot write job records to " + path + ": " + e.getMessage(), e);
        }
    }

    /** Appends the pending records and syncs; under the exclusive lock. */
    private void writePending() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(pending.size() * 256);
        for (Job j : pending.values()) {
            out.writeBytes(JobLine.encode(j, pid, steps.getOrDefault(j.id(), List.of())));
        }
        boolean created = !Files.exists(path);
        try (FileChannel ch = openLog()) {
            append(ch, out.toByteArray());
        }
        if (created) {
            io.syncDirectory(path.getParent()); // a new log is only durable once its directory is
        }
        stamp();
        pending.clear();
        if (offset > compactAt || droppedSinceCompaction > Math.max(16, retentionMax / 10)) {
            compact();
        }
    }

    /**
     * Under the exclusive lock, after reading every other process's records:
     * so two processes retrying one job cannot both find it unmarked.
     */
    @Override
    public synchronized Optional<String> markRetried(String id, String txid) {
        try (SharedFileLock.Held l = lock.lock(false)) {
            if (Files.exists(path)) {
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                    catchUp(ch, false);
                }
            }
            Job j = jobs.get(id);
            if (j == null) {
                throw new JobNotFoundException(id);
            }
            List<String> had = steps.getOrDefault(id, List.of());
            Optional<String> before = had.stream().filter(st -> st.startsWith(RETRIED)).findFirst();
            if (before.isEmpty()) {
                List<String> now = new ArrayList<>(had);
                now.add(RETRIED + txid);
                steps.put(id, List.copyOf(now));
                record(j);
                writePending();
            }
            return before;
        } catch (IOException e) {
            throw new RegistryException("Cannot write job records to " + path + ": " + e.getMessage(), e);
        }
    }

    /** Appends {@code bytes} after what this store has read, and syncs; under the exclusive lock. */
    private void append(FileChannel ch, byte[] bytes) throws IOException {
        catchUp(ch, false);
        if (ch.size() > offset) {
            ch.truncate(offset); // an unfinished write of a process that died: never acknowledged
        }
        offset = Durable.writeFully(ch, ByteBuffer.wrap(bytes), offset);
        ch.force(false);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG_.log(Level.WARNING, "Writing job records failed; will retry", e);
        }
    }

    /** Reads other processes' changes when the log changed (one stat when it did not). */
    private void refresh(boolean force) {
        try {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(path, BasicFileAttributes.class);
            } catch (java.nio.file.NoSuchFileException e) {
                return;
            }
            if (!force && a.size() == size && a.fileKey().equals(fileKey)) {
                return;
            }
            try (SharedFileLock.Held l = lock.lock(true); FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                catchUp(ch, force);
            }
        } catch (IOException e) {
            throw new RegistryException("Cannot read job records " + path + ": " + e.getMessage(), e);
        }
    }

    private void catchUp(FileChannel ch, boolean force) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        boolean sameFile = a.fileKey().equals(fileKey);
        if (!sameFile || force) {
            offset = 0; // a new file (rewritten by another process): read it all
        }
        long end = ch.size();
        byte[] b = new byte[(int) Math.max(0, end - offset)];
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
            // read it all
        }
        int pos = 0;
        for (int nl; pos < b.length && (nl = indexOf(b, pos)) >= 0; pos = nl + 1) {
            JobLine.Entry e;
            try {
                e = JobLine.decode(b, pos, nl);
            } catch (IOException ex) {
                throw new RegistryCorruptException("Job log " + path + " is damaged at byte " + (offset + pos) + ": "
                        + ex.getMessage() + ". Restore it from a backup, or move it aside to start a new one.");
            }
            accept(e);
        }
        offset += pos;
        fileKey = a.fileKey();
        size = end;
        trim();
    }

    /** Takes another process's record, unless this process already has the job further along. */
    private void accept(JobLine.Entry e) {
        Job j = e.job();
        Job had = jobs.get(j.id());
        if (had == null || had.state() == JobState.QUEUED || !had.state().isFinished() && j.state().isFinished()
                || had.state() == j.state()) {
            put(j);
            owners.put(j.id(), e.owner());
            if (!e.steps().isEmpty() || !steps.containsKey(j.id())) {
                steps.put(j.id(), e.steps());
            }
        }
    }

    /** Recorded durably at once: steps are what tells, after a crash, how far a job got. */
    @Override
    public synchronized void step(String id, String step) {
        Job j = jobs.get(id);
        if (j == null) {
            throw new JobNotFoundException(id);
        }
        List<String> now = new ArrayList<>(steps.getOrDefault(id, List.of()));
        now.add(step);
        steps.put(id, List.copyOf(now));
        record(j);
        flush();
    }

    @Override
    public synchronized List<String> steps(String id) {
        refresh(false);
        return steps.getOrDefault(id, List.of());
    }

    /**
     * A job recorded as queued or running by a process that no longer exists
     * will never finish: it is interrupted, and never run again unless an
     * operator retries it ({@code vagoth job retry ID}): whether a running one
     * did its work is unknown, and a queued one may no longer be wanted.
     */
    private void markDeadOwnersInterrupted() {
        List<Job> dead = new ArrayList<>();
        for (Job j : jobs.values()) {
            long owner = owners.getOrDefault(j.id(), -1L);
            boolean ownerDead = owner != pid && ProcessHandle.of(owner).map(ph -> !ph.isAlive()).orElse(true);
            // running here before this store reopened: its run was cut short too
            if (j.state() == JobState.RUNNING && (owner == pid || ownerDead) || j.state() == JobState.QUEUED && ownerDead) {
                dead.add(j);
            }
        }
        for (Job j : dead) {
            String why = j.state() == JobState.RUNNING
                    ? "the process running it (pid " + owners.getOrDefault(j.id(), pid) + ") stopped; whether it did its"
                            + " work is unknown"
                    : "the process that queued it (pid " + owners.getOrDefault(j.id(), pid) + ") stopped before it"
                            + " recorded that it ran; whether it did is unknown";
            record(j.withState(JobState.INTERRUPTED, why + "; 'vagoth job retry " + j.id() + "' runs it again",
                    clock.instant()));
        }
        if (!dead.isEmpty()) {
            flush();
        }
    }

    /** Rewrites the log with the jobs retention keeps. */
    private void compact() throws IOException {
        trim();
        ByteArrayOutputStream out = new ByteArrayOutputStream(jobs.size() * 256);
        for (Job j : jobs.values()) {
            out.writeBytes(JobLine.encode(j, owners.getOrDefault(j.id(), pid), steps.getOrDefault(j.id(), List.of())));
        }
        Durable.write(io, path, out.toByteArray());
        stamp();
        offset = size;
        compactAt = Math.max(COMPACT_MIN_BYTES, 2 * size);
        droppedSinceCompaction = 0;
    }

    private FileChannel openLog() throws IOException {
        return io.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private void stamp() throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        fileKey = a.fileKey();
        size = a.size();
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Deactivate
    @Override
    public void close() {
        // not shutdownNow: interrupting a thread in file I/O closes the channel it uses
        flusher.shutdown();
        try {
            flusher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            flush();
            closed = true;
            try {
                lock.close();
            } catch (IOException e) {
                LOG_.log(Level.WARNING, "Closing the job log lock failed", e);
            }
        }
    }

}
