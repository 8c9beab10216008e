package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import vagoth.testing.HandClock;

/** Past a few refused attempts an address waits, longer each time, within a minute; nothing sleeps. */
class FailureLimitTest {
    @Test
    void anAddressWaitsLongerAfterEachRefusalPastTheFreeOnes() {
        HandClock clock = new HandClock(Instant.parse("2026-12-07T10:00:00Z"));
        FailureLimit limit = new FailureLimit(clock);
        for (int i = 0; i < FailureLimit.FREE; i++) {
            limit.failed("10.0.0.1");
            assertEquals(0, limit.waitMs("10.0.0.1"), "free: " + i);
        }
        limit.failed("10.0.0.1");
        assertEquals(100, limit.waitMs("10.0.0.1"));
        limit.failed("10.0.0.1");
        assertEquals(200, limit.waitMs("10.0.0.1"));
        clock.advance(Duration.ofMillis(150));
        assertEquals(50, limit.waitMs("10.0.0.1"), "counted from the last refusal");
        for (int i = 0; i < 20; i++) {
            limit.failed("10.0.0.1");
        }
        assertEquals(FailureLimit.MAX_WAIT_MS, limit.waitMs("10.0.0.1"), "at most");
        assertEquals(0, limit.waitMs("10.0.0.2"), "another address");
        clock.advance(Duration.ofMillis(FailureLimit.WINDOW_MS + 1));
        assertEquals(0, limit.waitMs("10.0.0.1"), "a new minute");
    }
}
