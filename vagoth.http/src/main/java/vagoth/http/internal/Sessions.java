package vagoth.http.internal;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;

/**
 * The web console's sign-ins: a token exchanged for a session, kept in this
 * daemon's memory only (a restart signs everyone out). A session is named by
 * a random cookie value and carries a CSRF token that every change made with
 * it must send back in {@value #CSRF_HEADER}. It ends on sign-out, after
 * {@link #IDLE} without a request, after {@link #LONGEST} in all, or when its
 * token stops being accepted (the token is checked on every request).
 */
@Component(service = Sessions.class)
public final class Sessions {
    static final String COOKIE = "vagoth_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LONGEST = Duration.ofHours(12);
    private static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One sign-in: the bearer it was made from (never shown again), its CSRF token, and its times. */
    static final class Session {
        final String id;
        final String bearer;
        final String csrf;
        final Instant created;
        volatile Instant used;

        private Session(String id, String bearer, String csrf, Instant created) {
            this.id = id;
            this.bearer = bearer;
            this.csrf = csrf;
            this.created = created;
            this.used = created;
        }

        /** When it ends if it goes on being used: the earlier of its idle and its whole limit. */
        Instant ends() {
            Instant idle = used.plus(IDLE);
            Instant whole = created.plus(LONGEST);
            return idle.isBefore(whole) ? idle : whole;
        }

        /** Whether {@code presented} is this session's CSRF token (compared in constant time). */
        boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(presented.getBytes(java.nio.charset.StandardCharsets
                    .US_ASCII), csrf.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    private final java.time.Clock clock;

    public Sessions() {
        this(java.time.Clock.systemUTC());
    }

    Sessions(java.time.Clock clock) {
        this.clock = clock;
    }

    /** By id; the least recently used go first when there are too many. */
    private final Map<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    /** A new session for {@code bearer}, a token that was just accepted. */
    synchronized Session open(String bearer) {
        Session s = new Session(random(), bearer, random(), clock.instant());
        sessions.put(s.id, s);
        return s;
    }

    /** The session {@code id} names, while it lasts; a request through it counts as use. */
    synchronized Optional<Session> find(String id) {
        Optional<Session> s = lasting(id);
        s.ifPresent(x -> x.used = clock.instant());
        return s;
    }

    /** Whether the session {@code id} names still lasts (an open event stream asks this; it is not use). */
    synchronized boolean lasts(String id) {
        return lasting(id).isPresent();
    }

    private Optional<Session> lasting(String id) {
        Session s = id == null ? null : sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(s.ends())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    synchronized void close(String id) {
        sessions.remove(id);
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
