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
 * the other daemon's job did.
 */
@Timeout(240)
class JobsPartitionTest {
    private static final Transaction TX = new Transaction("0c0ffee1", "test");
    private static final long LEASE_MS = 2000;
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
                }
                daemons.add(daemon(link.inside(command(cutUrl, user, "d0", steps)), "d0"));
                Job first = client.create("vm1", "steps", Map.of("count", "400"), TX);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (lines(steps).size() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(lines(steps).size() >= 3, "the cut-off daemon runs the first job");
                Job next = client.create("vm1", "noop", Map.of("queue", "vm1"), TX);
                daemons.add(daemon(command(url, user, "d1", steps), "d1"));

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

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
