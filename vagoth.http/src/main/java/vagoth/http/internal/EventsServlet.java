package vagoth.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.access.AccessToken;
import vagoth.api.access.Role;

/**
 * {@code GET /api/v1/events} (viewer): the event stream, as server-sent
 * events ({@code id}, {@code event}, {@code data} of one JSON line). A client
 * resumes with {@code Last-Event-ID} (or {@code ?after=ID}) and gets every
 * event after that one, none twice; when it cannot be resumed (the daemon
 * restarted, or the id is older than what is kept) a {@code reset} event
 * says to read the state again. A stream whose token is revoked or expires,
 * or whose console session ends, is ended within a second or two with an
 * {@code ended} event. A comment every {@value #KEEP_ALIVE_MS} ms keeps the
 * connection open through proxies.
 *
 * <p>Streams hold no server thread: each is asynchronous, and one thread
 * writes to every stream that can take more (a client that does not read is
 * skipped until it does, and catches up from where it was). At most
 * {@code streams.max} streams are open, {@code streams.per.token} per token
 * ({@code etc/vagoth.http.cfg}); one more is a {@code 429} with {@code Retry-After}.
 */
@Component(service = Servlet.class, configurationPid = HttpSetup.PID,
        configurationPolicy = org.osgi.service.component.annotations.ConfigurationPolicy.OPTIONAL,
        property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/events",
    "osgi.http.whiteboard.servlet.asyncSupported=true",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class EventsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    static final long KEEP_ALIVE_MS = 15_000;
    private final int maxStreams;
    private final int maxPerToken;
    private static final long PUSH_MS = 250;
    private static final long CHECK_MS = 1_000;
    private final transient EventFeed feed;
    private final transient Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final transient ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vagoth-event-streams");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public EventsServlet(@Reference EventFeed feed, HttpConfig config) {
        this.feed = feed;
        this.maxStreams = config.streams_max();
        this.maxPerToken = config.streams_per_token();
        pusher.scheduleWithFixedDelay(this::pushAll, PUSH_MS, PUSH_MS, TimeUnit.MILLISECONDS);
        feed.onPublished(() -> {
            try {
                pusher.execute(this::pushAll);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
            }
        });
    }

    @Deactivate
    void stop() {
        feed.onPublished(null);
        pusher.shutdownNow();
        for (Stream s : streams) {
            s.end();
        }
    }

    /** One open stream: where it is in the feed, and when it last wrote and was checked. */
    private final class Stream implements WriteListener, AsyncListener {
        final AsyncContext context;
        final ServletOutputStream out;
        final String token;
        final BooleanSupplier valid;
        String last;
        long wroteAt = System.nanoTime();
        long checkedAt = System.nanoTime();
        boolean ended;

        Stream(AsyncContext context, ServletOutputStream out, String token, BooleanSupplier valid, String last) {
            this.context = context;
            this.out = out;
            this.token = token;
            this.valid = valid;
            this.last = last;
        }

        /** Writes what the client has not had yet, if it can take it now; ends it when its access ended. */
        synchronized void push() {
            if (ended || !out.isReady()) {
                return; // a client that does not read is passed over; it catches up from 'last' when it can
            }
            try {
                long now = System.nanoTime();
                if (valid != null && now - checkedAt > TimeUnit.MILLISECONDS.toNanos(CHECK_MS)) {
                    checkedAt = now;
                    if (!valid.getAsBoolean()) {
                        out.write(("event: ended\ndata: {\"reason\": \"the token or session of this stream is no"
                                + " longer accepted (revoked, expired or signed out)\"}\n\n")
                                .getBytes(StandardCharsets.UTF_8));
                        end();
                        return;
                    }
                }
                List<EventFeed.Event> events = feed.after(last, 0);
                StringBuilder sb = new StringBuilder();
                if (events == null) {
                    last = feed.lastId();
                    sb.append("id: ").append(last).append("\nevent: reset\ndata: {\"reason\": \"this stream cannot be"
                            + " resumed from there: read the state again\"}\n\n");
                } else if (events.isEmpty()) {
                    if (now - wroteAt < TimeUnit.MILLISECONDS.toNanos(KEEP_ALIVE_MS)) {
                        return;
                    }
                    sb.append(": keep-alive\n\n");
                } else {
                    for (EventFeed.Event e : events) {
                        last = feed.id(e);
                        sb.append("id: ").append(last).append("\nevent: ").append(e.type()).append("\ndata: ")
                                .append(e.data()).append("\n\n");
                    }
                }
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                wroteAt = now;
                if (out.isReady()) {
                    out.flush();
                }
            } catch (IOException | IllegalStateException e) {
                end(); // the client went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized void end() {
            if (!ended) {
                ended = true;
                streams.remove(this);
                feed.detach();
                try {
                    context.complete();
                } catch (IllegalStateException e) {
                    // completed already
                }
            }
        }

        @Override
        public void onWritePossible() {
            try {
                pusher.execute(this::push);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                end();
            }
        }

        @Override
        public void onError(Throwable t) {
            end();
        }

        @Override
        public void onComplete(AsyncEvent event) {
            end();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            end();
        }

        @Override
        public void onError(AsyncEvent event) {
            end();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // nothing to do
        }
    }

    private void pushAll() {
        for (Stream s : streams) {
            s.push();
        }
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessToken caller = Api.require(req, Role.VIEWER);
        String last = req.getHeader("Last-Event-ID");
        if (last == null) {
            last = req.getParameter("after");
        }
        if (last != null && !last.matches("[0-9a-z]{1,20}-[0-9]{1,19}")) {
            throw new Api.Refusal(400, "not an event id: '" + last + "' (EPOCH-SEQ, as the stream gives them)");
        }
        String token = caller.name();
        long mine = streams.stream().filter(s -> s.token.equals(token)).count();
        if (streams.size() >= maxStreams || mine >= maxPerToken) {
            resp.setHeader("Retry-After", "5");
            throw new Api.Refusal(429, mine >= maxPerToken ? "this token has " + maxPerToken
                    + " event streams open already (streams.per.token): close one" : "the daemon serves " + maxStreams
                    + " event streams already (streams.max): try again later");
        }
        try {
            feed.attach();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Api.Refusal(503, "the daemon is stopping");
        }
        if (last == null) {
            last = feed.lastId(); // from now on
        }
        resp.setStatus(200);
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.getOutputStream().write((": events of " + feed.epoch() + "\n\n").getBytes(StandardCharsets.UTF_8));
        resp.flushBuffer();
        AsyncContext context = req.startAsync();
        context.setTimeout(0);
        Stream s = new Stream(context, resp.getOutputStream(), token, (BooleanSupplier) req.getAttribute(
                Api.STILL_VALID), last);
        context.addListener(s);
        streams.add(s);
        resp.getOutputStream().setWriteListener(s); // the container calls onWritePossible: the first push
    }

    /** How many streams are open, by token name: for tests and metrics. */
    Map<String, Long> open() {
        Map<String, Long> out = new java.util.TreeMap<>();
        streams.forEach(s -> out.merge(s.token, 1L, Long::sum));
        return out;
    }
}
