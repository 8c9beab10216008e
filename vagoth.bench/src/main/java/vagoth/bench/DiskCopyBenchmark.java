package vagoth.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import vagoth.api.Node;
import vagoth.driver.geats.internal.GeatsDriver;

/**
 * A container's disk between two local LXC agents (two lxcpaths on one
 * machine) through the Geats driver's stream mode, against {@code tar c |
 * tar x} between the same directories, alternating, in one run.
 *
 * <pre>java vagoth.bench.DiskCopyBenchmark DIST WORKDIR SIZE_MB RUNS</pre>
 *
 * Needs root and LXC. Makes a busybox container with SIZE_MB of random data
 * in its rootfs; removes everything it made.
 */
public final class DiskCopyBenchmark {
    private DiskCopyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int mb = Integer.parseInt(args[2]);
        int runs = Integer.parseInt(args[3]);
        Path a = Files.createDirectories(work.resolve("a"));
        Path b = Files.createDirectories(work.resolve("b"));
        Path t = work.resolve("t");
        run("lxc-create", "-P", a.toString(), "-n", "ct", "-t", "busybox");
        try {
            writeData(a.resolve("ct/rootfs/data.bin"), mb);
            long total = sizeOf(a.resolve("ct"));
            System.out.printf("container: %d MB of data, %d MB in all%n", mb, total >> 20);
            String agent = "'" + dist.resolve("bin/vagoth-agent") + "' --backend lxc --lxcpath '";
            Node hvA = hv("hvA", agent + a + "'");
            Node hvB = hv("hvB", agent + b + "'");
            Node vm = new Node("ct", "ct", "vm", "", Map.of("template", "busybox"), Map.of(), Map.of(), Set.of(), null);
            GeatsDriver driver = new GeatsDriver(Duration.ofSeconds(30), Duration.ofSeconds(600));
            double[] tar = new double[runs];
            double[] vagoth = new double[runs];
            for (int i = 0; i < runs; i++) {
                Files.createDirectories(t);
                long t0 = System.nanoTime();
                run("/bin/sh", "-c", "tar --numeric-owner --xattrs --acls -C '" + a.resolve("ct")
                        + "' -cf - . | tar --numeric-owner --xattrs --acls -C '" + t + "' -xpf -");
                tar[i] = mbPerS(total, System.nanoTime() - t0);
                run("rm", "-rf", "--one-file-system", t.toString());
                run("sync");
                long t1 = System.nanoTime();
                driver.copyDisk(hvA, vm, hvB, x -> { });
                vagoth[i] = mbPerS(total, System.nanoTime() - t1);
                run("rm", "-rf", "--one-file-system", b.resolve("ct").toString());
                run("sync");
                System.out.printf("run %d: tar c | tar x %.0f MB/s, vagoth copyDisk %.0f MB/s%n", i + 1, tar[i],
                        vagoth[i]);
            }
            driver.close();
            double mt = median(tar);
            double mv = median(vagoth);
            System.out.printf("median over %d runs: tar c | tar x %.0f MB/s, vagoth %.0f MB/s (%.2f of tar)%n", runs,
                    mt, mv, mv / mt);
        } finally {
            run("lxc-destroy", "-P", a.toString(), "-n", "ct");
            run("rm", "-rf", "--one-file-system", work.toString());
        }
    }

    private static Node hv(String id, String agent) {
        return new Node(id, id, "hv", "", Map.of("driver", "geats", "agent", agent), Map.of(), Map.of(), Set.of(), null);
    }

    private static void writeData(Path file, int mb) throws IOException {
        byte[] block = new byte[1 << 20];
        Random r = new Random(42);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mb; i++) {
                r.nextBytes(block); // each MB its own: nothing on the way can make it smaller
                out.write(block);
            }
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static double mbPerS(long bytes, long nanos) {
        return (bytes / 1e6) / (nanos / 1e9);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(cmd));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed");
        }
    }
}
