package vagoth.monitor.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.osgi.service.metatype.annotations.Designate;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.Registry;
import vagoth.api.VagothException;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.Monitor;
import vagoth.api.virt.PollReport;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;

/**
 * Polls every hypervisor's driver for its status, in parallel with a bound,
 * then reconciles the registry ({@link Reconciler}). With {@code interval.s}
 * set it also polls in the background, in a transaction whose source is
 * {@code monitor}.
 */
@Component(configurationPid = VagothMonitor.PID)
@vagoth.api.virt.VagothMonitor("default")
@Designate(ocd = MonitorConfig.class)
public final class VagothMonitor implements Monitor {
    static final String PID = "vagoth.monitor";
    private static final System.Logger LOG = System.getLogger(VagothMonitor.class.getName());

    private final Manager manager;
    private final ExecutorService pollers;
    private final ScheduledExecutorService background;
    private final Reconciler.Rules rules;
    private final Duration stuckAfter;

    @Activate
    public VagothMonitor(@Reference Manager manager, MonitorConfig config) {
        this(manager, config.threads(), new Reconciler.Rules(Duration.ofSeconds(config.grace_s()),
                config.create_missing(), config.max_fact_bytes()), Duration.ofSeconds(config.stuck_after_s()),
                config.interval_s());
    }

    public VagothMonitor(Manager manager, int threads, Duration grace, Duration stuckAfter, boolean createMissing,
            long intervalSeconds) {
        this(manager, threads, new Reconciler.Rules(grace, createMissing, MonitorConfig.DEFAULT_MAX_FACT_BYTES),
                stuckAfter, intervalSeconds);
    }

    VagothMonitor(Manager manager, int threads, Reconciler.Rules rules, Duration stuckAfter, long intervalSeconds) {
        this.manager = manager;
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

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private void pollInBackground() {
        try {
            manager.inTransaction("monitor", () -> manager.action("poll", Map.of()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Background poll failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized PollReport poll() {
        Registry registry = manager.registry();
        List<Node> hvs = registry.getNodes(NodeQuery.all().withType(Hypervisor.TYPE));
        Map<Node, Future<HypervisorStatus>> calls = new LinkedHashMap<>();
        for (Node hv : hvs) {
            ManagedNode managed = manager.getNode(hv.id());
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
        Reconciler r = new Reconciler(registry, manager, rules, Instant.now());
        try {
            r.reconcile(answers, failures, pollers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VagothException("Interrupted while reconciling");
        }
        stuck().forEach(vm -> r.warnings.add(vm.id() + " has been " + vm.state() + " since "
                + vm.metadata().get(VmStates.STATE_SINCE)));
        return new PollReport(answers.keySet().stream().map(Node::id).toList(),
                failures.keySet().stream().map(Node::id).toList(), r.changes, r.warnings);
    }

    @Override
    public List<Node> stuck() {
        Instant limit = Instant.now().minus(stuckAfter);
        List<Node> out = new ArrayList<>();
        for (Node vm : manager.registry().getNodes(NodeQuery.all().withType(VirtualMachine.TYPE))) {
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
