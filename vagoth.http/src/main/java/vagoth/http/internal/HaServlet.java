package vagoth.http.internal;

import java.io.IOException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.access.Role;
import vagoth.support.json.HaJson;

/**
 * {@code GET /api/v1/ha} (viewer): high availability as {@code ha status
 * --json} shows it: each VM that asks for it, highest priority first, with
 * what recovery did, and each host recovery could not fence, with why.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/ha",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class HaServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient Manager manager;

    @Activate
    public HaServlet(@Reference Manager manager) {
        this.manager = manager;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        if (Api.rest(req) != null) {
            throw notServed(req);
        }
        Api.json(resp, 200, HaJson.status(manager.registry()));
    }
}
