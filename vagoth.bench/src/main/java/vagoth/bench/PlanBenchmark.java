package vagoth.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import vagoth.allocator.capacity.internal.CapacityAllocator;
import vagoth.api.Node;
import vagoth.api.allocator.Placement;
import vagoth.api.allocator.Room;
import vagoth.testing.MemoryRegistry;

/**
 * Planning with the capacity allocator, each call reading the cluster afresh
 * from the registry (no cached picture): the evacuation of a host with 30
 * VMs among 1,000 hypervisors (64 GB, 32 CPUs, each holding 8 VMs of 512 to
 * 4,096 MB), and {@code capacity} of a 2 GB, 2-CPU shape over the 1,000.
 *
 * <pre>java vagoth.bench.PlanBenchmark [RUNS]</pre>
 *
 * Prints the median and the slowest of RUNS timed calls after as many warm-up
 * calls.
 */
public final class PlanBenchmark {
    private PlanBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        MemoryRegistry registry = new MemoryRegistry();
        Random r = new Random(1);
        for (int h = 0; h < 1000; h++) {
            registry.addNode(new Node("hv" + h, "hv" + h, "hv", "", Map.of("mem_total", "65536", "cpus", "32"),
                    Map.of(), Map.of(), Set.of(), null));
            for (int v = 0; v < 8; v++) {
                vm(registry, "vm" + h + "-" + v, 512 + r.nextInt(3585), "hv" + h, v % 4 == 0 ? "group" + (h % 50) : null);
            }
        }
        List<Node> leaving = new ArrayList<>();
        for (int v = 0; v < 30; v++) {
            leaving.add(vm(registry, "out" + v, 512 + r.nextInt(3585), "hv0", v % 3 == 0 ? "db" : null));
        }
        CapacityAllocator a = new CapacityAllocator(registry, "spread", 1.0, 4.0, Set.of("anti_affinity"), 0);
        Node shape = new Node("shape", "shape", "vm", "", Map.of("ram", "2048", "cpus", "2"), Map.of(), Map.of(),
                Set.of(), null);
        double[] plan = new double[runs];
        double[] room = new double[runs];
        List<Placement> last = null;
        List<Room> rooms = null;
        for (int i = 0; i < 2 * runs; i++) {
            long t0 = System.nanoTime();
            last = a.plan(leaving, null, Set.of("hv0"));
            long t1 = System.nanoTime();
            rooms = a.room(shape);
            long t2 = System.nanoTime();
            if (i >= runs) {
                plan[i - runs] = (t1 - t0) / 1e6;
                room[i - runs] = (t2 - t1) / 1e6;
            }
        }
        long placed = last.stream().filter(Placement::fits).count();
        long more = rooms.stream().mapToLong(Room::more).sum();
        System.out.printf("plan of 30 VMs among 1,000 hypervisors (%d placed): median %.2f ms, max %.2f ms%n", placed,
                median(plan), max(plan));
        System.out.printf("capacity over 1,000 hypervisors (%d more of 2 GB, 2 CPUs): median %.2f ms, max %.2f ms%n",
                more, median(room), max(room));
    }

    private static Node vm(MemoryRegistry registry, String id, int ram, String hv, String group) {
        return registry.addNode(new Node(id, id, "vm", "", Map.of("ram", String.valueOf(ram), "cpus", "1"), Map.of(),
                group == null ? Map.of() : Map.of("anti_affinity", group), Set.of(), hv));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
