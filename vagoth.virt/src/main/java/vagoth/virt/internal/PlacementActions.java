package vagoth.virt.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Selection;
import vagoth.support.bind.Current;
import vagoth.api.Node;
import vagoth.api.registry.Registry;
import vagoth.api.VagothException;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.ActionException;
import vagoth.api.action.VagothAction;
import vagoth.api.allocator.Allocator;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VirtualMachine;
import vagoth.api.virt.VmStates;

/**
 * {@code define} and {@code provision}: place an unassigned VM with the active
 * allocator (or on the hinted hypervisor), assign it, and ask the driver. A
 * placement the allocator refuses changes nothing (the job says why, per
 * hypervisor). If the driver refuses, the assignment made here is undone and
 * the VM records {@code error} with the reason. The allocator is chosen by configuration
 * ({@code allocator.target} in {@code vagoth.virt.cfg}) or ranking.
 */
final class PlacementActions {
    static final String PID = "vagoth.virt";

    private PlacementActions() {
    }

    /** Base of the two: an allocator reference and the placement step. */
    abstract static class Placing extends VmAction {
        /** The selected allocator ({@code allocator.target}); it follows a swap like the registry. */
        final Current<Allocator> allocator = new Current<>("allocator", Selection.DEFAULT_SWAP_GRACE_MS);

        @Reference(name = Selection.ALLOCATOR, cardinality = ReferenceCardinality.OPTIONAL,
                policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
        void bindAllocator(Allocator a) {
            allocator.bind(a);
        }

        void unbindAllocator(Allocator a) {
            allocator.unbind(a);
        }

        @Override
        void configure(Map<String, Object> props) {
            super.configure(props);
            allocator.grace(Current.grace(props));
        }

        /** Where the allocator places {@code vm} ({@code hint}: only there, by the same rules). */
        Node allocate(Node vm, String hint) {
            return allocator.get().allocate(vm, hint);
        }

        Object place(ActionContext ctx, Map<String, String> args, Node vm, String hint, boolean provision) {
            refuseIfLost(vm);
            Registry r = registry();
            boolean assignedHere = false;
            Node current = vm;
            if (!current.hasParent()) {
                Node hv = allocate(current, hint); // refused: the VM stays as it was, the job says why
                current = r.setParent(vm.id(), hv.id());
                // dated: a host's answer from before this (a poll under way) is not taken against it
                r.updateMetadata(vm.id(), Map.of(VmStates.STATE_SINCE, java.time.Instant.now().toString()),
                        java.util.List.of());
                step(args, "assigned to " + hv.id());
                assignedHere = true;
            } else if (hint != null && !hint.equals(current.parent())) {
                throw new ActionException(vm.id() + " is already on " + current.parent()
                        + "; migrate it to move it to " + hint, vm.id());
            }
            Hypervisor hv = hypervisorOf(ctx.manager(), current);
            try {
                if (provision) {
                    hv.driver().provision(hv.node(), current);
                } else {
                    hv.driver().define(hv.node(), current);
                }
            } catch (VagothException e) {
                if (assignedHere) {
                    r.removeParent(vm.id());
                    step(args, "unassigned again: the hypervisor refused it");
                }
                throw recordFailure(r, vm.id(), e);
            }
            step(args, (provision ? "provisioned on " : "defined on ") + hv.id());
            state(r, vm.id(), VmStates.DEFINED);
            return null;
        }
    }

    @Component(service = Action.class, configurationPid = {Selection.PID, PID})
    @VagothAction("define")
    public static final class Define extends Placing {
        @Override
        protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
            return place(ctx, args, vm, args.get(VirtualMachine.HINT), false);
        }
    }

    @Component(service = Action.class, configurationPid = {Selection.PID, PID})
    @VagothAction("provision")
    public static final class Provision extends Placing {
        @Override
        protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
            return place(ctx, args, vm, args.get(VirtualMachine.HINT), true);
        }
    }
}
