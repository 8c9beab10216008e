package vagoth.console.internal;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

/**
 * {@code /ui} and {@code /ui/} lead to the console's page; every file is served with: scripts, styles, images and
 * connections from this daemon only (no inline script, nothing from
 * elsewhere), never framed by another page, and checked again on every load
 * so that an upgraded daemon serves its own console.
 */
@Component(service = Filter.class, property = {"osgi.http.whiteboard.filter.pattern=/ui/*",
    "osgi.http.whiteboard.filter.pattern=/ui", "osgi.http.whiteboard.context.select=" + ConsoleFiles.CONTEXT})
public final class ConsoleHeaders implements Filter {
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletResponse resp = (HttpServletResponse) response;
        String path = ((HttpServletRequest) request).getRequestURI();
        if (path.equals("/ui") || path.equals("/ui/")) {
            resp.setHeader("Cache-Control", "no-store");
            resp.sendRedirect("/ui/index.html"); // the way in: the page sends to sign-in when there is no session
            return;
        }
        resp.setHeader("Content-Security-Policy", POLICY);
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("Referrer-Policy", "no-referrer");
        resp.setHeader("Cache-Control", "no-cache");
        if (request.isSecure()) { // a browser that saw the console over HTTPS never tries it in plain HTTP
            resp.setHeader("Strict-Transport-Security", "max-age=31536000");
        }
        chain.doFilter(request, response);
    }
}
