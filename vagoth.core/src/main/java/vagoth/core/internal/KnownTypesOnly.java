package vagoth.core.internal;

import java.util.List;

import vagoth.api.Node;
import vagoth.api.UnknownNodeTypeException;
import vagoth.api.nodetype.NodeType;
import vagoth.api.provision.ProvisionRequest;
import vagoth.api.provision.Provisioner;
import vagoth.support.whiteboard.Whiteboard;

/**
 * The provisioner as the manager hands it out: a node of a type no
 * {@link NodeType} serves is refused, naming the known ones, before anything
 * is made (it could be listed, but no command could act on it).
 */
final class KnownTypesOnly implements Provisioner {
    private final Provisioner provisioner;
    private final Whiteboard<NodeType> types;

    KnownTypesOnly(Provisioner provisioner, Whiteboard<NodeType> types) {
        this.provisioner = provisioner;
        this.types = types;
    }

    @Override
    public Node provision(ProvisionRequest request) {
        if (types.get(request.type()).isEmpty()) {
            throw new UnknownNodeTypeException(request.type(), request.id(), types.names());
        }
        return provisioner.provision(request);
    }

    @Override
    public void deprovision(String id) {
        provisioner.deprovision(id);
    }

    @Override
    public List<String> renamed(String id) {
        return provisioner.renamed(id);
    }

    @Override
    public List<String> reconcile() {
        return provisioner.reconcile();
    }
}
