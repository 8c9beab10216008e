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

    @Test
    @Timeout(30)
    void aHighAvailabilityDecisionIsCountedTimedAndPublished() throws Exception {
        Metrics metrics = new Metrics();
        EventFeed feed = new EventFeed(new TestManager("test", new MemoryRegistry()), metrics);
        try {
            String from = feed.lastId();
            metrics.haDecision("recovered", 1_500_000_000L, "ha: db1 restarted on hv2");
            metrics.haDecision("fence_failed", 0, "ha: hv3 is not fenced, so none of its VMs is restarted elsewhere");
            metrics.haDecision("made-up", 0, "something");
            assertEquals(1, metrics.haDecisions.get("{outcome=\"recovered\"}").get(), metrics.haDecisions.toString());
            assertEquals(1, metrics.haDecisions.get("{outcome=\"fence_failed\"}").get());
            assertEquals(1, metrics.haDecisions.get("{outcome=\"other\"}").get(), "an unknown outcome is 'other'");
            StringBuilder out = new StringBuilder();
            Metrics.histograms(out, "vagoth_ha_recovery_seconds", "h", java.util.Map.of("{}", metrics.haRecoveries));
            assertTrue(out.toString().contains("vagoth_ha_recovery_seconds_count 1"), out.toString());
            List<EventFeed.Event> events = feed.after(from, 5_000).stream().filter(e -> e.type().equals("warning"))
                    .toList();
            assertEquals(3, events.size(), events.toString());
            assertTrue(events.get(0).data().contains("\"kind\":\"ha\"") && events.get(0).data()
                    .contains("restarted on hv2"), events.get(0).data());
        } finally {
            feed.stop();
        }
    }
}
