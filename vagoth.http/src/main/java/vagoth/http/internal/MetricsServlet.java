package vagoth.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.access.Role;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;

/**
 * {@code GET /metrics} (a viewer's token, or the scrape token
 * {@code metrics.token.file} names): the Prometheus text format. API
 * requests, ended jobs, registry operations, monitor passes and agent calls
 * as counters with duration histograms ({@link Metrics}); VMs and hypervisors by state, the queued jobs and the
 * event stream's size as gauges read at each scrape.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/metrics",
    "osgi.http.whiteboard.context.select=" + Api.WHITEBOARD_CONTEXT})
public final class MetricsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    /** States reported as themselves; any other is {@code other}, so the label stays bounded. */
    private static final Set<String> STATES = Set.of("unknown", "unassigned", "defined", "starting", "running",
            "stopping", "stopped", "lost", "unreachable", "fenced", "migrating", "up", "down", "maintenance");
    private final transient Manager manager;
    private final transient Metrics metrics;
    private final transient EventFeed events;

    @Activate
    public MetricsServlet(@Reference Manager manager, @Reference Metrics metrics, @Reference EventFeed events) {
        this.manager = manager;
        this.metrics = metrics;
        this.events = events;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getAttribute(Api.SCRAPER) == null) {
            Api.require(req, Role.VIEWER);
        }
        StringBuilder out = new StringBuilder();
        Metrics.family(out, "vagoth_http_requests_total", "counter", "Requests to the remote API, by route, method"
                + " and status.", metrics.requests);
        Metrics.histograms(out, "vagoth_http_request_duration_seconds", "How long the API took to answer, by"
                + " route.", metrics.requestDurations);
        Metrics.family(out, "vagoth_jobs_ended_total", "counter", "Jobs that ended while this daemon watched, by"
                + " action and outcome.", metrics.jobsEnded);
        Metrics.histograms(out, "vagoth_job_duration_seconds", "How long ended jobs ran, by action.",
                metrics.jobDurations);
        Metrics.family(out, "vagoth_registry_operations_total", "counter", "Registry lookups and changes, by"
                + " operation and outcome.", metrics.registryOperations);
        Metrics.histograms(out, "vagoth_registry_operation_duration_seconds", "How long registry operations took,"
                + " by operation.", metrics.registryDurations);
        Metrics.histograms(out, "vagoth_monitor_pass_duration_seconds", "How long the monitor's passes took (poll"
                + " and reconcile).", Map.of("{}", metrics.monitorPasses));
        Metrics.family(out, "vagoth_monitor_polled_hypervisors", "gauge", "Hypervisors the last monitor pass"
                + " polled.", Map.of("{}", metrics.monitorPolled.get()));
        Metrics.family(out, "vagoth_monitor_unreachable_hypervisors", "gauge", "Hypervisors that did not answer"
                + " the last monitor pass.", Map.of("{}", metrics.monitorUnreachable.get()));
        Metrics.family(out, "vagoth_monitor_warnings_total", "counter", "Warnings the monitor gave (each counted"
                + " when it first appears), by kind.", metrics.monitorWarnings);
        Metrics.family(out, "vagoth_ha_recoveries_total", "counter", "High availability's decisions, by outcome:"
                + " recovered, start_failed, gave_up, fence_failed, cut_off.", metrics.haDecisions);
        Metrics.histograms(out, "vagoth_ha_recovery_seconds", "From a dead host's fence to a VM of it running"
                + " elsewhere.", Map.of("{}", metrics.haRecoveries));
        Metrics.family(out, "vagoth_agent_calls_total", "counter", "Calls to hypervisors' agents, by hypervisor,"
                + " action and outcome.", metrics.agentCalls);
        Metrics.histograms(out, "vagoth_agent_call_duration_seconds", "How long agents took to answer, by"
                + " hypervisor.", metrics.agentDurations);
        Map<String, Long> vms = new HashMap<>();
        Map<String, Long> hvs = new HashMap<>();
        for (Node n : manager.registry().getNodes(NodeQuery.all())) {
            String state = STATES.contains(n.state()) ? n.state() : "other";
            if (n.type().equals(VirtualMachine.TYPE)) {
                vms.merge(Metrics.labels("state", state), 1L, Long::sum);
            } else if (n.type().equals(Hypervisor.TYPE)) {
                hvs.merge(Metrics.labels("state", state), 1L, Long::sum);
            }
        }
        Metrics.family(out, "vagoth_vms", "gauge", "VMs in the registry, by state.", vms);
        Metrics.family(out, "vagoth_hypervisors", "gauge", "Hypervisors in the registry, by state.", hvs);
        int queued = manager.jobs().list(new JobQuery(JobState.QUEUED, null, null, 100_000)).size();
        Metrics.family(out, "vagoth_jobs_queued", "gauge", "Jobs waiting to run.", Map.of("{}", queued));
        Metrics.family(out, "vagoth_events_kept", "gauge", "Events the stream keeps for clients that resume.",
                Map.of("{}", events.kept()));
        byte[] b = out.toString().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(b.length);
        resp.getOutputStream().write(b);
    }
}
