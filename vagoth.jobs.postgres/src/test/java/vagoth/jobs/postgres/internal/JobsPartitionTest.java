package vagoth.jobs.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.testing.CutOffLink;
import vagoth.testing.PostgresServer;

/**
 * A daemon cut off from the database by a network partition (its own network
 * namespace, whose link the test cuts; packets are dropped, not refused) while
 * it runs a job of many operations. Another daemon takes the job's queue over
 * once the lease has expired and runs the next job; when the link comes back,
 * the cut-off daemon does not carry on: no operation of its job begins after
 * the other daemon's job did. The link is cut while the database is answering
 * a step it has confirmed, so the confirmation reaches the cut-off daemon only
 * after the other daemon took over: it must not act on it.
 */
@Tag("postgres") // a PostgreSQL server of its own: left out of the fast tier
@Timeout(240)
class JobsPartitionTest {
    private static final Transaction TX = new Transaction("0c0ffee1", "test");
    private static final long LEASE_MS = 3000;
    /** The step whose answer the database holds back. */
    private static final int SLOW_STEP = 5;
    /**
     * The advisory lock the test holds while the database holds an answer back:
     * a held statement waits on it in a trigger until the test, having cut the
     * link, lets it go. Nothing depends on how fast a JVM starts.
     */
    private static final int HOLD_LOCK = 4242;
    @TempDir
    Path dir;

    /** What a scenario has: the link it cuts, the server, URLs outside and inside, and the daemons it starts. */
    private record Partition(CutOffLink link, String url, String cutUrl, String user, Connection sql,
            PostgresJobStore client, List<Process> daemons) {
        /** A daemon inside the namespace (the one cut off), or outside. */
        void daemon(boolean inside, String name, Path steps) throws IOException {
            List<String> cmd = command(inside ? cutUrl : url, user, name, steps);
            daemons.add(JobsPartitionTest.daemon(inside ? link.inside(cmd) : cmd, name));
        }
    }

    private interface Scenario {
        void run(Partition p) throws Exception;
    }

