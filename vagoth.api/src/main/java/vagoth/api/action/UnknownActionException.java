package vagoth.api.action;

import java.util.Collection;
import java.util.TreeSet;

import vagoth.api.VagothException;

/** No action of that name is installed. */
public class UnknownActionException extends VagothException {
    private static final long serialVersionUID = 1L;

    public UnknownActionException(String action, Collection<String> known) {
        super("Unknown action " + action + " (known: " + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))) + ")");
    }
}
