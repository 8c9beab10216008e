package vagoth.virt.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.Selection;
import vagoth.api.nodetype.NodeType;
import vagoth.api.nodetype.VagothNodeType;
import vagoth.api.scheduler.Scheduler;
import vagoth.api.virt.VirtualMachine;
import vagoth.support.bind.Current;

/**
 * Gives nodes of type {@code vm} the {@link VirtualMachine} API: each
 * operation is scheduled on the selected scheduler, and each plan asks the
 * selected allocator; both are followed across a swap.
 */
@Component(configurationPid = Selection.PID)
@VagothNodeType(VirtualMachine.TYPE)
public final class VmType implements NodeType {
    private final Current<Scheduler> scheduler = new Current<>("scheduler", Selection.DEFAULT_SWAP_GRACE_MS);
    private volatile Planner planner;

    @Activate
    @Modified
    void configure(Map<String, Object> props) {
        scheduler.grace(Current.grace(props));
    }

    /** The plans its nodes answer, asked of the selected allocator (one planner for both node types). */
    @Reference
    public void bindPlanner(Planner p) {
        planner = p;
    }

    @Reference(name = Selection.SCHEDULER, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindScheduler(Scheduler s) {
        scheduler.bind(s);
    }

    public void unbindScheduler(Scheduler s) {
        scheduler.unbind(s);
    }

    @Override
    public ManagedNode wrap(Manager manager, Node node) {
        return new VmNode(manager, node, scheduler, planner);
    }
}
