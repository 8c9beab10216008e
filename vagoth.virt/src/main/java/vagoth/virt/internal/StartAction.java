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

/** {@code start}: defines the VM first when it is unassigned, then {@code starting} and the driver's start. */
@Component(service = Action.class, configurationPid = Selection.PID)
@VagothAction("start")
public final class StartAction extends VmAction {
    @Override
    protected Object execute(ActionContext ctx, Node vm, Map<String, String> args) {
        refuseIfLost(vm);
        Registry r = registry();
        Node current = vm;
        if (!current.hasParent()) {
            ctx.manager().action("define", args);
            current = r.getNode(vm.id());
        }
        Hypervisor hv = hypervisorOf(ctx.manager(), current);
        Node starting = state(r, vm.id(), VmStates.STARTING);
        drive(r, starting, v -> hv.driver().start(hv.node(), v));
        return null;
    }
}
