package vagoth.http.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Installation;
import vagoth.api.VagothException;
import vagoth.api.access.AccessToken;
import vagoth.api.access.AccessTokens;

/**
 * Every request to {@code /api/} carries {@code Authorization: Bearer
 * TOKEN}: a missing, malformed, unknown, revoked or expired token is a 401
 * (never an empty answer), a token in the query string a 400. Failures from
 * one address are limited ({@link FailureLimit}): past a few in a minute its
 * refused attempts are answered {@code 429} with {@code Retry-After} at once.
 * A request refused here is answered without its body being read, and its
 * connection closed, so a client that never sends the body holds nothing. Every call that
 * changes something is logged with the token's name as its actor; a token
 * itself never is. The web console signs in with a token
 * ({@code POST /api/v1/session}) and then sends a session cookie instead;
 * a change made with the cookie must carry the session's CSRF token. The scrape token ({@code metrics.token.file}) reads
 * {@code /metrics} and is refused everywhere else.
 */
@Component(service = Filter.class, configurationPid = HttpSetup.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL, property = {"osgi.http.whiteboard.filter.pattern=/api/*",
    "osgi.http.whiteboard.filter.asyncSupported=true",
    "osgi.http.whiteboard.filter.pattern=/metrics", "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class AuthFilter implements Filter {
    private static final System.Logger LOG = System.getLogger("vagoth.api");
    private static final String SIGN_IN = "/api/v1/session";
    private static final java.util.Set<String> SAFE = java.util.Set.of("GET", "HEAD");

    private final AccessTokens tokens;
    private final Sessions sessions;
    private final EventFeed events;
    private final Metrics metrics;
    /** Refused credentials per address: past a few, a 429 with Retry-After, never a sleeping thread. */
    private final FailureLimit failures = new FailureLimit(java.time.Clock.systemUTC());

    private final String home;
    /** Null when none is configured, or the configured one cannot be read (logged). */
    private volatile ScrapeToken scrape;

    @Activate
    public AuthFilter(@Reference AccessTokens tokens, @Reference Sessions sessions, @Reference EventFeed events,
            @Reference Metrics metrics, BundleContext context, HttpConfig config) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.events = events;
        this.metrics = metrics;
        this.home = context.getProperty(Installation.HOME_PROPERTY);
        modified(config);
    }

    @Modified
    void modified(HttpConfig config) {
        String file = config.metrics_token_file();
        scrape = null;
        if (file.isBlank()) {
            return;
        }
        try {
            scrape = ScrapeToken.read(java.nio.file.Path.of(home, "etc").resolve(file));
        } catch (VagothException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; the scrape token is refused until that is mended");
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse resp = (HttpServletResponse) response;
        long began = System.nanoTime();
        try {
            filter(req, resp, chain);
        } finally {
            metrics.request(Api.route(req.getRequestURI()), Metrics.method(req.getMethod()), resp.getStatus(),
                    System.nanoTime() - began);
        }
    }

    /**
     * One request's way through: refused outright when malformed; a sign-in
     * or the scrape token each their own way; else its caller is found (a
     * bearer token, or a session cookie with its CSRF token for a change) and
     * the request served as that caller, a change recorded.
     */
    private void filter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        String malformed = malformed(req);
        if (malformed != null) {
            resp.setHeader("Connection", "close");
            Api.error(resp, 400, malformed);
            return;
        }
        String header = req.getHeader("Authorization");
        if (header == null && req.getMethod().equals("POST") && req.getRequestURI().equals(SIGN_IN)) {
            signIn(req, resp, chain);
            return;
        }
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim() : null;
        ScrapeToken s = scrape;
        if (presented != null && s != null && s.matches(presented)) {
            scraped(req, resp, chain);
            return;
        }
        Optional<AccessToken> token;
        try {
            token = presented != null ? bearer(req, presented) : header == null && cookie(req) != null
                    ? session(req) : Optional.empty();
        } catch (Api.Refusal r) {
            resp.setHeader("Connection", "close");
            Api.error(resp, r.status, r.getMessage());
            return;
        }
        if (token.isEmpty()) {
            refuse(req, resp, header != null);
            return;
        }
        serve(req, resp, chain, token.get());
    }

    /** Why a request is refused before anything else is looked at (400), or null. */
    private static String malformed(HttpServletRequest req) {
        if (tokenInUrl(req.getQueryString())) {
            return "a token goes in the Authorization header, never in the URL (it would be logged on the way):"
                    + " revoke that token, it may have been seen";
        }
        int authorizations = java.util.Collections.list(req.getHeaders("Authorization")).size();
        return authorizations > 1 ? "one Authorization header, not " + authorizations : null;
    }

    /** The token a bearer header presents, if valid; the request can ask again whether it still is. */
    private Optional<AccessToken> bearer(HttpServletRequest req, String presented) {
        req.setAttribute(Api.STILL_VALID, (java.util.function.BooleanSupplier) () -> tokens.authenticate(presented)
                .isPresent());
        return tokens.authenticate(presented);
    }

    /**
     * The token behind a session cookie; a session that has ended is refused
     * (401), and so is a change without the session's CSRF token (403).
     */
    private Optional<AccessToken> session(HttpServletRequest req) {
        Sessions.Session session = sessions.find(cookie(req)).orElse(null);
        Optional<AccessToken> token = session == null ? Optional.empty() : tokens.authenticate(session.bearer);
        if (token.isEmpty()) {
            throw new Api.Refusal(401, "the session has ended (signed out, idle too long, its token revoked or"
                    + " expired, or the daemon restarted): sign in again");
        }
        if (!SAFE.contains(req.getMethod()) && !session.csrfMatches(req.getHeader(Sessions.CSRF_HEADER))) {
            throw new Api.Refusal(403, "a change made with a session cookie needs its CSRF token in the "
                    + Sessions.CSRF_HEADER + " header (GET /api/v1/session gives it)");
        }
        req.setAttribute(Api.SESSION, session);
        req.setAttribute(Api.STILL_VALID, (java.util.function.BooleanSupplier) () -> sessions.lasts(session.id)
                && tokens.authenticate(session.bearer).isPresent());
        return token;
    }

    /**
     * 401 for a request without a valid caller; a token presented and refused
     * is a guess, counted against its address (no token at all guesses
     * nothing), and past the free ones answered 429.
     */
    private void refuse(HttpServletRequest req, HttpServletResponse resp, boolean presented) throws IOException {
        resp.setHeader("Connection", "close"); // answered without reading its body: nothing of it is waited for
        if (presented) {
            failures.failed(req.getRemoteAddr());
            if (tooMany(req, resp)) {
                return;
            }
        }
        resp.setHeader("WWW-Authenticate", "Bearer realm=\"vagoth\"");
        Api.error(resp, 401, presented ? "the token is not valid (unknown, revoked, expired or malformed)"
                : "no token: send 'Authorization: Bearer TOKEN' ('vagoth token create --role viewer' makes one)");
    }

    /** Serves the request as {@code caller}; a change is logged and published with its actor. */
    private void serve(HttpServletRequest req, HttpServletResponse resp, FilterChain chain, AccessToken caller)
            throws IOException, ServletException {
        req.setAttribute(Api.TOKEN, caller);
        try {
            chain.doFilter(req, resp);
        } catch (Api.Refusal r) {
            if (!resp.isCommitted()) {
                Api.error(resp, r.status, r.getMessage());
            }
        } finally {
            if (!SAFE.contains(req.getMethod())) {
                LOG.log(System.Logger.Level.INFO, "api: {0} ({1}) {2} {3} -> {4}", caller.name(),
                        caller.role().label(), req.getMethod(), req.getRequestURI(), resp.getStatus());
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("actor", caller.name());
                call.put("role", caller.role().label());
                call.put("method", req.getMethod());
                call.put("path", req.getRequestURI());
                call.put("status", resp.getStatus());
                events.publish("api", call);
                events.lookNow();
            }
        }
    }

    /**
     * {@code POST /api/v1/session} without a token header: the token is in the
     * body, so a refused sign-in counts as a failure from its address like a
     * refused token, and waits as long.
     */
    private void signIn(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        String address = req.getRemoteAddr();
        if (tooMany(req, resp)) { // before its body is read
            return;
        }
        chain.doFilter(req, resp);
        if (resp.getStatus() == 401) {
            failures.failed(address);
        }
        LOG.log(System.Logger.Level.INFO, "api: sign-in from {0} -> {1}", address, resp.getStatus());
    }

    /**
     * Whether the query names a token parameter, whatever its case or
     * encoding ({@code ?Token=}, {@code ?t%6Fken=}); a name that does not
     * decode counts as one, to be safe.
     */
    static boolean tokenInUrl(String query) {
        if (query == null) {
            return false;
        }
        for (String part : query.split("[&;]")) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            try {
                name = java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return true;
            }
            name = name.strip().toLowerCase(java.util.Locale.ROOT);
            if (name.equals("token") || name.equals("access_token") || name.equals("bearer")) {
                return true;
            }
        }
        return false;
    }

    /** The session cookie's value, or null. */
    private static String cookie(HttpServletRequest req) {
        jakarta.servlet.http.Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (jakarta.servlet.http.Cookie c : cookies) {
                if (c.getName().equals(Sessions.COOKIE)) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private static void scraped(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        if (!req.getRequestURI().equals("/metrics") || !req.getMethod().equals("GET")) {
            resp.setHeader("Connection", "close");
            Api.error(resp, 403, "the scrape token reads GET /metrics only");
            return;
        }
        req.setAttribute(Api.SCRAPER, Boolean.TRUE);
        chain.doFilter(req, resp);
    }

    /**
     * Answers {@code 429} with {@code Retry-After} when the request's address
     * must wait (its refused attempts went past the free ones); returns
     * whether it did.
     */
    private boolean tooMany(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long wait = failures.waitMs(req.getRemoteAddr());
        if (wait <= 0) {
            return false;
        }
        resp.setHeader("Connection", "close");
        resp.setHeader("Retry-After", String.valueOf((wait + 999) / 1000));
        Api.error(resp, 429, "too many refused attempts from " + req.getRemoteAddr() + ": try again in "
                + (wait + 999) / 1000 + " s");
        return true;
    }
}
