package vagoth.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import vagoth.api.access.AccessToken;
import vagoth.api.access.Role;
import vagoth.support.json.Json;

/** What every resource of the API shares: JSON answers, errors, and the caller's role. */
final class Api {
    /** The request attribute {@link AuthFilter} puts the caller's token in. */
    static final String TOKEN = "vagoth.token";
    /** The request attribute {@link AuthFilter} puts the caller's console session in, when it came with one. */
    static final String SESSION = "vagoth.session";
    /**
     * The request attribute {@link AuthFilter} puts a {@link java.util.function.BooleanSupplier} in: whether
     * the caller's token (and session) is still accepted, for a request that lasts (the event stream).
     */
    static final String STILL_VALID = "vagoth.still-valid";
    /** The request attribute set when the caller sent the scrape token, which reads {@code /metrics} only. */
    static final String SCRAPER = "vagoth.scraper";
    static final String WHITEBOARD_CONTEXT = "(osgi.http.whiteboard.context.name=default)";

    private Api() {
    }

    /** Thrown by a resource to answer with an error. */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static void json(HttpServletResponse resp, int status, Object body) throws IOException {
        byte[] b = (Json.compact(body) + "\n").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(b.length);
        resp.getOutputStream().write(b);
    }

    static void error(HttpServletResponse resp, int status, String message) throws IOException {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("status", status);
        e.put("error", message);
        json(resp, status, e);
    }

    /** The caller's token, if it has {@code role}; else a 403 naming what is needed. */
    static AccessToken require(HttpServletRequest req, Role role) {
        AccessToken t = (AccessToken) req.getAttribute(TOKEN);
        if (t == null) {
            throw new Refusal(401, "no valid token (send 'Authorization: Bearer TOKEN'; 'vagoth token create' makes one)");
        }
        if (!t.role().includes(role)) {
            throw new Refusal(403, "token " + t.id() + " (" + t.name() + ") is a " + t.role().label() + "'s; "
                    + req.getMethod() + " " + req.getRequestURI() + " needs the " + role.label() + " role");
        }
        return t;
    }

    static final java.util.Set<String> RESOURCES = java.util.Set.of("nodes", "vms", "hypervisors", "jobs",
            "tokens", "token", "events", "command", "templates", "plugins", "openapi.json", "session", "ha");
    static final java.util.Set<String> SUBPATHS = java.util.Set.of("start", "stop", "shutdown", "reboot",
            "define", "undefine", "provision", "deprovision", "migrate", "maintenance", "fence", "unfence", "plan",
            "evacuate", "console");

    /**
     * A request's route for metrics, from a bounded set: {@code /api/v1/nodes/{name}},
     * {@code /api/v1/vms/{name}/start}; never a node's name or a job's id.
     */
    static String route(String path) {
        if (path.equals("/metrics")) {
            return path;
        }
        String[] p = path.split("/");
        if (p.length < 4 || !p[1].equals("api") || !p[2].equals("v1")) {
            return "{other}";
        }
        if (!RESOURCES.contains(p[3])) {
            return "/api/v1/{other}";
        }
        StringBuilder r = new StringBuilder("/api/v1/").append(p[3]);
        if (p.length > 4) {
            r.append(p[3].equals("jobs") || p[3].equals("tokens") ? "/{id}" : "/{name}");
        }
        if (p.length > 5) {
            r.append('/').append(p.length == 6 && SUBPATHS.contains(p[5]) ? p[5] : "{other}");
        }
        return r.toString();
    }

    /** The part of the path after the servlet's own ({@code /api/v1/nodes/NAME}: {@code NAME}), or null. */
    static String rest(HttpServletRequest req) {
        String info = req.getPathInfo();
        if (info == null || info.equals("/")) {
            return null;
        }
        return info.substring(1);
    }
}
