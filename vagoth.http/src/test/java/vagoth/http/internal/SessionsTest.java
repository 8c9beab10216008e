package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import vagoth.testing.HandClock;

/** A console session ends when idle too long, when too old, or on sign-out; its CSRF token is its own. */
class SessionsTest {
    @Test
    void aSessionInUseLastsAndAnIdleOneEnds() {
        HandClock clock = new HandClock(Instant.parse("2026-12-02T10:00:00Z"));
        Sessions sessions = new Sessions(clock);
        Sessions.Session s = sessions.open("vgt_a_b");
        clock.advance(Sessions.IDLE.minusMinutes(1));
        assertTrue(sessions.find(s.id).isPresent(), "used within its idle time");
        clock.advance(Sessions.IDLE.minusMinutes(1));
        assertTrue(sessions.lasts(s.id), "the last use counts from then");
        clock.advance(Duration.ofMinutes(2));
        assertFalse(sessions.lasts(s.id), "an open event stream is not use: idle too long");
        assertTrue(sessions.find(s.id).isEmpty());
    }

    @Test
    void noSessionOutlivesItsWholeLimitAndSigningOutEndsIt() {
        HandClock clock = new HandClock(Instant.parse("2026-12-02T10:00:00Z"));
        Sessions sessions = new Sessions(clock);
        Sessions.Session s = sessions.open("vgt_a_b");
        for (Duration d = Duration.ZERO; d.compareTo(Sessions.LONGEST) < 0; d = d.plus(Duration.ofMinutes(20))) {
            assertTrue(sessions.find(s.id).isPresent(), "in use after " + d);
            clock.advance(Duration.ofMinutes(20));
        }
        assertTrue(sessions.find(s.id).isEmpty(), "ended after " + Sessions.LONGEST + " however much it is used");

        Sessions.Session t = sessions.open("vgt_a_b");
        sessions.close(t.id);
        assertTrue(sessions.find(t.id).isEmpty());
        assertTrue(sessions.find(null).isEmpty());
    }

    @Test
    void eachSessionHasItsOwnIdAndCsrfToken() {
        Sessions sessions = new Sessions(new HandClock(Instant.now()));
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
