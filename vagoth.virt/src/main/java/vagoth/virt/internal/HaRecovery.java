package vagoth.virt.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.VagothException;
import vagoth.api.action.Action;
import vagoth.api.job.Job;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.monitor.PollLeases;
import vagoth.api.registry.Registry;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.PollReport;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;

/**
 * High availability (DESIGN §11), one step after each poll: a hypervisor
 * that this pass found unreachable, past the grace period and for at least
 * {@code ha.min_missed_polls} polls in a row, and that holds VMs asking for
 * it ({@code ha=restart}), is fenced by its fence command; only when that
 * exits 0 are its VMs released, and those asking for it started elsewhere
 * (highest {@code ha_priority} first), each a job of source {@code ha}. No
 * fence command, or one that fails: nothing is restarted, the host says why,
 * and the fence is tried again later (the wait doubling). An operator's
 * {@code fence} counts as the proof too. Nothing is fenced by a daemon that
 * reached no more than half of the hypervisors it polled: it is the one cut
 * off. Only the hypervisors this daemon polled (those whose poll lease it
 * holds) are its to recover, and only while it still holds that lease (asked
 * again before each fence and each restart).
 */
final class HaRecovery {
    /** Metadata of a VM: the start job of its recovery. */
    static final String JOB = "ha_job";
    /** Metadata of a VM: when its host was fenced (its recovery's start). */
    static final String SINCE = "ha_since";

    /** What the step is allowed. */
    record Rules(boolean enabled, int minMissedPolls, Duration grace, int maxRestarts, int maxRelocations,
            Duration backoff, Duration maxBackoff) {
    }

    /** The states of a VM placed by a recovery cut short, from which it is started where it was placed. */
    private static final Set<String> RESTARTABLE = Set.of(VmStates.DEFINED, VmStates.STOPPED, VmStates.ERROR);
    private final Manager manager;
    private final PollLeases leases;
    private final Registry registry;
    private final Rules rules;
    private final Instant now;
    /** Told each decision (a metric and an event), when there is one. */
    private final vagoth.api.telemetry.Telemetry telemetry;
    final List<String> changes = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    /**
     * @param leases the poll leases of a registry shared by several daemons (null for one of this process's own):
     *               a host whose lease this daemon no longer holds is left to the one that does, however far this
     *               pass got with it
     */
    HaRecovery(Manager manager, PollLeases leases, Rules rules, Instant now,
            vagoth.api.telemetry.Telemetry telemetry) {
        this.manager = manager;
        this.leases = leases;
        this.registry = manager.registry();
        this.rules = rules;
        this.now = now;
        this.telemetry = telemetry;
    }

    /** A decision: a warning of the poll's, and the telemetry's metric and event. */
    private void decided(String outcome, long nanos, String text) {
        String said = vagoth.api.Printable.of(text);
        if (!outcome.equals("recovered")) {
            warnings.add(said);
        }
        if (telemetry != null) {
            telemetry.haDecision(outcome, nanos, said);
        }
    }

    static boolean asks(Node vm) {
        return VmStates.HA_RESTART.equals(vm.definition().get(VmStates.HA));
    }

    /** One step after the poll that made {@code report}. */
    void run(PollReport report) {
        if (!rules.enabled()) {
            return;
        }
        int[] reach = null; // {reached, asked}: found at the first host to fence
        for (String id : report.unreachable()) {
            Node hv;
            try {
                hv = registry.getNode(id);
            } catch (VagothException e) {
                continue; // deleted meanwhile
            }
            if (Boolean.parseBoolean(hv.metadata().get(VmStates.FENCED))) {
                continue;
            }
            List<Node> asking = registry.getNodes(NodeQuery.all().withParent(id).withType(VirtualMachine.TYPE))
                    .stream().filter(HaRecovery::asks).toList();
            if (asking.isEmpty() || !due(hv)) {
                continue;
            }
            if (reach == null) {
                reach = reach(report);
            }
            if (reach[0] * 2 <= reach[1]) {
                String why = "this daemon reached " + reach[0] + " of the " + reach[1] + " hypervisors: it may be the"
                        + " one cut off, so it fences nothing";
                if (!why.equals(hv.metadata().get(VmStates.HA_FENCE_FAILED))) {
                    registry.updateMetadata(hv.id(), Map.of(VmStates.HA_FENCE_FAILED, why), List.of());
                    decided("cut_off", 0, "ha: " + hv.name() + " (" + asking.size() + " HA VMs) is not fenced: " + why);
                } else {
                    warnings.add("ha: " + hv.name() + " is not fenced: " + why);
                }
                continue;
            }
            if (!holds(hv.id())) {
                warnings.add("ha: " + hv.name() + " is left to the daemon that polls it now: this one lost its poll"
                        + " lease");
                continue;
            }
            fence(hv);
        }
        Set<String> mine = new java.util.HashSet<>(report.polled());
        mine.addAll(report.unreachable());
        restartReleased(mine);
    }

