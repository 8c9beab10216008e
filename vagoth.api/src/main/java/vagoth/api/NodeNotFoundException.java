package vagoth.api;

/** No node has the id, name or key that was asked for. */
public class NodeNotFoundException extends VagothException {
    private static final long serialVersionUID = 1L;

    public NodeNotFoundException(String node) {
        super("Node " + node + " not found in registry.", node);
    }

    public NodeNotFoundException(String message, String node) {
        super(message, node);
    }

    public static NodeNotFoundException byName(String name) {
        return new NodeNotFoundException("No node is named " + name + ".", name);
    }

    public static NodeNotFoundException byKey(String key) {
        return new NodeNotFoundException("No node holds key " + key + ".", key);
    }
}
