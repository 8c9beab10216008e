package vagoth.api;

/** A node cannot be removed while it still has a parent or children. */
public class NodeInUseException extends VagothException {
    private static final long serialVersionUID = 1L;

    public NodeInUseException(String message, String node) {
        super(message, node);
    }
}
