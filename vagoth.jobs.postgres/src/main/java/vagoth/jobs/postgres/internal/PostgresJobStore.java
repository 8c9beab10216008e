package vagoth.jobs.postgres.internal;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;

import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.JobStore;
import vagoth.api.job.Transaction;
import vagoth.api.job.VagothJobs;
import vagoth.support.postgres.Database;
import vagoth.support.postgres.Listener;

/**
 * Job records in PostgreSQL, shared by every daemon on the database: any of
 * them runs any queued job. Each daemon (each store) holds a lease on the
 * jobs it created and on those it runs, and renews it. A job is claimed for
 * running ({@code queued -> running}, {@code FOR UPDATE SKIP LOCKED}) only
 * when it is the oldest queued job of its queue and no job of that queue runs
 * anywhere; the claim bumps its fencing epoch, and a running job's end is
 * recorded only by the claim that started it. When a daemon stops renewing
 * (it died, or lost the database), any store marks its queued and running
 * jobs {@code interrupted} once the lease has expired: nothing it held runs
 * twice by itself ({@code job retry} runs it again); and a daemon whose last
 * renewal is more than half a lease old claims nothing more (it fences
 * itself before another could take its work over).
 *
 * <p>A queue's order is the order its jobs were committed in: creating a job
 * takes a transaction lock on its queue before numbering it, so a job with a
 * lower number is visible to anyone who sees one with a higher.
 */
