package vagoth.shell.internal;

import vagoth.api.Printable;

/**
 * A command was understood but failed: {@code <command>: <reason> (<node>)}. Exit status 1. The reason may hold
 * what an agent said: it is shown with its control characters escaped, on one line.
 */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CommandFailure(String command, String reason, String node) {
        super(command + ": " + Printable.of(reason) + (node == null || node.isEmpty() ? "" : " (" + node + ")"), null, false, false);
    }

    /** The message alone: the interactive shell prints exceptions with toString. */
    @Override
    public String toString() {
        return getMessage();
    }
}
