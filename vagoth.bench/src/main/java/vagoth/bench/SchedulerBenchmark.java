package vagoth.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.framework.Constants;

import vagoth.api.action.Action;
import vagoth.core.internal.VagothManager;
import vagoth.jobs.file.internal.FileJobStore;
import vagoth.registry.file.internal.FileRegistry;
import vagoth.scheduler.sync.internal.SyncScheduler;
import vagoth.scheduler.thread.internal.ThreadScheduler;

/**
 * No-op jobs through the threaded scheduler across 1, 10 and 1,000 queues,
 * with job records kept in memory and written to disk in batches (every
 * 20 ms, as configured by default). One thread schedules {@code JOBS} jobs
 * round-robin over the queues; the time is from the first schedule until the
 * last job has run. Every job checks that it runs after the previous job of
 * its queue; violations are counted. Then the cost of a job record: no-op
 * actions run directly through the manager, against the same actions through
 * the inline scheduler, which records each as a job (create, start, finish).
 *
 * <p>Usage: {@code vagoth.bench/run SchedulerBenchmark [jobs] [threads]}
 * (defaults 200000 and 4).
 */
public final class SchedulerBenchmark {
    private SchedulerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // action lines are not printed: this measures the scheduler, not a console
        java.util.logging.LogManager.getLogManager().reset();
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path base = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "/var/tmp")), "vagoth-sched-");
        System.out.println("| queues | jobs | threads | jobs/s | order violations |");
        System.out.println("|---|---|---|---|---|");
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            for (int queues : new int[] {1, 10, 1000}) {
                String row = throughput(base.resolve(round + "-" + queues), jobs, queues, threads);
                if (round == 1) {
                    System.out.println(row);
                }
            }
        }
        System.out.println();
        System.out.println(recordOverhead(base.resolve("overhead"), 200_000));
    }

    private static String throughput(Path dir, int jobs, int queues, int threads) throws Exception {
        try (FileRegistry registry = new FileRegistry(dir.resolve("registry"), 1 << 22);
                FileJobStore store = new FileJobStore(dir.resolve("jobs"), 20, Duration.ofDays(1), 1_000_000,
                        Clock.systemUTC())) {
            VagothManager manager = new VagothManager("bench", 0, null);
            manager.bindRegistry(registry);
            manager.bindJobs(store);
            CountDownLatch done = new CountDownLatch(jobs);
            Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
            AtomicLong violations = new AtomicLong();
            manager.addAction((ctx, a) -> {
                long seq = Long.parseLong(a.get("seq"));
                AtomicLong last = lastSeq.computeIfAbsent(a.get("q"), q -> new AtomicLong(-1));
                if (last.getAndSet(seq) >= seq) {
                    violations.incrementAndGet();
                }
                done.countDown();
                return null;
            }, Map.of(Action.NAME, "noop", Constants.SERVICE_ID, 1L));
            ThreadScheduler scheduler = new ThreadScheduler(manager, store, threads, 60);
            manager.bindScheduler(scheduler);
            String[] names = new String[queues];
            for (int q = 0; q < queues; q++) {
                names[q] = "q" + q;
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < jobs; i++) {
                String q = names[i % queues];
                scheduler.schedule(q, "noop", Map.of("q", q, "seq", String.valueOf(i)));
            }
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("jobs did not finish");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            scheduler.stop();
            return String.format("| %d | %,d | %d | %,.0f | %d |", queues, jobs, threads, jobs / seconds, violations.get());
        }
    }

    private static String recordOverhead(Path dir, int n) throws Exception {
        try (FileRegistry registry = new FileRegistry(dir.resolve("registry"), 1 << 22);
                FileJobStore store = new FileJobStore(dir.resolve("jobs"), 20, Duration.ofDays(1), 1_000_000,
                        Clock.systemUTC())) {
            VagothManager manager = new VagothManager("bench", 0, null);
            manager.bindRegistry(registry);
            manager.bindJobs(store);
            manager.addAction((ctx, a) -> null, Map.of(Action.NAME, "noop", Constants.SERVICE_ID, 1L));
            SyncScheduler sync = new SyncScheduler(manager, store);
            Map<String, String> args = Map.of("node", "vm1");
            double direct = 0;
            double recorded = 0;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    manager.action("noop", args);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    sync.schedule("vm1", "noop", args);
                }
                long t2 = System.nanoTime();
                direct = (t1 - t0) / (double) n;
                recorded = (t2 - t1) / (double) n;
            }
            return String.format("| per action | ns |%n|---|---|%n| manager.action, no job record | %.0f |%n"
                    + "| inline scheduler, job recorded (create, start, finish; written in batches) | %.0f |%n"
                    + "| overhead of the job record | %.0f |", direct, recorded, recorded - direct);
        }
    }
}
