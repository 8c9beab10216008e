package vagoth.jobs.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import vagoth.api.job.Job;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.testing.PostgresServer;

/**
 * Three daemons, each a process of its own, run the jobs of one shared
 * database: 3,000 jobs over 300 queues, while one daemon is killed with
 * SIGKILL. No job runs twice, each queue keeps its order and runs one job at a
 * time across the daemons, the dead daemon's running jobs are
 * {@code interrupted} and the others finish everything else.
 */
@Tag("postgres") // a PostgreSQL server of its own: left out of the fast tier
@Timeout(300)
class SharedQueuesTest {
    private static final int DAEMONS = 3;
    private static final int QUEUES = 300;
    private static final int JOBS = 3_000;
    private static final int THREADS = 8;
    /** Jobs queued before the daemons start. */
    private static final int BACKLOG = 2_000;
    private static final Duration LEASE = Duration.ofSeconds(2);
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();

    private record Run(String job, String daemon, Timestamp began, Timestamp ended) {
    }

    @Test
    void threeDaemonsOneKilledRunEachJobOnceInItsQueuesOrder() throws Exception {
        String url = PG.server().database("shared");
        String user = PG.server().user();
        List<Process> daemons = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, "");
                PostgresJobStore client = new PostgresJobStore(url, user, "", LEASE)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE runs (n bigserial, job text NOT NULL, queue text NOT NULL, daemon text NOT NULL,"
                        + " began timestamptz NOT NULL, ended timestamptz)");
            }
            Transaction tx = new Transaction("00c0ffee", "test");
            List<String> order = new ArrayList<>(); // job ids in the order they were queued; per queue, the run order
            Map<String, String> queueOf = new HashMap<>();
            boolean killed = false;
            for (int i = 0; i < JOBS; i++) {
                // a queue's jobs one after the other: its next job is next in line while the last one runs
                String queue = "vm" + (i / (JOBS / QUEUES));
                Job j = client.create(queue, "noop", Map.of("queue", queue), tx);
                order.add(j.id());
                queueOf.put(j.id(), queue);
                if (i == BACKLOG) { // every queue has work waiting: the daemons contend for each
                    for (int d = 0; d < DAEMONS; d++) {
                        daemons.add(daemon(url, user, "d" + d));
                    }
                }
                if (!killed && !daemons.isEmpty() && count(c, "SELECT count(*) FROM runs WHERE daemon = 'd0'") > 100) {
                    daemons.get(0).destroyForcibly(); // SIGKILL, mid-run
                    daemons.get(0).waitFor(30, TimeUnit.SECONDS);
                    killed = true;
                }
            }
            assertTrue(killed, "the first daemon ran jobs before it was killed");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (count(c, "SELECT count(*) FROM vagoth_jobs WHERE state IN ('queued', 'running')") > 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(0, count(c, "SELECT count(*) FROM vagoth_jobs WHERE state IN ('queued', 'running')"),
                    "every job ended");

            Map<String, List<Run>> runs = new HashMap<>();
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT job, daemon, began, ended FROM runs ORDER BY began, n")) {
                while (r.next()) {
                    runs.computeIfAbsent(r.getString(1), k -> new ArrayList<>())
                            .add(new Run(r.getString(1), r.getString(2), r.getTimestamp(3), r.getTimestamp(4)));
                }
            }
            Map<String, JobState> states = new HashMap<>();
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT id, state FROM vagoth_jobs")) {
                while (r.next()) {
                    states.put(r.getString(1), JobState.valueOf(r.getString(2).toUpperCase(java.util.Locale.ROOT)));
                }
            }
            int interrupted = 0;
            for (String id : order) {
                List<Run> ran = runs.getOrDefault(id, List.of());
                assertTrue(ran.size() <= 1, () -> "job " + id + " ran twice: " + ran);
                JobState state = states.get(id);
                if (state == JobState.DONE) {
                    assertEquals(1, ran.size(), () -> "job " + id + " is done but ran " + ran.size() + " times");
                } else {
                    assertEquals(JobState.INTERRUPTED, state, () -> "job " + id);
                    interrupted++;
                    assertTrue(ran.isEmpty() || ran.get(0).daemon().equals("d0"),
                            () -> "only the killed daemon's jobs are interrupted: " + ran);
                }
            }
            assertTrue(interrupted <= THREADS, interrupted + " interrupted: at most the killed daemon's running jobs");
            // per queue: the runs in the order queued, and one at a time
            Map<String, Run> lastOfQueue = new HashMap<>();
            for (String id : order) {
                List<Run> ran = runs.getOrDefault(id, List.of());
                if (ran.isEmpty()) {
                    continue;
                }
                Run now = ran.get(0);
                Run before = lastOfQueue.put(queueOf.get(id), now);
                if (before != null) {
                    assertTrue(before.ended() != null || before.daemon().equals("d0"),
                            () -> "an earlier run of the queue never ended: " + before);
                    Timestamp after = before.ended() != null ? before.ended() : before.began();
                    assertTrue(!now.began().before(after), () -> "queue " + queueOf.get(id) + ": " + now
                            + " began before the earlier " + before + " ended");
                }
            }
            for (int d = 1; d < DAEMONS; d++) {
                String name = "d" + d;
                assertTrue(count(c, "SELECT count(*) FROM runs WHERE daemon = '" + name + "'") > 0, name + " ran jobs");
            }
        } finally {
            for (Process p : daemons) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static Process daemon(String url, String user, String name) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), JobDaemon.class.getName(), url, user,
                String.valueOf(LEASE.toMillis()), String.valueOf(THREADS), name, "5")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("ready "), "daemon " + name + " started: " + line);
        return p;
    }
}