    /**
     * How many hypervisors (not fenced: those are known to be off) this daemon reaches, of how many: this pass's
     * answers, and, for those whose poll lease another daemon holds, a status call made now. A daemon cut off from
     * the network reaches none of
     * them, whoever polls them; a healthy one reaches most.
     */
    private int[] reach(PollReport report) {
        int reached = 0;
        int asked = 0;
        for (Node hv : registry.getNodes(NodeQuery.all().withType(Hypervisor.TYPE))) {
            if (Boolean.parseBoolean(hv.metadata().get(VmStates.FENCED))) {
                continue; // known to be off
            }
            asked++;
            if (report.polled().contains(hv.id())) {
                reached++;
                continue;
            }
            if (report.unreachable().contains(hv.id())) {
                continue;
            }
            try {
                if (manager.getNode(hv.id()) instanceof Hypervisor h) {
                    h.driver().status(hv);
                    reached++;
                }
            } catch (VagothException e) {
                // not reached from here
            }
        }
        return new int[] {reached, asked};
    }

    /** Whether this daemon still holds {@code hv}'s poll lease (always, on a registry of its own). */
    private boolean holds(String hv) {
        return leases == null || leases.holds(hv);
    }

    /** The poll leases behind {@code registry}, when it is shared by several daemons; else null. */
    static PollLeases leases(Registry registry) {
        Registry under = registry instanceof vagoth.support.bind.FollowingRegistry f ? f.current() : registry;
        return under instanceof PollLeases l ? l : null;
    }

    /** Whether {@code hv} has missed enough polls, for long enough, and its fence is not waiting out a failure. */
    private boolean due(Node hv) {
        String since = hv.metadata().get(VmStates.UNREACHABLE_SINCE);
        int missed = number(hv.metadata().get(VmStates.MISSED_POLLS));
        return since != null && missed >= rules.minMissedPolls()
                && Duration.between(Instant.parse(since), now).compareTo(rules.grace()) >= 0 && !waiting(hv);
    }

    private boolean waiting(Node n) {
        String next = n.metadata().get(VmStates.HA_NEXT_TRY);
        return next != null && now.isBefore(Instant.parse(next));
    }

    private void fence(Node hv) {
        Map<String, String> args = new HashMap<>();
        args.put(Action.NODE_ARG, hv.id());
        args.put(FenceActions.Fence.COMMAND_ARG, "true");
        try {
            manager.action("fence", args);
        } catch (VagothException e) {
            int attempts = number(hv.metadata().get(VmStates.HA_FENCE_ATTEMPTS)) + 1;
            Duration wait = wait(attempts);
            registry.updateMetadata(hv.id(), Map.of(VmStates.HA_FENCE_FAILED, e.getMessage(),
                    VmStates.HA_FENCE_ATTEMPTS, String.valueOf(attempts), VmStates.HA_NEXT_TRY,
                    now.plus(wait).toString()), List.of());
            decided("fence_failed", 0, "ha: " + hv.name() + " is not fenced, so none of its VMs is restarted"
                    + " elsewhere: " + e.getMessage() + " (tried " + attempts + " time" + (attempts == 1 ? "" : "s")
                    + "; again in " + wait.toSeconds() + " s)");
            return;
        }
        registry.updateMetadata(hv.id(), Map.of(), List.of(VmStates.HA_FENCE_FAILED, VmStates.HA_FENCE_ATTEMPTS,
                VmStates.HA_NEXT_TRY));
        changes.add(hv.id() + ": fenced by its fence command (ha)");
    }

