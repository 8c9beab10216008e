package vagoth.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import org.osgi.framework.Constants;

import vagoth.allocator.capacity.internal.CapacityAllocator;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.nodetype.NodeType;
import vagoth.api.driver.Driver;
import vagoth.api.virt.PollReport;
import vagoth.core.internal.VagothManager;
import vagoth.driver.geats.internal.GeatsDriver;
import vagoth.monitor.internal.VagothMonitor;
import vagoth.registry.file.internal.FileRegistry;
import vagoth.virt.internal.HvType;
import vagoth.virt.internal.VmType;

/**
 * Placement, the monitor and the Geats status call.
 *
 * <ul>
 * <li><b>placement</b>: 10,000 VMs (512-4,096 MB, 1-2 CPUs) onto 1,000
 * hypervisors of 64 GB and 32 CPUs with the capacity allocator under
 * {@code pack}: first the allocator's decisions alone, then whole placements
 * (decision and the durable registry assignment) from 8 threads; then how
 * full the hypervisors that were used are.</li>
 * <li><b>monitor</b>: one pass over 1,000 hypervisors reporting 30 VMs each,
 * through the Geats driver and the simulated agent in session mode (one agent
 * process simulating all 1,000 hypervisors: {@code --farm}); the first pass
 * changes every VM's state, the second finds nothing to change.</li>
 * <li><b>status</b>: the cost of one {@code status} call (30 VMs) with a new
 * agent process per call, and through a session.</li>
 * </ul>
 * Usage: {@code vagoth.bench/run VirtBenchmark}.
 */
public final class VirtBenchmark {
    private static final int HVS = 1000;
    private static final int VMS = 10_000;
    private static final int PER_HV = 30;

