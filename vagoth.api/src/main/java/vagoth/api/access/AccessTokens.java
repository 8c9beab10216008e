package vagoth.api.access;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The tokens of the remote API. A bearer string is {@code vgt_<id>_<secret>};
 * only a hash of the secret is kept, and a presented one is compared with it
 * in constant time.
 */
public interface AccessTokens {
    /**
     * A new token.
     *
     * @param name     a safe name (letters, digits, {@code . _ -}); two tokens may not share one
     * @param validFor how long it is accepted, or null for until revoked
     * @throws vagoth.api.InvalidNameException for an unsafe name
     * @throws vagoth.api.InvalidValueException for a name already taken or a validity that is not positive
     */
    IssuedToken create(Role role, String name, Duration validFor);

    /** Every token there is, expired ones included, oldest first. */
    List<AccessToken> list();

    /** Revokes the token {@code id}: it is never accepted again. @throws TokenNotFoundException */
    AccessToken revoke(String id);

    /**
     * The token {@code bearer} is, while it is accepted: empty for a malformed,
     * unknown, revoked or expired one (which of these is never told apart to
     * the caller).
     */
    Optional<AccessToken> authenticate(String bearer);
}
