package vagoth.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.registry.file.internal.FileRegistry;

/**
 * The file registry at several sizes. For each size: fills a fresh registry
 * with concurrent writers (group commit), then times, on that registry,
 * durable single-writer adds, lookups by id, name and key, updateMetadata,
 * setParent and filtered queries; finally opens it in a fresh JVM, as a
 * one-shot command does, and measures open time and heap per node.
 *
 * <p>Usage: {@code vagoth.bench/run RegistryBenchmark [size...]} (default
 * 1000 10000 100000). Each timed operation is measured one by one with
 * {@link System#nanoTime()}; medians are reported.
 */
public final class RegistryBenchmark {
    private static final int WRITERS = 16;
    private static final int SINGLE_ADDS = 2000;
    private static final int LOOKUPS = 200_000;
    private static final int UPDATES = 2000;
    private static final int QUERIES = 50;

    private RegistryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long[] sizes = args.length == 0 ? new long[] {1000, 10_000, 100_000}
                : Arrays.stream(args).mapToLong(Long::parseLong).toArray();
        Path base = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "/var/tmp")), "vagoth-bench-");
        System.out.println("| nodes | fill, 16 writers (adds/s) | single-writer add (us, adds/s) | get by id / name / key (median ns) "
                + "| updateMetadata (us) | setParent (us) | query type=hv / parent / tenant+tag / state (ms) "
                + "| open in fresh JVM (ms) | heap per node (bytes) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (long n : sizes) {
            System.out.println(run(base.resolve(String.valueOf(n)), n));
        }
        if (!Boolean.getBoolean("bench.keep")) {
            deleteTree(base);
        } else {
            System.out.println("kept: " + base);
        }
    }

    private static String run(Path dir, long n) throws Exception {
        long hvs = Math.max(10, n / 100);
        StringBuilder row = new StringBuilder("| " + n + " | ");
        try (FileRegistry r = new FileRegistry(dir, 4L * 1024 * 1024)) {
            for (long h = 0; h < hvs; h++) {
                r.addNode(Node.of(Nodes.hvId(h), Nodes.hvId(h), "hv"));
            }
            long t0 = System.nanoTime();
            fill(r, 0, n, hvs);
            double fillRate = n / seconds(System.nanoTime() - t0);
            row.append(String.format("%,.0f | ", fillRate));

            long[] add = timeEach(SINGLE_ADDS, i -> r.addNode(Nodes.vm(n + i, null)));
            row.append(String.format("%.0f us, %,.0f/s | ", mean(add) / 1000, 1e9 / mean(add)));

            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            long[] byId = timeEach(LOOKUPS, i -> r.findNode(Nodes.vmId(rnd.nextLong(n))));
            long[] byName = timeEach(LOOKUPS, i -> r.findNodeByName("name-" + rnd.nextLong(n)));
            long[] byKey = timeEach(LOOKUPS, i -> r.findNodeByKey(Nodes.ip(rnd.nextLong(n))));
            row.append(String.format("%d / %d / %d | ", median(byId), median(byName), median(byKey)));

            long[] upd = timeEach(UPDATES, i -> r.updateMetadata(Nodes.vmId(rnd.nextLong(n)),
                    Map.of("load", String.valueOf(i), "mem_free", "1024"), List.of()));
            row.append(String.format("%.0f | ", mean(upd) / 1000));

            long[] parent = new long[UPDATES / 2];
            for (int i = 0; i < parent.length; i++) {
                String id = Nodes.vmId(n + i);
                long s = System.nanoTime();
                r.setParent(id, Nodes.hvId(i % hvs));
                parent[i] = System.nanoTime() - s;
            }
            row.append(String.format("%.0f | ", mean(parent) / 1000));

            double qType = medianMs(QUERIES, () -> r.getNodes(NodeQuery.all().withType("hv")));
            double qParent = medianMs(QUERIES, () -> r.getNodes(NodeQuery.all().withParent(Nodes.hvId(7))));
            double qTag = medianMs(QUERIES, () -> r.getNodes(NodeQuery.all().withTenant("t3").withTag("env", "prod")));
            double qState = medianMs(QUERIES / 5, () -> r.getNodes(NodeQuery.all().withState("running")));
            row.append(String.format("%.3f / %.3f / %.2f / %.1f | ", qType, qParent, qTag, qState));
            r.compact();
        }
        String[] open = openInFreshJvm(dir, n);
        row.append(open[0]).append(" | ").append(open[1]).append(" |");
        return row.toString();
    }

    private static void fill(FileRegistry r, long from, long n, long hvs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int ww = w;
                fs.add(pool.submit(() -> {
                    for (long i = from + ww; i < n; i += WRITERS) {
                        r.addNode(Nodes.vm(i, i % 10 == 0 ? null : Nodes.hvId(i % hvs)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(1, TimeUnit.HOURS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs {@code OpenRegistry} in 11 new JVMs: {"open ms (median of 11)", "bytes per node"}. */
    private static String[] openInFreshJvm(Path dir, long n) throws IOException, InterruptedException {
        List<Long> opens = new ArrayList<>();
        String perNode = "?";
        for (int i = 0; i < 11; i++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    OpenRegistry.class.getName(), dir.toString(), String.valueOf(n)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IOException("OpenRegistry failed: " + out);
            }
            String[] f = out.split(" ");
            opens.add(Long.parseLong(f[0]));
            perNode = f[1];
        }
        opens.sort(null);
        return new String[] {String.valueOf(opens.get(opens.size() / 2)), perNode};
    }

    static long[] timeEach(int count, LongConsumer op) {
        long[] t = new long[count];
        for (int i = 0; i < count; i++) {
            long s = System.nanoTime();
            op.accept(i);
            t[i] = System.nanoTime() - s;
        }
        return t;
    }

    private static double medianMs(int count, Runnable op) {
        long[] t = timeEach(count, i -> op.run());
        return median(t) / 1e6;
    }

    static long median(long[] t) {
        long[] c = t.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    static double mean(long[] t) {
        return Arrays.stream(t).average().orElse(0);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
