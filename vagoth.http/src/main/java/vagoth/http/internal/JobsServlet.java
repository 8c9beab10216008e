package vagoth.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
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
 * the job as it is then.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/api/v1/jobs",
    "osgi.http.whiteboard.servlet.pattern=/api/v1/jobs/*",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class JobsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final transient Manager manager;

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
                try {
                    j = manager.jobs().await(id, java.time.Duration.ofMillis((long) (seconds * 1000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Api.Refusal(503, "the daemon is stopping");
                }
            }
            var o = JobJson.of(j);
            o.put("steps", manager.jobs().steps(id));
            Api.json(resp, 200, o);
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

    @Override
    void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.require(req, Role.OPERATOR);
        String id = Api.rest(req);
        if (id == null) {
            throw notServed(req);
        }
        Api.json(resp, 200, JobJson.of(manager.jobs().cancel(id)));
    }
}
