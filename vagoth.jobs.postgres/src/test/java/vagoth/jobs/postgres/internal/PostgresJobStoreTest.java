package vagoth.jobs.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobStore;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.testing.PostgresServer;

/** Job records in a real PostgreSQL, shared by several stores (daemons), one of them killed with SIGKILL. */
@Tag("postgres") // a PostgreSQL server of its own: left out of the fast tier
@Timeout(120)
class PostgresJobStoreTest {
    private static final Transaction TX = new Transaction("6e2bc0fb", "myuser");
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    private static int databases;

    private static PostgresServer server() {
        return PG.server();
    }

    /** A new database for one test. */
    private static String database() throws Exception {
        return server().database("jobs" + (++databases));
    }

    private static String stderr(Process p) {
        try {
            return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static PostgresJobStore store(String url, Duration lease) {
        return new PostgresJobStore(url, server().user(), "", lease);
    }

    @Test
    void aJobGoesFromQueuedToDoneOrFailedAndIsClaimedOnce() throws Exception {
        String url = database();
        try (PostgresJobStore a = store(url, Duration.ofSeconds(30)); PostgresJobStore b = store(url, Duration.ofSeconds(30))) {
            Job j = a.create("vm1", "start", Map.of("node", "vm1"), TX);
            assertEquals(JobState.QUEUED, j.state());
            assertEquals(List.of(j.id()), a.queued().stream().map(Job::id).toList());
            assertEquals(List.of(), b.queued(), "another daemon's queued jobs are its own to run");
            assertEquals(JobState.RUNNING, b.start(j.id()).orElseThrow().state());
            assertTrue(a.start(j.id()).isEmpty(), "claimed once, across daemons");
            b.step(j.id(), "stopped on hv1");
            assertEquals(List.of("stopped on hv1"), a.steps(j.id()));
            Job done = b.finish(j.id(), null);
            assertEquals(JobState.DONE, done.state());
            assertEquals(Map.of("node", "vm1"), a.get(j.id()).orElseThrow().args());
            Job f = a.create("vm2", "stop", Map.of("node", "vm2"), TX);
            a.start(f.id());
            assertEquals("no agent", a.finish(f.id(), "no agent").error());
            assertEquals(List.of(f.id(), j.id()), b.list(JobQuery.recent(10)).stream().map(Job::id).toList());
            assertEquals(List.of(f.id()), b.list(new JobQuery(JobState.FAILED, null, null, 10)).stream().map(Job::id)
                    .toList());
            assertEquals(List.of(j.id()), b.list(new JobQuery(null, "vm1", null, 10)).stream().map(Job::id).toList());
        }
    }

    @Test
    void onlyAQueuedJobCanBeCancelled() throws Exception {
        try (PostgresJobStore s = store(database(), Duration.ofSeconds(30))) {
            Job j = s.create("vm1", "start", Map.of(), TX);
            assertEquals(JobState.CANCELLED, s.cancel(j.id()).state());
            assertEquals("Job " + j.id() + " is cancelled; only a queued job can be cancelled",
                    assertThrows(VagothException.class, () -> s.cancel(j.id())).getMessage());
            assertThrows(JobNotFoundException.class, () -> s.cancel("nosuch"));
            assertTrue(s.start(j.id()).isEmpty(), "a cancelled job never runs");
        }
    }

    @Test
    void aClaimWhoseLeaseRanOutCannotRecordTheEnd() throws Exception {
        String url = database();
        try (PostgresJobStore a = store(url, Duration.ofMillis(600)); PostgresJobStore b = store(url, Duration.ofMillis(600))) {
            Job j = a.create("vm1", "migrate", Map.of(), TX);
            a.start(j.id());
            a.close(); // a stops renewing, as a daemon that hangs or dies
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (b.get(j.id()).orElseThrow().state() != JobState.INTERRUPTED && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Job gone = b.get(j.id()).orElseThrow();
            assertEquals(JobState.INTERRUPTED, gone.state());
            assertTrue(gone.error().contains("stopped renewing its lease"), gone.error());
        }
        try (PostgresJobStore late = store(url, Duration.ofSeconds(30))) {
            assertTrue(late.start("x").isEmpty());
        }
    }

    @Test
    void theFencingEpochRefusesAnEndFromAnOldClaim() throws Exception {
        String url = database();
        try (PostgresJobStore a = store(url, Duration.ofSeconds(30))) {
            Job j = a.create("vm1", "start", Map.of(), TX);
            a.start(j.id());
            try (Connection c = DriverManager.getConnection(url, server().user(), "");
                    Statement s = c.createStatement()) {
                // as another daemon's sweeper, then a new claim, would leave it
                s.execute("UPDATE vagoth_jobs SET epoch = epoch + 1 WHERE id = '" + j.id() + "'");
            }
            VagothException e = assertThrows(VagothException.class, () -> a.finish(j.id(), null));
            assertTrue(e.getMessage().contains("no longer run here"), e.getMessage());
            assertEquals(JobState.RUNNING, a.get(j.id()).orElseThrow().state(), "the old claim changed nothing");
        }
    }

    @Test
    void aDaemonKilledWithSigkillLeavesItsJobsInterruptedNotRunTwice() throws Exception {
        String url = database();
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), JobWorker.class.getName(), url, server().user()).start();
        String started;
        try {
            started = String.valueOf(new BufferedReader(new InputStreamReader(worker.getInputStream(),
                    StandardCharsets.UTF_8)).readLine());
        } finally {
            worker.destroyForcibly(); // SIGKILL, once it holds a running and a queued job (or if it failed)
            worker.waitFor(30, TimeUnit.SECONDS);
        }
        String line = started;
        assertTrue(started.startsWith("started "), () -> line + " " + stderr(worker));
        try (PostgresJobStore s = store(url, Duration.ofMillis(300))) {
            String[] ids = started.substring("started ".length()).split(" ");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // each expires at its own lease (the queued one was made after the running one started): wait for both
            while ((s.get(ids[0]).orElseThrow().state() != JobState.INTERRUPTED
                    || s.get(ids[1]).orElseThrow().state() != JobState.INTERRUPTED) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(JobState.INTERRUPTED, s.get(ids[0]).orElseThrow().state(), "the running one");
            assertEquals(JobState.INTERRUPTED, s.get(ids[1]).orElseThrow().state(), "the queued one");
            assertTrue(s.start(ids[1]).isEmpty(), "nothing of the dead daemon's runs again by itself");
        }
    }

    @Test
    void aClaimWhoseAnswerWasLostGoesBackToTheQueue() throws Exception {
        String url = database();
        try (PostgresJobStore a = store(url, Duration.ofSeconds(30))) {
            Job j = a.create("vm1", "start", Map.of(), TX);
            try (Connection c = DriverManager.getConnection(url, server().user(), "");
                    Statement s = c.createStatement()) {
                // as a claim of a's that committed while its connection died before the answer came back
                s.execute("UPDATE vagoth_jobs SET state = 'running', epoch = epoch + 1 WHERE id = '" + j.id() + "'");
            }
            a.renew();
            assertEquals(JobState.QUEUED, a.get(j.id()).orElseThrow().state(), "it never ran here: queued again");
            List<Job> claimed = a.claim(1, Duration.ofSeconds(5));
            assertEquals(List.of(j.id()), claimed.stream().map(Job::id).toList());
            a.renew();
            assertEquals(JobState.RUNNING, a.get(j.id()).orElseThrow().state(), "a claim that arrived stays running");
            assertEquals(JobState.DONE, a.finish(j.id(), null).state());
        }
    }

    /**
     * The database confirms a step but answers only after the lease ran out
     * (a trigger holds the answer; the job's row is locked meanwhile, so the
     * keeper's renewals, which go on, do not extend it): the step is refused,
     * though the store renewed its leases during the wait. Acting on it would
     * begin an operation of a job whose lease expired, which another daemon
     * may sweep and follow with the queue's next job at once.
     */
    @Test
    void aStepConfirmedAfterItsLeaseRanOutIsRefusedThoughTheKeeperRenewedMeanwhile() throws Exception {
        String url = database();
        Duration lease = Duration.ofMillis(1200);
        try (PostgresJobStore a = store(url, lease);
                Connection c = DriverManager.getConnection(url, server().user(), "");
                Statement s = c.createStatement()) {
            Job j = a.create("vm1", "start", Map.of(), TX);
            assertEquals(List.of(j.id()), a.claim(1, Duration.ofSeconds(5)).stream().map(Job::id).toList());
            a.step(j.id(), "operation 1"); // a step answered at once goes through
            s.execute("CREATE FUNCTION slowly() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN PERFORM pg_sleep(2.5); RETURN NEW; END $$");
            s.execute("CREATE TRIGGER slow_step AFTER INSERT ON vagoth_job_steps FOR EACH ROW"
                    + " WHEN (NEW.step = 'operation 2') EXECUTE FUNCTION slowly()");
            VagothException e = assertThrows(VagothException.class, () -> a.step(j.id(), "operation 2"));
            assertTrue(e.getMessage().contains("stops here"), e.getMessage());
        }
    }

    /** A claim granted but answered after its lease ran out is not taken (it never runs). */
    @Test
    void aClaimAnsweredAfterItsLeaseRanOutIsNotTaken() throws Exception {
        String url = database();
        try (PostgresJobStore a = store(url, Duration.ofMillis(1200));
                Connection c = DriverManager.getConnection(url, server().user(), "");
                Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION slowly() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN PERFORM pg_sleep(2.5); RETURN NEW; END $$");
            s.execute("CREATE TRIGGER slow_claim AFTER UPDATE ON vagoth_jobs FOR EACH ROW"
                    + " WHEN (OLD.state = 'queued' AND NEW.state = 'running') EXECUTE FUNCTION slowly()");
            Job j = a.create("vm1", "start", Map.of(), TX);
            assertEquals(List.of(), a.claim(1, Duration.ofSeconds(1)), "a claim answered too late is not taken");
            s.execute("DROP TRIGGER slow_claim ON vagoth_jobs");
            a.renew();
            a.sweep();
            JobState now = a.get(j.id()).orElseThrow().state();
            assertTrue(now == JobState.QUEUED || now == JobState.INTERRUPTED, "it never ran here: " + now);
        }
    }

    @Test
    void aJobIsMarkedRetriedOnceWhoeverAsks() throws Exception {
        String url = database();
        try (PostgresJobStore a = store(url, Duration.ofSeconds(30)); PostgresJobStore b = store(url, Duration.ofSeconds(30))) {
            vagoth.testing.RetryOnce.check(a, b, () -> { });
        }
    }

    /** Dated from when it was sent: an answer held up past half a lease does not make the leases look fresh. */
    @Test
    @Timeout(60)
    void aRenewalCountsFromWhenItWasSentNotWhenItsAnswerCame() throws Exception {
        String url = database();
        try (PostgresJobStore a = store(url, Duration.ofSeconds(4));
                java.sql.Connection c = java.sql.DriverManager.getConnection(url, server().user(), "");
                java.sql.Statement st = c.createStatement()) {
            Job j = a.create("vm1", "start", Map.of("node", "vm1"), TX);
            c.setAutoCommit(false);
            st.execute("LOCK TABLE vagoth_jobs IN ACCESS EXCLUSIVE MODE"); // the database holds every answer back
            Thread renewal = new Thread(a::renew);
            renewal.start();
            Thread.sleep(3500); // longer than half a lease (2 s) after every renewal now waiting was sent
            c.commit();
            renewal.join(10_000);
            assertTrue(a.claim(1, Duration.ZERO).isEmpty(), "a store whose renewals were sent over half a lease ago"
                    + " claims nothing");
            assertEquals(JobState.QUEUED, a.get(j.id()).orElseThrow().state());
        }
    }

    /** A job whose end could not be recorded is left to expire as interrupted, never queued again to run twice. */
    @Test
    @Timeout(90)
    void aJobWhoseEndCannotBeRecordedEndsInterruptedAndIsNeverQueuedAgain() throws Exception {
        String url = database();
        try (PostgresJobStore a = store(url, Duration.ofSeconds(2)); PostgresJobStore b = store(url, Duration.ofSeconds(2));
                java.sql.Connection c = java.sql.DriverManager.getConnection(url, server().user(), "");
                java.sql.Statement st = c.createStatement()) {
            Job j = a.create("vm1", "start", Map.of("node", "vm1"), TX);
            a.start(j.id()).orElseThrow();
            st.execute("CREATE FUNCTION refuse_end() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
                    + " 'the disk is full'; END $$");
            st.execute("CREATE TRIGGER refuse_end BEFORE UPDATE ON vagoth_jobs FOR EACH ROW WHEN (NEW.state = 'done')"
                    + " EXECUTE FUNCTION refuse_end()");
            org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> a.finish(j.id(), null));
            st.execute("DROP TRIGGER refuse_end ON vagoth_jobs");
            a.renew();
            assertEquals(JobState.RUNNING, a.get(j.id()).orElseThrow().state(), "not queued again by its own store");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (a.get(j.id()).orElseThrow().state() == JobState.RUNNING && System.nanoTime() < deadline) {
                assertTrue(a.queued().isEmpty() && b.queued().isEmpty(), "never queued again");
                Thread.sleep(100);
            }
            assertEquals(JobState.INTERRUPTED, a.get(j.id()).orElseThrow().state(), "its lease expired");
        }
    }
    /** A renewal the database refuses is said in the log (once a minute), never dropped without a word. */
    @Test
    @Timeout(60)
    void aRenewalThatFailsIsLoggedOnce() throws Exception {
        String url = database();
        List<String> warnings = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(PostgresJobStore.class.getName());
        logger.addHandler(capture);
        try (PostgresJobStore a = store(url, Duration.ofMillis(400));
                java.sql.Connection c = java.sql.DriverManager.getConnection(url, server().user(), "");
                java.sql.Statement st = c.createStatement()) {
            a.create("vm1", "start", Map.of("node", "vm1"), TX);
            st.execute("CREATE FUNCTION refuse_renewal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
                    + " 'renewal refused by the test'; END $$");
            st.execute("CREATE TRIGGER refuse_renewal BEFORE UPDATE ON vagoth_jobs FOR EACH ROW WHEN"
                    + " (NEW.lease_until IS DISTINCT FROM OLD.lease_until) EXECUTE FUNCTION refuse_renewal()");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (warnings.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1000); // ten more rounds of the keeper, which say nothing more
            st.execute("DROP TRIGGER refuse_renewal ON vagoth_jobs");
        } finally {
            logger.removeHandler(capture);
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("cannot renew this daemon's job leases")
                && warnings.get(0).contains("renewal refused by the test"), warnings.get(0));
    }
}
