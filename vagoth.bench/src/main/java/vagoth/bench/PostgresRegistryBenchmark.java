package vagoth.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import vagoth.registry.postgres.internal.PostgresRegistry;
import vagoth.testing.PostgresServer;

/**
 * The registry on PostgreSQL, on a real server this harness starts (Debian's
 * binaries, a temporary directory). For each size: fills a fresh database with
 * 16 writers, times 2,000 single-writer adds, 200,000 in-process lookups each
 * by id, name and key, opening a second registry on the filled database (as a
 * daemon starting), and how long a change made through one registry takes to
 * reach the other's lookups (200 changes).
 *
 * <p>Usage: {@code vagoth.bench/run PostgresRegistryBenchmark [size...]}
 * (default 10000 100000). Each operation is timed one by one with
 * {@link System#nanoTime()}.
 */
public final class PostgresRegistryBenchmark {
    private static final int WRITERS = 16;
    private static final int SINGLE_ADDS = 2000;
    private static final int LOOKUPS = 200_000;
    private static final int VISIBILITY = 200;

    private PostgresRegistryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long[] sizes = args.length == 0 ? new long[] {10_000, 100_000}
                : Arrays.stream(args).mapToLong(Long::parseLong).toArray();
        try (PostgresServer server = PostgresServer.start()) {
            System.out.println("| nodes | fill, 16 writers (adds/s) | single-writer add (mean us, adds/s) "
                    + "| get by id / name / key (median ns) | open on the filled database (ms) "
                    + "| change seen by another registry (p50 / p99 ms) |");
            System.out.println("|---|---|---|---|---|---|");
            for (long n : sizes) {
                System.out.println(run(server, n));
            }
        }
    }

    private static String run(PostgresServer server, long n) throws Exception {
        String url = server.database("bench" + n);
        try (PostgresRegistry r = new PostgresRegistry(url, server.user(), "")) {
            double fill = fill(r, n);
            long t0 = System.nanoTime();
            for (long i = n; i < n + SINGLE_ADDS; i++) {
                r.addNode(Nodes.vm(i, null));
            }
            double addUs = (System.nanoTime() - t0) / 1e3 / SINGLE_ADDS;
            long total = n + SINGLE_ADDS;
            String lookups = median(() -> r.getNode(Nodes.vmId(random(total)))) + " / "
                    + median(() -> r.getNodeByName("name-" + random(total))) + " / "
                    + median(() -> r.getNodeByKey(Nodes.ip(random(total))));
            long o0 = System.nanoTime();
            try (PostgresRegistry other = new PostgresRegistry(url, server.user(), "")) {
                double openMs = (System.nanoTime() - o0) / 1e6;
                String seen = visibility(r, other);
                return String.format("| %,d | %,.0f | %.0f us, %,.0f/s | %s | %,.0f | %s |", n, fill, addUs,
                        1e6 / addUs, lookups, openMs, seen);
            }
        }
    }

    private static double fill(PostgresRegistry r, long n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        AtomicLong next = new AtomicLong();
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            fs.add(pool.submit(() -> {
                for (long i; (i = next.getAndIncrement()) < n;) {
                    r.addNode(Nodes.vm(i, null));
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static long random(long bound) {
        return ThreadLocalRandom.current().nextLong(bound);
    }

    private static long median(Runnable lookup) {
        long[] t = new long[LOOKUPS];
        for (int i = 0; i < LOOKUPS; i++) {
            long t0 = System.nanoTime();
            lookup.run();
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        return t[LOOKUPS / 2];
    }

    /** A change through {@code a}, then how long until {@code b}'s lookups show it (b is told by notification). */
    private static String visibility(PostgresRegistry a, PostgresRegistry b) throws InterruptedException {
        double[] ms = new double[VISIBILITY];
        for (int i = 0; i < VISIBILITY; i++) {
            String id = Nodes.vmId(i);
            String value = String.valueOf(i);
            a.updateMetadata(id, Map.of("seen", value), List.of());
            long t0 = System.nanoTime();
            while (!value.equals(b.getNode(id).metadata().get("seen"))) {
                Thread.onSpinWait();
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
            Thread.sleep(5);
        }
        Arrays.sort(ms);
        return String.format("%.1f / %.1f", ms[VISIBILITY / 2], ms[VISIBILITY * 99 / 100]);
    }
}
