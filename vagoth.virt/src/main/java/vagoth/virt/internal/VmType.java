package vagoth.virt.internal;

import org.osgi.service.component.annotations.Component;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.nodetype.NodeType;
import vagoth.api.nodetype.VagothNodeType;
import vagoth.api.virt.VirtualMachine;

/** Gives nodes of type {@code vm} the {@link VirtualMachine} API. */
@Component
@VagothNodeType(VirtualMachine.TYPE)
public final class VmType implements NodeType {
    @Override
    public ManagedNode wrap(Manager manager, Node node) {
        return new VmNode(manager, node);
    }
}
