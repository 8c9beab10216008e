package vagoth.monitor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.PollReport;
import vagoth.api.virt.VmInfo;
import vagoth.registry.postgres.internal.PostgresRegistry;
import vagoth.testing.HypervisorType;
import vagoth.testing.StatusDriver;
import vagoth.testing.PostgresServer;
import vagoth.testing.TestManager;

/**
 * The monitor on a registry shared by several daemons (a real PostgreSQL):
 * each hypervisor is polled by one daemon at a time, a dead daemon's
 * hypervisors are taken over once its leases expire, and an answer that
 * arrives after its lease was lost is discarded.
 */
@Timeout(120)
class SharedMonitorTest {
    private static final Duration LEASE = Duration.ofSeconds(1);
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    private static int databases;

    /** When set, the hypervisor with this id answers only once the latch opens. */
    private volatile String slow;
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch asked = new CountDownLatch(1);

    private final Driver reporting = new StatusDriver() {
        @Override
        public HypervisorStatus status(Node hv) {
            if (hv.id().equals(slow)) {
                asked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new HypervisorStatus(Map.of("vm-" + hv.id(), new VmInfo(Map.of(), "running", "running")),
                    Map.of("mem_total", "8192", "cpus", "4"));
        }

        public void provision(Node h, Node v) { }
        public void define(Node h, Node v) { }
        public void undefine(Node h, Node v) { }
        public void deprovision(Node h, Node v) { }
        public void start(Node h, Node v) { }
        public void stop(Node h, Node v) { }
        public void shutdown(Node h, Node v) { }
        public void reboot(Node h, Node v) { }
        public VmInfo info(Node h, Node v) { return null; }
        public void migrate(Node h, Node v, Node d) { }
    };

    private static String database(int hypervisors) throws Exception {
        String url = PG.server().database("monitor" + (++databases));
        try (PostgresRegistry r = new PostgresRegistry(url, PG.server().user(), "")) {
            for (int i = 0; i < hypervisors; i++) {
                String id = "hv" + i;
                r.addNode(new Node(id, id, "hv", "", Map.of("driver", "reporting"), Map.of(), Map.of(), Set.of(), null));
                r.addNode(new Node("vm-" + id, "vm-" + id, "vm", "", Map.of(), Map.of("state", "stopped"), Map.of(),
                        Set.of(), id));
            }
        }
        return url;
    }

    private PostgresRegistry registry(String url) {
        return new PostgresRegistry(url, PG.server().user(), "", LEASE);
    }

    private VagothMonitor monitor(PostgresRegistry registry) {
        TestManager m = new TestManager("test", registry).nodeType("hv", new HypervisorType().driver("reporting",
                reporting));
        return new VagothMonitor(m, registry, 4, Duration.ofMinutes(5), Duration.ofMinutes(10), false, 0);
    }

    @Test
    void twoDaemonsPollEachHypervisorOnceBetweenThem() throws Exception {
        String url = database(40);
        try (PostgresRegistry a = registry(url); PostgresRegistry b = registry(url)) {
            VagothMonitor ma = monitor(a);
            VagothMonitor mb = monitor(b);
            assertEquals(40, ma.poll().polled().size(), "a alone takes everything free");
            assertTrue(mb.poll().polled().isEmpty(), "b's share is a's until a hands it over: never both at once");
            PollReport ra = null;
            PollReport rb = null;
            for (int round = 0; round < 20; round++) { // b joins: a hands b's share over, b takes it when free
                rb = mb.poll();
                ra = ma.poll();
                if (ra.polled().size() + rb.polled().size() == 40 && !rb.polled().isEmpty()) {
                    break;
                }
                Thread.sleep(100);
            }
            Set<String> both = new HashSet<>(ra.polled());
            both.retainAll(rb.polled());
            assertTrue(both.isEmpty(), "polled by both: " + both);
            assertEquals(40, ra.polled().size() + rb.polled().size(), ra.polled() + " " + rb.polled());
            assertFalse(ra.polled().isEmpty());
            assertTrue(rb.warnings().stream().anyMatch(w -> w.contains("polled by other daemons")), rb.warnings()
                    .toString());
            for (int i = 0; i < 40; i++) {
                assertEquals("running", a.getNode("vm-hv" + i).state(), "every VM was polled by one of them");
            }
            ma.close();
            mb.close();
        }
    }

    @Test
    void aDeadDaemonsHypervisorsAreTakenOverWhenItsLeasesExpire() throws Exception {
        String url = database(30);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LeaseHolder.class.getName(), url, PG.server().user(),
                String.valueOf(LEASE.toMillis())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (PostgresRegistry mine = registry(url)) {
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertTrue(line != null && line.startsWith("holding "), "the other daemon holds leases: " + line);
            List<String> all = IntStream.range(0, 30).mapToObj(i -> "hv" + i).toList();
            Set<String> shared = Set.of();
            for (int round = 0; round < 50 && (shared.isEmpty() || shared.size() == 30); round++) {
                shared = mine.take(all);
                Thread.sleep(100);
            }
            assertTrue(!shared.isEmpty() && shared.size() < 30, "each daemon has its share: " + shared.size());

            holder.destroyForcibly(); // SIGKILL: its leases are never released, they expire
            holder.waitFor(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Set<String> now = mine.take(all);
            while (now.size() < 30 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                now = mine.take(all);
            }
            assertEquals(30, now.size(), "the dead daemon's hypervisors are taken over");
        } finally {
            holder.destroyForcibly();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAnswerThatArrivesAfterTheLeaseWasLostIsDiscarded() throws Exception {
        String url = database(2);
        try (PostgresRegistry r = registry(url); Connection c = DriverManager.getConnection(url, PG.server().user(), "")) {
            VagothMonitor m = monitor(r);
            slow = "hv0";
            Map<String, Object> out = new HashMap<>();
            Thread poll = new Thread(() -> out.put("report", m.poll()));
            poll.start();
            assertTrue(asked.await(30, TimeUnit.SECONDS), "hv0 was asked");
            try (Statement s = c.createStatement()) { // as another daemon that took it over after a partition
                s.executeUpdate("UPDATE vagoth_poll_leases SET owner = 'elsewhere', epoch = epoch + 1,"
                        + " lease_until = now() + interval '1 hour' WHERE hv = 'hv0'");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (r.holds("hv0") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(r.holds("hv0"), "the renewal found the lease gone");
            release.countDown();
            poll.join(30_000);
            PollReport report = (PollReport) out.get("report");
            assertTrue(report.warnings().stream().anyMatch(w -> w.contains("hv0 was discarded")),
                    report.warnings().toString());
            assertEquals("stopped", r.getNode("vm-hv0").state(), "nothing recorded from the discarded answer");
            assertEquals("running", r.getNode("vm-hv1").state(), "the other hypervisor's answer was recorded");
            m.close();
        }
    }
}
