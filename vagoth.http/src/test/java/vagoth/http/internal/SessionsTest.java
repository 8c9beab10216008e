package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** A console session ends when idle too long, when too old, or on sign-out; its CSRF token is its own. */
class SessionsTest {
    /** A clock the test moves. */
    private static final class Hand extends Clock {
        Instant now = Instant.parse("2026-12-02T10:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void aSessionInUseLastsAndAnIdleOneEnds() {
        Hand clock = new Hand();
        Sessions sessions = new Sessions(clock);
        Sessions.Session s = sessions.open("vgt_a_b");
        clock.now = clock.now.plus(Sessions.IDLE.minusMinutes(1));
        assertTrue(sessions.find(s.id).isPresent(), "used within its idle time");
        clock.now = clock.now.plus(Sessions.IDLE.minusMinutes(1));
        assertTrue(sessions.lasts(s.id), "the last use counts from then");
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertFalse(sessions.lasts(s.id), "an open event stream is not use: idle too long");
        assertTrue(sessions.find(s.id).isEmpty());
    }

    @Test
    void noSessionOutlivesItsWholeLimitAndSigningOutEndsIt() {
        Hand clock = new Hand();
        Sessions sessions = new Sessions(clock);
        Sessions.Session s = sessions.open("vgt_a_b");
        for (Duration d = Duration.ZERO; d.compareTo(Sessions.LONGEST) < 0; d = d.plus(Duration.ofMinutes(20))) {
            assertTrue(sessions.find(s.id).isPresent(), "in use after " + d);
            clock.now = clock.now.plus(Duration.ofMinutes(20));
        }
        assertTrue(sessions.find(s.id).isEmpty(), "ended after " + Sessions.LONGEST + " however much it is used");

        Sessions.Session t = sessions.open("vgt_a_b");
        sessions.close(t.id);
        assertTrue(sessions.find(t.id).isEmpty());
        assertTrue(sessions.find(null).isEmpty());
    }

    @Test
    void eachSessionHasItsOwnIdAndCsrfToken() {
        Sessions sessions = new Sessions(new Hand());
        Sessions.Session a = sessions.open("vgt_a_b");
        Sessions.Session b = sessions.open("vgt_a_b");
        assertNotEquals(a.id, b.id);
        assertNotEquals(a.csrf, b.csrf);
        assertEquals(43, a.id.length(), "256 random bits, base64url");
        assertTrue(a.csrfMatches(a.csrf));
        assertFalse(a.csrfMatches(b.csrf));
        assertFalse(a.csrfMatches(null));
        assertFalse(a.csrfMatches(""));
    }
}
