package vagoth.api.access;

import java.time.Instant;
import java.util.Optional;

/**
 * A token as it is kept: never its secret, which is shown once at creation.
 *
 * @param id      short and public: what {@code token list} shows and {@code token revoke} takes
 * @param name    who or what it is for; the actor in the log of what it changed
 * @param expires when it stops being accepted, or null for never
 */
public record AccessToken(String id, String name, Role role, Instant created, Instant expires) {
    /** Whether it is no longer accepted at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    public Optional<Instant> expiry() {
        return Optional.ofNullable(expires);
    }
}
