package vagoth.virt.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import vagoth.api.Selection;
import vagoth.api.Node;
import vagoth.api.registry.Registry;
import vagoth.api.VagothException;
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
 * changes nothing. The two hypervisors must share the VM's storage (the same
 * {@code shared_storage} in their definitions): the disk is never left behind.
 */
@Component(service = Action.class, configurationPid = {Selection.PID, PlacementActions.PID})
@VagothAction("migrate")
public final class MigrateAction extends PlacementActions.Placing {
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
        String storage = source.node().definition().getOrDefault(Hypervisor.SHARED_STORAGE, "");
        if (storage.isBlank() || !storage.equals(target.node().definition().get(Hypervisor.SHARED_STORAGE))) {
            throw new ActionException("migrate refused: " + source.id() + " and " + target.id() + " do not share"
                    + " storage (their definitions name no common " + Hypervisor.SHARED_STORAGE + "), and moving a disk"
                    + " between hosts is not supported yet: " + vm.id() + "'s disk would stay on " + source.id()
                    + ". Nothing was changed", vm.id());
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
        } catch (VagothException e) {
            throw recordFailure(r, vm.id(), new ActionException("migration of " + vm.id() + " from " + source.id()
                    + " to " + target.id() + " failed " + step + ": " + e.getMessage(), vm.id(), e));
        }
        return null;
    }
}
