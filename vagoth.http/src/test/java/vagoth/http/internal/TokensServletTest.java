package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import vagoth.api.access.AccessToken;
import vagoth.api.access.AccessTokens;
import vagoth.api.access.IssuedToken;
import vagoth.api.access.Role;
import vagoth.api.access.TokenNotFoundException;
import vagoth.http.internal.FakeHttp.Request;
import vagoth.http.internal.FakeHttp.Response;

/**
 * {@code /api/v1/tokens} and {@code /api/v1/token}: an admin lists and
 * revokes, anyone reads their own; no secret is ever answered, and no token
 * is made over the API.
 */
class TokensServletTest {
    /** Tokens in memory: what the servlet asks of the real store. */
    private static final class Tokens implements AccessTokens {
        final Map<String, AccessToken> held = new LinkedHashMap<>();

        Tokens() {
            for (String id : List.of("aaaa1111", "bbbb2222")) {
                held.put(id, new AccessToken(id, "t-" + id, Role.VIEWER, Instant.EPOCH, null));
            }
        }

        @Override
        public IssuedToken create(Role role, String name, Duration validFor) {
            throw new AssertionError("no token is made over the API");
        }

        @Override
        public List<AccessToken> list() {
            return new ArrayList<>(held.values());
        }

        @Override
        public AccessToken revoke(String id) {
            AccessToken t = held.remove(id);
            if (t == null) {
                throw new TokenNotFoundException(id);
            }
            return t;
        }

        @Override
        public Optional<AccessToken> authenticate(String bearer) {
            return Optional.empty();
        }
    }

    private final Tokens tokens = new Tokens();
    private final TokensServlet servlet = new TokensServlet(tokens);

    private Response call(String method, String servletPath, String uri, Role role) throws Exception {
        return FakeHttp.call(servlet, new Request(method, servletPath, uri).as(role));
    }

    @Test
    void anAdminListsAndRevokesAndNoSecretIsAnswered() throws Exception {
        Response list = call("GET", "/api/v1/tokens", "/api/v1/tokens", Role.ADMIN);
        assertEquals(200, list.status, list.text());
        assertEquals(2, list.json().getAsJsonArray().size(), list.text());
        assertEquals(List.of("id", "name", "role", "created", "expires"),
                List.copyOf(list.json().getAsJsonArray().get(0).getAsJsonObject().keySet()), "no hash, no bearer");
        Response revoked = call("DELETE", "/api/v1/tokens", "/api/v1/tokens/aaaa1111", Role.ADMIN);
        assertEquals(200, revoked.status, revoked.text());
        assertEquals("aaaa1111", revoked.json().getAsJsonObject().get("id").getAsString());
        assertFalse(tokens.held.containsKey("aaaa1111"));
        assertEquals(404, call("DELETE", "/api/v1/tokens", "/api/v1/tokens/aaaa1111", Role.ADMIN).status);
    }

    @Test
    void othersReadTheirOwnTokenOnlyAndNothingIsMadeHere() throws Exception {
        Response own = call("GET", "/api/v1/token", "/api/v1/token", Role.VIEWER);
        assertEquals(200, own.status, own.text());
        assertEquals("viewer", own.json().getAsJsonObject().get("role").getAsString());
        for (Response refused : List.of(call("GET", "/api/v1/tokens", "/api/v1/tokens", Role.OPERATOR),
                call("DELETE", "/api/v1/tokens", "/api/v1/tokens/bbbb2222", Role.OPERATOR))) {
            assertEquals(403, refused.status, refused.text());
            assertTrue(refused.error().endsWith("needs the admin role"), refused.text());
        }
        assertEquals(405, call("POST", "/api/v1/tokens", "/api/v1/tokens", Role.ADMIN).status, "made by the CLI only");
        assertEquals(405, call("DELETE", "/api/v1/token", "/api/v1/token/bbbb2222", Role.ADMIN).status);
        assertEquals(2, tokens.held.size(), "nothing refused changed anything");
    }
}
