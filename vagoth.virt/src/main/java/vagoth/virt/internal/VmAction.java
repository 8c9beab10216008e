package vagoth.virt.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.registry.Registry;
import vagoth.api.VagothException;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.ActionException;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;

/**
 * What every VM action shares: finding the VM and its hypervisor, recording
 * states (with the time they began), and, when a driver fails, recording
 * {@code error} with the driver's message before failing the job, so the
 * registry never keeps a stale {@code starting}.
 */
abstract class VmAction extends RegistryAction {

    @Override
    public final Object run(ActionContext ctx, Map<String, String> args) {
        String id = args.get(NODE_ARG);
        if (id == null || id.isBlank()) {
            throw new ActionException(ctx.action() + " needs the node it is about (argument '" + NODE_ARG + "')", null);
        }
        Node vm = registry().getNode(id);
        if (!vm.type().equals(VirtualMachine.TYPE)) {
            throw new ActionException(ctx.action() + ": " + id + " is of type " + vm.type() + ", not a vm", id);
        }
        return execute(ctx, vm, args);
    }

    protected abstract Object execute(ActionContext ctx, Node vm, Map<String, String> args);

    /** The hypervisor the VM is assigned to. */
    static Hypervisor hypervisorOf(Manager manager, Node vm) {
        if (!vm.hasParent()) {
            throw new ActionException(vm.id() + " is not assigned to a hypervisor; define it first", vm.id());
        }
        return hypervisor(manager, vm.parent(), vm.id());
    }

    static Hypervisor hypervisor(Manager manager, String id, String about) {
        ManagedNode n = manager.getNode(id);
        if (!(n instanceof Hypervisor hv)) {
            throw new ActionException(id + " is of type " + n.node().type() + ", not a hypervisor", about);
        }
        return hv;
    }

    /** Records a new state and when it began; clears the last error. */
    static Node state(Registry registry, String id, String state) {
        return registry.updateMetadata(id, Map.of(Node.STATE, state, VmStates.STATE_SINCE, Instant.now().toString()),
                List.of(VmStates.LAST_ERROR));
    }

    /** Runs a driver call; if it fails, records {@code error} and why, then fails the action with the same message. */
    static void drive(Registry registry, Node vm, Consumer<Node> call) {
        try {
            call.accept(vm);
        } catch (VagothException e) {
            throw recordFailure(registry, vm.id(), e);
        }
    }

    /**
     * A lost VM may still run on its unreachable hypervisor: starting, defining
     * or moving it elsewhere could run it twice.
     */
    static void refuseIfLost(Node vm) {
        if (VmStates.LOST.equals(vm.state())) {
            throw new ActionException(vm.id() + " is lost: its hypervisor " + vm.parent() + " has not answered since "
                    + vm.metadata().getOrDefault(VmStates.STATE_SINCE, "?") + ", and it may still run there. Once "
                    + vm.parent() + " is powered off, 'vagoth fence " + vm.parent() + "' releases it", vm.id());
        }
        String copy = vm.metadata().get(VmStates.DUPLICATE_ON);
        if (copy != null) {
            throw new ActionException(vm.id() + " still runs on fenced " + copy + " (its last poll reported it): it"
                    + " is not started, defined or moved anywhere while that copy may run. Stop it there ('vagoth"
                    + " fence --stop-duplicates " + copy + "'), or, once " + copy + " is powered off, 'vagoth fence "
                    + copy + "' declares the copy gone", vm.id());
        }
    }

    /** States in which a VM's guest may be running on its hypervisor. */
    private static final java.util.Set<String> ALIVE = java.util.Set.of(VmStates.RUNNING, VmStates.STARTING,
            VmStates.REBOOTING, VmStates.STOPPING, VmStates.SHUTTING_DOWN, VmStates.MIGRATING, "paused");

    /**
     * Undefining or deprovisioning a running guest would leave it running with
     * no definition (or fail half-way): refused, by what the registry says and
     * then by what its hypervisor says, and its state is left alone.
     */
    static void refuseIfRunning(ActionContext ctx, Node vm) {
        String state = vm.state();
        if (!ALIVE.contains(state) && vm.hasParent()) {
            try {
                Hypervisor hv = hypervisorOf(ctx.manager(), vm);
                state = hv.driver().info(hv.node(), vm).state();
            } catch (VagothException e) {
                return; // not known to its hypervisor, or it did not answer: the driver's own call decides
            }
        }
        if (ALIVE.contains(state)) {
            throw new ActionException(ctx.action() + " refused: " + vm.id() + " is " + vagoth.api.Printable.of(state)
                    + (vm.hasParent() ? " on " + vm.parent() : "") + "; stop it first ('vagoth stop " + vm.id() + "')",
                    vm.id());
        }
    }

    static VagothException recordFailure(Registry registry, String id, VagothException e) {
        registry.updateMetadata(id, Map.of(Node.STATE, VmStates.ERROR, VmStates.STATE_SINCE, Instant.now().toString(),
                VmStates.LAST_ERROR, String.valueOf(e.getMessage())), List.of());
        return e;
    }
}
