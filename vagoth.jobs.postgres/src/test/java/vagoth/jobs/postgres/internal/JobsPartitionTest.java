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
@Timeout(240)
class JobsPartitionTest {
    private static final Transaction TX = new Transaction("0c0ffee1", "test");
    private static final long LEASE_MS = 3000;
    /** The step whose answer the database holds back, and for how long (seconds). */
    private static final int SLOW_STEP = 5;
    private static final int SLOW_STEP_S = 2;
    @TempDir
    Path dir;

    @Test
    void aDaemonCutOffNeverActsAlongsideTheOneThatTookItsWorkOver() throws Exception {
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
            Path steps = dir.resolve("steps");
            try (Connection c = DriverManager.getConnection(url, user, "");
                    PostgresJobStore client = new PostgresJobStore(url, user, "", Duration.ofSeconds(30))) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE runs (n bigserial, job text NOT NULL, queue text NOT NULL,"
                            + " daemon text NOT NULL, began timestamptz NOT NULL, ended timestamptz)");
                    // the database confirms the sixth step, then takes its time to answer: the link is cut while
                    // it does, so the answer arrives only once the link is back, long after the lease expired
                    s.execute("CREATE FUNCTION slow_step() RETURNS trigger LANGUAGE plpgsql AS"
                            + " $$ BEGIN PERFORM pg_sleep(" + SLOW_STEP_S + "); RETURN NEW; END $$");
                    s.execute("CREATE TRIGGER slow_step AFTER INSERT ON vagoth_job_steps FOR EACH ROW"
                            + " WHEN (NEW.step = 'operation " + SLOW_STEP + "') EXECUTE FUNCTION slow_step()");
                }
                daemons.add(daemon(link.inside(command(cutUrl, user, "d0", steps)), "d0"));
                Job first = client.create("vm1", "steps", Map.of("count", "400"), TX);
                Job next = client.create("vm1", "noop", Map.of("queue", "vm1"), TX);
                daemons.add(daemon(command(url, user, "d1", steps), "d1"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!stepSleeping(c) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(lines(steps).size() >= SLOW_STEP, "the cut-off daemon runs the first job: " + lines(steps));
                assertTrue(stepSleeping(c), "the slow step is under way");

                link.cut();
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (client.get(next.id()).orElseThrow().state() != JobState.DONE && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(JobState.DONE, client.get(next.id()).orElseThrow().state(),
                        "the other daemon ran the queue's next job");
                assertEquals(JobState.INTERRUPTED, client.get(first.id()).orElseThrow().state(),
                        "the cut-off daemon's job, once its lease expired");
                long nextBegan;
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                        "SELECT (extract(epoch FROM began) * 1000)::bigint FROM runs WHERE job = '" + next.id() + "'")) {
                    assertTrue(r.next(), "the next job's run is recorded");
                    nextBegan = r.getLong(1);
                }

                link.heal(); // the cut-off daemon's waiting statements now go through
                Thread.sleep(3 * LEASE_MS);
                List<String> late = new ArrayList<>();
                for (String line : lines(steps)) {
                    String[] f = line.split(" ");
                    if (f[0].equals(first.id()) && Long.parseLong(f[2]) >= nextBegan) {
                        late.add("operation " + f[1] + " began " + (Long.parseLong(f[2]) - nextBegan) + " ms after");
                    }
                }
                assertEquals(List.of(), late, "operations of the cut-off daemon's job after the other daemon's began");
                assertEquals(JobState.INTERRUPTED, client.get(first.id()).orElseThrow().state(),
                        "nothing the cut-off daemon did later changed the record");
            }
        } finally {
            for (Process p : daemons) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> command(String url, String user, String name, Path steps) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), JobDaemon.class.getName(), url, user, String.valueOf(LEASE_MS),
                "2", name, "100", steps.toString());
    }

    private static Process daemon(List<String> command, String name) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("ready "), "daemon " + name + " started: " + line);
        return p;
    }

    /** Whether the slow step's statement is in its trigger's sleep. */
    private static boolean stepSleeping(Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")) {
            return r.next() && r.getInt(1) > 0;
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
