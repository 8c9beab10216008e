package vagoth.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * {@code /api/v1/token}: the caller's own token (any role); {@code /api/v1/tokens}:
 * every token (admin), and {@code DELETE /api/v1/tokens/ID} to revoke one (admin).
 * Never a secret: only their hashes are kept.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/token",
    "osgi.http.whiteboard.servlet.pattern=/api/v1/tokens", "osgi.http.whiteboard.servlet.pattern=/api/v1/tokens/*",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class TokensServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient AccessTokens tokens;

    @Activate
    public TokensServlet(@Reference AccessTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getServletPath().equals("/api/v1/token")) {
            Api.json(resp, 200, json(Api.require(req, Role.VIEWER)));
            return;
        }
        Api.require(req, Role.ADMIN);
        if (Api.rest(req) != null) {
            throw notServed(req);
        }
        List<Object> out = new ArrayList<>();
        for (AccessToken t : tokens.list()) {
            out.add(json(t));
        }
        Api.json(resp, 200, out);
    }

    @Override
    void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.ADMIN);
        String id = Api.rest(req);
        if (id == null || !req.getServletPath().equals("/api/v1/tokens")) {
            throw notServed(req);
        }
        Api.json(resp, 200, json(tokens.revoke(id)));
    }

    private static Map<String, Object> json(AccessToken t) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", t.id());
        o.put("name", t.name());
        o.put("role", t.role().label());
        o.put("created", t.created().toString());
        o.put("expires", t.expires() == null ? null : t.expires().toString());
        return o;
    }
}
