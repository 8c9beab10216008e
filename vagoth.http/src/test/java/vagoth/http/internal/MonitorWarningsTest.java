package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import vagoth.testing.MemoryRegistry;
import vagoth.testing.TestManager;

/** A monitor warning is counted by kind (a closed set) and is an event on the API's stream. */
class MonitorWarningsTest {
    @Test
    @Timeout(30)
    void aWarningIsCountedAndPublished() throws Exception {
        Metrics metrics = new Metrics();
        EventFeed feed = new EventFeed(new TestManager("test", new MemoryRegistry()), metrics);
        try {
            String from = feed.lastId();
            metrics.monitorWarning("duplicate", "duplicate: fenced fh still runs v2 (running)");
            metrics.monitorWarning("made-up kind", "something");
            assertEquals(1, metrics.monitorWarnings.get("{kind=\"duplicate\"}").get(), metrics.monitorWarnings.toString());
            assertEquals(1, metrics.monitorWarnings.get("{kind=\"other\"}").get(), "an unknown kind is 'other'");
            List<EventFeed.Event> events = feed.after(from, 5_000).stream().filter(e -> e.type().equals("warning"))
                    .toList();
            assertEquals(2, events.size(), events.toString());
            assertTrue(events.get(0).data().contains("\"text\":\"duplicate: fenced fh still runs v2 (running)\""),
                    events.get(0).data());
            assertTrue(events.get(0).data().contains("\"kind\":\"duplicate\""), events.get(0).data());
        } finally {
            feed.stop();
        }
    }
}