    private VirtBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        java.util.logging.LogManager.getLogManager().reset();
        Path base = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "/var/tmp")), "vagoth-virt-");
        placement(base.resolve("placement"));
        monitor(base.resolve("monitor"));
        status(base.resolve("status"));
    }

    static VagothManager manager(vagoth.api.registry.Registry registry, Driver driver) {
        VagothManager m = new VagothManager("bench", 0, null);
        m.bindRegistry(registry);
        m.addNodeType(new VmType(), Map.of(NodeType.TYPE, "vm", Constants.SERVICE_ID, 1L));
        HvType hv = new HvType();
        hv.bindRegistry(registry);
        if (driver != null) {
            hv.addDriver(driver, Map.of(Driver.NAME, "geats", Constants.SERVICE_ID, 2L));
        }
        m.addNodeType(hv, Map.of(NodeType.TYPE, "hv", Constants.SERVICE_ID, 3L));
        return m;
    }

    static void parallel(int n, int threads, IntConsumer work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < n;) {
                        work.accept(i);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void placement(Path dir) throws Exception {
        try (FileRegistry registry = new FileRegistry(dir, 8L << 20)) {
            VagothManager m = manager(registry, null);
            parallel(HVS, 16, i -> registry.addNode(new Node("hv-" + i, "hv-" + i, "hv", "", Map.of(),
                    Map.of("mem_total", "65536", "cpus", "32", "state", "up"), Map.of(), Set.of(), null)));
            parallel(VMS, 16, i -> registry.addNode(new Node("vm-" + i, "vm-" + i, "vm", "",
                    Map.of("ram", String.valueOf(512 << (i % 4)), "cpus", String.valueOf(1 + i % 2)), Map.of(), Map.of(),
                    Set.of(), null)));
            List<Node> vms = registry.getNodes(NodeQuery.all().withType("vm"));

            CapacityAllocator decide = new CapacityAllocator(registry, "pack", 1.0, 4.0, Set.of("anti_affinity"), 3_600_000);
            decide.allocate(vms.get(0), null); // reads the cluster once
            long t0 = System.nanoTime();
            for (Node vm : vms) {
                decide.allocate(vm, null);
            }
            double decisions = vms.size() / ((System.nanoTime() - t0) / 1e9);

            CapacityAllocator place = new CapacityAllocator(registry, "pack", 1.0, 4.0, Set.of("anti_affinity"), 3_600_000);
            long t1 = System.nanoTime();
            parallel(vms.size(), 8, i -> registry.setParent(vms.get(i).id(), place.allocate(vms.get(i), null).id()));
            double placements = vms.size() / ((System.nanoTime() - t1) / 1e9);

            Map<String, long[]> use = new java.util.HashMap<>();
            for (Node vm : registry.getNodes(NodeQuery.all().withType("vm"))) {
                long[] u = use.computeIfAbsent(vm.parent(), k -> new long[2]);
                u[0] += Long.parseLong(vm.definition().get("ram"));
                u[1]++;
            }
            double meanRam = use.values().stream().mapToDouble(u -> u[0] / 65536.0).average().orElse(0);
            System.out.println("| placement | figure |");
            System.out.println("|---|---|");
            System.out.printf("| allocator decisions, 10,000 VMs onto 1,000 hypervisors (pack) | %,.0f per second |%n", decisions);
            System.out.printf("| whole placements (decision + durable assignment), 8 threads | %,.0f per second |%n", placements);
            System.out.printf("| hypervisors used under pack | %d of %d |%n", use.size(), HVS);
            System.out.printf("| RAM committed on the hypervisors used | %.1f%% on average |%n%n", meanRam * 100);
        }
    }

    static String agentLine(String mode, Path dir) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "'" + java + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '" + System.getProperty("java.class.path")
                + "' vagoth.agent.Agent --backend sim " + mode + " '" + dir + "' --mem-total 65536 --cpus 32";
    }

    static void writeVm(Path hvDir, String name, String state) throws java.io.IOException {
        Files.createDirectories(hvDir.resolve("vms"));
        Files.writeString(hvDir.resolve("vms").resolve(name + ".json"),
                "{\"definition\":{\"ram\":\"1024\",\"cpus\":\"1\",\"template\":\"debian\"},\"state\":\"" + state + "\"}",
                StandardCharsets.UTF_8);
    }

    private static void monitor(Path dir) throws Exception {
        Path farm = dir.resolve("farm");
        String agent = agentLine("--farm", farm);
        GeatsDriver driver = new GeatsDriver(Duration.ofSeconds(60), Duration.ofSeconds(300));
        try (FileRegistry registry = new FileRegistry(dir.resolve("registry"), 8L << 20)) {
            VagothManager m = manager(registry, driver);
            parallel(HVS, 16, i -> {
                registry.addNode(new Node("hv-" + i, "hv-" + i, "hv", "", Map.of("driver", "geats", "agent", agent,
                        "agent_session", "true"), Map.of(), Map.of(), Set.of(), null));
                try {
                    for (int j = 0; j < PER_HV; j++) {
                        writeVm(farm.resolve("hv-" + i), "vm-" + i + "-" + j, "running");
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            parallel(HVS * PER_HV, 16, k -> registry.addNode(new Node("vm-" + (k / PER_HV) + "-" + (k % PER_HV),
                    "vm-" + (k / PER_HV) + "-" + (k % PER_HV), "vm", "", Map.of(), Map.of("state", "defined"), Map.of(),
                    Set.of(), "hv-" + (k / PER_HV))));
            VagothMonitor monitor = new VagothMonitor(m, registry, 16, Duration.ofMinutes(5), Duration.ofMinutes(10), false, 0);
            try {
                long t0 = System.nanoTime();
                PollReport first = monitor.poll();
                double firstS = (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                PollReport second = monitor.poll();
                double secondS = (System.nanoTime() - t1) / 1e9;
                System.out.println("| monitor pass, 1,000 hypervisors x 30 VMs | seconds | changes | answered |");
                System.out.println("|---|---|---|---|");
                System.out.printf("| first pass (every VM defined -> running) | %.2f | %,d | %d |%n", firstS,
                        first.changes().size(), first.polled().size());
                System.out.printf("| second pass (nothing to change) | %.2f | %,d | %d |%n%n", secondS,
                        second.changes().size(), second.polled().size());
            } finally {
                monitor.close();
            }
        } finally {
            driver.close();
        }
    }

    private static void status(Path dir) throws Exception {
        Path state = dir.resolve("hyper1");
        for (int j = 0; j < PER_HV; j++) {
            writeVm(state, "vm-" + j, "running");
        }
        String agent = agentLine("--state", state);
        GeatsDriver driver = new GeatsDriver(Duration.ofSeconds(60), Duration.ofSeconds(300));
        try {
            Node perCall = new Node("hyper1", "hyper1", "hv", "", Map.of("driver", "geats", "agent", agent), Map.of(),
                    Map.of(), Set.of(), null);
            Node session = perCall.withDefinition(Map.of("driver", "geats", "agent", agent, "agent_session", "true"));
            double perCallMs = time(driver, perCall, 20);
            double sessionMs = time(driver, session, 1000);
            System.out.println("| Geats status call, 30 VMs | ms per call |");
            System.out.println("|---|---|");
            System.out.printf("| a new agent process per call | %.1f |%n", perCallMs);
            System.out.printf("| one agent session (--session) | %.2f |%n", sessionMs);
        } finally {
            driver.close();
        }
    }

    private static double time(GeatsDriver driver, Node hv, int n) {
        driver.status(hv); // starts the session, warms up
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            driver.status(hv);
        }
        return (System.nanoTime() - t0) / 1e6 / n;
    }
}
