package vagoth.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import vagoth.api.Node;
import vagoth.api.virt.PollReport;
import vagoth.core.internal.VagothManager;
import vagoth.driver.geats.internal.GeatsDriver;
import vagoth.monitor.internal.VagothMonitor;
import vagoth.registry.postgres.internal.PostgresRegistry;
import vagoth.testing.PostgresServer;

/**
 * The monitor across daemons on the PostgreSQL registry: 1,000 hypervisors x
 * 30 VMs (the simulated agent, one farm process per daemon, in session mode),
 * polled by three daemons sharing the poll leases. Each daemon here is its
 * own registry (connections, change listener, lease identity), manager,
 * monitor and Geats driver; the three run in one JVM and poll at the same
 * time. A pass of the cluster lasts as long as the slowest daemon's pass. The
 * first pass changes every VM's state (defined -> running); the later ones
 * find nothing to change (the steady state).
 *
 * <p>Usage: {@code vagoth.bench/run SharedMonitorBenchmark [steady passes] [daemons]} (default 5 3).
 */
public final class SharedMonitorBenchmark {
    private static final int HVS = 1000;
    private static final int PER_HV = 30;


    private SharedMonitorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        java.util.logging.LogManager.getLogManager().reset();
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int daemonCount = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("vagoth-bench-monitor");
        Path farm = dir.resolve("farm");
        String agent = VirtBenchmark.agentLine("--farm", farm);
        try (PostgresServer server = PostgresServer.start()) {
            String url = server.database("monitor");
            try (PostgresRegistry filler = new PostgresRegistry(url, server.user(), "")) {
                VirtBenchmark.parallel(HVS, 16, i -> {
                    filler.addNode(new Node("hv-" + i, "hv-" + i, "hv", "", Map.of("driver", "geats", "agent", agent,
                            "agent_session", "true"), Map.of(), Map.of(), Set.of(), null));
                    try {
                        for (int j = 0; j < PER_HV; j++) {
                            VirtBenchmark.writeVm(farm.resolve("hv-" + i), "vm-" + i + "-" + j, "running");
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                VirtBenchmark.parallel(HVS * PER_HV, 16, k -> filler.addNode(new Node("vm-" + (k / PER_HV) + "-"
                        + (k % PER_HV), "vm-" + (k / PER_HV) + "-" + (k % PER_HV), "vm", "", Map.of(),
                        Map.of("state", "defined"), Map.of(), Set.of(), "hv-" + (k / PER_HV))));
            }
            List<PostgresRegistry> registries = new ArrayList<>();
            List<GeatsDriver> drivers = new ArrayList<>();
            List<VagothMonitor> monitors = new ArrayList<>();
            ExecutorService daemons = Executors.newFixedThreadPool(daemonCount);
            try {
                for (int d = 0; d < daemonCount; d++) {
                    PostgresRegistry r = new PostgresRegistry(url, server.user(), "");
                    GeatsDriver driver = new GeatsDriver(Duration.ofSeconds(60), Duration.ofSeconds(300));
                    VagothManager m = VirtBenchmark.manager(r, driver);
                    registries.add(r);
                    drivers.add(driver);
                    monitors.add(new VagothMonitor(m, r, 16, Duration.ofMinutes(5), Duration.ofMinutes(10), false, 0));
                }
                for (PostgresRegistry r : registries) { // every daemon a member before the first pass
                    r.take(List.of());
                }
                System.out.println("| pass, 1,000 hypervisors x 30 VMs, " + daemonCount + " daemons | seconds (slowest daemon) "
                        + "| hypervisors per daemon | changes |");
                System.out.println("|---|---|---|---|");
                double[] steady = new double[passes];
                for (int p = 0; p <= passes; p++) {
                    long t0 = System.nanoTime();
                    List<Future<PollReport>> fs = new ArrayList<>();
                    for (VagothMonitor m : monitors) {
                        fs.add(daemons.submit(() -> m.poll()));
                    }
                    List<Integer> shares = new ArrayList<>();
                    int changes = 0;
                    for (Future<PollReport> f : fs) {
                        PollReport r = f.get();
                        shares.add(r.polled().size());
                        changes += r.changes().size();
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (p > 0) {
                        steady[p - 1] = s;
                    }
                    System.out.printf("| %s | %.2f | %s | %,d |%n", p == 0 ? "first (every VM defined -> running)"
                            : "steady " + p, s, shares, changes);
                }
                Arrays.sort(steady);
                System.out.printf("%nsteady pass, median of %d: %.2f s%n", passes, steady[passes / 2]);
            } finally {
                daemons.shutdownNow();
                for (VagothMonitor m : monitors) {
                    m.close();
                }
                for (GeatsDriver d : drivers) {
                    d.close();
                }
                for (PostgresRegistry r : registries) {
                    r.close();
                }
            }
        }
    }
}
