package vagoth.monitor.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.Registry;
import vagoth.api.VagothException;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.monitor.Monitor;
import vagoth.api.monitor.PollLeases;
import vagoth.api.virt.PollReport;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import vagoth.api.Selection;
import vagoth.api.telemetry.Telemetry;
import vagoth.support.bind.Current;
import vagoth.support.bind.FollowingRegistry;
import vagoth.support.bind.Lookup;
import java.util.function.Supplier;
import org.osgi.service.component.ComponentContext;

/**
 * Polls every hypervisor's driver for its status, in parallel with a bound,
 * then reconciles the registry ({@link Reconciler}). With {@code interval.s}
 * set it also polls in the background, in a transaction whose source is
 * {@code monitor}.
 */
@Component(configurationPid = {Selection.PID, VagothMonitor.PID},
        reference = @Reference(name = VagothMonitor.MANAGER, service = Manager.class))
@vagoth.api.monitor.VagothMonitor("default")
public final class VagothMonitor implements Monitor {
    static final String PID = "vagoth.monitor";
    /** The manager is looked up at use: it binds the poll action, which calls this monitor. */
    static final String MANAGER = "manager";
    private static final System.Logger LOG = System.getLogger(VagothMonitor.class.getName());

    private final Supplier<Manager> manager;
    private final FollowingRegistry registry;
    private final ExecutorService pollers;
    private final ScheduledExecutorService background;
    private final Reconciler.Rules rules;
    private final Duration stuckAfter;
    /** What "now" is for grace periods and states' times (a test moves its own). */
    private java.time.Clock clock = java.time.Clock.systemUTC();
    private volatile Telemetry telemetry;
    /** The warnings of the last pass (only touched by poll, which is synchronized). */
    private Set<String> lastWarnings = new java.util.HashSet<>();

    @Activate
    public VagothMonitor(ComponentContext context, MonitorConfig config, Map<String, Object> props) {
        this(Lookup.of(context, MANAGER, Manager.class, "manager"), null, config.threads(), new Reconciler.Rules(Duration.ofSeconds(config.grace_s()),
                config.create_missing(), config.max_fact_bytes()), Duration.ofSeconds(config.stuck_after_s()),
                config.interval_s());
        registry.grace(Current.grace(props));
    }

    public VagothMonitor(Manager manager, Registry registry, int threads, Duration grace, Duration stuckAfter,
            boolean createMissing, long intervalSeconds) {
        this(() -> manager, registry, threads, new Reconciler.Rules(grace, createMissing, MonitorConfig.DEFAULT_MAX_FACT_BYTES),
                stuckAfter, intervalSeconds);
    }

    /** Uses {@code clock} for what "now" is (a test moves it by hand); returns this. */
    VagothMonitor clock(java.time.Clock clock) {
        this.clock = clock;
        return this;
    }