    /** The wait after {@code attempts} failures: the backoff doubled each time, up to its limit. */
    private Duration wait(int attempts) {
        Duration d = rules.backoff().multipliedBy(1L << Math.min(attempts - 1, 20));
        return d.compareTo(rules.maxBackoff()) > 0 ? rules.maxBackoff() : d;
    }

    /**
     * Starts, highest priority first, every VM released from a host this daemon polls ({@code mine}: the hosts
     * whose poll lease it holds) that asks for it and may still be recovered. A VM keeps {@code last_host} until it
     * is recovered, so a recovery cut short (its start job interrupted with the daemon that ran it) is finished by
     * the next pass: where it runs, it is recorded as recovered; where it was placed but does not run, it is
     * started there.
     */
    private void restartReleased(Set<String> mine) {
        List<Node> released = registry.getNodes(NodeQuery.all().withType(VirtualMachine.TYPE)).stream()
                .filter(HaRecovery::asks).filter(vm -> mine.contains(vm.metadata().get(VmStates.LAST_HOST)))
                .sorted(Comparator.comparingInt((Node vm) -> -number(vm.definition().get(VmStates.HA_PRIORITY)))
                        .thenComparing(Node::name))
                .toList();
        for (Node vm : released) {
            restart(vm);
        }
    }

    private void restart(Node vm) {
        String job = vm.metadata().get(JOB);
        if (job != null && !ended(vm, job)) {
            return; // its start is under way
        }
        vm = registry.getNode(vm.id());
        String from = vm.metadata().get(VmStates.LAST_HOST);
        if (from == null) {
            return; // recovered just now
        }
        if (!holds(from)) {
            return; // the lease of its old host passed to another daemon during this pass: its recovery to finish
        }
        boolean placed = vm.hasParent() && !vm.parent().equals(from);
        if (placed && VmStates.RUNNING.equals(vm.state())) {
            recovered(vm, "its start job ended without saying so");
            return;
        }
        if (!VmStates.UNASSIGNED.equals(vm.state()) && !(placed && RESTARTABLE.contains(vm.state()))) {
            return; // still on its way (starting), or not ours to touch
        }
        String why = unrecoverable(vm, from);
        if (why != null) {
            if (!why.equals(vm.metadata().get(VmStates.HA_STATE))) {
                registry.updateMetadata(vm.id(), Map.of(VmStates.HA_STATE, why), List.of());
                warnings.add("ha: " + vm.name() + " " + why);
            }
            return;
        }
        if (waiting(vm) || pendingStart(vm.id())) {
            return;
        }
        if (!vm.metadata().containsKey(SINCE)) {
            registry.updateMetadata(vm.id(), Map.of(SINCE, fencedSince(from)), List.of());
        }
        Job started;
        try {
            started = ((VirtualMachine) manager.getNode(vm.id())).start();
        } catch (VagothException e) {
            failed(registry.getNode(vm.id()), e.getMessage());
            return;
        }
        registry.updateMetadata(vm.id(), Map.of(JOB, started.id(), VmStates.HA_STATE, "restarting elsewhere (job "
                + started.id()
                + ")"), List.of());
        Job now = manager.jobs().get(started.id()).orElse(started);
        if (now.state().isFinished()) {
            ended(registry.getNode(vm.id()), started.id());
        }
    }

