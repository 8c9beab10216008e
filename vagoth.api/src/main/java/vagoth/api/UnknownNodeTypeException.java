package vagoth.api;

import java.util.Collection;
import java.util.TreeSet;

/** A node's type has no node type service to give it its API. */
public class UnknownNodeTypeException extends VagothException {
    private static final long serialVersionUID = 1L;

    public UnknownNodeTypeException(String type, String node, Collection<String> known) {
        super("Unknown node type " + type + " (known: " + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))) + ")", node);
    }
}
