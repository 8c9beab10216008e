package vagoth.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.access.Role;
import vagoth.api.job.Job;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.support.json.JobJson;

/**
 * {@code /api/v1/jobs}: recent jobs ({@code ?state=S&node=N&txid=T&limit=N},
 * as {@code vagoth jobs}), one job with its steps, and {@code DELETE} to
 * cancel a queued one (operator). {@code GET /api/v1/jobs/ID?wait=SECONDS}
 * answers once the job has ended, or when the time is up (at most 300 s), with
 * the job as it is then; the wait holds no server thread.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/jobs",
    "osgi.http.whiteboard.servlet.asyncSupported=true",
    "osgi.http.whiteboard.servlet.pattern=/api/v1/jobs/*",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class JobsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger("vagoth.api");
    /** How often a waiting request reads its job again. */
    static final long CHECK_MS = 100;
    /** Requests waiting for a job at once, at most (each holds a connection, no thread). */
    static final int MAX_WAITS = 1000;
    private final transient Manager manager;
    private final transient AtomicInteger waiting = new AtomicInteger();
    private final transient ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vagoth-job-waits");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public JobsServlet(@Reference Manager manager) {
        this.manager = manager;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.VIEWER);
        String id = Api.rest(req);
        if (id != null) {
            Job j = manager.jobs().get(id).orElseThrow(() -> new JobNotFoundException(id));
            String wait = req.getParameter("wait");
            if (wait != null) {
                double seconds;
                try {
                    seconds = Double.parseDouble(wait);
                } catch (NumberFormatException e) {
                    seconds = -1;
                }
                if (!(seconds >= 0 && seconds <= 300)) {
                    throw new Api.Refusal(400, "wait takes seconds from 0 to 300, not '" + wait + "'");
                }
                if (!j.state().isFinished() && seconds > 0) {
                    waitFor(req, resp, id, System.nanoTime() + (long) (seconds * 1e9));
                    return;
                }
            }
            answer(resp, j);
            return;
        }
        JobState state = null;
        if (req.getParameter("state") != null) {
            try {
                state = JobState.valueOf(req.getParameter("state").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Api.Refusal(400, "unknown state '" + req.getParameter("state")
                        + "' (queued, running, done, failed, cancelled, interrupted)");
            }
        }
        int limit = 50;
        if (req.getParameter("limit") != null) {
            try {
                limit = Integer.parseInt(req.getParameter("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 10_000) {
                throw new Api.Refusal(400, "limit takes a number from 1 to 10000, not '" + req.getParameter("limit")
                        + "'");
            }
        }
        List<Object> out = new ArrayList<>();
        for (Job j : manager.jobs().list(new JobQuery(state, req.getParameter("node"), req.getParameter("txid"),
                limit))) {
            out.add(JobJson.of(j));
        }
        Api.json(resp, 200, out);
    }

    private void answer(HttpServletResponse resp, Job j) throws IOException {
        var o = JobJson.of(j);
        o.put("steps", manager.jobs().steps(j.id()));
        Api.json(resp, 200, o);
    }

    /**
     * Answers once job {@code id} has ended or at {@code deadline}, holding no
     * thread meanwhile: the request is suspended and one scheduler thread
     * reads the job again every {@link #CHECK_MS}. At most {@link #MAX_WAITS}
     * wait at once; one more is a 429.
     */
    private void waitFor(HttpServletRequest req, HttpServletResponse resp, String id, long deadline) {
        if (waiting.incrementAndGet() > MAX_WAITS) {
            waiting.decrementAndGet();
            resp.setHeader("Retry-After", "5");
            throw new Api.Refusal(429, MAX_WAITS + " requests wait for jobs already: ask without ?wait=, or later");
        }
        resp.setStatus(200);
        AsyncContext context = req.startAsync();
        context.setTimeout(0); // the deadline below ends it; the connection's idle timeout does not apply
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<java.util.concurrent.ScheduledFuture<?>> check = new AtomicReference<>();
        Runnable end = () -> {
            if (done.compareAndSet(false, true)) {
                waiting.decrementAndGet();
                var f = check.get();
                if (f != null) {
                    f.cancel(false);
                }
            }
        };
        context.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                end.run();
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                end.run();
            }

            @Override
            public void onError(AsyncEvent event) {
                end.run();
                context.complete();
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // nothing to do
            }
        });
        try {
            check.set(checker.scheduleWithFixedDelay(() -> {
                if (done.get()) {
                    return;
                }
                try {
                    Job j = manager.jobs().get(id).orElseThrow(() -> new JobNotFoundException(id));
                    if (!j.state().isFinished() && System.nanoTime() < deadline) {
                        return;
                    }
                    end.run();
                    answer((HttpServletResponse) context.getResponse(), j);
                } catch (IOException e) {
                    end.run(); // the client went: nothing more to say on this request
                } catch (RuntimeException e) {
                    end.run();
                    LOG.log(System.Logger.Level.WARNING, "api: waiting for job " + id + ": " + e.getMessage());
                    try {
                        Api.error((HttpServletResponse) context.getResponse(), e instanceof JobNotFoundException ? 404
                                : 503, e instanceof JobNotFoundException ? e.getMessage() : "the job records cannot be"
                                + " read now (" + e.getMessage() + "); ask again");
                    } catch (IOException | IllegalStateException gone) {
                        // the client went, or the answer had begun
                    }
                }
                context.complete();
            }, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            end.run(); // stopping
            context.complete();
        }
    }

    @Deactivate
    void stop() {
        checker.shutdownNow();
    }

    @Override
    void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.OPERATOR);
        String id = Api.rest(req);
        if (id == null) {
            throw notServed(req);
        }
        Api.json(resp, 200, JobJson.of(manager.cancelJob(id)));
    }
}
