package vagoth.http.internal;

import java.io.IOException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

/**
 * What the server itself refuses or fails (a path it cannot read, a body
 * over the limit, an uncaught failure) is answered in the API's JSON too,
 * never an HTML page.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.errorPage=4xx",
    "osgi.http.whiteboard.servlet.errorPage=5xx", "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class ErrorServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object code = req.getAttribute("jakarta.servlet.error.status_code");
        int status = code instanceof Integer i ? i : resp.getStatus();
        Object message = req.getAttribute("jakarta.servlet.error.message");
        Api.error(resp, status, status >= 500 ? "the daemon failed to answer; its log says more"
                : message == null || message.toString().isBlank() ? "refused (" + status + ")" : message.toString());
    }
}