    /** Records how the start job {@code id} of {@code vm} went, if it has ended; whether it has. */
    private boolean ended(Node vm, String id) {
        Job j = manager.jobs().get(id).orElse(null);
        if (j != null && !j.state().isFinished()) {
            return false;
        }
        Node after = registry.getNode(vm.id());
        if (j != null && j.state() == JobState.DONE && after.hasParent()) {
            recovered(after, null);
        } else if (j != null && j.state() == JobState.INTERRUPTED) {
            // the daemon that ran it died: where the VM got to is for this pass to see (restart), no failure
            registry.updateMetadata(vm.id(), Map.of(), List.of(JOB));
        } else {
            registry.updateMetadata(vm.id(), Map.of(), List.of(JOB));
            failed(registry.getNode(vm.id()), j == null ? "its start job " + id + " is gone" : j.error());
        }
        return true;
    }

    private void recovered(Node vm, String note) {
        int relocations = number(vm.metadata().get(VmStates.HA_RELOCATIONS)) + 1;
        String since = vm.metadata().get(SINCE);
        long ms = since == null ? -1 : Duration.between(Instant.parse(since), Instant.now()).toMillis();
        String to = registry.getNode(vm.parent()).name();
        String said = "recovered on " + to + " at " + Instant.now() + (ms < 0 ? "" : ", " + ms
                + " ms after its host was fenced") + (note == null ? "" : " (" + note + ")");
        registry.updateMetadata(vm.id(), Map.of(VmStates.HA_STATE, said, VmStates.HA_RELOCATIONS,
                String.valueOf(relocations)), List.of(JOB, VmStates.HA_ATTEMPTS, VmStates.HA_NEXT_TRY, SINCE,
                VmStates.LAST_HOST));
        changes.add(vm.id() + ": restarted on " + to + " (ha)");
        decided("recovered", Math.max(0, ms) * 1_000_000L, "ha: " + vm.name() + " restarted on " + to);
    }

    private void failed(Node vm, String error) {
        int attempts = number(vm.metadata().get(VmStates.HA_ATTEMPTS)) + 1;
        Duration wait = wait(attempts);
        String state = attempts >= rules.maxRestarts() ? "not recovered: " + attempts + " starts failed (ha.max_restarts),"
                + " the last: " + error : "start failed (" + attempts + " of " + rules.maxRestarts() + "), tried again"
                + " in " + wait.toSeconds() + " s: " + error;
        registry.updateMetadata(vm.id(), Map.of(VmStates.HA_ATTEMPTS, String.valueOf(attempts), VmStates.HA_NEXT_TRY,
                now.plus(wait).toString(),
                VmStates.HA_STATE, state), List.of());
        decided(attempts >= rules.maxRestarts() ? "gave_up" : "start_failed", 0, "ha: " + vm.name() + " " + state);
    }

    /** Why {@code vm}, released from {@code from}, is not to be restarted, or null. */
    private String unrecoverable(Node vm, String from) {
        if (number(vm.metadata().get(VmStates.HA_ATTEMPTS)) >= rules.maxRestarts()) {
            return vm.metadata().getOrDefault(VmStates.HA_STATE, "not recovered: ha.max_restarts starts failed");
        }
        if (number(vm.metadata().get(VmStates.HA_RELOCATIONS)) >= rules.maxRelocations()) {
            return "not recovered: it was recovered " + rules.maxRelocations() + " times already (ha.max_relocations;"
                    + " 'vagoth ha " + vm.name() + " on' counts again from 0)";
        }
        String storage;
        try {
            storage = registry.getNode(from).definition().getOrDefault(Hypervisor.SHARED_STORAGE, "");
        } catch (VagothException e) {
            storage = "";
        }
        if (storage.isBlank()) {
            return "not recovered: its disk was on " + from + " only (no shared_storage): it stays unassigned until"
                    + " an operator starts it";
        }
        return null;
    }

    private boolean pendingStart(String vm) {
        for (JobState s : Set.of(JobState.QUEUED, JobState.RUNNING)) {
            if (manager.jobs().list(new JobQuery(s, vm, null, 10)).stream().anyMatch(j -> j.action().equals("start"))) {
                return true;
            }
        }
        return false;
    }

    private String fencedSince(String hv) {
        try {
            return registry.getNode(hv).metadata().getOrDefault("fenced_since", now.toString());
        } catch (VagothException e) {
            return now.toString();
        }
    }

    private static int number(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