@Component(service = JobStore.class, configurationPid = Database.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@VagothJobs("postgres")
public final class PostgresJobStore implements JobStore, AutoCloseable {
    static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final System.Logger LOG = System.getLogger(PostgresJobStore.class.getName());
    private final Database db;
    private final Duration lease;
    private final String owner;
    /** This store's leases, the claims they cover, and the thread that keeps them. */
    private final JobLeases leases;
    private final Listener listener;
    /** Counts the times claimable work may have appeared; claims wait for it to change. */
    private long wakes;
    private volatile boolean closed;

    @Activate
    public PostgresJobStore(Map<String, Object> props, org.osgi.framework.BundleContext context) {
        this(Database.configured(props), DEFAULT_LEASE);
        String home = context.getProperty(vagoth.api.Installation.HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            try {
                vagoth.support.postgres.DatabaseIdentity.check(db, java.nio.file.Path.of(home), "jobs", "the job records");
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    /** A store on the database at {@code url} whose leases last {@code lease}: for tests and tools. */
    public PostgresJobStore(String url, String user, String password, Duration lease) {
        this(new Database(url, user, password, 10, 8), lease);
    }

    private PostgresJobStore(Database db, Duration lease) {
        this.db = db;
        this.lease = lease;
        this.owner = ProcessHandle.current().pid() + "@" + host() + "/" + HexFormat.of().toHexDigits(RANDOM.nextInt());
        sql(c -> {
            JobSchema.migrate(c);
            return null;
        });
        this.leases = new JobLeases(db, lease, owner, this::wake);
        leases.start();
        this.listener = new Listener(db, JobSchema.CHANNEL, "job records", c -> wake());
        listener.start();
    }

    /** Claimable work may have appeared (a job queued or ended here, or a notification). */
    private synchronized void wake() {
        wakes++;
        notifyAll();
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Who this store is in the records: {@code pid@host/random}. */
    String owner() {
        return owner;
    }

    private <T> T sql(Database.Work<T> work) {
        return db.run("Job records", work);
    }

    @Override
    public Job create(String queue, String action, Map<String, String> args, Transaction tx) {
        return sql(c -> {
            // the queue's lock before its number: numbers in a queue are in commit order
            try (PreparedStatement p = c.prepareStatement("WITH queue AS (SELECT pg_advisory_xact_lock(hashtext(?)))"
                    + " INSERT INTO vagoth_jobs (id, txid, source, queue, action, args, state, created, owner,"
                    + " lease_until) SELECT ?, ?, ?, ?, ?, ?::jsonb, 'queued', now(), ?, now() + ? * interval"
                    + " '1 millisecond' FROM queue ON CONFLICT (id) DO NOTHING RETURNING " + JobRows.COLUMNS
                    + ", pg_notify('" + JobSchema.CHANNEL + "', '')")) {
                while (true) {
                    p.setString(1, queue);
                    p.setString(2, HexFormat.of().toHexDigits(RANDOM.nextInt()));
                    p.setString(3, tx.txid());
                    p.setString(4, tx.source());
                    p.setString(5, queue);
                    p.setString(6, action);
                    p.setString(7, JobRows.GSON.toJson(args));
                    p.setString(8, owner);
                    p.setLong(9, lease.toMillis());
                    try (ResultSet r = p.executeQuery()) {
                        if (r.next()) {
                            Job job = JobRows.job(r);
                            wake();
                            return job;
                        }
                    }
                }
            }
        });
    }

    @Override
    public Optional<Job> get(String id) {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + JobRows.COLUMNS + " FROM vagoth_jobs WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(JobRows.job(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<Job> list(JobQuery q) {
        return sql(c -> {
            StringBuilder where = new StringBuilder(" WHERE true");
            List<String> params = new ArrayList<>();
            if (q.state() != null) {
                where.append(" AND state = ?");
                params.add(q.state().label());
            }
            if (q.txid() != null) {
                where.append(" AND txid = ?");
                params.add(q.txid());
            }
            if (q.node() != null) {
                where.append(" AND args ->> 'node' = ?");
                params.add(q.node());
            }
            String limit = q.limit() > 0 ? " LIMIT " + q.limit() : "";
            try (PreparedStatement p = c.prepareStatement("SELECT " + JobRows.COLUMNS + " FROM vagoth_jobs" + where
                    + " ORDER BY seq DESC" + limit)) {
                for (int i = 0; i < params.size(); i++) {
                    p.setString(i + 1, params.get(i));
                }
                List<Job> jobs = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        Job j = JobRows.job(r);
                        if (q.matches(j)) {
                            jobs.add(j);
                        }
                    }
                }
                return jobs;
            }
        });
    }

    /** This store's queued jobs, oldest first; other daemons' are theirs to run. */
    @Override
    public List<Job> queued() {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + JobRows.COLUMNS + " FROM vagoth_jobs WHERE state = 'queued'"
                    + " AND owner = ? ORDER BY seq")) {
                p.setString(1, owner);
                List<Job> jobs = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        jobs.add(JobRows.job(r));
                    }
                }
                return jobs;
            }
        });
    }

    /**
     * A queued job that may run now: no older job of its queue is queued or
     * running. (A queue's jobs start in their order, so a running job is
     * always older than every queued one of its queue: one index probe for
     * the nearest older open job answers both.)
     */
    private static final String RUNNABLE = "j.state = 'queued'"
            + " AND NOT EXISTS (SELECT 1 FROM vagoth_jobs e WHERE e.queue = j.queue AND e.state IN ('queued', 'running')"
            + " AND e.seq < j.seq)";
    /** Times by the clock as the row is written: a claim's is later than the end of the job it waited for. */
    private static final String CLAIM = "UPDATE vagoth_jobs SET state = 'running', started = clock_timestamp(),"
            + " epoch = epoch + 1, owner = ?, lease_until = now() + ? * interval '1 millisecond' WHERE id IN ";

    /** Starts job {@code id} if it is queued and its turn has come (its queue's oldest, none of it running). */
    @Override
    public Optional<Job> start(String id) {
        if (!leases.fresh()) {
            return Optional.empty();
        }
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement(CLAIM + "(SELECT j.id FROM vagoth_jobs j WHERE j.id = ? AND "
                    + RUNNABLE + " FOR UPDATE) RETURNING " + JobRows.COLUMNS + ", epoch, seq")) {
                p.setString(1, owner);
                p.setLong(2, lease.toMillis());
                p.setString(3, id);
                List<Job> started = claimed(p);
                return started.stream().findFirst();
            }
        });
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public List<Job> claim(int max, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long seen;
            synchronized (this) {
                seen = wakes;
            }
            List<Job> got = leases.fresh() ? sql(c -> {
                try (PreparedStatement p = c.prepareStatement(CLAIM + "(SELECT j.id FROM vagoth_jobs j WHERE " + RUNNABLE
                        + " AND j.lease_until > now() ORDER BY j.seq LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING "
                        + JobRows.COLUMNS + ", epoch, seq")) {
                    p.setString(1, owner);
                    p.setLong(2, lease.toMillis());
                    p.setInt(3, max);
                    return claimed(p);
                }
            }) : List.of();
            if (!got.isEmpty()) {
                return got;
            }
            synchronized (this) {
                long left;
                while (wakes == seen && !closed && (left = deadline - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                if (wakes == seen || closed) {
                    return List.of();
                }
            }
        }
    }

    /**
     * Runs a claiming statement (returning the job, its epoch and number);
     * records each claim. Claims whose answer came after this daemon's leases
     * went stale (a partition held it back) are not taken: another daemon may
     * have taken them over meanwhile; they never ran, and the next renewal
     * puts them back in the queue (or, past their lease, they are recorded
     * interrupted).
     */
    private List<Job> claimed(PreparedStatement p) throws SQLException {
        record Claimed(long seq, Job job) {
        }
        List<Claimed> got = new ArrayList<>();
        leases.claiming.readLock().lock();
        long renewedBefore = leases.renewed(); // what holds is the renewal from before the claim was sent (see step)
        try (ResultSet r = p.executeQuery()) {
            if (!leases.fresh(renewedBefore)) {
                return List.of();
            }
            while (r.next()) {
                Job j = JobRows.job(r);
                leases.claims.put(j.id(), r.getLong(12));
                got.add(new Claimed(r.getLong(13), j));
            }
        } finally {
            leases.claiming.readLock().unlock();
        }
        got.sort(java.util.Comparator.comparingLong(Claimed::seq));
        return got.stream().map(Claimed::job).toList();
    }

    @Override
    public Job finish(String id, String error) {
        return end(id, error == null ? JobState.DONE : JobState.FAILED, error);
    }

    @Override
    public Job interrupt(String id, String reason) {
        return end(id, JobState.INTERRUPTED, reason);
    }

    /** How often recording a job's end is tried while the database is away (a second apart). */
    private static final int END_ATTEMPTS = 60;

    /**
     * Records how a job this store started ended: only if its claim still
     * holds (the fencing epoch). While the database is away (a failover) it
     * tries again, for up to a minute: the job ran, and its end must not be
     * lost to a reconnection.
     */
    private Job end(String id, JobState state, String error) {
        for (int attempt = 1;; attempt++) {
            try {
                return end(id, state, error, attempt > 1);
            } catch (RuntimeException e) {
                if (!Database.lost(e) || attempt >= END_ATTEMPTS || closed) {
                    if (leases.claims.remove(id) != null) {
                        leases.abandoned.add(id); // no longer renewed: its lease expires and it is recorded interrupted
                    }
                    throw e;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** @param again an earlier attempt may have committed before its answer was lost */
    private Job end(String id, JobState state, String error, boolean again) {
        Long epoch = leases.claims.get(id);
        return sql(c -> {
            // no notification: the next job of the queue is claimed by this daemon, whose thread this frees
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET state = ?, error = ?,"
                    + " finished = clock_timestamp() WHERE id = ? AND state = 'running' AND owner = ? AND epoch = ?"
                    + " RETURNING " + JobRows.COLUMNS)) {
                p.setString(1, state.label());
                p.setString(2, error);
                p.setString(3, id);
                p.setString(4, owner);
                p.setLong(5, epoch == null ? -1 : epoch);
                try (ResultSet r = p.executeQuery()) {
                    if (r.next()) {
                        leases.claims.remove(id);
                        Job ended = JobRows.job(r);
                        wake();
                        return ended;
                    }
                }
            }
            Job now = get(id).orElseThrow(() -> new JobNotFoundException(id));
            leases.claims.remove(id);
            if (again && now.state() == state && java.util.Objects.equals(now.error(), error)) {
                return now; // the earlier attempt committed
            }
            throw new VagothException("Job " + id + " is " + now.state().label() + (now.state() == JobState.RUNNING
                    ? " under another claim" : "") + ", no longer run here: its end (" + state.label()
                    + ") is not recorded", id);
        });
    }

    @Override
    public Job cancel(String id) {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET state = 'cancelled', error = 'cancelled',"
                    + " finished = now() WHERE id = ? AND state = 'queued' RETURNING " + JobRows.COLUMNS + ", pg_notify('"
                    + JobSchema.CHANNEL + "', '')")) {
                p.setString(1, id);
                try (ResultSet r = p.executeQuery()) {
                    if (r.next()) {
                        return JobRows.job(r);
                    }
                }
            }
            Job j = get(id).orElseThrow(() -> new JobNotFoundException(id));
            throw new VagothException("Job " + id + " is " + j.state().label() + "; only a queued job can be cancelled",
                    id);
        });
    }

    @Override
    public boolean restore(Job job, List<String> steps) {
        if (!job.state().isFinished()) {
            throw new VagothException("Job " + job.id() + " is " + job.state().label() + ": only a finished job's"
                    + " record can be copied", job.id());
        }
        return sql(c -> {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_jobs (id, txid, source, queue, action,"
                        + " args, state, error, created, started, finished, owner, lease_until) VALUES (?, ?, ?, ?, ?,"
                        + " ?::jsonb, ?, ?, ?, ?, ?, ?, now()) ON CONFLICT (id) DO NOTHING")) {
                    p.setString(1, job.id());
                    p.setString(2, job.txid());
                    p.setString(3, job.source());
                    p.setString(4, job.queue());
                    p.setString(5, job.action());
                    p.setString(6, JobRows.GSON.toJson(job.args()));
                    p.setString(7, job.state().label());
                    p.setString(8, job.error());
                    p.setTimestamp(9, JobRows.timestamp(job.created()));
                    p.setTimestamp(10, JobRows.timestamp(job.started()));
                    p.setTimestamp(11, JobRows.timestamp(job.finished()));
                    p.setString(12, owner);
                    if (p.executeUpdate() == 0) {
                        c.rollback();
                        return false;
                    }
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_job_steps (job_id, step) VALUES (?, ?)")) {
                    for (String step : steps) {
                        p.setString(1, job.id());
                        p.setString(2, step);
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    @Override
    public void flush() {
        // every record is committed as it is made
    }

    /**
     * Records a step of a job; for a job this store runs, only while its claim
     * holds: a daemon whose leases could not be renewed for half a lease, or
     * whose job was meanwhile taken from it (interrupted by another daemon
     * after the lease expired), is refused, and the action stops before its
     * next operation instead of acting alongside the daemon that took over.
     * The leases are checked again once the database has answered: a
     * partition can hold back its confirmation past the lease.
     */
    @Override
    public void step(String id, String step) {
        Long epoch = leases.claims.get(id);
        long renewedBefore = leases.renewed();
        leases.refuseUnlessFresh(id, epoch, renewedBefore);
        sql(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_job_steps (job_id, step) SELECT ?, ?"
                    + " WHERE ?::bigint IS NULL OR EXISTS (SELECT 1 FROM vagoth_jobs WHERE id = ? AND state = 'running'"
                    + " AND owner = ? AND epoch = ?)")) {
                p.setString(1, id);
                p.setString(2, step);
                p.setObject(3, epoch, java.sql.Types.BIGINT);
                p.setString(4, id);
                p.setString(5, owner);
                p.setObject(6, epoch, java.sql.Types.BIGINT);
                if (p.executeUpdate() == 0) {
                    Job now = get(id).orElseThrow(() -> new JobNotFoundException(id));
                    throw new VagothException("Job " + id + " is " + now.state().label() + (now.state()
                            == JobState.RUNNING ? " under another claim" : "") + ": it no longer runs here, and"
                            + " stops before its next step (" + step + ")", id);
                }
            } catch (SQLException e) {
                if ("23503".equals(e.getSQLState())) {
                    throw new JobNotFoundException(id);
                }
                throw e;
            }
            return null;
        });
        // the database confirmed the claim when it ran the statement, but its answer may have come much later (held
        // up by a partition, or by the database itself): the operation may begin only while the lease renewed before
        // the statement was sent still surely holds. A renewal since then proves nothing for this job: the database
        // may have swept it meanwhile (a renewal extends only what is still running here), and another daemon may
        // have started the queue's next job.
        leases.refuseUnlessFresh(id, epoch, renewedBefore);
    }

    /** The job's row is locked for the transaction, so two daemons retrying one job take turns. */
    @Override
    public Optional<String> markRetried(String id, String txid) {
        return sql(c -> {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM vagoth_jobs WHERE id = ? FOR UPDATE")) {
                    p.setString(1, id);
                    try (ResultSet r = p.executeQuery()) {
                        if (!r.next()) {
                            throw new JobNotFoundException(id);
                        }
                    }
                }
                try (PreparedStatement p = c.prepareStatement("SELECT step FROM vagoth_job_steps WHERE job_id = ? AND"
                        + " starts_with(step, ?) ORDER BY n LIMIT 1")) {
                    p.setString(1, id);
                    p.setString(2, RETRIED);
                    try (ResultSet r = p.executeQuery()) {
                        if (r.next()) {
                            c.rollback();
                            return Optional.of(r.getString(1));
                        }
                    }
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_job_steps (job_id, step) VALUES (?, ?)")) {
                    p.setString(1, id);
                    p.setString(2, RETRIED + txid);
                    p.executeUpdate();
                }
                c.commit();
                return Optional.<String>empty();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    @Override
    public List<String> steps(String id) {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT step FROM vagoth_job_steps WHERE job_id = ? ORDER BY n")) {
                p.setString(1, id);
                List<String> steps = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        steps.add(r.getString(1));
                    }
                }
                return steps;
            }
        });
    }

    /** Renews this store's leases now (as its keeper does every quarter of a lease). */
    void renew() {
        leases.renew();
    }

    /** Ends other daemons' expired leases now; returns how many jobs were marked interrupted. */
    int sweep() {
        return leases.sweep();
    }

    @Deactivate
    @Override
    public void close() {
        closed = true;
        wake();
        listener.close();
        leases.close();
        db.close();
    }
}
