package vagoth.http.internal;

import java.io.IOException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

import vagoth.api.access.Role;

/** Any path under {@code /api/} no resource serves: a JSON 404 (after the token check, as every route). */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/*",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class NotFoundServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;

    @Override
    void other(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        Api.error(resp, 404, "no such resource: " + req.getRequestURI() + " (GET /api/v1/openapi.json lists them)");
    }
}
