package vagoth.http.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

import org.osgi.service.component.annotations.Component;

import vagoth.api.telemetry.Telemetry;

/**
 * The daemon's own counters for {@code /metrics}: API requests by route,
 * method and status with their durations, jobs ended by action and
 * outcome with theirs, and what other bundles report as the
 * {@link Telemetry}: registry operations, monitor passes, agent calls.
 * Label values come from bounded sets (routes with {@code {name}} for a
 * node, actions, operations, states, hypervisors' ids), never a VM's name or
 * a job's id.
 */
@Component(service = {Metrics.class, Telemetry.class})
public final class Metrics implements Telemetry {
    /** Upper bounds of the duration buckets, in seconds. */
    static final double[] HTTP_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static final double[] JOB_BUCKETS = {0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600};
    static final double[] REGISTRY_BUCKETS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};
    static final double[] AGENT_BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120};
    /** A recovery: from a host's fence to its VM's start. */
    static final double[] HA_BUCKETS = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

    /** A histogram of one label set: bucket counts, a sum and a count. */
    static final class Histogram {
        final double[] bounds;
        final AtomicLong[] buckets;
        final DoubleAdder sum = new DoubleAdder();
        final AtomicLong count = new AtomicLong();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.buckets = new AtomicLong[bounds.length];
            for (int i = 0; i < bounds.length; i++) {
                buckets[i] = new AtomicLong();
            }
        }

        void observe(double seconds) {
            for (int i = 0; i < bounds.length; i++) {
                if (seconds <= bounds[i]) {
                    buckets[i].incrementAndGet();
                }
            }
            sum.add(seconds);
            count.incrementAndGet();
        }
    }

    final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    final Map<String, Histogram> requestDurations = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> jobsEnded = new ConcurrentHashMap<>();
    final Map<String, Histogram> jobDurations = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> registryOperations = new ConcurrentHashMap<>();
    final Map<String, Histogram> registryDurations = new ConcurrentHashMap<>();
    final Histogram monitorPasses = new Histogram(AGENT_BUCKETS);
    final AtomicLong monitorPolled = new AtomicLong();
    final AtomicLong monitorUnreachable = new AtomicLong();
    final Map<String, AtomicLong> agentCalls = new ConcurrentHashMap<>();
    /** The kinds of monitor warning {@link Telemetry#monitorWarning} names; any other is counted as {@code other}. */
    static final java.util.Set<String> WARNING_KINDS = java.util.Set.of("duplicate", "fenced", "unreachable", "lost",
            "reported_twice", "unknown_vm", "bad_report", "stuck", "lease", "ha", "other");
    /** The outcomes {@link Telemetry#haDecision} names; any other is counted as {@code other}. */
    static final java.util.Set<String> HA_OUTCOMES = java.util.Set.of("recovered", "start_failed", "gave_up",
            "fence_failed", "cut_off", "other");
    final Map<String, AtomicLong> haDecisions = new ConcurrentHashMap<>();
    /** From a host's fence to a VM of it running elsewhere. */
    final Histogram haRecoveries = new Histogram(HA_BUCKETS);
    final Map<String, AtomicLong> monitorWarnings = new ConcurrentHashMap<>();
    /** Told each monitor warning (the event feed makes it an event). */
    private final java.util.List<java.util.function.BiConsumer<String, String>> warningListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    final Map<String, Histogram> agentDurations = new ConcurrentHashMap<>();

    @Override
    public void registryOperation(String operation, long nanos, boolean failed) {
        registryOperations.computeIfAbsent(labels("operation", operation, "outcome", outcome(failed)),
                k -> new AtomicLong()).incrementAndGet();
        registryDurations.computeIfAbsent(labels("operation", operation), k -> new Histogram(REGISTRY_BUCKETS))
                .observe(nanos / 1e9);
    }

    @Override
    public void monitorPass(long nanos, int polled, int unreachable) {
        monitorPasses.observe(nanos / 1e9);
        monitorPolled.set(polled);
        monitorUnreachable.set(unreachable);
    }

    @Override
    public void agentCall(String hypervisor, String action, long nanos, boolean failed) {
        agentCalls.computeIfAbsent(labels("hypervisor", hypervisor, "action", action, "outcome", outcome(failed)),
                k -> new AtomicLong()).incrementAndGet();
        agentDurations.computeIfAbsent(labels("hypervisor", hypervisor), k -> new Histogram(AGENT_BUCKETS))
                .observe(nanos / 1e9);
    }

    @Override
    public void monitorWarning(String kind, String text) {
        String k = WARNING_KINDS.contains(kind) ? kind : "other";
        monitorWarnings.computeIfAbsent(labels("kind", k), x -> new AtomicLong()).incrementAndGet();
        warningListeners.forEach(l -> l.accept(k, text));
    }

    @Override
    public void haDecision(String outcome, long nanos, String text) {
        String o = HA_OUTCOMES.contains(outcome) ? outcome : "other";
        haDecisions.computeIfAbsent(labels("outcome", o), x -> new AtomicLong()).incrementAndGet();
        if (o.equals("recovered")) {
            haRecoveries.observe(nanos / 1e9);
        }
        warningListeners.forEach(l -> l.accept("ha", text));
    }

    /** {@code listener} is told each monitor warning from now on, until it is removed. */
    void onMonitorWarning(java.util.function.BiConsumer<String, String> listener) {
        warningListeners.add(listener);
    }

    void removeMonitorWarningListener(java.util.function.BiConsumer<String, String> listener) {
        warningListeners.remove(listener);
    }

    private static String outcome(boolean failed) {
        return failed ? "failed" : "ok";
    }

    /** The HTTP methods a request is counted under; any other is {@code other}, so no client can grow the labels. */
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH",
            "DELETE", "OPTIONS");

    /** {@code method} as a label: one of {@link #METHODS}, or {@code other}. */
    static String method(String method) {
        return METHODS.contains(method) ? method : "other";
    }

    /** One API request: its route (bounded), method (bounded: {@link #method}), status and how long it took. */
    void request(String route, String method, int status, long nanos) {
        requests.computeIfAbsent(labels("route", route, "method", method, "status", String.valueOf(status)),
                k -> new AtomicLong()).incrementAndGet();
        requestDurations.computeIfAbsent(labels("route", route), k -> new Histogram(HTTP_BUCKETS))
                .observe(nanos / 1e9);
    }

    /** A job that ended: its action, how (done, failed, cancelled, interrupted), and how long it ran. */
    void jobEnded(String action, String outcome, double seconds) {
        jobsEnded.computeIfAbsent(labels("action", action, "outcome", outcome), k -> new AtomicLong())
                .incrementAndGet();
        if (seconds >= 0) {
            jobDurations.computeIfAbsent(labels("action", action), k -> new Histogram(JOB_BUCKETS)).observe(seconds);
        }
    }

    /** {@code {k1="v1",k2="v2"}}, the values escaped as the text format wants. */
    static String labels(String... kv) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(kv[i]).append("=\"").append(kv[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n")).append('"');
        }
        return sb.append('}').toString();
    }

    /** Writes one counter or gauge family. */
    static void family(StringBuilder out, String name, String type, String help, Map<String, ? extends Number> values) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        new TreeMap<>(values).forEach((labels, v) -> out.append(name).append(labels.equals("{}") ? "" : labels)
                .append(' ').append(v).append('\n'));
    }

    /** Writes one histogram family. */
    static void histograms(StringBuilder out, String name, String help, Map<String, Histogram> values) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        new TreeMap<>(values).forEach((labels, h) -> {
            String inner = labels.substring(1, labels.length() - 1);
            String sep = inner.isEmpty() ? "" : ",";
            for (int i = 0; i < h.bounds.length; i++) {
                out.append(name).append("_bucket{").append(inner).append(sep).append("le=\"").append(h.bounds[i])
                        .append("\"} ").append(h.buckets[i].get()).append('\n');
            }
            out.append(name).append("_bucket{").append(inner).append(sep).append("le=\"+Inf\"} ")
                    .append(h.count.get()).append('\n');
            String own = inner.isEmpty() ? "" : labels;
            out.append(name).append("_sum").append(own).append(' ').append(h.sum.sum()).append('\n');
            out.append(name).append("_count").append(own).append(' ').append(h.count.get()).append('\n');
        });
    }
}
