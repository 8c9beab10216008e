package vagoth.virt.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import vagoth.api.Selection;
import vagoth.api.Node;
import vagoth.api.registry.Registry;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.ActionException;
import vagoth.api.action.VagothAction;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;

/**
 * {@code migrate}, cold: stop the VM if it runs, undefine it on the source,
 * reassign it, define it on the destination and start it again if it ran.
 * It is undefined on the source before it is defined on the destination, so
 * it is never on two hypervisors; a failure says which step failed and where
 * the VM is left. The destination must be one the allocator would place the
 * VM on ({@code define --hint} and {@code migrate} obey one rule: no
 * hypervisor in maintenance, unreachable or full); a refused destination
 * changes nothing. Hypervisors that share the VM's storage (the same
 * {@code shared_storage} in their definitions) move only its definition; the
 * others move its disk too ({@link #withDisk}).
 */
@Component(service = Action.class, configurationPid = {Selection.PID, PlacementActions.PID})
@VagothAction("migrate")
public final class MigrateAction extends PlacementActions.Placing {
    private volatile vagoth.api.driver.LiveMigration.Limits limits = LiveMove.limits(Map.of());

    @Override
    void configure(Map<String, Object> props) {
        super.configure(props);
        limits = LiveMove.limits(props);
    }

    @Override
    protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
        String dest = args.get(VirtualMachine.DESTINATION);
        if (dest == null || dest.isBlank()) {
            throw new ActionException("migrate needs a destination hypervisor", vm.id());
        }
        refuseIfLost(vm);
        Registry r = registry();
        Hypervisor source = hypervisorOf(ctx.manager(), vm);
        Hypervisor target = hypervisor(ctx.manager(), dest, vm.id());
        if (source.id().equals(target.id())) {
            throw new ActionException(vm.id() + " is already on " + dest, vm.id());
        }
        allocate(vm, target.id()); // refused: nothing has changed yet, the job says why
        if (Boolean.parseBoolean(args.getOrDefault(VirtualMachine.LIVE, "false"))) {
            LiveMove.Checked checked = LiveMove.check(vm, source, target);
            String job = args.get(vagoth.api.action.Action.JOB_ARG);
            new LiveMove(r, limits, text -> step(args, text), () -> job != null && job.equals(r.getNode(vm.id())
                    .metadata().get(VmStates.CANCEL_REQUESTED))).run(vm, source, target, checked);
            return null;
        }
        if (Hypervisor.sharedStorage(source.node(), target.node()) == null) {
            return withDisk(vm, source, target, args);
        }
        boolean running = vm.state().equals(VmStates.RUNNING) || vm.state().equals(VmStates.STARTING);
        // durable before any step: after a crash, poll finds the VM at one end or reports it lost
        r.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.MIGRATING, VmStates.STATE_SINCE,
                java.time.Instant.now().toString(), VmStates.MIGRATING_TO, target.id()), List.of());
        step(args, "migrating from " + source.id() + " to " + target.id() + (running ? " (it runs)" : ""));
        String step = "stopping it on " + source.id();
        try {
            if (running) {
                source.driver().stop(source.node(), vm);
                step(args, "stopped on " + source.id());
            }
            step = "undefining it on " + source.id();
            source.driver().undefine(source.node(), vm);
            step(args, "undefined on " + source.id());
            r.removeParent(vm.id());
            Node moved = r.setParent(vm.id(), target.id());
            step(args, "assigned to " + target.id());
            step = "defining it on " + target.id() + " (it is now assigned there, but not defined)";
            target.driver().define(target.node(), moved);
            step(args, "defined on " + target.id());
            if (running) {
                step = "starting it on " + target.id() + " (it is defined there)";
                target.driver().start(target.node(), moved);
                step(args, "started on " + target.id());
                state(r, vm.id(), VmStates.STARTING);
            } else {
                state(r, vm.id(), VmStates.DEFINED);
            }
            r.updateMetadata(vm.id(), Map.of(), List.of(VmStates.MIGRATING_TO));
        } catch (RuntimeException e) { // a driver's error or a bug: recorded either way, never left migrating
            throw recordFailure(r, vm.id(), new ActionException("migration of " + vm.id() + " from " + source.id()
                    + " to " + target.id() + " failed " + step + ": " + why(e), vm.id(), e));
        }
        return null;
    }

    /**
     * A migration between hypervisors that share no storage: stop it at the
     * source if it runs, copy its disk to the destination (checked there, end
     * to end), assign and define it there, start it there if it ran, and only
     * then remove it at the source. A failure before that last step leaves
     * the VM whole at the source, started again if it ran, and nothing at the
     * destination; the job says which step failed. Progress (bytes copied) is
     * a step of the job every few seconds.
     */
    private Object withDisk(Node vm, Hypervisor source, Hypervisor target, Map<String, String> args) {
        String driver = source.node().definition().getOrDefault(vagoth.api.driver.Driver.DEFINITION_KEY, "");
        if (!driver.equals(target.node().definition().getOrDefault(vagoth.api.driver.Driver.DEFINITION_KEY, ""))) {
            throw new ActionException("migrate refused: " + source.id() + " and " + target.id() + " share no storage"
                    + " and have different drivers, so " + vm.id() + "'s disk cannot move between them. Nothing was"
                    + " changed", vm.id());
        }
        if (!source.driver().movesDisks()) {
            throw new ActionException("migrate refused: " + source.id() + " and " + target.id() + " share no storage"
                    + " (no common " + Hypervisor.SHARED_STORAGE + " in their definitions), and their driver, "
                    + driver + ", cannot move " + vm.id() + "'s disk between hosts. Nothing was changed", vm.id());
        }
        Registry r = registry();
        boolean running = vm.state().equals(VmStates.RUNNING) || vm.state().equals(VmStates.STARTING);
        r.updateMetadata(vm.id(), Map.of(Node.STATE, VmStates.MIGRATING, VmStates.STATE_SINCE,
                java.time.Instant.now().toString(), VmStates.MIGRATING_TO, target.id()), List.of());
        step(args, "migrating from " + source.id() + " to " + target.id() + " with its disk (they share no storage)"
                + (running ? "; it runs" : ""));
        String step = "stopping it on " + source.id();
        boolean stopped = false;
        boolean copied = false;
        boolean assigned = false;
        try {
            if (running) {
                source.driver().stop(source.node(), vm);
                stopped = true;
                step(args, "stopped on " + source.id());
            }
            step = "copying its disk from " + source.id() + " to " + target.id();
            long bytes = source.driver().copyDisk(source.node(), vm, target.node(), progress(args));
            copied = true;
            step(args, "disk copied to " + target.id() + ": " + bytes + " bytes, checksum verified there");
            step = "assigning it to " + target.id();
            r.removeParent(vm.id());
            Node moved = r.setParent(vm.id(), target.id());
            assigned = true;
            step = "defining it on " + target.id();
            target.driver().define(target.node(), moved);
            step(args, "defined on " + target.id());
            if (running) {
                step = "starting it on " + target.id();
                target.driver().start(target.node(), moved);
                step(args, "started on " + target.id());
            }
        } catch (RuntimeException e) { // a driver's error or a bug: rolled back either way
            String left = rollBack(r, vm, source, target, running && stopped, copied, assigned);
            throw new ActionException("migration of " + vm.id() + " from " + source.id() + " to " + target.id()
                    + " failed " + step + ": " + why(e) + "; " + left, vm.id(), e);
        }
        state(r, vm.id(), running ? VmStates.STARTING : VmStates.DEFINED);
        r.updateMetadata(vm.id(), Map.of(), List.of(VmStates.MIGRATING_TO));
        try {
            source.driver().deprovision(source.node(), vm);
            step(args, "removed from " + source.id() + " (its old disk)");
        } catch (RuntimeException e) {
            throw new ActionException("migration of " + vm.id() + " to " + target.id() + " is done, but removing its"
                    + " old copy on " + source.id() + " failed: " + why(e) + "; it is stopped there, and"
                    + " 'deprovision' on that host (or by hand) removes it", vm.id(), e);
        }
        return null;
    }

    /** What went wrong, in words: a driver's message, or the exception itself when it has none. */
    private static String why(RuntimeException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Puts the VM back as it was at the source; says what is left where. */
    private static String rollBack(Registry r, Node vm, Hypervisor source, Hypervisor target, boolean restart,
            boolean copied, boolean assigned) {
        List<String> notes = new java.util.ArrayList<>();
        if (assigned) {
            r.removeParent(vm.id());
            r.setParent(vm.id(), source.id());
        }
        if (copied) {
            try {
                target.driver().deprovision(target.node(), vm);
            } catch (RuntimeException e) {
                notes.add("its copy on " + target.id() + " could not be removed (" + why(e) + ")");
            }
        }
        String state = VmStates.DEFINED;
        if (restart) {
            try {
                source.driver().start(source.node(), vm);
                state = VmStates.STARTING;
                notes.add("started again on " + source.id());
            } catch (RuntimeException e) {
                notes.add("it could not be started again on " + source.id() + " (" + why(e) + ")");
            }
        }
        r.updateMetadata(vm.id(), Map.of(Node.STATE, state, VmStates.STATE_SINCE, java.time.Instant.now().toString()),
                List.of(VmStates.MIGRATING_TO));
        return "it is whole on " + source.id() + (notes.isEmpty() ? "" : ", " + String.join(", ", notes));
    }

    /** Records the bytes copied as a step of the job, at most every few seconds. */
    private java.util.function.LongConsumer progress(Map<String, String> args) {
        long[] last = {System.nanoTime()};
        return bytes -> {
            long now = System.nanoTime();
            if (now - last[0] >= PROGRESS_EVERY_NS) {
                last[0] = now;
                step(args, "copying its disk: " + bytes + " bytes so far");
            }
        };
    }

    private static final long PROGRESS_EVERY_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
}
