package vagoth.api;

import java.util.Optional;

/**
 * Base of every error Vagoth reports. The message is written for an operator:
 * it says what was refused and, where possible, what to do about it.
 * {@link #node()} names the node the error is about, when there is one, so a
 * command line can print {@code <command>: <reason> (<node>)}.
 */
public class VagothException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String node;

    public VagothException(String message) {
        this(message, null, null);
    }

    public VagothException(String message, String node) {
        this(message, node, null);
    }

    public VagothException(String message, String node, Throwable cause) {
        super(message, cause);
        this.node = node;
    }

    /** The node this error is about, if any. */
    public Optional<String> node() {
        return Optional.ofNullable(node);
    }
}
