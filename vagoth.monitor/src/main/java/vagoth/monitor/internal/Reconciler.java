package vagoth.monitor.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.Registry;
import vagoth.api.virt.HypervisorStatus;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmInfo;
import vagoth.api.virt.VmStates;

/**
 * Turns one round of hypervisor answers into registry changes, with the
 * safety the original lacked: an unanswered poll makes a hypervisor
 * {@code unreachable} and leaves its VMs alone until the grace period has
 * passed; a VM reported by two hypervisors is reported, never moved; a
 * transitional state is kept until the hypervisor reports its goal (or it is
 * reported as stuck).
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
    private final Duration grace;
    private final boolean createMissing;
    private final Instant now;
    final List<String> changes = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());

    Reconciler(Registry registry, Duration grace, boolean createMissing, Instant now) {
        this.registry = registry;
        this.grace = grace;
        this.createMissing = createMissing;
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
                warnings.add("reconciling failed: " + e.getCause().getMessage());
            }
        }
    }

    private void answered(Node hv, HypervisorStatus status, Map<String, List<String>> reportedBy) {
        Map<String, String> facts = new LinkedHashMap<>(status.facts());
        facts.put("last_poll", now.toString());
        if (!VmStates.UP.equals(hv.state())) {
            facts.put(Node.STATE, VmStates.UP);
            facts.put(VmStates.STATE_SINCE, now.toString());
            changes.add(hv.id() + ": " + hv.state() + " -> up");
        }
        registry.updateMetadata(hv.id(), facts, List.of("unreachable_since", VmStates.LAST_ERROR));
        for (Map.Entry<String, VmInfo> e : status.vms().entrySet()) {
            reported(hv, e.getKey(), e.getValue(), reportedBy.get(e.getKey()));
        }
        for (Node vm : registry.getNodes(NodeQuery.all().withParent(hv.id()).withType(VirtualMachine.TYPE))) {
            if (!status.vms().containsKey(vm.id()) && !vm.state().equals(VmStates.MIGRATING)) {
                unassign(vm, hv.id() + " no longer has it");
            }
        }
    }

    private void reported(Node hv, String name, VmInfo info, List<String> reporters) {
        Node vm = Names.isSafe(name) ? registry.findNode(name).orElse(null) : null;
        if (reporters != null && reporters.size() > 1) {
            warnings.add(name + " is reported by " + String.join(" and ", reporters) + "; left as it is (assigned to "
                    + (vm == null || vm.parent() == null ? "none" : vm.parent()) + ")");
            if (vm == null || !hv.id().equals(vm.parent())) {
                return;
            }
        }
        if (vm == null) {
            missing(hv, name, info);
            return;
        }
        if (!vm.type().equals(VirtualMachine.TYPE)) {
            warnings.add(hv.id() + " reports a VM " + name + ", but node " + name + " is a " + vm.type());
            return;
        }
        if (vm.parent() == null) {
            registry.setParent(vm.id(), hv.id());
            changes.add(vm.id() + ": found on " + hv.id() + ", assigned to it");
            setState(registry.getNode(vm.id()), info.state(), true);
        } else if (!vm.parent().equals(hv.id())) {
            warnings.add(vm.id() + " is assigned to " + vm.parent() + " but reported by " + hv.id() + "; not moved");
        } else {
            setState(vm, info.state(), false);
        }
    }

    private void missing(Node hv, String name, VmInfo info) {
        if (!createMissing) {
            warnings.add(hv.id() + " runs " + name + ", which the registry does not know (create_missing is off)");
            return;
        }
        if (!Names.isSafe(name) || registry.findNodeByName(name).isPresent()) {
            warnings.add(hv.id() + " runs " + name + ", which cannot be created: the name is unsafe or taken");
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
        String since = hv.metadata().get("unreachable_since");
        if (!VmStates.UNREACHABLE.equals(hv.state())) {
            md.put(Node.STATE, VmStates.UNREACHABLE);
            md.put(VmStates.STATE_SINCE, now.toString());
            changes.add(hv.id() + ": " + hv.state() + " -> unreachable");
        }
        if (since == null) {
            since = now.toString();
            md.put("unreachable_since", since);
        }
        md.put(VmStates.LAST_ERROR, why);
        registry.updateMetadata(hv.id(), md, List.of());
        warnings.add(hv.id() + " did not answer: " + why);
        if (Duration.between(Instant.parse(since), now).compareTo(grace) >= 0) {
            for (Node vm : registry.getNodes(NodeQuery.all().withParent(hv.id()).withType(VirtualMachine.TYPE))) {
                unassign(vm, hv.id() + " unreachable since " + since);
            }
        }
    }

    private void unassign(Node vm, String why) {
        registry.removeParent(vm.id());
        registry.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.UNASSIGNED, VmStates.STATE_SINCE, now.toString()),
                List.of());
        changes.add(vm.id() + ": unassigned (" + why + ")");
    }
}
