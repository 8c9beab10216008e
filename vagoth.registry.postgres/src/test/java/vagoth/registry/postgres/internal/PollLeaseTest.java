package vagoth.registry.postgres.internal;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import vagoth.api.Node;
import vagoth.testing.PostgresServer;

/**
 * Poll leases in a real PostgreSQL, taken by registries as the daemons they
 * serve: each hypervisor is held by one daemon at a time, a joining daemon is
 * handed its share, a dead daemon's share is taken over once its leases
 * expire, and a lease taken away is noticed by its former holder.
 */
@Tag("postgres") // a PostgreSQL server of its own: left out of the fast tier
@Timeout(120)
class PollLeaseTest {
    private static final Duration LEASE = Duration.ofSeconds(1);
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    private static int databases;

    private static String database(int hypervisors) throws Exception {
        String url = PG.server().database("leases" + (++databases));
        try (PostgresRegistry r = new PostgresRegistry(url, PG.server().user(), "")) {
            for (int i = 0; i < hypervisors; i++) {
                r.addNode(new Node("hv" + i, "hv" + i, "hv", "", Map.of(), Map.of(), Map.of(), Set.of(), null));
            }
        }
        return url;
    }

    private static PostgresRegistry registry(String url) {
        return new PostgresRegistry(url, PG.server().user(), "", LEASE);
    }

    private static List<String> hypervisors(int n) {
        return IntStream.range(0, n).mapToObj(i -> "hv" + i).toList();
    }

    @Test
    void twoDaemonsHoldEachHypervisorOnceBetweenThem() throws Exception {
        String url = database(40);
        List<String> all = hypervisors(40);
        try (PostgresRegistry a = registry(url); PostgresRegistry b = registry(url)) {
            assertEquals(40, a.take(all).size(), "a alone takes everything free");
            assertTrue(b.take(all).isEmpty(), "b's share is a's until a hands it over: never both at once");
            Set<String> ha = Set.of();
            Set<String> hb = Set.of();
            for (int round = 0; round < 50 && (hb.isEmpty() || ha.size() + hb.size() < 40); round++) {
                ha = a.take(all); // hands b's share over
                hb = b.take(all); // takes it once free
                Thread.sleep(50);
            }
            Set<String> both = new HashSet<>(ha);
            both.retainAll(hb);
            assertEquals(Set.of(), both, "held by both");
            assertEquals(40, ha.size() + hb.size(), ha + " " + hb);
            assertFalse(ha.isEmpty());
            assertFalse(hb.isEmpty());
            assertTrue(hb.stream().allMatch(b::holds) && ha.stream().noneMatch(b::holds));
        }
    }

    @Test
    void aDeadDaemonsHypervisorsAreTakenOverWhenItsLeasesExpire() throws Exception {
        String url = database(30);
        List<String> all = hypervisors(30);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LeaseHolder.class.getName(), url, PG.server().user(),
                String.valueOf(LEASE.toMillis())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (PostgresRegistry mine = registry(url)) {
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertTrue(line != null && line.startsWith("holding "), "the other daemon holds leases: " + line);
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
    void aLeaseTakenAwayIsNoLongerHeld() throws Exception {
        String url = database(2);
        try (PostgresRegistry r = registry(url); Connection c = DriverManager.getConnection(url, PG.server().user(), "");
                Statement s = c.createStatement()) {
            assertEquals(Set.of("hv0", "hv1"), r.take(hypervisors(2)));
            assertTrue(r.holds("hv0"));
            // as another daemon that took it over after a partition
            s.executeUpdate("UPDATE vagoth_poll_leases SET owner = 'elsewhere', epoch = epoch + 1,"
                    + " lease_until = now() + interval '1 hour' WHERE hv = 'hv0'");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (r.holds("hv0") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(r.holds("hv0"), "the renewal found the lease gone");
            assertTrue(r.holds("hv1"));
            assertEquals(Set.of("hv1"), r.take(hypervisors(2)), "and it is not taken back while the other holds it");
        }
    }

    /** A daemon cut off from the database stops holding its leases within half a lease: it polls nothing. */
    @Test
    void aLeaseIsNotHeldOnceItsKeeperLostTheDatabase() throws Exception {
        String url = database(2);
        String name = url.substring(url.lastIndexOf('/') + 1);
        String admin = url.substring(0, url.lastIndexOf('/') + 1) + "postgres";
        try (PostgresRegistry r = registry(url); Connection c = DriverManager.getConnection(admin, PG.server().user(), "");
                Statement s = c.createStatement()) {
            assertEquals(Set.of("hv0", "hv1"), r.take(hypervisors(2)));
            assertTrue(r.holds("hv0"));
            try {
                s.execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false");
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name
                        + "' AND pid <> pg_backend_pid()");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (r.holds("hv0") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertFalse(r.holds("hv0"), "a lease not renewed for half a lease is not held");
                assertFalse(r.holds("hv1"));
            } finally {
                s.execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true");
            }
        }
    }
}
