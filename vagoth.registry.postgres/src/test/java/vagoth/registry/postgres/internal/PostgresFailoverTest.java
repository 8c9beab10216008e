package vagoth.registry.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import vagoth.api.Node;
import vagoth.testing.PostgresServer;

/**
 * A primary and a synchronous streaming standby; the primary is killed with
 * SIGKILL while a writer keeps adding nodes, the standby is promoted, and the
 * registry (whose URL names both) works again by itself: no acknowledged
 * change is lost.
 */
@Tag("postgres") // a PostgreSQL server of its own: left out of the fast tier
@Timeout(300)
class PostgresFailoverTest {

    @Test
    void aPromotedStandbyTakesOverAndNoAcknowledgedChangeIsLost() throws Exception {
        try (PostgresServer primary = PostgresServer.start(); PostgresServer standby = primary.standby()) {
            primary.synchronousReplication();
            String url = primary.failoverUrl(standby);
            Set<String> acked = ConcurrentHashMap.newKeySet();
            AtomicInteger failed = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            try (PostgresRegistry registry = new PostgresRegistry(url, primary.user(), "")) {
                Thread writer = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            registry.addNode(Node.of("n" + i, "n" + i, "vm"));
                            acked.add("n" + i);
                        } catch (RuntimeException e) {
                            failed.incrementAndGet(); // not acknowledged (a retry on a new connection failed too)
                        }
                    }
                });
                writer.start();
                awaitAcks(acked, 200);
                primary.kill();
                standby.promote();
                int before = acked.size();
                awaitAcks(acked, before + 100);
                stop.set(true);
                writer.join(60_000);
            }
            String promoted = "jdbc:postgresql://127.0.0.1:" + standby.port() + "/vagoth";
            try (PostgresRegistry fresh = new PostgresRegistry(promoted, primary.user(), "")) {
                List<String> lost = new ArrayList<>();
                for (String id : acked) {
                    if (!fresh.contains(id)) {
                        lost.add(id);
                    }
                }
                assertEquals(List.of(), lost, "acknowledged but lost");
            }
        }
    }

    private static void awaitAcks(Set<String> acked, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (acked.size() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(acked.size() >= atLeast, "only " + acked.size() + " writes were acknowledged");
    }
}
