package vagoth.http.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.access.AccessToken;
import vagoth.api.access.AccessTokens;
import vagoth.api.access.Role;

/**
 * {@code /api/v1/session}: the web console's sign-in. {@code POST} with
 * {@code {"token": "vgt_..."}} exchanges a token for a session cookie
 * ({@code HttpOnly}, {@code Secure}, {@code SameSite=Strict}) and answers
 * the session's CSRF token, which every change made with the cookie sends in
 * {@code X-CSRF-Token}; {@code GET} says who is signed in (and the CSRF token
 * again, for a reloaded page); {@code DELETE} signs out (with a bearer token
 * there is no session: nothing changes).
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/session",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class SessionServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient AccessTokens tokens;
    private final transient Sessions sessions;

    @Activate
    public SessionServlet(@Reference AccessTokens tokens, @Reference Sessions sessions) {
        this.tokens = tokens;
        this.sessions = sessions;
    }

    @Override
    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String type = req.getContentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            // a form posted from another site cannot send this type without the browser asking first
            throw new Api.Refusal(415, "sign-in takes a JSON body: send 'Content-Type: application/json'");
        }
        Map<String, String> body = Body.fields(req, Set.of("token"));
        String bearer = body.get("token");
        if (bearer == null || bearer.isBlank()) {
            throw new Api.Refusal(400, "sign-in takes {\"token\": \"vgt_...\"} ('vagoth token create' makes one)");
        }
        Optional<AccessToken> token = tokens.authenticate(bearer.trim());
        if (token.isEmpty()) {
            throw new Api.Refusal(401, "the token is not valid (unknown, revoked, expired or malformed)");
        }
        Sessions.Session s = sessions.open(bearer.trim());
        resp.addHeader("Set-Cookie", Sessions.COOKIE + "=" + s.id + "; Path=/; Max-Age="
                + Sessions.LONGEST.toSeconds() + "; HttpOnly; Secure; SameSite=Strict");
        Api.json(resp, 200, describe(token.get(), s));
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken t = Api.require(req, Role.VIEWER);
        Api.json(resp, 200, describe(t, (Sessions.Session) req.getAttribute(Api.SESSION)));
    }

    @Override
    void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        Sessions.Session s = (Sessions.Session) req.getAttribute(Api.SESSION);
        if (s != null) { // a bearer token has no session: a token is revoked with DELETE /api/v1/tokens/ID
            sessions.close(s.id);
            resp.addHeader("Set-Cookie", Sessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
        }
        Api.json(resp, 200, java.util.Map.of("signed_out", s != null));
    }

    /** Who is signed in: the token's name and role, and with a session its CSRF token and when it ends. */
    private static Map<String, Object> describe(AccessToken t, Sessions.Session s) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", t.name());
        o.put("role", t.role().label());
        o.put("token_id", t.id());
        o.put("csrf", s == null ? null : s.csrf);
        o.put("expires", s == null ? null : s.ends().toString());
        return o;
    }
}
