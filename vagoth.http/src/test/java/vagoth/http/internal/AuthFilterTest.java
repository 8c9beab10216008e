package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.servlet.FilterChain;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

import vagoth.api.Installation;
import vagoth.api.access.AccessToken;
import vagoth.api.access.AccessTokens;
import vagoth.api.access.IssuedToken;
import vagoth.api.access.Role;
import vagoth.http.internal.FakeHttp.Request;
import vagoth.http.internal.FakeHttp.Response;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.TestManager;

/**
 * The filter in front of {@code /api/}: who is let through, as whom, and
 * what every other request is answered without reaching a servlet.
 */
class AuthFilterTest {
    private static final String GOOD = "vgt_0123abcd_secret";
    private final AccessToken operator = FakeHttp.caller(Role.OPERATOR);
    /** The requests that reached the servlet behind the filter, with the caller it was given. */
    private final List<Object> served = new ArrayList<>();
    private EventFeed events;
    private AuthFilter filter;

    /** The one token there is: {@link #GOOD}, an operator's. */
    private final class OneToken implements AccessTokens {
        @Override
        public IssuedToken create(Role role, String name, Duration validFor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<AccessToken> list() {
            return List.of(operator);
        }

        @Override
        public AccessToken revoke(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<AccessToken> authenticate(String bearer) {
            return GOOD.equals(bearer) ? Optional.of(operator) : Optional.empty();
        }
    }

    @BeforeEach
    void filter() {
        Metrics metrics = new Metrics();
        events = new EventFeed(new TestManager("test", new MemoryRegistry()), metrics);
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, a) -> m.getName().equals("getProperty")
                        && Installation.HOME_PROPERTY.equals(a[0]) ? "/nonexistent/home" : null);
        HttpConfig config = (HttpConfig) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpConfig.class}, (p, m, a) -> m.getDefaultValue());
        filter = new AuthFilter(new OneToken(), new Sessions(), events, metrics, context, config);
    }

    @AfterEach
    void close() {
        events.stop();
    }

    private Response call(Request req) throws Exception {
        Response resp = new Response();
        jakarta.servlet.http.HttpServletRequest r = req.servlet();
        FilterChain servlet = (rq, rs) -> served.add(rq.getAttribute(Api.TOKEN));
        filter.doFilter(r, resp.servlet(), servlet);
        return resp;
    }

    private static Request get(String uri) {
        return new Request("GET", "/api/v1/nodes", uri);
    }

    @Test
    void aValidTokenReachesTheServletAsItsCaller() throws Exception {
        Response r = call(get("/api/v1/nodes").header("Authorization", "Bearer " + GOOD));
        assertEquals(200, r.status, r.text());
        assertEquals(List.of(operator), served);
        call(get("/api/v1/nodes").header("Authorization", "bearer " + GOOD));
        assertEquals(2, served.size(), "the scheme's case does not matter");
    }

    @Test
    void noTokenOrABadOneIsA401WithTheSchemeAndNeverReachesTheServlet() throws Exception {
        for (Request req : List.of(get("/api/v1/nodes"), get("/api/v1/nodes").header("Authorization", "Bearer nope"),
                get("/api/v1/nodes").header("Authorization", "Basic " + GOOD),
                get("/api/v1/nodes").header("Authorization", "Bearer"))) {
            Response r = call(req);
            assertEquals(401, r.status, r.text());
            assertTrue(r.headers.get("WWW-Authenticate").startsWith("Bearer"), r.headers.toString());
            assertEquals("close", r.headers.get("Connection"), "answered without reading the body");
            assertNotNull(r.error());
        }
        assertEquals(List.of(), served);
    }

    @Test
    void aTokenInTheUrlIsA400EvenAValidOne() throws Exception {
        Response r = call(get("/api/v1/nodes?token=" + GOOD).header("Authorization", "Bearer " + GOOD));
        assertEquals(400, r.status, r.text());
        assertTrue(r.error().contains("never in the URL"), r.text());
        assertEquals(List.of(), served);
    }

    @Test
    void guessesFromOneAddressArePastTheFreeOnesA429AndOtherAddressesAreNot() throws Exception {
        for (int i = 0; i < FailureLimit.FREE; i++) {
            assertEquals(401, call(get("/api/v1/nodes").header("Authorization", "Bearer guess" + i)).status);
        }
        Response limited = call(get("/api/v1/nodes").header("Authorization", "Bearer guess"));
        assertEquals(429, limited.status, limited.text());
        assertNotNull(limited.headers.get("Retry-After"), limited.headers.toString());
        Request elsewhere = get("/api/v1/nodes").header("Authorization", "Bearer guess");
        elsewhere.remoteAddress = "192.0.2.99";
        assertEquals(401, call(elsewhere).status, "another address has guessed nothing");
        assertEquals(List.of(), served);
        Request honest = get("/api/v1/nodes").header("Authorization", "Bearer " + GOOD);
        assertEquals(200, call(honest).status, "a valid token is served from an address others guess from (a NAT)");
        assertEquals(List.of(operator), served);
        Request noToken = get("/api/v1/nodes");
        noToken.remoteAddress = "192.0.2.50";
        for (int i = 0; i < FailureLimit.FREE + 3; i++) {
            assertEquals(401, call(noToken).status, "no token at all guesses nothing");
        }
    }

    @Test
    void aRefusalThrownByTheServletIsAnsweredWithItsStatus() throws Exception {
        Response resp = new Response();
        FilterChain refusing = (rq, rs) -> {
            throw new Api.Refusal(409, "no room");
        };
        filter.doFilter(new Request("POST", "/api/v1/vms", "/api/v1/vms/web1/start")
                .header("Authorization", "Bearer " + GOOD).servlet(), resp.servlet(), refusing);
        assertEquals(409, resp.status, resp.text());
        assertEquals("no room", resp.error());
        assertNull(resp.headers.get("WWW-Authenticate"), "the caller was known");
    }
}
