package vagoth.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import vagoth.api.Node;
import vagoth.api.job.Transaction;
import vagoth.jobs.postgres.internal.PostgresJobStore;
import vagoth.registry.postgres.internal.PostgresRegistry;
import vagoth.scheduler.thread.internal.ThreadScheduler;
import vagoth.testing.PostgresServer;
import vagoth.testing.TestManager;

/**
 * A daemon through a failover: a primary and a synchronous streaming standby
 * (Debian's binaries, started here), a daemon's registry and job records on a
 * URL naming both ({@code targetServerType=primary}), one thread adding nodes
 * and one scheduling no-op jobs that the threaded scheduler runs. The primary
 * is killed with SIGKILL and the standby promoted ({@code pg_ctl promote -w});
 * measured from the promotion's end: until the next registry change is
 * acknowledged, and until the next job completes. Nothing is restarted by
 * hand.
 *
 * <p>Usage: {@code vagoth.bench/run FailoverBenchmark [runs]} (default 5).
 */
public final class FailoverBenchmark {
    private FailoverBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        java.util.logging.LogManager.getLogManager().reset();
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        double[] writes = new double[runs];
        double[] jobs = new double[runs];
        double[] promotion = new double[runs];
        System.out.println("| run | promotion (s) | registry writing again (s after promotion) "
                + "| jobs completing again (s after promotion) |");
        System.out.println("|---|---|---|---|");
        for (int r = 0; r < runs; r++) {
            double[] t = run();
            promotion[r] = t[0];
            writes[r] = t[1];
            jobs[r] = t[2];
            System.out.printf("| %d | %.2f | %.2f | %.2f |%n", r + 1, t[0], t[1], t[2]);
        }
        System.out.printf("| median | %.2f | %.2f | %.2f |%n", median(promotion), median(writes), median(jobs));
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** @return seconds: the promotion, then until a write is acknowledged and a job completes after it */
    private static double[] run() throws Exception {
        try (PostgresServer primary = PostgresServer.start(); PostgresServer standby = primary.standby()) {
            primary.synchronousReplication();
            String url = primary.failoverUrl(standby);
            // the first write and job completion after the promotion (until then: the latest)
            AtomicLong promotedAt = new AtomicLong(Long.MAX_VALUE);
            AtomicLong lastWrite = new AtomicLong();
            AtomicLong lastJob = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            try (PostgresRegistry registry = new PostgresRegistry(url, primary.user(), "");
                    PostgresJobStore store = new PostgresJobStore(url, primary.user(), "", Duration.ofSeconds(30))) {
                TestManager manager = new TestManager("daemon", registry).jobs(store);
                manager.action("noop", (context, a) -> {
                    mark(lastJob, promotedAt);
                    return null;
                });
                ThreadScheduler scheduler = new ThreadScheduler(manager, store, 8, 30);
                manager.scheduler(scheduler);
                Thread writer = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            registry.addNode(Node.of("n" + i, "n" + i, "vm"));
                            mark(lastWrite, promotedAt);
                        } catch (RuntimeException e) {
                            pause();
                        }
                    }
                });
                Transaction tx = new Transaction("0000f00d", "bench");
                Thread client = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String queue = "q" + (i % 20);
                        try {
                            manager.inTransaction(tx, () -> scheduler.schedule(queue, "noop", Map.of()));
                        } catch (RuntimeException e) {
                            pause();
                        }
                        pause();
                    }
                });
                writer.start();
                client.start();
                Thread.sleep(2_000);
                primary.kill();
                long p0 = System.nanoTime();
                standby.promote();
                long promoted = System.nanoTime();
                promotedAt.set(promoted);
                long deadline = promoted + Duration.ofMinutes(2).toNanos();
                while ((lastWrite.get() < promoted || lastJob.get() < promoted) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                stop.set(true);
                writer.join(60_000);
                client.join(60_000);
                scheduler.stop();
                return new double[] {(promoted - p0) / 1e9, seconds(lastWrite.get(), promoted),
                        seconds(lastJob.get(), promoted)};
            }
        }
    }

    /** Notes the time, unless one after the promotion is noted already. */
    private static void mark(AtomicLong at, AtomicLong promoted) {
        long now = System.nanoTime();
        at.getAndUpdate(before -> before >= promoted.get() ? before : now);
    }

    private static double seconds(long at, long from) {
        return at < from ? Double.NaN : (at - from) / 1e9;
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
