package vagoth.http.internal;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

import vagoth.api.access.Role;

/**
 * {@code GET /api/v1/openapi.json} (viewer): the OpenAPI document of every
 * route, parameter, body and error, as this bundle ships it
 * ({@code vagoth/http/openapi.json}; a test calls every route it lists).
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/openapi.json",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class OpenApiServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    static final String DOCUMENT = "/vagoth/http/openapi.json";

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        byte[] b;
        try (InputStream in = OpenApiServlet.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks " + DOCUMENT);
            }
            b = in.readAllBytes();
        }
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(b.length);
        resp.getOutputStream().write(b);
    }
}
