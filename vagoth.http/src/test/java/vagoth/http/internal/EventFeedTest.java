package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import vagoth.api.Node;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.TestManager;

/** Nodes are looked at only while a stream reads them; a stream sees every change made after it opened. */
class EventFeedTest {
    private static List<String> nodeEvents(EventFeed feed, String from, long waitMs) throws InterruptedException {
        return feed.after(from, waitMs).stream().filter(e -> e.type().startsWith("node.")).map(e -> e.type() + " "
                + e.data().replaceAll(".*\"id\":\"([^\"]*)\".*", "$1")).toList();
    }

    @Test
    @Timeout(30)
    void nodesAreLookedAtOnlyWhileAStreamReads() throws Exception {
        MemoryRegistry registry = new MemoryRegistry();
        EventFeed feed = new EventFeed(new TestManager("test", registry).jobs(new vagoth.testing.MemoryJobStore()),
                new Metrics());
        try {
            String from = feed.lastId();
            registry.addNode(Node.of("unwatched", "unwatched", "vm"));
            Thread.sleep(3 * EventFeed.PERIOD_MS);
            assertEquals(List.of(), nodeEvents(feed, from, 0), "nobody reads: nothing is computed for nodes");

            feed.attach();
            from = feed.lastId();
            registry.addNode(Node.of("watched", "watched", "vm"));
            List<String> seen = nodeEvents(feed, from, 5_000);
            for (long end = System.nanoTime() + 5_000_000_000L; seen.isEmpty() && System.nanoTime() < end;) {
                seen = nodeEvents(feed, from, 500);
            }
            assertEquals(List.of("node.created watched"), seen, "the node there before the stream is the state");
            feed.detach();
            assertTrue(feed.kept() > 0);
        } finally {
            feed.stop();
        }
    }
}
