package vagoth.virt.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import vagoth.api.Node;
import vagoth.api.action.ActionException;
import vagoth.api.driver.Driver;
import vagoth.api.driver.LiveMigration;
import vagoth.api.registry.Registry;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.VmInfo;
import vagoth.api.virt.VmStates;
import vagoth.support.cmd.CommandLine;

/**
 * {@code migrate --live} (DESIGN section 10): checks, then the destination
 * made ready, the source's disk (when it is not shared) and memory sent, the
 * destination resumed; only then does the registry's parent move and the
 * source's paused QEMU end. Any failure before the parent moves aborts both
 * ends, the destination first, so the guest runs at the source alone.
 */
final class LiveMove {
    /** The hypervisor definition key: the address its agent's host takes migrations on. */
    static final String MIGRATION_ADDRESS = "migration_address";
    /** Metadata of the VM, set by a live migration: what it measured. */
    static final String LAST_DOWNTIME = "last_migration_downtime_ms";
    static final String LAST_TOTAL = "last_migration_total_ms";
    private static final long PROGRESS_EVERY_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final Registry registry;
    private final LiveMigration.Limits limits;
    private final Consumer<String> step;
    private final java.util.function.BooleanSupplier cancelRequested;

    /** @param cancelRequested whether an operator asked to cancel the job ({@code vagoth cancel}), asked every second */
    LiveMove(Registry registry, LiveMigration.Limits limits, Consumer<String> step,
            java.util.function.BooleanSupplier cancelRequested) {
        this.registry = registry;
        this.limits = limits;
        this.step = step;
        this.cancelRequested = cancelRequested;
    }

    /** What the checks found: the source's pinned definition and whether the disk is shared. */
    record Checked(Map<String, String> definition, boolean shared) {
    }

    /** Each refusal with its reason; nothing has changed when one is thrown. */
    static Checked check(Node vm, Hypervisor source, Hypervisor target) {
        String driver = source.node().definition().getOrDefault(Driver.DEFINITION_KEY, "");
        if (!driver.equals(target.node().definition().getOrDefault(Driver.DEFINITION_KEY, ""))
                || !source.driver().migratesLive()) {
            throw refused(vm, source, target, source.id() + " and " + target.id() + " do not share a driver that"
                    + " migrates live");
        }
        if (!VmStates.RUNNING.equals(vm.state()) && !VmStates.STARTING.equals(vm.state())) {
            throw refused(vm, source, target, vm.id() + " is " + vm.state() + ", not running: 'migrate' without"
                    + " --live moves a VM that is not running");
        }
        VmInfo info = source.driver().info(source.node(), vm);
        if (!VmStates.RUNNING.equals(info.state())) {
            throw refused(vm, source, target, source.id() + " reports " + vm.id() + " " + info.state() + " ("
                    + info.substate() + "), not running");
        }
        HypervisorStatus here = source.driver().status(source.node());
        HypervisorStatus there = target.driver().status(target.node());
        String backend = here.facts().getOrDefault("accel", "");
        if (backend.isEmpty() || there.facts().get("accel") == null) {
            throw refused(vm, source, target, "both hosts' agents must run the qemu back end");
        }
        if (!backend.equals(there.facts().get("accel"))) {
            throw refused(vm, source, target, source.id() + " runs guests under " + backend + " and " + target.id()
                    + " under " + there.facts().get("accel") + ": a guest does not move between them");
        }
        String machine = info.definition().getOrDefault("machine", "");
        List<String> machines = Arrays.asList(there.facts().getOrDefault("machine_types", "").split(","));
        if (machine.isEmpty() || !machines.contains(machine)) {
            throw refused(vm, source, target, "QEMU " + there.facts().getOrDefault("qemu_version", "?") + " on "
                    + target.id() + " has no machine type " + (machine.isEmpty() ? "(none pinned)" : machine)
                    + ", which " + vm.id() + " is pinned to");
        }
        return new Checked(info.definition(), Hypervisor.sharedStorage(source.node(), target.node()) != null);
    }

