package vagoth.virt.internal;

import java.util.Map;

import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Node;
import vagoth.api.Registry;
import vagoth.api.ServiceUnavailableException;
import vagoth.api.VagothException;
import vagoth.api.job.Action;
import vagoth.api.job.ActionContext;
import vagoth.api.job.ActionException;
import vagoth.api.job.VagothAction;
import vagoth.api.virt.Allocator;
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
        /** Fetched per use: allocators reference the manager, which binds these actions. */
        @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
                policyOption = ReferencePolicyOption.GREEDY)
        volatile ComponentServiceObjects<Allocator> allocator;

        /** A new allocator.target rebinds the reference; nothing else to do. */
        @Modified
        void modified() {
            // the reference follows the new target by itself
        }

        /** Where the allocator places {@code vm} ({@code hint}: only there, by the same rules). */
        Node allocate(Node vm, String hint) {
            ComponentServiceObjects<Allocator> objects = allocator;
            Allocator a = objects == null ? null : objects.getService();
            if (a == null) {
                throw new ServiceUnavailableException("allocator");
            }
            try {
                return a.allocate(vm, hint);
            } finally {
                objects.ungetService(a);
            }
        }

        Object place(ActionContext ctx, Map<String, String> args, Node vm, String hint, boolean provision) {
            refuseIfLost(vm);
            Registry r = ctx.manager().registry();
            boolean assignedHere = false;
            Node current = vm;
            if (!current.hasParent()) {
                Node hv = allocate(current, hint); // refused: the VM stays as it was, the job says why
                current = r.setParent(vm.id(), hv.id());
                step(ctx, args, "assigned to " + hv.id());
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
                    step(ctx, args, "unassigned again: the hypervisor refused it");
                }
                throw recordFailure(r, vm.id(), e);
            }
            step(ctx, args, (provision ? "provisioned on " : "defined on ") + hv.id());
            state(r, vm.id(), VmStates.DEFINED);
            return null;
        }
    }

    @Component(service = Action.class, configurationPid = PID)
    @VagothAction("define")
    public static final class Define extends Placing {
        @Override
        protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
            return place(ctx, args, vm, args.get(VirtualMachine.HINT), false);
        }
    }

    @Component(service = Action.class, configurationPid = PID)
    @VagothAction("provision")
    public static final class Provision extends Placing {
        @Override
        protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
            return place(ctx, args, vm, args.get(VirtualMachine.HINT), true);
        }
    }
}
