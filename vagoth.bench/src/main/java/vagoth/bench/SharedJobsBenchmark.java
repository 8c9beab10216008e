package vagoth.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import vagoth.api.job.Transaction;
import vagoth.jobs.postgres.internal.PostgresJobStore;
import vagoth.scheduler.thread.internal.ThreadScheduler;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.PostgresServer;
import vagoth.testing.TestManager;

/**
 * Jobs across daemons on the PostgreSQL job records: a backlog of no-op jobs
 * over many queues (queued one per queue in turn, as many VMs each asked for
 * something; then each queue's jobs together, the worst case for finding a
 * queue's turn), then three daemon processes (each the threaded scheduler
 * on the shared store) claim and complete them. The rate is the jobs over the
 * time from the first claim to the last completion, by the database's clock.
 * Checked after each run, from the records: every job done, each claimed once
 * (fencing epoch 1), the daemons' own counts of runs adding up to the jobs,
 * and in every queue each job started only after the one before it finished.
 * Before the measured backlog, the three daemons run the 15,000 jobs of a
 * warm-up database together: the figure is that of running daemons, not of
 * JVMs compiling their code.
 *
 * <p>Usage: {@code vagoth.bench/run SharedJobsBenchmark [jobs] [queues] [threads per daemon] [runs]}
 * (default 30000 1000 16 5).
 */
public final class SharedJobsBenchmark {
    private static final int DAEMONS = 3;
    /** Jobs the daemons run first, on a database of their own, before anything is measured. */
    private static final int WARM_UP = 15_000;
    private static final Duration CLIENT_LEASE = Duration.ofMinutes(10);

    private SharedJobsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("daemon")) {
            daemon(args[1], args[2], args[3], Integer.parseInt(args[4]));
            return;
        }
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
        int queues = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        try (PostgresServer server = PostgresServer.start()) {
            System.out.println("| queued as | jobs | queues | daemons x threads | queued (jobs/s, 16 clients) "
                    + "| claimed and completed (jobs/s) | order violations | double runs |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (boolean bursts : new boolean[] {false, true}) {
                for (int r = 0; r < runs; r++) {
                    System.out.println(run(server, "jobs" + r + bursts, jobs, queues, threads, bursts));
                }
            }
        }
    }

    private static String run(PostgresServer server, String db, int jobs, int queues, int threads, boolean bursts) throws Exception {
        String url = server.database(db);
        String warmUrl = server.database(db + "warm");
        // the queueing side holds its leases long: renewing a whole backlog every few seconds is not a
        // daemon's work (each daemon's own queued jobs are few), and would be measured with the claims
        try (PostgresJobStore client = new PostgresJobStore(url, server.user(), "", CLIENT_LEASE);
                PostgresJobStore warmClient = new PostgresJobStore(warmUrl, server.user(), "", CLIENT_LEASE)) {
            backlog(warmClient, WARM_UP, queues, false);
            List<Process> daemons = new ArrayList<>();
            long ran = 0;
            try {
                for (int d = 0; d < DAEMONS; d++) {
                    daemons.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                            SharedJobsBenchmark.class.getName(), "daemon", warmUrl, url, server.user(),
                            String.valueOf(threads)).redirectError(ProcessBuilder.Redirect.INHERIT).start());
                }
                try (Connection w = DriverManager.getConnection(warmUrl, server.user(), "")) {
                    await(w, "the warm-up");
                }
                double queued = backlog(client, jobs, queues, bursts);
                for (Process p : daemons) {
                    p.getOutputStream().write('\n'); // go
                    p.getOutputStream().flush();
                }
                try (Connection c = DriverManager.getConnection(url, server.user(), "")) {
                    await(c, "the measured jobs");
                    for (Process p : daemons) {
                        try (OutputStream in = p.getOutputStream()) {
                            in.write('\n'); // report your runs
                        }
                        ran += Long.parseLong(new BufferedReader(new InputStreamReader(p.getInputStream(),
                                StandardCharsets.UTF_8)).readLine().strip());
                    }
                    double seconds = seconds(c, "SELECT extract(epoch FROM max(finished) - min(started)) FROM vagoth_jobs");
                    long reclaimed = count(c, "SELECT count(*) FROM vagoth_jobs WHERE epoch <> 1");
                    long violations = count(c, "SELECT count(*) FROM (SELECT started, lag(finished) OVER"
                            + " (PARTITION BY queue ORDER BY seq) AS before FROM vagoth_jobs) q WHERE started < before");
                    return String.format("| %s | %,d | %,d | %d x %d | %,.0f | %,.0f | %d | %d |",
                            bursts ? "each queue's together" : "one per queue in turn", jobs, queues, DAEMONS,
                            threads, queued, jobs / seconds, violations, reclaimed + Math.abs(ran - jobs));
                }
            } finally {
                for (Process p : daemons) {
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Queues the jobs from 16 threads, each queue's in order; returns jobs queued per second. */
    private static double backlog(PostgresJobStore client, int jobs, int queues, boolean bursts) throws Exception {
        Transaction tx = new Transaction("0000beef", "bench");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger next = new AtomicInteger();
        Object[] locks = new Object[queues];
        java.util.Arrays.setAll(locks, i -> new Object());
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < 16; w++) {
            fs.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < jobs;) {
                    // bursts: each queue's jobs one after the other; else one job per queue in turn
                    int q = bursts ? i / (jobs / queues) : i % queues;
                    synchronized (locks[q]) { // a queue's jobs in order
                        client.create("q" + q, "noop", Map.of("i", String.valueOf(i)), tx);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        return jobs / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * A daemon: the threaded scheduler on a shared store. It first runs the
     * warm-up database's jobs (so that what is measured is a running daemon,
     * not a JVM compiling its code), then, told to on its input, the measured
     * database's; on the next line it prints how many of those it ran.
     */
    private static void daemon(String warmUrl, String url, String user, int threads) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        AtomicLong runs = new AtomicLong();
        PostgresJobStore warmStore = new PostgresJobStore(warmUrl, user, "", Duration.ofSeconds(30));
        TestManager warm = new TestManager("daemon", new MemoryRegistry()).jobs(warmStore);
        warm.action("noop", (context, a) -> null);
        ThreadScheduler warmScheduler = new ThreadScheduler(warm, warmStore, threads, 5);
        warm.scheduler(warmScheduler);
        in.readLine(); // go
        warmScheduler.stop();
        warmStore.close();
        PostgresJobStore store = new PostgresJobStore(url, user, "", Duration.ofSeconds(30));
        TestManager manager = new TestManager("daemon", new MemoryRegistry()).jobs(store);
        manager.action("noop", (context, a) -> {
            runs.incrementAndGet();
            return null;
        });
        ThreadScheduler scheduler = new ThreadScheduler(manager, store, threads, 5);
        manager.scheduler(scheduler);
        in.readLine(); // report
        System.out.println(runs.get());
        System.out.flush();
        scheduler.stop();
        store.close();
    }

    /** Until every job of the database is done (ten minutes at most). */
    private static void await(Connection c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (count(c, "SELECT count(*) FROM vagoth_jobs WHERE state <> 'done'") > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not finish in 10 minutes");
            }
            Thread.sleep(100);
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static double seconds(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getDouble(1);
        }
    }
}
