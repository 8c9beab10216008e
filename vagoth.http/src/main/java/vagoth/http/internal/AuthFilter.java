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
 * one address are slowed down: after {@value #FREE_FAILURES} in a minute each
 * next one waits longer, up to {@value #MAX_DELAY_MS} ms. Every call that
 * changes something is logged with the token's name as its actor; a token
 * itself never is. The web console signs in with a token
 * ({@code POST /api/v1/session}) and then sends a session cookie instead;
 * a change made with the cookie must carry the session's CSRF token. The scrape token ({@code metrics.token.file}) reads
 * {@code /metrics} and is refused everywhere else.
 */
@Component(service = Filter.class, configurationPid = HttpSetup.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL, property = {"osgi.http.whiteboard.filter.pattern=/api/*",
    "osgi.http.whiteboard.filter.pattern=/metrics", "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class AuthFilter implements Filter {
    static final int FREE_FAILURES = 5;
    static final long MAX_DELAY_MS = 5_000;
    private static final long WINDOW_MS = 60_000;
    private static final int MAX_ADDRESSES = 10_000;
    private static final System.Logger LOG = System.getLogger("vagoth.api");
    private static final String SIGN_IN = "/api/v1/session";
    private static final java.util.Set<String> SAFE = java.util.Set.of("GET", "HEAD");

    private final AccessTokens tokens;
    private final Sessions sessions;
    private final EventFeed events;
    private final Metrics metrics;
    /** Per address: failures in the current window, and when it began. Oldest addresses go first. */
    private final Map<String, long[]> failures = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

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

    private void filter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        if (tokenInUrl(req.getQueryString())) {
            Body.drain(req);
            Api.error(resp, 400, "a token goes in the Authorization header, never in the URL (it would be logged"
                    + " on the way): revoke that token, it may have been seen");
            return;
        }
        java.util.List<String> authorizations = java.util.Collections.list(req.getHeaders("Authorization"));
        if (authorizations.size() > 1) {
            Api.error(resp, 400, "one Authorization header, not " + authorizations.size());
            return;
        }
        String header = req.getHeader("Authorization");
        if (header == null && req.getMethod().equals("POST") && req.getRequestURI().equals(SIGN_IN)) {
            signIn(req, resp, chain);
            return;
        }
        Optional<AccessToken> token = Optional.empty();
        Sessions.Session session = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String presented = header.substring(7).trim();
            ScrapeToken s = scrape;
            if (s != null && s.matches(presented)) {
                scraped(req, resp, chain);
                return;
            }
            token = tokens.authenticate(presented);
            req.setAttribute(Api.STILL_VALID, (java.util.function.BooleanSupplier) () -> tokens.authenticate(presented)
                    .isPresent());
        } else if (header == null && cookie(req) != null) {
            session = sessions.find(cookie(req)).orElse(null);
            token = session == null ? Optional.empty() : tokens.authenticate(session.bearer);
            if (token.isEmpty()) {
                Body.drain(req);
                Api.error(resp, 401, "the session has ended (signed out, idle too long, its token revoked or"
                        + " expired, or the daemon restarted): sign in again");
                return;
            }
            if (!SAFE.contains(req.getMethod()) && !session.csrfMatches(req.getHeader(Sessions.CSRF_HEADER))) {
                Body.drain(req);
                Api.error(resp, 403, "a change made with a session cookie needs its CSRF token in the "
                        + Sessions.CSRF_HEADER + " header (GET /api/v1/session gives it)");
                return;
            }
            req.setAttribute(Api.SESSION, session);
            Sessions.Session s = session;
            req.setAttribute(Api.STILL_VALID, (java.util.function.BooleanSupplier) () -> sessions.lasts(s.id)
                    && tokens.authenticate(s.bearer).isPresent());
        }
        if (token.isEmpty()) {
            Body.drain(req);
            slowDown(req.getRemoteAddr());
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"vagoth\"");
            Api.error(resp, 401, header == null ? "no token: send 'Authorization: Bearer TOKEN' ('vagoth token create"
                    + " --role viewer' makes one)" : "the token is not valid (unknown, revoked, expired or"
                    + " malformed)");
            return;
        }
        req.setAttribute(Api.TOKEN, token.get());
        try {
            chain.doFilter(req, resp);
        } catch (Api.Refusal r) {
            if (!resp.isCommitted()) {
                Api.error(resp, r.status, r.getMessage());
            }
        } finally {
            if (!SAFE.contains(req.getMethod())) {
                LOG.log(System.Logger.Level.INFO, "api: {0} ({1}) {2} {3} -> {4}", token.get().name(),
                        token.get().role().label(), req.getMethod(), req.getRequestURI(), resp.getStatus());
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("actor", token.get().name());
                call.put("role", token.get().role().label());
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
        pause(address);
        chain.doFilter(req, resp);
        if (resp.getStatus() == 401) {
            count(address);
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
            Body.drain(req);
            Api.error(resp, 403, "the scrape token reads GET /metrics only");
            return;
        }
        req.setAttribute(Api.SCRAPER, Boolean.TRUE);
        chain.doFilter(req, resp);
    }

    /** Counts a failure from {@code address} and, past the free ones, waits before answering it. */
    private void slowDown(String address) {
        count(address);
        pause(address);
    }

    private void count(String address) {
        synchronized (failures) {
            long now = System.currentTimeMillis();
            long[] f = failures.computeIfAbsent(address, a -> new long[] {0, now});
            if (now - f[1] > WINDOW_MS) {
                f[0] = 0;
                f[1] = now;
            }
            f[0]++;
        }
    }

    /** Waits as long as the failures from {@code address} in this window say: nothing for the first few. */
    private void pause(String address) {
        long delay;
        synchronized (failures) {
            long[] f = failures.get(address);
            long over = f == null || System.currentTimeMillis() - f[1] > WINDOW_MS ? 0 : f[0] - FREE_FAILURES;
            delay = over <= 0 ? 0 : Math.min(MAX_DELAY_MS, 100L << Math.min(over - 1, 16));
        }
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
