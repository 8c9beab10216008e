package vagoth.virt.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Component;

import vagoth.api.Selection;
import vagoth.api.Node;
import vagoth.api.registry.Registry;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.VagothAction;
import vagoth.api.virt.Hypervisor;
import vagoth.api.virt.VmStates;

/** {@code undefine} and {@code deprovision}: the driver lets the VM go, then it is unassigned. */
final class ReleaseActions {
    private ReleaseActions() {
    }

    static Object release(Registry r, ActionContext ctx, Node vm, boolean deprovision) {
        if (!vm.hasParent()) {
            state(r, vm);
            return null;
        }
        if (!deprovision) {
            VmAction.refuseIfRunning(ctx, vm);
        }
        Hypervisor hv = VmAction.hypervisorOf(ctx.manager(), vm);
        VmAction.drive(r, vm, v -> {
            if (deprovision) {
                hv.driver().deprovision(hv.node(), v);
            } else {
                hv.driver().undefine(hv.node(), v);
            }
        });
        r.removeParent(vm.id());
        state(r, vm);
        return null;
    }

    private static void state(Registry r, Node vm) {
        VmAction.state(r, vm.id(), VmStates.UNASSIGNED);
    }

    @Component(service = Action.class, configurationPid = Selection.PID)
    @VagothAction("undefine")
    public static final class Undefine extends VmAction {
        @Override
        protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
            return release(registry(), ctx, vm, false);
        }
    }

    /** For the Geats driver this also wipes the VM's disk. */
    @Component(service = Action.class, configurationPid = Selection.PID)
    @VagothAction("deprovision")
    public static final class Deprovision extends VmAction {
        @Override
        protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
            return release(registry(), ctx, vm, true);
        }
    }
}