    VagothMonitor(Supplier<Manager> manager, Registry registry, int threads, Reconciler.Rules rules, Duration stuckAfter,
            long intervalSeconds) {
        this.manager = manager;
        this.registry = FollowingRegistry.of(registry);
        this.rules = rules;
        this.stuckAfter = stuckAfter;
        this.pollers = Executors.newFixedThreadPool(Math.max(1, threads), daemon("vagoth-poll"));
        if (intervalSeconds > 0) {
            background = Executors.newSingleThreadScheduledExecutor(daemon("vagoth-monitor"));
            background.scheduleWithFixedDelay(this::pollInBackground, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
        } else {
            background = null;
        }
    }

    @Reference(name = Selection.REGISTRY, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRegistry(Registry r) {
        registry.bind(r);
    }

    void unbindRegistry(Registry r) {
        registry.unbind(r);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindTelemetry(Telemetry t) {
        telemetry = t;
    }

    void unbindTelemetry(Telemetry t) {
        if (telemetry == t) {
            telemetry = null;
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private void pollInBackground() {
        try {
            Manager m = manager.get();
            m.inTransaction("monitor", () -> m.action("poll", Map.of()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Background poll failed: " + e.getMessage(), e);
        }
    }

    @Override
    public PollReport poll() {
        return poll((Set<String>) null);
    }

    @Override
    public synchronized PollReport poll(Set<String> only) {
        long start = System.nanoTime();
        Registry registry = this.registry;
        List<Node> hvs = registry.getNodes(NodeQuery.all().withType(Hypervisor.TYPE));
        if (only != null) {
            hvs = hvs.stream().filter(hv -> only.contains(hv.id())).toList();
        }
        // a registry shared by several daemons: poll only the hypervisors whose lease this one holds
        PollLeases leases = this.registry.current() instanceof PollLeases l ? l : null;
        List<Reconciler.Warning> warnings = new ArrayList<>();
        if (leases != null) {
            Set<String> mine = leases.take(hvs.stream().map(Node::id).toList());
            if (mine.size() < hvs.size()) {
                warnings.add(new Reconciler.Warning("lease", (hvs.size() - mine.size()) + " of " + hvs.size()
                        + " hypervisors are polled by other daemons (they hold their poll leases)"));
            }
            hvs = hvs.stream().filter(hv -> mine.contains(hv.id())).toList();
        }
        Instant asked = Instant.now(); // actions date their changes by the real clock
        Map<Node, Future<HypervisorStatus>> calls = new LinkedHashMap<>();
        for (Node hv : hvs) {
            ManagedNode managed = manager.get().getNode(hv.id());
            if (managed instanceof Hypervisor h) {
                calls.put(hv, pollers.submit(() -> h.driver().status(hv)));
            }
        }
        Map<Node, HypervisorStatus> answers = new LinkedHashMap<>();
        Map<Node, String> failures = new LinkedHashMap<>();
        for (Map.Entry<Node, Future<HypervisorStatus>> c : calls.entrySet()) {
            try {
                answers.put(c.getKey(), c.getValue().get());
            } catch (ExecutionException e) {
                failures.put(c.getKey(), String.valueOf(e.getCause().getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VagothException("Interrupted while polling hypervisors");
            }
        }
        if (leases != null) { // an answer that came after the lease was lost is another daemon's to record now
            for (Node hv : hvs) {
                if (!leases.holds(hv.id()) && (answers.remove(hv) != null | failures.remove(hv) != null)) {
                    warnings.add(new Reconciler.Warning("lease", "the answer of " + hv.id()
                            + " was discarded: this daemon lost its poll lease"));
                }
            }
        }
        Reconciler r = new Reconciler(registry, manager.get(), rules, clock.instant());
        r.asked = asked;
        r.warnings.addAll(warnings);
        r.partial = only != null;
        try {
            r.reconcile(answers, failures, pollers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VagothException("Interrupted while reconciling");
        }
        stuck().forEach(vm -> r.warn("stuck", vm.id() + " has been " + vm.state() + " since "
                + vm.metadata().get(VmStates.STATE_SINCE)));
        Telemetry t = telemetry;
        if (t != null) {
            t.monitorPass(System.nanoTime() - start, answers.size() + failures.size(), failures.size());
        }
        said(r.warnings, only != null, t);
        return new PollReport(answers.keySet().stream().map(Node::id).toList(),
                failures.keySet().stream().map(Node::id).toList(), r.changes,
                r.warnings.stream().map(Reconciler.Warning::text).toList());
    }

    /**
     * Logs each warning this pass gives that the last full pass did not, and
     * tells telemetry (which counts it and makes it an event), so a warning
     * that holds for an hour is said once, not every pass; one that clears and
     * comes back is said again.
     */
    private void said(List<Reconciler.Warning> warnings, boolean partial, Telemetry t) {
        Set<String> now = new java.util.HashSet<>();
        for (Reconciler.Warning w : warnings) {
            now.add(w.text());
            if (!lastWarnings.contains(w.text())) {
                LOG.log(System.Logger.Level.WARNING, "monitor: " + w.text());
                if (t != null) {
                    t.monitorWarning(w.kind(), w.text());
                }
            }
        }
        if (partial) {
            lastWarnings.addAll(now);
        } else {
            lastWarnings = now;
        }
    }

    @Override
    public List<Node> stuck() {
        Instant limit = clock.instant().minus(stuckAfter);
        List<Node> out = new ArrayList<>();
        for (Node vm : registry.getNodes(NodeQuery.all().withType(VirtualMachine.TYPE))) {
            String since = vm.metadata().get(VmStates.STATE_SINCE);
            if (VmStates.TRANSITIONAL.contains(vm.state()) && since != null && Instant.parse(since).isBefore(limit)) {
                out.add(vm);
            }
        }
        return out;
    }

    @Deactivate
    public void close() {
        if (background != null) {
            background.shutdownNow();
        }
        pollers.shutdownNow();
    }
}