    private static ActionException refused(Node vm, Hypervisor source, Hypervisor target, String why) {
        return new ActionException("migrate --live of " + vm.id() + " from " + source.id() + " to " + target.id()
                + " refused: " + why + ". Nothing was changed", vm.id());
    }

    /** The address the destination takes the guest's memory on. */
    static String address(Node hv) {
        String a = hv.definition().get(MIGRATION_ADDRESS);
        if (a != null && !a.isBlank()) {
            return a.trim();
        }
        try {
            List<String> argv = CommandLine.split(hv.definition().getOrDefault("agent", ""));
            if (!argv.isEmpty() && argv.get(0).endsWith("ssh")) {
                for (int i = 1; i < argv.size(); i++) {
                    String w = argv.get(i);
                    if (w.startsWith("-")) {
                        i += "-o".equals(w) || "-p".equals(w) || "-i".equals(w) || "-l".equals(w) ? 1 : 0;
                    } else {
                        return w.substring(w.indexOf('@') + 1);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            // an agent line that does not split is refused when it is used
        }
        return "127.0.0.1";
    }

    void run(Node vm, Hypervisor source, Hypervisor target, Checked checked) {
        registry.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.MIGRATING, VmStates.STATE_SINCE,
                Instant.now().toString(), VmStates.MIGRATING_TO, target.id()), List.of());
        step.accept("migrating live from " + source.id() + " to " + target.id() + (checked.shared()
                ? " (they share storage)" : " with its disk copied live (they share no storage)"));
        String doing = "preparing " + target.id();
        boolean prepared = false;
        LiveMigration.Result result = null;
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            LiveMigration.Target t = target.driver().livePrepare(target.node(), vm, checked.definition(),
                    address(target.node()), !checked.shared());
            prepared = true;
            step.accept("ready on " + target.id() + ": memory to " + t.uri() + (t.nbd() == null ? "" : ", disk to "
                    + t.nbd()));
            doing = "sending it from " + source.id();
            if (cancelRequested.getAsBoolean()) {
                cancelled.set(true);
                throw new ActionException("cancelled by request", vm.id());
            }
            Thread watch = watchForCancel(vm, source, cancelled);
            try {
                result = source.driver().liveSend(source.node(), vm, t, limits, progress());
            } finally {
                watch.interrupt();
            }
            step.accept("sent: " + result.number("total_ms") + " ms in all, downtime " + result.number("downtime_ms")
                    + " ms" + (result.number("disk_copied") > 0 ? ", " + result.number("disk_copied")
                    + " bytes of disk copied in " + result.number("disk_ms") + " ms" : ""));
            doing = "resuming it on " + target.id();
            target.driver().liveFinish(target.node(), vm);
            step.accept("running on " + target.id());
        } catch (RuntimeException e) {
            String left = abort(vm, source, target, prepared, result != null);
            throw new ActionException("live migration of " + vm.id() + " from " + source.id() + " to " + target.id()
                    + (cancelled.get() ? " was cancelled by request while " + doing : " failed " + doing + ": "
                    + why(e)) + "; " + left, vm.id(), e);
        }
        registry.removeParent(vm.id());
        registry.setParent(vm.id(), target.id());
        registry.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.RUNNING, VmStates.STATE_SINCE,
                Instant.now().toString(), LAST_DOWNTIME, String.valueOf(result.number("downtime_ms")), LAST_TOTAL,
                String.valueOf(result.number("total_ms"))), List.of(VmStates.MIGRATING_TO, VmStates.LAST_ERROR,
                VmStates.CANCEL_REQUESTED));
        step.accept("assigned to " + target.id());
        try {
            source.driver().stop(source.node(), vm);
            if (checked.shared()) {
                source.driver().undefine(source.node(), vm);
            } else {
                source.driver().deprovision(source.node(), vm);
            }
            step.accept("removed from " + source.id() + (checked.shared() ? "" : " (its old disk)"));
        } catch (RuntimeException e) {
            throw new ActionException("live migration of " + vm.id() + " to " + target.id() + " is done (it runs"
                    + " there), but ending its paused copy on " + source.id() + " failed: " + why(e) + "; 'poll'"
                    + " stops it once it sees the VM running on " + target.id(), vm.id(), e);
        }
    }

    /**
     * Asks every second whether an operator asked to cancel; if so, cancels the migration at the source (only the
     * migration: QEMU resumes the guest there itself), which makes {@code liveSend} fail.
     */
    private Thread watchForCancel(Node vm, Hypervisor source, java.util.concurrent.atomic.AtomicBoolean cancelled) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(1000);
                    if (cancelRequested.getAsBoolean()) {
                        cancelled.set(true);
                        step.accept("cancel requested: cancelling the migration at " + source.id());
                        source.driver().liveCancel(source.node(), vm);
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // the send ended first
            } catch (RuntimeException e) {
                step.accept("cancelling at " + source.id() + " failed: " + why(e));
            }
        }, "vagoth-live-cancel-" + vm.id());
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Both ends undone, the destination first: says where the guest is. When the memory had all arrived
     * ({@code sent}) and the destination's copy could not be ended, the source is not resumed: the guest may run
     * there, and two must never run; the next poll decides.
     */
    private String abort(Node vm, Hypervisor source, Hypervisor target, boolean prepared, boolean sent) {
        List<String> notes = new java.util.ArrayList<>();
        if (prepared) {
            try {
                target.driver().liveAbort(target.node(), vm, false);
            } catch (RuntimeException e) {
                notes.add("its arrival on " + target.id() + " could not be removed (" + why(e) + ")");
                if (sent) {
                    registry.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.MIGRATING, VmStates.STATE_SINCE,
                            Instant.now().toString()), List.of());
                    return "it arrived whole on " + target.id() + ", whose copy could not be ended, so it was not"
                            + " resumed on " + source.id() + ": 'poll' finds where it runs and ends the other copy ("
                            + String.join(", ", notes) + ")";
                }
            }
        }
        String state = VmStates.RUNNING;
        try {
            source.driver().liveAbort(source.node(), vm, true);
            notes.add(0, "it runs on " + source.id());
        } catch (RuntimeException e) {
            state = VmStates.ERROR;
            notes.add(0, "it could not be resumed on " + source.id() + " (" + why(e) + "); 'poll' says where it runs");
        }
        registry.updateMetadata(vm.id(), Map.of(Node.STATE, state, VmStates.STATE_SINCE, Instant.now().toString()),
                List.of(VmStates.MIGRATING_TO, VmStates.CANCEL_REQUESTED));
        return String.join(", ", notes);
    }

    /** Progress as job steps, at most one a second. */
    private Consumer<LiveMigration.Progress> progress() {
        long[] last = {0};
        return p -> {
            long now = System.nanoTime();
            if (now - last[0] >= PROGRESS_EVERY_NS) {
                last[0] = now;
                step.accept("progress: " + p.phase() + " " + p.transferred() + " bytes sent, " + p.remaining()
                        + " left" + (p.mbps() > 0 ? String.format(java.util.Locale.ROOT, ", %.0f Mbit/s", p.mbps())
                        : ""));
            }
        };
    }

    private static String why(RuntimeException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** The limits from the configuration ({@code live.downtime.ms}, {@code live.bandwidth.mib.s}, {@code live.timeout.s}). */
    static LiveMigration.Limits limits(Map<String, Object> props) {
        return new LiveMigration.Limits(positive(props, "live.downtime.ms", 300),
                positive(props, "live.bandwidth.mib.s", 128), Duration.ofSeconds(positive(props, "live.timeout.s", 600)));
    }

    private static long positive(Map<String, Object> props, String key, long dflt) {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(String.valueOf(v).trim());
            return n > 0 ? n : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
