package vagoth.jobs.postgres.internal;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import vagoth.api.VagothException;
import vagoth.support.postgres.Database;
import vagoth.support.postgres.LeaseKeeper;

/**
 * A job store's leases: it holds one on the jobs it created and on those it
 * runs (its claims, each with its fencing epoch), renews them every quarter
 * of a lease on a thread of its own, and ends other daemons' expired ones.
 * Its claims hold only while the last renewal is within half a lease.
 */
final class JobLeases implements AutoCloseable {
    /** The job store's logger: what it says is the store's, whichever class of it says it. */
    private static final System.Logger LOG = System.getLogger(PostgresJobStore.class.getName());
    private final Database db;
    private final Duration lease;
    private final String owner;
    /** Claimable work may have appeared: claims put back in the queue, or jobs swept. */
    private final Runnable wake;
    /** The epoch of each job this store started and has not ended. */
    final Map<String, Long> claims = new ConcurrentHashMap<>();
    /** Jobs that ran here whose end could not be recorded: no longer renewed, left to expire as interrupted. */
    final Set<String> abandoned = ConcurrentHashMap.newKeySet();
    /**
     * Claims are made under its read lock; the write lock is held while
     * claims that were committed but never reached this process (the
     * connection was lost before the answer) are put back in the queue, so
     * a claim whose answer is on its way is never taken for one of those.
     */
    final ReentrantReadWriteLock claiming = new ReentrantReadWriteLock();
    private final LeaseKeeper keeper;
    /** When this store's leases were last renewed ({@link System#nanoTime()}). */
    private volatile long renewed = System.nanoTime();
    /** When a failed renewal may be logged again (nanoTime). Only the keeper touches it. */
    private long quietUntil = System.nanoTime();

    JobLeases(Database db, Duration lease, String owner, Runnable wake) {
        this.db = db;
        this.lease = lease;
        this.owner = owner;
        this.wake = wake;
        this.keeper = new LeaseKeeper("vagoth-job-leases", lease, () -> {
            renew();
            sweep();
        }, this::failed);
    }

    void start() {
        keeper.start();
    }

    /** When the leases were last renewed ({@link System#nanoTime()}). */
    long renewed() {
        return renewed;
    }

    private <T> T sql(Database.Work<T> work) {
        return db.run("Job records", work);
    }

    /**
     * Whether this store's leases are surely still its own: renewed within
     * half a lease. A store cut off from the database longer claims nothing,
     * so it never starts work another daemon may be about to take over.
     */
    boolean fresh() {
        return fresh(renewed);
    }

    /** Whether a renewal at {@code renewedAt} ({@link System#nanoTime()}) is within half a lease. */
    boolean fresh(long renewedAt) {
        return System.nanoTime() - renewedAt < lease.toNanos() / 2;
    }

    /**
     * Stops a claimed job's action unless the renewal at {@code renewedAt}
     * ({@link System#nanoTime()}) is within half a lease.
     */
    void refuseUnlessFresh(String id, Long epoch, long renewedAt) {
        if (epoch != null && !fresh(renewedAt)) {
            throw new VagothException("Job " + id + " stops here: the lease this daemon renewed "
                    + (System.nanoTime() - renewedAt) / 1_000_000 + " ms ago (the lease is " + lease.toMillis()
                    + " ms) may have expired, so another daemon may have taken the job over", id);
        }
    }

    /**
     * A round of the keeper failed (renewing this store's leases and ending
     * other daemons' expired ones, every quarter of a lease): the database is
     * away. Said once a minute at most, so that jobs that then end
     * interrupted have their reason in the log.
     */
    private void failed(RuntimeException e) {
        if (System.nanoTime() - quietUntil >= 0) {
            LOG.log(System.Logger.Level.WARNING, "job records in " + db.shownUrl() + ": cannot renew this daemon's"
                    + " job leases (" + e.getMessage() + "); trying again every " + LeaseKeeper.period(lease)
                    + " ms; its running jobs end interrupted if this lasts longer than a lease (" + lease.toMillis()
                    + " ms); said once a minute");
            quietUntil = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        }
    }

    /**
     * Extends the leases of this store's queued jobs and of the running ones
     * it runs; puts back in the queue the claims that were committed but whose
     * answer never arrived (they never ran: they are not among this store's
     * claims).
     */
    void renew() {
        long at = System.nanoTime();
        sql(c -> {
            // the rows the others hold locked now are renewed next round: this never waits, so never deadlocks
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET lease_until = now() + ? * interval"
                    + " '1 millisecond' WHERE id IN (SELECT id FROM vagoth_jobs WHERE owner = ? AND (state = 'queued'"
                    + " OR state = 'running' AND id = ANY (?)) FOR UPDATE SKIP LOCKED)")) {
                p.setLong(1, lease.toMillis());
                p.setString(2, owner);
                p.setArray(3, c.createArrayOf("text", claims.keySet().toArray()));
                p.executeUpdate();
            }
            int returned;
            claiming.writeLock().lock();
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET state = 'queued', started = NULL"
                    + " WHERE id IN (SELECT id FROM vagoth_jobs WHERE owner = ? AND state = 'running'"
                    + " AND NOT (id = ANY (?)) FOR UPDATE SKIP LOCKED)")) {
                Set<String> known = new java.util.HashSet<>(claims.keySet());
                known.addAll(abandoned);
                p.setString(1, owner);
                p.setArray(2, c.createArrayOf("text", known.toArray()));
                returned = p.executeUpdate();
            } finally {
                claiming.writeLock().unlock();
            }
            if (returned > 0) {
                wake.run();
            }
            return null;
        });
        renewed = at;
    }

    /** Marks the queued and running jobs whose daemon stopped renewing their lease interrupted; returns how many. */
    int sweep() {
        return sql(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_jobs SET state = 'interrupted', finished = now(),"
                    + " error = 'its daemon (' || owner || ') stopped renewing its lease: it did not finish here'"
                    + " WHERE id IN (SELECT id FROM vagoth_jobs WHERE state IN ('queued', 'running')"
                    + " AND lease_until < now() FOR UPDATE SKIP LOCKED)")) {
                int n = p.executeUpdate();
                if (n > 0) {
                    try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify('" + JobSchema.CHANNEL + "', '')")) {
                        notify.execute();
                    }
                }
                return n;
            }
        });
    }

    @Override
    public void close() {
        keeper.close();
    }
}
