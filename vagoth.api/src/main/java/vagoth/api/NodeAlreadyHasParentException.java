package vagoth.api;

/** {@code setParent} on a node that already has one: unassign it first. */
public class NodeAlreadyHasParentException extends VagothException {
    private static final long serialVersionUID = 1L;

    public NodeAlreadyHasParentException(String node, String parent) {
        super("Node " + node + " already has parent " + parent + "; unassign it first", node);
    }
}
