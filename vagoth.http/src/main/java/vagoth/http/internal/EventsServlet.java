package vagoth.http.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.access.Role;

/**
 * {@code GET /api/v1/events} (viewer): the event stream, as server-sent
 * events ({@code id}, {@code event}, {@code data} of one JSON line). A client
 * resumes with {@code Last-Event-ID} (or {@code ?after=ID}) and gets every
 * event after that one, none twice; when it cannot be resumed (the daemon
 * restarted, or the id is older than what is kept) a {@code reset} event
 * says to read the state again. A stream whose token is revoked or expires,
 * or whose console session ends, is ended within {@value #KEEP_ALIVE_MS} ms
 * with an {@code ended} event. A comment every {@value #KEEP_ALIVE_MS} ms
 * keeps the connection open through proxies.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/events",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class EventsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    static final long KEEP_ALIVE_MS = 15_000;
    private final transient EventFeed feed;

    @Activate
    public EventsServlet(@Reference EventFeed feed) {
        this.feed = feed;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        String last = req.getHeader("Last-Event-ID");
        if (last == null) {
            last = req.getParameter("after");
        }
        if (last != null && !last.matches("[0-9a-z]{1,20}-[0-9]{1,19}")) {
            throw new Api.Refusal(400, "not an event id: '" + last + "' (EPOCH-SEQ, as the stream gives them)");
        }
        resp.setStatus(200);
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        OutputStream out = resp.getOutputStream();
        write(out, ": events of " + feed.epoch() + "\n\n");
        resp.flushBuffer();
        java.util.function.BooleanSupplier valid = (java.util.function.BooleanSupplier) req.getAttribute(
                Api.STILL_VALID);
        try {
            feed.attach();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            while (true) {
                if (valid != null && !valid.getAsBoolean()) {
                    write(out, "event: ended\ndata: {\"reason\": \"the token or session of this stream is no"
                            + " longer accepted (revoked, expired or signed out)\"}\n\n");
                    resp.flushBuffer();
                    return;
                }
                List<EventFeed.Event> events = feed.after(last, KEEP_ALIVE_MS);
                if (events == null) {
                    last = feed.lastId();
                    write(out, "id: " + last + "\nevent: reset\ndata: "
                            + "{\"reason\": \"this stream cannot be resumed from there: read the state again\"}\n\n");
                } else if (events.isEmpty()) {
                    write(out, ": keep-alive\n\n");
                } else {
                    StringBuilder sb = new StringBuilder();
                    for (EventFeed.Event e : events) {
                        last = feed.id(e);
                        sb.append("id: ").append(last).append("\nevent: ").append(e.type()).append("\ndata: ")
                                .append(e.data()).append("\n\n");
                    }
                    write(out, sb.toString());
                }
                resp.flushBuffer();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the daemon stops
        } catch (IOException e) {
            // the client went away
        } finally {
            feed.detach();
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }

}
