package vagoth.monitor.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import vagoth.api.ManagedNode;
import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.registry.Registry;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmInfo;
import vagoth.api.virt.VmStates;

/**
 * Turns one round of hypervisor answers into registry changes, with the
 * safety the original lacked: an unanswered poll makes a hypervisor
 * {@code unreachable} and leaves its VMs alone; once the grace period has
 * passed they become {@code lost}: they keep their hypervisor and nothing
 * moves them until an operator fences it. A fenced hypervisor that answers
 * again changes nothing: each VM it still reports is a duplicate, and is
 * reported. A VM reported by two hypervisors is reported, never moved; a
 * transitional state is kept until the hypervisor reports its goal (or it is
 * reported as stuck). Facts larger than {@code max.fact.bytes} are not stored.
 */
final class Reconciler {
    /** Where each transitional state is heading. */
    private static final Map<String, Set<String>> GOALS = Map.of(
            VmStates.STARTING, Set.of(VmStates.RUNNING),
            VmStates.REBOOTING, Set.of(VmStates.RUNNING),
            VmStates.STOPPING, Set.of(VmStates.STOPPED),
            VmStates.SHUTTING_DOWN, Set.of(VmStates.STOPPED),
            VmStates.MIGRATING, Set.of());

    private final Registry registry;
    private final vagoth.api.Manager manager;
    private final Rules rules;
    private final Instant now;
    final List<String> changes = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<Warning> warnings = java.util.Collections.synchronizedList(new ArrayList<>());

    /** A warning as the operator reads it, and its kind (a bounded set, for metrics). */
    record Warning(String kind, String text) {
    }
    /**
     * Only some hypervisors were polled: a VM one of them reports that no
     * hypervisor holds is not adopted (or created), as an unpolled one may run
     * it too; the next full poll settles it.
     */
    boolean partial;

    /**
     * The monitor's settings that shape reconciliation.
     *
     * @param grace         how long a hypervisor may stay unreachable before its VMs are lost
     * @param createMissing whether VMs the registry does not know are created
     * @param maxFactBytes  the largest fact (key and value) stored from a status report
     */
    record Rules(Duration grace, boolean createMissing, int maxFactBytes) {
    }

    /** @param manager through which a VM is repaired only while no action runs on it anywhere (may be null: no repair) */
    /** When the hypervisors were asked for their status (the real clock), or null for no such check. */
    Instant asked;

    Reconciler(Registry registry, vagoth.api.Manager manager, Rules rules, Instant now) {
        this.registry = registry;
        this.manager = manager;
        this.rules = rules;
        this.now = now;
    }

