package vagoth.virt.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Selection;
import vagoth.api.provision.Provisioner;
import vagoth.support.bind.Current;
import vagoth.api.VagothException;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.VagothAction;
import vagoth.api.monitor.Monitor;
import vagoth.api.virt.HighAvailability;
import vagoth.api.virt.PollReport;

/**
 * {@code poll}: one pass of the monitor over every hypervisor (or, with the
 * {@code node} argument, over that one only: a hypervisor just added), then
 * the provisioner brings what it keeps outside the registry (DHCP and DNS
 * files) in line with it, and, after a full pass, high availability
 * recovers what it should ({@link HaRecovery}); returns the report of all.
 */
@Component(service = {Action.class, HighAvailability.class}, configurationPid = {Selection.PID, HaConfig.PID,
    PollAction.MONITOR_PID})
@VagothAction("poll")
public final class PollAction implements Action, HighAvailability {
    /** The monitor's configuration: its grace period is high availability's too. */
    static final String MONITOR_PID = "vagoth.monitor";
    private static final long DEFAULT_GRACE_S = 300;
    private static final System.Logger LOG = System.getLogger(PollAction.class.getName());
    /** This process, as {@code ha status} names it. */
    private static final String DAEMON = host() + " pid " + ProcessHandle.current().pid();
    private final Current<Monitor> monitor = new Current<>("monitor", 0);
    private final Current<Provisioner> provisioner = new Current<>("provisioner", Selection.DEFAULT_SWAP_GRACE_MS);
    /** Recovery runs on a thread of its own: in a transaction of its own, whose source is {@code ha}. */
    private final ExecutorService ha = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vagoth-ha");
        t.setDaemon(true);
        return t;
    });
    private volatile vagoth.api.telemetry.Telemetry telemetry;
    private volatile HaRecovery.Rules rules = new HaRecovery.Rules(true, 3, Duration.ofSeconds(DEFAULT_GRACE_S), 3, 5,
            Duration.ofSeconds(30), Duration.ofSeconds(600));
    /** When the last recovery pass ran, and the hosts it looked after; null before the first. */
    private volatile Pass lastPass;

    private record Pass(Instant at, List<String> hosts) {
    }

    @Activate
    @Modified
    void configure(HaConfig config, Map<String, Object> props) {
        provisioner.grace(Current.grace(props));
        Object grace = props.get("grace.s");
        long graceS;
        try {
            graceS = grace == null ? DEFAULT_GRACE_S : Long.parseLong(grace.toString().trim());
        } catch (NumberFormatException e) {
            graceS = DEFAULT_GRACE_S; // the monitor refuses it, by name
        }
        rules = new HaRecovery.Rules(config.enabled(), config.min_missed_polls(), Duration.ofSeconds(graceS),
                config.max_restarts(), config.max_relocations(), Duration.ofSeconds(config.backoff_s()),
                Duration.ofSeconds(config.max_backoff_s()));
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindTelemetry(vagoth.api.telemetry.Telemetry t) {
        telemetry = t;
    }

    void unbindTelemetry(vagoth.api.telemetry.Telemetry t) {
        if (telemetry == t) {
            telemetry = null;
        }
    }

    @Deactivate
    void close() {
        ha.shutdownNow();
    }

    @Reference(name = "monitor", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMonitor(Monitor m) {
        monitor.bind(m);
    }

    void unbindMonitor(Monitor m) {
        monitor.unbind(m);
    }

    @Reference(name = Selection.PROVISIONER, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindProvisioner(Provisioner p) {
        provisioner.bind(p);
    }

    void unbindProvisioner(Provisioner p) {
        provisioner.unbind(p);
    }

    @Override
    public Object run(ActionContext ctx, Map<String, String> args) {
        String only = args.get(NODE_ARG);
        PollReport report = only == null ? monitor.get().poll() : monitor.get().poll(Set.of(only));
        List<String> changes = new ArrayList<>(report.changes());
        List<String> warnings = new ArrayList<>(report.warnings());
        try {
            changes.addAll(provisioner.get().reconcile());
        } catch (VagothException e) {
            warnings.add("the provisioner could not check its files: " + e.getMessage());
        }
        if (only == null) {
            Instant now = Instant.now();
            HaRecovery recovery = new HaRecovery(ctx.manager(), HaRecovery.leases(ctx.manager().registry()), rules, now,
                    telemetry);
            recover(ctx, recovery, report);
            List<String> hosts = new ArrayList<>(report.polled());
            hosts.addAll(report.unreachable());
            lastPass = new Pass(now, hosts.stream().sorted().toList());
            changes.addAll(recovery.changes);
            warnings.addAll(recovery.warnings);
        }
        return new PollReport(report.polled(), report.unreachable(), changes, warnings);
    }

    @Override
    public Status status() {
        HaRecovery.Rules r = rules;
        Pass p = lastPass;
        return new Status(r.enabled(), DAEMON, p == null ? null : p.at(), p == null ? List.of() : p.hosts(), r.grace(),
                r.minMissedPolls(), r.maxRestarts(), r.maxRelocations());
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost"; // a host without a name for itself: the pid still tells the process
        }
    }

    /** Runs {@code recovery} after the poll that made {@code report}, and waits for it. */
    private void recover(ActionContext ctx, HaRecovery recovery, PollReport report) {
        Future<?> done = ha.submit(() -> ctx.manager().inTransaction("ha", () -> {
            recovery.run(report);
            return null;
        }));
        try {
            done.get();
        } catch (ExecutionException e) {
            recovery.warnings.add("ha: recovery failed: " + e.getCause().getMessage());
            LOG.log(System.Logger.Level.WARNING, "high availability: recovery failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.cancel(true);
            throw new VagothException("interrupted while recovering a dead host's VMs");
        }
        recovery.warnings.forEach(w -> LOG.log(System.Logger.Level.WARNING, w));
    }
}
