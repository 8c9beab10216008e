package vagoth.jobs.postgres.internal;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;

import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.JobStore;
import vagoth.api.job.Transaction;
import vagoth.api.job.VagothJobs;
import vagoth.api.registry.RegistryException;
import vagoth.support.postgres.Database;
import vagoth.support.postgres.SchemaMigration;

/**
 * Job records in PostgreSQL, seen by every daemon sharing the database. Each
 * daemon (each store) owns the jobs it creates and holds a lease on them that
 * it renews; a job is claimed for running by compare-and-set
 * ({@code queued -> running}), which bumps its fencing epoch, and a running
 * job's end is recorded only by the claim that started it. When a daemon
 * stops renewing (it died), any store marks its queued and running jobs
 * {@code interrupted} once the lease has expired: nothing it held runs twice
 * by itself ({@code job retry} runs it again).
 */
@Component(service = JobStore.class, configurationPid = Database.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@VagothJobs("postgres")
public final class PostgresJobStore implements JobStore, AutoCloseable {
    static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    private static final long MIGRATION_LOCK = 0x7661676f74680003L;
    private static final Gson GSON = new Gson();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final Duration lease;
    private final String owner;
    /** The epoch of each job this store started and has not ended. */
    private final Map<String, Long> claims = new ConcurrentHashMap<>();
    private final Thread keeper;
    private volatile boolean closed;

    @Activate
    public PostgresJobStore(Map<String, Object> props) {
        this(Database.configured(props), DEFAULT_LEASE);
    }

    /** A store on the database at {@code url} whose leases last {@code lease}: for tests and tools. */
    public PostgresJobStore(String url, String user, String password, Duration lease) {
        this(new Database(url, user, password, 10, 4), lease);
    }

    private PostgresJobStore(Database db, Duration lease) {
        this.db = db;
        this.lease = lease;
        this.owner = ProcessHandle.current().pid() + "@" + host() + "/" + HexFormat.of().toHexDigits(RANDOM.nextInt());
        sql(c -> {
            migrate(c);
            return null;
        });
        this.keeper = new Thread(this::keep, "vagoth-job-leases");
        keeper.setDaemon(true);
        keeper.start();
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

    /** The job records' tables; migration {@code i} takes them from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            "CREATE TABLE vagoth_jobs (seq bigserial UNIQUE, id text PRIMARY KEY, txid text NOT NULL,"
                    + " source text NOT NULL, queue text NOT NULL, action text NOT NULL, args jsonb NOT NULL,"
                    + " state text NOT NULL, error text, created timestamptz NOT NULL, started timestamptz,"
                    + " finished timestamptz, owner text NOT NULL, epoch bigint NOT NULL DEFAULT 0,"
                    + " lease_until timestamptz NOT NULL)",
            "CREATE INDEX vagoth_jobs_open ON vagoth_jobs (state, owner) WHERE state IN ('queued', 'running')",
            "CREATE TABLE vagoth_job_steps (job_id text NOT NULL REFERENCES vagoth_jobs (id) ON DELETE CASCADE,"
                    + " n bigserial, step text NOT NULL, at timestamptz NOT NULL DEFAULT now(),"
                    + " PRIMARY KEY (job_id, n))"));

    private static void migrate(Connection c) throws SQLException {
        SchemaMigration.migrate(c, "vagoth_jobs_schema", MIGRATION_LOCK, MIGRATIONS, "the job records");
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T sql(SqlWork<T> work) {
        Connection c = db.borrow();
        boolean broken = false;
        try {
            return work.run(c);
        } catch (SQLException e) {
            broken = e.getSQLState() == null || e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57P");
            throw broken ? db.unreachable(e) : new RegistryException("Job records: " + e.getMessage(), e);
        } finally {
            db.release(c, broken);
        }
    }

    private static final String COLUMNS = "id, txid, source, queue, action, args::text, state, error, created,"
            + " started, finished";

    private static Job job(ResultSet r) throws SQLException {
        Map<String, String> args = GSON.fromJson(r.getString(6), new TypeToken<LinkedHashMap<String, String>>() {
        }.getType());
        return new Job(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), args,
                JobState.valueOf(r.getString(7).toUpperCase(Locale.ROOT)), r.getString(8), instant(r.getTimestamp(9)),
                instant(r.getTimestamp(10)), instant(r.getTimestamp(11)));
    }

    private static java.time.Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    @Override
    public Job create(String queue, String action, Map<String, String> args, Transaction tx) {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_jobs (id, txid, source, queue, action, args,"
                    + " state, created, owner, lease_until) VALUES (?, ?, ?, ?, ?, ?::jsonb, 'queued', now(), ?,"
                    + " now() + ? * interval '1 millisecond') ON CONFLICT (id) DO NOTHING RETURNING " + COLUMNS)) {
                while (true) {
                    p.setString(1, HexFormat.of().toHexDigits(RANDOM.nextInt()));
                    p.setString(2, tx.txid());
                    p.setString(3, tx.source());
                    p.setString(4, queue);
                    p.setString(5, action);
                    p.setString(6, GSON.toJson(args));
                    p.setString(7, owner);
                    p.setLong(8, lease.toMillis());
                    try (ResultSet r = p.executeQuery()) {
                        if (r.next()) {
                            return job(r);
                        }
                    }
                }
            }
        });
    }

    @Override
    public Optional<Job> get(String id) {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM vagoth_jobs WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(job(r)) : Optional.empty();
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
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM vagoth_jobs" + where
                    + " ORDER BY seq DESC" + limit)) {
                for (int i = 0; i < params.size(); i++) {
                    p.setString(i + 1, params.get(i));
                }
                List<Job> jobs = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        Job j = job(r);
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
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM vagoth_jobs WHERE state = 'queued'"
                    + " AND owner = ? ORDER BY seq")) {
                p.setString(1, owner);
                List<Job> jobs = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        jobs.add(job(r));
                    }
                }
                return jobs;
            }
        });
    }

    @Override
    public Optional<Job> start(String id) {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET state = 'running', started = now(),"
                    + " epoch = epoch + 1, owner = ?, lease_until = now() + ? * interval '1 millisecond'"
                    + " WHERE id = ? AND state = 'queued' RETURNING " + COLUMNS + ", epoch")) {
                p.setString(1, owner);
                p.setLong(2, lease.toMillis());
                p.setString(3, id);
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    claims.put(id, r.getLong(12));
                    return Optional.of(job(r));
                }
            }
        });
    }

    @Override
    public Job finish(String id, String error) {
        return end(id, error == null ? JobState.DONE : JobState.FAILED, error);
    }

    @Override
    public Job interrupt(String id, String reason) {
        return end(id, JobState.INTERRUPTED, reason);
    }

    /** Records how a job this store started ended: only if its claim still holds (the fencing epoch). */
    private Job end(String id, JobState state, String error) {
        Long epoch = claims.get(id);
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET state = ?, error = ?, finished = now()"
                    + " WHERE id = ? AND state = 'running' AND owner = ? AND epoch = ? RETURNING " + COLUMNS)) {
                p.setString(1, state.label());
                p.setString(2, error);
                p.setString(3, id);
                p.setString(4, owner);
                p.setLong(5, epoch == null ? -1 : epoch);
                try (ResultSet r = p.executeQuery()) {
                    if (r.next()) {
                        claims.remove(id);
                        return job(r);
                    }
                }
            }
            Job now = get(id).orElseThrow(() -> new JobNotFoundException(id));
            claims.remove(id);
            throw new VagothException("Job " + id + " is " + now.state().label() + (now.state() == JobState.RUNNING
                    ? " under another claim" : "") + ", no longer run here: its end (" + state.label()
                    + ") is not recorded", id);
        });
    }

    @Override
    public Job cancel(String id) {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET state = 'cancelled', error = 'cancelled',"
                    + " finished = now() WHERE id = ? AND state = 'queued' RETURNING " + COLUMNS)) {
                p.setString(1, id);
                try (ResultSet r = p.executeQuery()) {
                    if (r.next()) {
                        return job(r);
                    }
                }
            }
            Job j = get(id).orElseThrow(() -> new JobNotFoundException(id));
            throw new VagothException("Job " + id + " is " + j.state().label() + "; only a queued job can be cancelled",
                    id);
        });
    }

    @Override
    public void flush() {
        // every record is committed as it is made
    }

    @Override
    public void step(String id, String step) {
        sql(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_job_steps (job_id, step) VALUES (?, ?)")) {
                p.setString(1, id);
                p.setString(2, step);
                p.executeUpdate();
            } catch (SQLException e) {
                if ("23503".equals(e.getSQLState())) {
                    throw new JobNotFoundException(id);
                }
                throw e;
            }
            return null;
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

    /**
     * Renews this store's leases and ends other daemons' expired ones, every
     * third of a lease, until closed.
     */
    private void keep() {
        while (!closed) {
            try {
                Thread.sleep(Math.max(10, lease.toMillis() / 3));
                renew();
                sweep();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the database is away: the next round tries again (an expired lease is the safe outcome)
            }
        }
    }

    /** Extends the leases of this store's queued and running jobs. */
    void renew() {
        sql(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET lease_until = now() + ? * interval"
                    + " '1 millisecond' WHERE owner = ? AND state IN ('queued', 'running')")) {
                p.setLong(1, lease.toMillis());
                p.setString(2, owner);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** Marks the queued and running jobs whose daemon stopped renewing their lease interrupted; returns how many. */
    int sweep() {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET state = 'interrupted', finished = now(),"
                    + " error = 'its daemon (' || owner || ') stopped renewing its lease: it did not finish here'"
                    + " WHERE state IN ('queued', 'running') AND lease_until < now()")) {
                return p.executeUpdate();
            }
        });
    }

    @Deactivate
    @Override
    public void close() {
        closed = true;
        keeper.interrupt();
        try {
            keeper.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }
}