    /**
     * Reconciles each hypervisor's answer (or failure) as a task of its own on
     * {@code pool}: each touches only its own hypervisor and the VMs it reports
     * or holds, and parallel writers share the registry's fsyncs.
     *
     * @param answers  each polled hypervisor's status
     * @param failures why each other one did not answer
     */
    void reconcile(Map<Node, HypervisorStatus> answers, Map<Node, String> failures,
            java.util.concurrent.ExecutorService pool) throws InterruptedException {
        Map<String, List<String>> reportedBy = new HashMap<>();
        answers.forEach((hv, st) -> st.vms().keySet().forEach(vm -> reportedBy.computeIfAbsent(vm, k -> new ArrayList<>())
                .add(hv.id())));
        List<java.util.concurrent.Callable<Object>> tasks = new ArrayList<>();
        answers.forEach((hv, st) -> tasks.add(() -> {
            answered(hv, st, reportedBy);
            return null;
        }));
        failures.forEach((hv, why) -> tasks.add(() -> {
            unanswered(hv, why);
            return null;
        }));
        for (java.util.concurrent.Future<Object> f : pool.invokeAll(tasks)) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                warn("other", "reconciling failed: " + e.getCause().getMessage());
            }
        }
        Set<String> answered = new java.util.HashSet<>();
        answers.keySet().forEach(hv -> answered.add(hv.id()));
        Map<String, VmInfo> found = new HashMap<>();
        answers.forEach((hv, st) -> found.putAll(st.vms()));
        for (Node vm : registry.getNodes(NodeQuery.all().withType(VirtualMachine.TYPE).withState(VmStates.MIGRATING))) {
            List<String> where = reportedBy.getOrDefault(vm.id(), List.of());
            if (where.size() == 2) {
                Map<String, VmInfo> ends = new LinkedHashMap<>();
                answers.forEach((hv, st) -> {
                    if (st.vms().containsKey(vm.id())) {
                        ends.put(hv.id(), st.vms().get(vm.id()));
                    }
                });
                repairLiveMigration(vm, ends);
            } else {
                repairMigration(vm, where, found.get(vm.id()), answered);
            }
        }
    }

    /**
     * A live migration cut short (DESIGN section 10): both ends report the VM. The end that runs it wins: the VM is
     * assigned there, and only then is the other end's copy (paused: QEMU waiting for, or done with, a migration)
     * ended and removed. If neither runs it, it is {@code lost} with {@code last_host} and both copies are left for an
     * operator.
     */
    private void repairLiveMigration(Node vm, Map<String, VmInfo> ends) {
        if (manager == null) {
            return;
        }
        List<String> running = ends.entrySet().stream().filter(e -> VmStates.RUNNING.equals(e.getValue().state()))
                .map(Map.Entry::getKey).toList();
        manager.ifNodeIdle(vm.id(), () -> {
            Node now = registry.getNode(vm.id());
            if (!VmStates.MIGRATING.equals(now.state())) {
                return;
            }
            String source = now.parent();
            if (running.size() != 1) {
                Map<String, String> md = new LinkedHashMap<>();
                md.put(Node.STATE, VmStates.LOST);
                md.put(VmStates.STATE_SINCE, this.now.toString());
                if (source != null) {
                    md.put(VmStates.LAST_HOST, source);
                }
                registry.updateMetadata(vm.id(), md, List.of());
                warn("lost", vm.id() + " is lost: an interrupted live migration left it on " + String.join(" and ",
                        ends.keySet()) + ", " + (running.isEmpty() ? "running on neither" : "running on both")
                        + "; look at both, stop the wrong one, then 'vagoth set --state unassigned " + vm.id() + "'");
                return;
            }
            String host = running.get(0);
            if (!host.equals(source)) {
                if (source != null) {
                    registry.removeParent(vm.id());
                }
                registry.setParent(vm.id(), host);
            }
            registry.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.RUNNING, VmStates.STATE_SINCE,
                    this.now.toString()), List.of(VmStates.MIGRATING_TO));
            changes.add(vm.id() + ": an interrupted live migration is resolved: it runs on " + host);
            for (String stale : ends.keySet()) {
                if (!stale.equals(host)) {
                    endStaleCopy(registry.getNode(vm.id()), stale, stale.equals(source));
                }
            }
        });
    }

    /** Ends the copy that does not run: the source's (its QEMU ended, its files removed) or the arrival's (aborted). */
    private void endStaleCopy(Node vm, String hvId, boolean wasSource) {
        try {
            ManagedNode n = manager.getNode(hvId);
            if (!(n instanceof vagoth.api.virt.Hypervisor hv)) {
                return;
            }
            if (wasSource) {
                hv.driver().stop(hv.node(), vm);
                String storage = hv.node().definition().getOrDefault(vagoth.api.virt.Hypervisor.SHARED_STORAGE, "");
                Node runsOn = registry.getNode(vm.parent());
                if (!storage.isBlank() && storage.equals(runsOn.definition().get(
                        vagoth.api.virt.Hypervisor.SHARED_STORAGE))) {
                    hv.driver().undefine(hv.node(), vm);
                } else {
                    hv.driver().deprovision(hv.node(), vm);
                }
            } else {
                hv.driver().liveAbort(hv.node(), vm, false);
            }
            changes.add(vm.id() + ": its stale copy on " + hvId + " was ended");
        } catch (RuntimeException e) {
            warn("other", vm.id() + ": its stale copy on " + hvId + " could not be ended: " + e.getMessage()
                    + "; it is paused there, and the next poll tries again");
        }
    }

    /**
     * A VM left {@code migrating} by a migration that is not running any more
     * (a crash cut it short): it is assigned where it is found, or, when both
     * ends answered and neither has it, it is {@code lost} with
     * {@code last_host}, for an operator to look at. While a migration runs
     * (in any process) it is left alone.
     */
    private void repairMigration(Node vm, List<String> where, VmInfo info, Set<String> answered) {
        String source = vm.parent();
        String dest = vm.metadata().get(VmStates.MIGRATING_TO);
        if (manager == null || where.size() > 1 || where.isEmpty() && (source != null && !answered.contains(source)
                || dest != null && !answered.contains(dest))) {
            return; // reported twice (already warned), or an end that did not answer may have it
        }
        manager.ifNodeIdle(vm.id(), () -> { // not idle: a migration is under way, and left alone
            Node now = registry.getNode(vm.id());
            if (!VmStates.MIGRATING.equals(now.state())) {
                return; // it finished meanwhile
            }
            if (where.size() == 1) {
                String host = where.get(0);
                if (!host.equals(now.parent())) {
                    if (now.parent() != null) {
                        registry.removeParent(vm.id());
                    }
                    registry.setParent(vm.id(), host);
                }
                registry.updateMetadata(vm.id(), Map.of(Node.STATE, info.state(), VmStates.STATE_SINCE, this.now.toString()),
                        List.of(VmStates.MIGRATING_TO));
                changes.add(vm.id() + ": an interrupted migration is resolved: found on " + host + " (" + info.state()
                        + ")");
            } else {
                if (now.parent() != null) {
                    registry.removeParent(vm.id());
                }
                Map<String, String> md = new LinkedHashMap<>();
                md.put(Node.STATE, VmStates.LOST);
                md.put(VmStates.STATE_SINCE, this.now.toString());
                if (source != null) {
                    md.put(VmStates.LAST_HOST, source);
                }
                registry.updateMetadata(vm.id(), md, List.of(VmStates.MIGRATING_TO));
                changes.add(vm.id() + ": an interrupted migration left it on no hypervisor (neither " + source + " nor "
                        + dest + " has it): lost");
                warn("lost", vm.id() + " is lost: an interrupted migration from " + source + " to " + dest + " left it"
                        + " on neither; find its disk, then 'vagoth set --state unassigned " + vm.id() + "' and define it"
                        + " where the disk is");
            }
        });
    }

    private void answered(Node hv, HypervisorStatus status, Map<String, List<String>> reportedBy) {
        Map<String, String> facts = facts(hv, status.facts());
        facts.put("last_poll", now.toString());
        if (!VmStates.UP.equals(hv.state())) {
            facts.put(Node.STATE, VmStates.UP);
            facts.put(VmStates.STATE_SINCE, now.toString());
            changes.add(hv.id() + ": " + hv.state() + " -> up");
        }
        registry.updateMetadata(hv.id(), facts, List.of(VmStates.UNREACHABLE_SINCE, VmStates.LAST_ERROR,
                VmStates.MISSED_POLLS, VmStates.HA_FENCE_FAILED, VmStates.HA_FENCE_ATTEMPTS, VmStates.HA_NEXT_TRY));
        if (fenced(hv)) {
            duplicates(hv, status);
            return;
        }
        for (Map.Entry<String, VmInfo> e : status.vms().entrySet()) {
            if (!VmStates.KNOWN.contains(e.getValue().state())) {
                warn("bad_report", hv.id() + " reports " + e.getKey() + " in state '" + e.getValue().state()
                        + "', which is not a state Vagoth knows; not stored");
                continue;
            }
            reported(hv, e.getKey(), e.getValue(), reportedBy.get(e.getKey()));
        }
        for (Node vm : registry.getNodes(NodeQuery.all().withParent(hv.id()).withType(VirtualMachine.TYPE))) {
            if (!status.vms().containsKey(vm.id()) && gone(vm)) {
                if (manager == null) {
                    unassign(vm, hv.id() + " no longer has it");
                    continue;
                }
                // not while an action works on it (a define assigns it first, then asks the host)
                manager.ifNodeIdle(vm.id(), () -> {
                    Node now = registry.getNode(vm.id());
                    if (hv.id().equals(now.parent()) && gone(now)) {
                        unassign(now, hv.id() + " no longer has it");
                    }
                });
            }
        }
    }

    /**
     * Whether {@code vm}'s state changed after the hypervisors were asked for theirs (an action defined, started or
     * moved it meanwhile): what they answered may be from before that change, so it is not taken against it (a VM
     * just defined on a host that was asked a moment before would be unassigned); the next pass sees both.
     */
    private boolean changedSinceAsked(Node vm) {
        String since = vm.metadata().get(VmStates.STATE_SINCE);
        try {
            return asked != null && since != null && Instant.parse(since).isAfter(asked);
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** Whether {@code vm}, not in its host's answer, may be taken as gone from it: nothing moved it meanwhile. */
    private boolean gone(Node vm) {
        return !vm.state().equals(VmStates.MIGRATING) && !vm.state().equals(VmStates.LOST) && !changedSinceAsked(vm);
    }

    private static boolean fenced(Node hv) {
        return Boolean.parseBoolean(hv.metadata().get(VmStates.FENCED));
    }

    /** The facts of a status report that may be stored: each named safely, and small enough. */
    private Map<String, String> facts(Node hv, Map<String, String> reported) {
        Map<String, String> out = new LinkedHashMap<>();
        reported.forEach((k, v) -> {
            if (!Names.isToken(k)) {
                warn("bad_report", hv.id() + " reports a fact with an unusable name; not stored: " + abbreviate(k));
            } else if (k.length() + v.length() > rules.maxFactBytes()) {
                warn("bad_report", hv.id() + " reports fact " + k + " of " + v.length() + " characters, more than"
                        + " max.fact.bytes (" + rules.maxFactBytes() + "); not stored");
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /**
     * A fenced hypervisor answered: the operator said it was powered off, and
     * its VMs were released. Each VM it still runs (in any state but
     * {@code stopped}) is a duplicate: reported, and marked
     * ({@link VmStates#DUPLICATE_ON}) so that it is not started, defined or
     * moved anywhere while that copy may run; never started, stopped or moved
     * by Vagoth. A mark whose copy the hypervisor no longer reports is cleared.
     */
    private void duplicates(Node hv, HypervisorStatus status) {
        warn("fenced", "fenced " + hv.id() + " answers again; it takes no placements until 'vagoth unfence " + hv.id()
                + "'");
        Set<String> copies = new java.util.HashSet<>();
        for (Map.Entry<String, VmInfo> e : status.vms().entrySet()) {
            if (VmStates.STOPPED.equals(e.getValue().state())) {
                continue; // a copy that is stopped runs nowhere: not a duplicate, nothing to say
            }
            Node vm = Names.isSafe(e.getKey()) ? registry.findNode(e.getKey()).orElse(null) : null;
            if (vm != null && vm.type().equals(VirtualMachine.TYPE)) {
                copies.add(vm.id());
                if (!hv.id().equals(vm.metadata().get(VmStates.DUPLICATE_ON))) {
                    registry.updateMetadata(vm.id(), Map.of(VmStates.DUPLICATE_ON, hv.id()), List.of());
                    changes.add(vm.id() + ": marked as still running on fenced " + hv.id()
                            + "; it is not started anywhere until that copy is stopped");
                }
            }
            String where = vm == null ? "the registry does not know it"
                    : vm.parent() == null ? "it was released when " + hv.id() + " was fenced and runs nowhere else"
                    : "it now runs on " + vm.parent();
            warn("duplicate", "duplicate: fenced " + hv.id() + " still runs " + e.getKey() + " ("
                    + e.getValue().state() + "); " + where + ". It is not started, defined or moved anywhere until"
                    + " the copy on " + hv.id() + " is stopped: 'vagoth fence --stop-duplicates " + hv.id()
                    + "' stops it there");
        }
        for (Node vm : registry.getNodes(NodeQuery.all().withType(VirtualMachine.TYPE))) {
            if (hv.id().equals(vm.metadata().get(VmStates.DUPLICATE_ON)) && !copies.contains(vm.id())) {
                registry.updateMetadata(vm.id(), Map.of(), List.of(VmStates.DUPLICATE_ON));
                changes.add(vm.id() + ": fenced " + hv.id() + " no longer runs a copy of it");
            }
        }
    }

    private void reported(Node hv, String name, VmInfo info, List<String> reporters) {
        Node vm = Names.isSafe(name) ? registry.findNode(name).orElse(null) : null;
        if (vm != null && VmStates.MIGRATING.equals(vm.state())) {
            return; // on its way, at both ends for a moment when live: settled once no migration runs on it
        }
        if (reporters != null && reporters.size() > 1) {
            warn("reported_twice", name + " is reported by " + String.join(" and ", reporters) + "; left as it is (assigned to "
                    + (vm == null || vm.parent() == null ? "none" : vm.parent()) + ")");
            if (vm == null || !hv.id().equals(vm.parent())) {
                return;
            }
        }
        if (partial && (vm == null || vm.parent() == null)) {
            warn("other", hv.id() + " runs " + name + ", which no hypervisor holds; left for the next full poll,"
                    + " which sees every host");
            return;
        }
        if (vm == null) {
            missing(hv, name, info);
            return;
        }
        if (!vm.type().equals(VirtualMachine.TYPE)) {
            warn("unknown_vm", hv.id() + " reports a VM " + name + ", but node " + name + " is a " + vm.type());
            return;
        }
        if (VmStates.MIGRATING.equals(vm.state())) {
            return; // on its way: where it is found is settled once no migration runs on it (repairMigration)
        }
        if (changedSinceAsked(vm)) {
            return; // an action changed it after the host was asked: its answer may be from before; the next pass
        }
        if (vm.parent() == null) {
            registry.setParent(vm.id(), hv.id());
            changes.add(vm.id() + ": found on " + hv.id() + ", assigned to it");
            setState(registry.getNode(vm.id()), info.state(), true);
        } else if (!vm.parent().equals(hv.id())) {
            warn("reported_twice", vm.id() + " is assigned to " + vm.parent() + " but reported by " + hv.id() + "; not moved");
        } else {
            // a lost VM whose hypervisor answers again is where it was: it takes the state reported
            setState(vm, info.state(), VmStates.LOST.equals(vm.state()));
        }
        substate(vm, info);
    }

    /**
     * What the hypervisor adds to the state (why QEMU is stopped: "crashed: ...", "postmigrate"), kept as the VM's
     * {@code substate} while it says more than the state; written only when it changes.
     */
    private void substate(Node vm, VmInfo info) {
        String id = vm.id();
        String sub = info.substate() == null ? "" : vagoth.api.Printable.of(info.substate());
        boolean says = !sub.isBlank() && !sub.equals(info.state()) && sub.length() <= rules.maxFactBytes();
        String kept = vm.metadata().get(VmStates.SUBSTATE); // setState changes none of it
        if (says && !sub.equals(kept)) {
            registry.updateMetadata(id, Map.of(VmStates.SUBSTATE, sub), List.of());
        } else if (!says && kept != null) {
            registry.updateMetadata(id, Map.of(), List.of(VmStates.SUBSTATE));
        }
    }

    private void missing(Node hv, String name, VmInfo info) {
        if (!rules.createMissing()) {
            warn("unknown_vm", hv.id() + " runs " + name + ", which the registry does not know (create_missing is off)");
            return;
        }
        if (!Names.isSafe(name) || registry.findNodeByName(name).isPresent()) {
            warn("unknown_vm", hv.id() + " runs " + name + ", which cannot be created: the name is unsafe or taken");
            return;
        }
        registry.addNode(new Node(name, name, VirtualMachine.TYPE, "", info.definition(),
                Map.of(Node.STATE, info.state(), VmStates.STATE_SINCE, now.toString()), Map.of(), Set.of(), hv.id()));
        changes.add(name + ": created, found on " + hv.id());
    }

    private void setState(Node vm, String reported, boolean force) {
        String current = vm.state();
        if (current.equals(reported)) {
            return;
        }
        Set<String> goal = GOALS.get(current);
        if (!force && goal != null && !goal.contains(reported)) {
            return; // still on its way; reported as stuck if it stays
        }
        registry.updateMetadata(vm.id(), Map.of(Node.STATE, reported, VmStates.STATE_SINCE, now.toString()),
                List.of(VmStates.LAST_ERROR));
        changes.add(vm.id() + ": " + current + " -> " + reported);
    }

    private void unanswered(Node hv, String why) {
        Map<String, String> md = new LinkedHashMap<>();
        String since = hv.metadata().get(VmStates.UNREACHABLE_SINCE);
        if (!VmStates.UNREACHABLE.equals(hv.state())) {
            md.put(Node.STATE, VmStates.UNREACHABLE);
            md.put(VmStates.STATE_SINCE, now.toString());
            changes.add(hv.id() + ": " + hv.state() + " -> unreachable");
        }
        if (since == null) {
            since = now.toString();
            md.put(VmStates.UNREACHABLE_SINCE, since);
        }
        md.put(VmStates.LAST_ERROR, why);
        int missed;
        try {
            missed = Integer.parseInt(hv.metadata().getOrDefault(VmStates.MISSED_POLLS, "0"));
        } catch (NumberFormatException e) {
            missed = 0;
        }
        md.put(VmStates.MISSED_POLLS, String.valueOf(missed + 1));
        registry.updateMetadata(hv.id(), md, List.of());
        warn("unreachable", hv.id() + " did not answer: " + why);
        if (Duration.between(Instant.parse(since), now).compareTo(rules.grace()) < 0) {
            return;
        }
        for (Node vm : registry.getNodes(NodeQuery.all().withParent(hv.id()).withType(VirtualMachine.TYPE))) {
            if (!VmStates.LOST.equals(vm.state())) {
                registry.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.LOST, VmStates.STATE_SINCE, now.toString()),
                        List.of());
                changes.add(vm.id() + ": " + vm.state() + " -> lost (" + hv.id() + " unreachable since " + since
                        + "; it keeps its place until " + hv.id() + " is fenced)");
            }
        }
    }

    /** A warning of {@code kind}; its text may hold what an agent said, so it is escaped here, once. */
    void warn(String kind, String text) {
        warnings.add(new Warning(kind, vagoth.api.Printable.of(text)));
    }

    private void unassign(Node vm, String why) {
        registry.removeParent(vm.id());
        registry.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.UNASSIGNED, VmStates.STATE_SINCE, now.toString()),
                List.of());
        changes.add(vm.id() + ": unassigned (" + why + ")");
    }
}