    /** Runs {@code scenario} with a server reachable from a network namespace whose link it may cut. */
    private void partition(Scenario scenario) throws Exception {
        CutOffLink link;
        try {
            link = CutOffLink.create();
        } catch (IOException e) {
            Assumptions.abort("this machine does not let a test make a network namespace: " + e.getMessage());
            return;
        }
        List<Process> daemons = new ArrayList<>();
        try (link; PostgresServer pg = PostgresServer.start(link.hostAddress(), link.network())) {
            String url = pg.database("cut");
            String user = pg.user();
            // inside the namespace the server is at the link's address; a statement may wait out the cut
            String cutUrl = url.replace("127.0.0.1", link.hostAddress()) + (url.contains("?") ? "&" : "?")
                    + "socketTimeout=60&connectTimeout=60";
            try (Connection c = DriverManager.getConnection(url, user, "");
                    PostgresJobStore client = new PostgresJobStore(url, user, "", Duration.ofSeconds(30))) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE runs (n bigserial, job text NOT NULL, queue text NOT NULL,"
                            + " daemon text NOT NULL, began timestamptz NOT NULL, ended timestamptz)");
                    s.execute("CREATE FUNCTION slowly() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM"
                            + " pg_advisory_lock(" + HOLD_LOCK + "); PERFORM pg_advisory_unlock(" + HOLD_LOCK + ");"
                            + " RETURN NEW; END $$");
                    s.execute("SELECT pg_advisory_lock(" + HOLD_LOCK + ")"); // held until the link is cut
                }
                scenario.run(new Partition(link, url, cutUrl, user, c, client, daemons));
            }
        } finally {
            for (Process p : daemons) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs {@code sql}. */
    private static void execute(Connection c, String sql) throws java.sql.SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The database may answer the held statement now: its answer goes out on a link that is cut. */
    private static void releaseHeldAnswer(Connection c) throws java.sql.SQLException {
        execute(c, "SELECT pg_advisory_unlock(" + HOLD_LOCK + ")");
    }

    /** Waits until a statement waits in the trigger: the database has done its part and holds the answer. */
    private static void awaitHeldAnswer(Connection c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!answerHeld(c) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(answerHeld(c), "a statement of the daemon to be cut off is under way");
    }

    /** Waits (up to a minute) for job {@code id} to be done. */
    private static void awaitDone(PostgresJobStore client, Job job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (client.get(job.id()).orElseThrow().state() != JobState.DONE && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(JobState.DONE, client.get(job.id()).orElseThrow().state(), "the other daemon ran the queue's next job");
    }

    @Test
    void aDaemonCutOffNeverActsAlongsideTheOneThatTookItsWorkOver() throws Exception {
        partition(p -> {
            Path steps = dir.resolve("steps");
            // the database confirms the sixth step, then takes its time to answer: the link is cut while it does,
            // so the answer arrives only once the link is back, long after the lease expired
            execute(p.sql(), "CREATE TRIGGER slow_step AFTER INSERT ON vagoth_job_steps FOR EACH ROW"
                    + " WHEN (NEW.step = 'operation " + SLOW_STEP + "') EXECUTE FUNCTION slowly()");
            p.daemon(true, "d0", steps);
            Job first = p.client().create("vm1", "steps", Map.of("count", "400"), TX);
            Job next = p.client().create("vm1", "noop", Map.of("queue", "vm1"), TX);
            p.daemon(false, "d1", steps);
            awaitHeldAnswer(p.sql());
            assertTrue(lines(steps).size() >= SLOW_STEP, "the cut-off daemon runs the first job: " + lines(steps));

            p.link().cut();
            releaseHeldAnswer(p.sql());
            awaitDone(p.client(), next);
            assertEquals(JobState.INTERRUPTED, p.client().get(first.id()).orElseThrow().state(),
                    "the cut-off daemon's job, once its lease expired");
            long nextBegan = began(p.sql(), next);

            p.link().heal(); // the cut-off daemon's waiting statements now go through
            Thread.sleep(3 * LEASE_MS);
            List<String> late = new ArrayList<>();
            for (String line : lines(steps)) {
                String[] f = line.split(" ");
                if (f[0].equals(first.id()) && Long.parseLong(f[2]) >= nextBegan) {
                    late.add("operation " + f[1] + " began " + (Long.parseLong(f[2]) - nextBegan) + " ms after");
                }
            }
            assertEquals(List.of(), late, "operations of the cut-off daemon's job after the other daemon's began");
            assertEquals(JobState.INTERRUPTED, p.client().get(first.id()).orElseThrow().state(),
                    "nothing the cut-off daemon did later changed the record");
        });
    }

    @Test
    void aClaimWhoseAnswerCameAfterThePartitionIsNotRun() throws Exception {
        partition(p -> {
            // the database grants the claim, then takes its time to answer; the link is cut meanwhile
            execute(p.sql(), "CREATE TRIGGER slow_claim AFTER UPDATE ON vagoth_jobs FOR EACH ROW"
                    + " WHEN (OLD.state = 'queued' AND NEW.state = 'running' AND NEW.args->>'slow' = 'claim')"
                    + " EXECUTE FUNCTION slowly()");
            p.daemon(true, "d0", dir.resolve("steps"));
            Job first = p.client().create("vm1", "noop", Map.of("queue", "vm1", "slow", "claim"), TX);
            awaitHeldAnswer(p.sql());
            p.link().cut();
            releaseHeldAnswer(p.sql());
            Job next = p.client().create("vm1", "noop", Map.of("queue", "vm1"), TX);
            p.daemon(false, "d1", dir.resolve("steps"));
            awaitDone(p.client(), next);
            assertEquals(JobState.INTERRUPTED, p.client().get(first.id()).orElseThrow().state(),
                    "the job claimed by the cut-off daemon, once its lease expired");

            p.link().heal(); // the claim's answer reaches the cut-off daemon now
            Thread.sleep(3 * LEASE_MS);
            try (Statement s = p.sql().createStatement(); ResultSet r = s.executeQuery(
                    "SELECT daemon FROM runs WHERE job = '" + first.id() + "'")) {
                assertTrue(!r.next(), "the cut-off daemon ran a job it was granted before the partition, after"
                        + " another daemon had taken the queue over");
            }
            assertEquals(JobState.INTERRUPTED, p.client().get(first.id()).orElseThrow().state());
        });
    }

    /** When {@code job}'s run began, by the database's clock (ms since the epoch). */
    private static long began(Connection c, Job job) throws java.sql.SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT (extract(epoch FROM began) * 1000)::bigint FROM runs WHERE job = '" + job.id() + "'")) {
            assertTrue(r.next(), "the next job's run is recorded");
            return r.getLong(1);
        }
    }

    private static List<String> command(String url, String user, String name, Path steps) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), JobDaemon.class.getName(), url, user, String.valueOf(LEASE_MS),
                "2", name, "100", steps.toString());
    }

    static Process daemon(List<String> command, String name) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("ready "), "daemon " + name + " started: " + line);
        return p;
    }

    /** Whether a statement waits on the hold lock in the trigger. */
    private static boolean answerHeld(Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
            return r.next() && r.getInt(1) > 0;
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
