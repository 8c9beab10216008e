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

/** The actions that set a transitional state and ask the driver: stop, shutdown, reboot. */
final class SimpleVmActions {
    private SimpleVmActions() {
    }

    static Object transition(Registry r, ActionContext ctx, Node vm, String state, DriverCall call) {
        Hypervisor hv = VmAction.hypervisorOf(ctx.manager(), vm);
        Node now = VmAction.state(r, vm.id(), state);
        VmAction.drive(r, now, v -> call.on(hv, v));
        return null;
    }

    /** One driver operation on a VM of a hypervisor. */
    @FunctionalInterface
    interface DriverCall {
        void on(Hypervisor hv, Node vm);
    }

    /** {@code stop}: kills the VM; state {@code stopping} until the monitor sees it stopped. */
    @Component(service = Action.class, configurationPid = Selection.PID)
    @VagothAction("stop")
    public static final class Stop extends VmAction {
        @Override
        protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
            return transition(registry(), ctx, vm, VmStates.STOPPING, (hv, v) -> hv.driver().stop(hv.node(), v));
        }
    }

    /** {@code shutdown}: asks the VM to stop cleanly; state {@code shutting down}. */
    @Component(service = Action.class, configurationPid = Selection.PID)
    @VagothAction("shutdown")
    public static final class Shutdown extends VmAction {
        @Override
        protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
            return transition(registry(), ctx, vm, VmStates.SHUTTING_DOWN, (hv, v) -> hv.driver().shutdown(hv.node(), v));
        }
    }

    /** {@code reboot}: state {@code rebooting}. */
    @Component(service = Action.class, configurationPid = Selection.PID)
    @VagothAction("reboot")
    public static final class Reboot extends VmAction {
        @Override
        protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
            return transition(registry(), ctx, vm, VmStates.REBOOTING, (hv, v) -> hv.driver().reboot(hv.node(), v));
        }
    }
}
